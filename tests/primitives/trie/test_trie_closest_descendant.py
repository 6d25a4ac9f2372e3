"""`closest_descendant_merkle_value`: the ``closestDescendantMerkleValue`` storage query.

Checked by what the Merkle value must mean, under hypothesis: the empty key names the root; no
value exists exactly when no key starts with the queried one; and the value changes exactly
when a value under the queried key changes (everything outside is another subtree).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from deepshard.primitives.trie import MemoryNodeStore, StateVersion, Trie

keys = st.binary(min_size=0, max_size=3)
pairs = st.dictionaries(keys, st.binary(min_size=1, max_size=40), min_size=1, max_size=12)


def _trie(contents: dict[bytes, bytes]) -> Trie:
    return Trie.from_pairs(MemoryNodeStore(), contents.items(), StateVersion.V1)


@settings(max_examples=200, deadline=None)
@given(pairs, keys)
def test_root_absence_and_locality(contents: dict[bytes, bytes], query: bytes) -> None:
    trie = _trie(contents)
    assert trie.closest_descendant_merkle_value(b"") == trie.root
    merkle = trie.closest_descendant_merkle_value(query)
    under = [k for k in contents if k.startswith(query)]
    assert (merkle is None) == (not under)
    for changed in sorted(contents):
        other = _trie({**contents, changed: contents[changed] + b"!"})
        moved = other.closest_descendant_merkle_value(query) != merkle
        assert moved == changed.startswith(query), (changed, query)


def test_empty_trie_has_none() -> None:
    assert _trie({}).closest_descendant_merkle_value(b"") is None


def test_a_short_node_is_its_own_merkle_value() -> None:
    """A node under 32 bytes is referred to by its encoding, not its hash."""
    trie = _trie({b"\x01": b"a", b"\x02": b"b"})
    inline = trie.closest_descendant_merkle_value(b"\x01")
    assert inline is not None
    assert len(inline) < 32
    big = _trie({b"\x01": b"a" * 40, b"\x02": b"b"}).closest_descendant_merkle_value(b"\x01")
    assert big is not None
    assert len(big) == 32
