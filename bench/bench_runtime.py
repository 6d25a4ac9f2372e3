"""Runtime throughput: blocks of signed ``Balances.transfer_keep_alive`` through the executive.

Run with ``python -m bench runtime``. Set ``BENCH_RUNTIME_SIZES=1000,5000`` for more block
sizes (default: 1,000 transfers per block). The runtime's block limits admit about 1,090
transfers (the ``Normal`` proof-size budget), so for a larger block the benchmark composes the
same pallets with System's block weight and length limits scaled up (the note says by how much);
everything else is the Deepshard runtime as configured.

Setup (deterministic, from fixed seeds): the Deepshard runtime with a genesis of one funded
sr25519 sender per transfer plus `BACKGROUND_ACCOUNTS` funded accounts that receive them, in a
trie-backed `TrieState` over a `MemoryNodeStore`. Block 1 is a real Aura block: its header
carries the Aura pre-runtime digest (the slot) and its first extrinsic is the timestamp
inherent from `DeepshardRuntime.inherent_extrinsics`; then one immortal, tip-free transfer per
sender (nonce 0) to a random background account.

Figures, on one core, best of `ROUNDS`:

* production: ``initialize_block``, ``apply_extrinsic`` for each extrinsic, ``finalize_block``;
* import: ``execute_block`` of the produced block (the same steps plus the root checks);
* per extrinsic: decode (``UncheckedExtrinsic`` and the call), sr25519 verification alone,
  and the rest of ``apply_extrinsic`` (signing payload, nonce, weight, fee, dispatch, events)
  as the apply time minus those two;
* finalize: the whole ``finalize_block``, and within it the state root
  (``BlockState.storage_root`` of the block's changes, over the state the block read, as in
  ``finalize_block``) and the extrinsics root, each timed again on its own.

Each round starts from a cold `TrieState` (no decoded nodes) over the same genesis store.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bench.harness import Figure, print_figures
from deepshard.pallets.aura import Aura, AuraGenesis, AuthorityId
from deepshard.pallets.balances import Balances, BalancesGenesis
from deepshard.pallets.system import System
from deepshard.pallets.timestamp import INHERENT_IDENTIFIER as TIMESTAMP_INHERENT
from deepshard.pallets.transaction_payment import PalletFeeHandler
from deepshard.primitives.codec import H256, AccountId32
from deepshard.primitives.crypto import Keypair, KeyType, verify
from deepshard.primitives.extrinsic import (
    Id,
    UncheckedExtrinsic,
    additional_signed,
    signing_payload,
)
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import AURA_ENGINE_ID, Digest, Header, PreRuntime
from deepshard.primitives.numeric import U32, U64, U128
from deepshard.primitives.signing import sign_extrinsic
from deepshard.primitives.trie import EMPTY_TRIE_ROOT, MemoryNodeStore, ordered_trie_root
from deepshard.primitives.version import RuntimeVersion
from deepshard.primitives.weights import DEFAULT_NORMAL_RATIO, BlockLength, BlockWeights, Weight
from deepshard.runtime import configs
from deepshard.runtime.configs import MILLISECS_PER_BLOCK, UNIT
from deepshard.runtime.executive import Block, BlockInProgress, Executive
from deepshard.runtime.runtime import PALLETS, RUNTIME_NAME, deepshard_runtime
from deepshard.runtime.state import TrieState
from deepshard.runtime.support import Runtime
from deepshard.runtime.support.inherents import InherentData

DEFAULT_SIZES = (1_000,)
FITTING_TRANSFERS = 1_000
BACKGROUND_ACCOUNTS = 10_000
ROUNDS = 5
SLOT = 290_000_000
ENDOWMENT = 1_000 * UNIT
AMOUNT = UNIT


@dataclass(frozen=True)
class Setup:
    """A genesis state and a block of transfers built on it."""

    runtime: Runtime
    executive: Executive
    version: RuntimeVersion
    state: TrieState
    genesis: Header
    header: Header
    inherents: list[bytes]
    transfers: list[bytes]
    accounts: int
    limits_scale: int

    @property
    def extrinsics(self) -> list[bytes]:
        """Inherents first, then the transfers."""
        return [*self.inherents, *self.transfers]


def block_sizes() -> tuple[int, ...]:
    """Block sizes from ``BENCH_RUNTIME_SIZES`` (comma-separated), else `DEFAULT_SIZES`."""
    raw = os.environ.get("BENCH_RUNTIME_SIZES", "")
    sizes = tuple(int(part) for part in raw.replace("_", "").split(",") if part.strip())
    return sizes or DEFAULT_SIZES


def composed(limits_scale: int) -> tuple[Runtime, Executive]:
    """The Deepshard runtime and executive, with block limits `limits_scale` times larger."""
    rt = deepshard_runtime()
    if limits_scale == 1:
        return rt.runtime, rt.executive
    system = configs.SYSTEM
    max_block = system.block_weights.max_block
    system = replace(
        system,
        block_weights=BlockWeights.with_sensible_defaults(
            Weight.from_parts(
                int(max_block.ref_time) * limits_scale, int(max_block.proof_size) * limits_scale
            ),
            DEFAULT_NORMAL_RATIO,
        ),
        block_length=BlockLength.max_with_normal_ratio(
            5 * 1024 * 1024 * limits_scale, DEFAULT_NORMAL_RATIO
        ),
    )
    pallets = [
        (index, pallet, system if pallet is System else config) for index, pallet, config in PALLETS
    ]
    runtime = Runtime(name=RUNTIME_NAME, pallets=pallets)
    return runtime, Executive(runtime, rt.version, PalletFeeHandler())


def build_setup(size: int) -> Setup:
    """Build the genesis state and block 1 with `size` signed transfers."""
    rt = deepshard_runtime()
    limits_scale = -(-size // FITTING_TRANSFERS)
    runtime, executive = composed(limits_scale)
    rng = random.Random(size)
    senders = [
        Keypair.from_seed(blake2_256(b"bench-sender" + i.to_bytes(4, "little")), KeyType.SR25519)
        for i in range(size)
    ]
    background = [AccountId32(rng.randbytes(32)) for _ in range(BACKGROUND_ACCOUNTS)]
    endowed = [AccountId32(pair.public_key) for pair in senders] + background
    storage = rt.genesis_storage(
        {
            Aura: AuraGenesis(authorities=(AuthorityId(bytes(senders[0].public_key)),)),
            Balances: BalancesGenesis(balances=tuple((who, ENDOWMENT) for who in endowed)),
        }
    )
    state = TrieState.from_pairs(MemoryNodeStore(), storage, rt.version.state_version)
    genesis = Header(
        parent_hash=H256(bytes(32)),
        number=U32(0),
        state_root=H256(state.root),
        extrinsics_root=H256(EMPTY_TRIE_ROOT),
    )
    header = Header(
        parent_hash=genesis.hash(),
        number=U32(1),
        state_root=H256(bytes(32)),
        extrinsics_root=H256(bytes(32)),
        digest=Digest(logs=(PreRuntime(AURA_ENGINE_ID, U64(SLOT).to_le_bytes()),)),
    )
    data = InherentData()
    data.put_data(TIMESTAMP_INHERENT, U64(SLOT * MILLISECS_PER_BLOCK), U64)
    inherents = rt.inherent_extrinsics(state, genesis, data)
    transfers = []
    for pair in senders:
        call = rt.runtime.make_call(
            Balances,
            "transfer_keep_alive",
            dest=Id(background[rng.randrange(BACKGROUND_ACCOUNTS)]),
            value=U128(AMOUNT),
        )
        transfers.append(
            sign_extrinsic(
                rt.runtime.call_codec.encode(call),
                pair,
                nonce=0,
                genesis_hash=bytes(genesis.hash()),
                spec_version=int(rt.version.spec_version),
                transaction_version=int(rt.version.transaction_version),
            )
        )
    return Setup(
        runtime,
        executive,
        rt.version,
        state,
        genesis,
        header,
        inherents,
        transfers,
        len(endowed),
        limits_scale,
    )


def best_of(fn: Callable[[], Any], rounds: int = ROUNDS) -> tuple[float, Any]:
    """Return the best wall time of `rounds` calls of `fn` and the last call's result."""
    best = float("inf")
    result = None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


@dataclass
class Production:
    """Timings of one block production."""

    initialize: float
    apply: float
    finalize: float
    header: Header
    changes: dict[bytes, bytes | None]
    state: TrieState

    @property
    def total(self) -> float:
        """The whole production."""
        return self.initialize + self.apply + self.finalize


def cold(state: TrieState) -> TrieState:
    """The same state without the nodes an earlier round decoded (each round starts cold)."""
    return TrieState(state.trie)


def produce(setup: Setup) -> Production:
    """Produce block 1 once: initialize, apply every extrinsic, finalize; time each phase."""
    executive = setup.executive
    state = cold(setup.state)
    start = time.perf_counter()
    block: BlockInProgress = executive.initialize_block(state, setup.header)
    initialized = time.perf_counter()
    for encoded in setup.extrinsics:
        outcome = executive.apply_extrinsic(block, encoded)
        if outcome.dispatch_error is not None:
            raise RuntimeError(f"a benchmark extrinsic failed: {outcome.dispatch_error}")
    applied = time.perf_counter()
    header, changes = executive.finalize_block(block)
    finalized = time.perf_counter()
    return Production(
        initialized - start, applied - initialized, finalized - applied, header, changes, state
    )


def decode_all(setup: Setup) -> None:
    """Decode every transfer and its call, as `Executive.apply_extrinsic` does first."""
    call_codec = setup.runtime.call_codec
    for encoded in setup.transfers:
        xt = UncheckedExtrinsic.decode(encoded)
        call_codec.decode(xt.call)


def signature_checks(setup: Setup) -> list[tuple[bytes, bytes, bytes]]:
    """Return ``(signature, payload, public key)`` of every transfer."""
    version = setup.version
    genesis_hash = bytes(setup.genesis.hash())
    additional = additional_signed(
        int(version.spec_version), int(version.transaction_version), genesis_hash, genesis_hash
    )
    checks = []
    for encoded in setup.transfers:
        xt = UncheckedExtrinsic.decode(encoded)
        signature = xt.signature
        assert signature is not None
        payload = signing_payload(xt.call, signature.extra(), additional)
        public = bytes(signature.address.account)  # type: ignore[attr-defined]
        checks.append((bytes(signature.signature.signature), payload, public))  # type: ignore[attr-defined]
    return checks


def verify_all(checks: list[tuple[bytes, bytes, bytes]]) -> None:
    """Verify every sr25519 signature."""
    for signature, payload, public in checks:
        if not verify(KeyType.SR25519, signature, payload, public):
            raise RuntimeError("a benchmark signature does not verify")


def figures_for(size: int) -> list[Figure]:
    """Produce and import one block of `size` transfers; return the figures."""
    started = time.perf_counter()
    setup = build_setup(size)
    setup_seconds = time.perf_counter() - started
    runs = [produce(setup) for _ in range(ROUNDS)]
    best = min(runs, key=lambda run: run.total)
    block = Block(best.header, tuple(setup.extrinsics))
    import_seconds, changes = best_of(lambda: setup.executive.execute_block(setup.state, block))
    if changes != best.changes:
        raise RuntimeError("import produced different changes than production")
    decode_seconds, _ = best_of(lambda: decode_all(setup))
    checks = signature_checks(setup)
    verify_seconds, _ = best_of(lambda: verify_all(checks))
    version = setup.version
    # As in `finalize_block`: over the state the block read (its decoded nodes at hand).
    state_root_seconds, root = best_of(
        lambda: best.state.storage_root(best.changes, version.state_version)
    )
    if root != bytes(best.header.state_root):
        raise RuntimeError("the state root differs from the header's")
    xt_root_seconds, _ = best_of(
        lambda: ordered_trie_root(setup.extrinsics, version.extrinsics_root_state_version)
    )
    count = len(setup.extrinsics)
    apply_us = best.apply / count * 1e6
    decode_us = decode_seconds / size * 1e6
    verify_us = verify_seconds / size * 1e6
    setup_note = (
        f"{setup.accounts:,} accounts, {len(best.changes):,} changed keys; "
        f"setup {setup_seconds:.1f} s"
    )
    if setup.limits_scale > 1:
        setup_note += f"; block limits x{setup.limits_scale}"
    return [
        Figure("produce: transfers per second", size / best.total, "tx/s", setup_note),
        Figure("import (execute_block): transfers per second", size / import_seconds, "tx/s"),
        Figure("produce: initialize_block", best.initialize * 1e3, "ms"),
        Figure("produce: apply_extrinsic, per extrinsic", apply_us, "us"),
        Figure("  decode (extrinsic + call)", decode_us, "us"),
        Figure("  sr25519 verification", verify_us, "us"),
        Figure(
            "  dispatch + checks (nonce, weight, fee, balances, events)",
            apply_us - decode_us - verify_us,
            "us",
            "apply minus decode minus verification",
        ),
        Figure("produce: finalize_block", best.finalize * 1e3, "ms"),
        Figure("  state root (TrieState.storage_root)", state_root_seconds * 1e3, "ms"),
        Figure("  extrinsics root", xt_root_seconds * 1e3, "ms"),
    ]


def main() -> None:
    """Print the runtime throughput figures for each block size."""
    for size in block_sizes():
        print_figures(f"runtime: block of {size:,} transfer_keep_alive", figures_for(size))


if __name__ == "__main__":
    main()
