"""Storage proofs: generation, verification, rejection of tampering, and a real Polkadot proof."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepshard.primitives.codec.compact import decode_compact
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.trie import (
    EMPTY_TRIE_ROOT,
    InvalidProof,
    MemoryNodeStore,
    StateVersion,
    Trie,
    decode_node,
    generate_proof,
    verify_proof,
)

# A proof from the Polkadot genesis state, as a SCALE `Vec<Vec<u8>>` (smoldot's
# `lib/src/trie/proof_decode/tests.rs`, EXAMPLE_PROOF): six nodes proving one
# `Session.NextKeys`-style entry under Polkadot's genesis state root.
POLKADOT_PROOF = bytes.fromhex(
    "18d47d01542596adb05d6140c170ac479edf7cfd5aa35357590acfe5d11a804d944e500d1456fdda7b8ec7f9e5c7"
    "94cd83194f0593e4ea3505803f93804e4c6c4222b747e507008ef1def063bb0d2deeadf17ef4b10e71624d3a0cf8"
    "1c80241f2c06f22ec58968fb68d432319e25e6c8faa3ad2c5ca9ee48f2e8ed158e2480ad8a68234932269846bc40"
    "240a47cfd8d8857b1d81e167bfb24c947a4cdad9e680c84590e39f8b79a2694ad2bf7e7258af686b472f38b064bb"
    "ce7d08404931a430805c72f25b1b6304d16667e2766fa1a906cb081788eb4502787df7c3597412b17b806e21c5f1"
    "a24a196615b4e5b36d21280cdcc80098c1e2bce8eeaf301e9951767480424f1acd80ba074a2ce8d180bf3488a5ca"
    "91cb81fba96c8c3c1d33eacbb18160805e849d5c148ca361a55a2c9b384e17ce919e936ccb8011a4f72504e9f93d"
    "b8cd80edd005a1495c70250d77f81c24c15a9919f034f7983df8e505e53a5af7b402138012a0dd90497b65312bda"
    "67ea15996578eeb3891bca8666951a326612418e3143b10480555d8043fb497c1b2a7b9e4feb59f410c1a29e28b2"
    "a628ff9c6003e080f6b9fadd95f9806e8d911b6818038eb7c8534af8e78e9920a1ab8d939c36d3e69b0a1e592811"
    "0b80ba4d3f543957f422b40c8e74af9de00acbeba8154afca57a7f80fbbcfebb1e4a803d1b8f5cf1788b294537b8"
    "fd2d34acec4646a7627c6cd3d2039af64ff5d1976d80e7620f21cf13964f29d34ba708c3b44ea45ea11c58fbbedd"
    "a29d13470bc80ca080f98aae4f83d81bf15d88019e5c303d7c19d0524e84c714e05f61517cde0b138280d518faf5"
    "66fdc4d045094abe372bb3bbecd4753f76db8c41ba9fc015558bf23a80908f991126d12ce7acd55508ff1e7dffa5"
    "6f742401e1814fc1469658a78c7a7f8001b0a08da0c83253d5c0cb877286c062da2f530ae424fe2545377941fd01"
    "6913350580b3a780a29fac7f7dfae21d05d9506e7da6515b7fa1ad970ff876de35f1bec2599ec002805b6772dc6a"
    "4e7604c8d0652479f95b343607c2d9138c59eeb799d85bf43b6bbf803d12becb6a4b9919ddc7c5973d04eed7696c"
    "834f90c779fc1fcf7350ccc28d6b805f33ebcf191fddcf3b3f346ec336c105c74b40a4d35dfda0c592f2bea00084"
    "e980f764c733d6e35771a9b26a1fa86b9bec59742b046f698be6c140af1073897d3d80cd3bc8c3ce3cf8359f7371"
    "a13316f02fd22b02a3d327684a2b61f4a47e0022b880da752afaeb925d5300e45b851052c5f8a9c5aae884f15d64"
    "764edf961b8b22c880bf1fa9c7e4c94340dbafd75cbe016c980d0e5d5b4e76823fa11e61629014c34b804f54a15e"
    "5d51d02b84e8cae94c9833ae81e56b8f0b684d257f6f722ee66cadf98094833fb2dce8c78d443cd6786e0c01d897"
    "4a4b779c178ef5e66b49e021dd7f1ae1029f0c5d795d0297be56027a4b2464e33397609280f332ff556abf5daf0d"
    "34523df7c8cd1369bcb6adbb23a48093bf070a9711bf3480382934134aa919b59c16ff8de8d97a7fdcc2448ea327"
    "b26f44005d756d1785878081d634140b36ce031c4b6c6266e2a7c19d9a88e38fdd8ad23abd3db20e714f6980fde1"
    "7041f22f09609d79dbe38dcccefcaac139c7a10fb23bd284c1c492b004fd80d287ad1d0ade65e64d3969f4ab85a3"
    "7076816031438cea0bf8c33b7b2bc6c3308d089f03e6d3c1fb15805edfd024172ea4817dffff80152833e34a852e"
    "9751cfc0f954aeb835e1f843936ba9979853a40e439937255f806a36e0ad23fb3224fff6e6db62048463a7f27ccb"
    "92f65b4e348acd5a7aa3a0688027b6e099c11581fb2e8acf3b6b94eaed442277b9a74ce7f922f6e3bf2959867b80"
    "fd0cc2c846db6a9ed19a715d6c3cd46a48b7f409883c70b2d4c978b306de379e80ab008a78c340f5cc75d99cdb90"
    "5951936686445c834719be21f7620b950dcd5c806d86af54d5dfb1c06f3fefdd5a430861c0d19e25fad4bad07c6e"
    "70d4a679f0b880f35edc5400b6661fb1e6fba7c599c8ba891458d14400030fa506999a1972369f80746cdaa0b7da"
    "2e9c3864971f50f12d9b4281f804d5a2dba6ebe06959b2a9fb47802ecfde11456423c87fed8068f414a5ba44ebe3"
    "ae91b06d14cc231a78d4aba68e80f655291833a49cf23d057bb15c42d377c55d50f5885329060b0aaab22283cbb1"
    "808c95fb2b62baf30718b8330ef68a527c97c1bc9960304353224d8a8ae88a79d58045c1b6d9904ae171d573bdce"
    "baa05142d81648bdbeb16ceeddc54a0ed15d3e2b80a8ea193282fe85b6481707091c77c9218ea19de914e7595092"
    "5fe86400fb0cb080c222ceab5355eaa41da807146f2e2df7ff648c3e8bbb6d8ee23274ba724551b18008f142dc3c"
    "59bf1151c829ecefea35919e80453db5e9669f5a73899aaa5166ee804f1d21fbdc0180c4de886bf40f91dfc2202b"
    "3eb6d42548d476908041dd617bb8"
)
POLKADOT_GENESIS_STATE_ROOT = bytes.fromhex(
    "29d0d972cd27cbc511e9589fcb7a4506d5eb6a9e8df205f00472e5ab354a4e17"
)
POLKADOT_KEY = bytes.fromhex(
    "9c5d795d0297be56027a4b2464e3339763e6d3c1fb15805edfd024172ea4817d"
    "7081542596adb05d6140c170ac479edf7cfd5aa35357590acfe5d11a804d944e"
)
POLKADOT_VALUE = bytes.fromhex("0d1456fdda7b8ec7f9e5c794cd83194f0593e4ea")


def split_scale_nodes(data: bytes) -> list[bytes]:
    count, pos = decode_compact(data)
    nodes = []
    for _ in range(count):
        size, pos = decode_compact(data, pos)
        nodes.append(data[pos : pos + size])
        pos += size
    assert pos == len(data)
    return nodes


def test_real_polkadot_proof_verifies() -> None:
    nodes = split_scale_nodes(POLKADOT_PROOF)
    assert len(nodes) == 6
    for node in nodes:
        decode_node(node)  # every node of a real proof decodes
    absent = POLKADOT_KEY + b"\x25"
    result = verify_proof(POLKADOT_GENESIS_STATE_ROOT, nodes, [POLKADOT_KEY, absent])
    assert result == {POLKADOT_KEY: POLKADOT_VALUE, absent: None}
    # The proof stops where the key's path leaves it.
    with pytest.raises(InvalidProof):
        verify_proof(POLKADOT_GENESIS_STATE_ROOT, nodes, [POLKADOT_KEY[:33] + b"\x00"])
    # Re-storing the proof's nodes and proving again yields the same node set.
    store = MemoryNodeStore({blake2_256(n): n for n in nodes})
    assert generate_proof(store, POLKADOT_GENESIS_STATE_ROOT, [POLKADOT_KEY, absent]) == sorted(
        nodes
    )


def build(version: StateVersion, count: int = 300) -> tuple[Trie, dict[bytes, bytes]]:
    table = {
        blake2_256(i.to_bytes(4, "little"))[:12]: bytes([i % 256]) * (i % 70) for i in range(count)
    }
    table[b""] = b"root value"
    table[b"short"] = b"s"
    return Trie.from_pairs(MemoryNodeStore(), table.items(), version), table


@pytest.mark.parametrize("version", list(StateVersion))
def test_proof_of_presence_and_absence(version: StateVersion) -> None:
    trie, table = build(version)
    present = sorted(table)[::37]
    absent = [b"missing", present[0] + b"\x00", present[1][:5]]
    proof = generate_proof(trie.store, trie.root, present + absent)
    assert proof == sorted(set(proof))
    result = verify_proof(trie.root, proof, present + absent)
    assert result == {**{k: table[k] for k in present}, **dict.fromkeys(absent)}


def test_v1_proof_carries_value_nodes() -> None:
    trie, table = build(StateVersion.V1)
    key = next(k for k, v in table.items() if len(v) >= 33)
    proof = generate_proof(trie.store, trie.root, [key])
    assert table[key] in proof
    without_value = [n for n in proof if n != table[key]]
    with pytest.raises(InvalidProof):
        verify_proof(trie.root, without_value, [key])


@pytest.mark.parametrize("version", list(StateVersion))
def test_tampered_proofs_are_rejected(version: StateVersion) -> None:
    trie, table = build(version)
    keys = sorted(table)[5:8]
    proof = generate_proof(trie.store, trie.root, keys)
    assert len(proof) > 2
    for index, node in enumerate(proof):
        for position in (0, len(node) // 2, len(node) - 1):
            flipped = bytearray(node)
            flipped[position] ^= 0x01
            tampered = [*proof[:index], bytes(flipped), *proof[index + 1 :]]
            with pytest.raises(InvalidProof):
                verify_proof(trie.root, tampered, keys)
        with pytest.raises(InvalidProof):
            verify_proof(trie.root, proof[:index] + proof[index + 1 :], keys)
    with pytest.raises(InvalidProof):
        verify_proof(blake2_256(b"another root"), proof, keys)
    other, _ = build(version, 50)
    foreign = generate_proof(other.store, other.root, [b"short"])
    with pytest.raises(InvalidProof):
        verify_proof(trie.root, proof + foreign, keys)  # extra nodes no key needs
    assert verify_proof(trie.root, proof + foreign, keys, allow_unused=True) == {
        k: table[k] for k in keys
    }
    with pytest.raises(InvalidProof):
        verify_proof(trie.root, foreign, keys)  # nodes from another trie


def test_empty_trie_proves_absence_with_no_nodes() -> None:
    assert generate_proof(MemoryNodeStore(), EMPTY_TRIE_ROOT, [b"k"]) == []
    assert verify_proof(EMPTY_TRIE_ROOT, [], [b"k"]) == {b"k": None}


@given(
    table=st.dictionaries(st.binary(max_size=4), st.binary(max_size=50), max_size=30),
    queries=st.lists(st.binary(max_size=4), max_size=6),
)
@settings(max_examples=100)
def test_proofs_verify_for_any_trie(table: dict[bytes, bytes], queries: list[bytes]) -> None:
    for version in StateVersion:
        trie = Trie.from_pairs(MemoryNodeStore(), table.items(), version)
        proof = generate_proof(trie.store, trie.root, queries)
        assert verify_proof(trie.root, proof, queries) == {k: table.get(k) for k in queries}
