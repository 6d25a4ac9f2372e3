"""Crash safety: a child process authoring real Deepshard blocks is SIGKILLed at random moments.

The child (this file run as a script) opens a `ChainDatabase`, initialises the dev genesis
if needed, and loops: it authors a block on the best block with the real runtime (Aura slot
digest and timestamp inherent), imports it, sometimes imports a sibling fork and switches to
it (a reorg), and finalizes every third block (with a small prune depth, so pruning runs all
the time). It reports each committed step on stdout once the call has returned.

After every kill the parent reopens the database and checks: it opens cleanly, `verify(deep)`
passes, the best state re-roots from its key/value pairs and holds the best block's number,
every block the child reported is stored whole, and neither best nor finalized went back.
The next child then continues authoring from where the database stands.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from deepshard.chain_spec.builder import genesis_from_patch, preset_patch
from deepshard.chain_spec.presets import DEV
from deepshard.chain_spec.raw import genesis_header
from deepshard.client.db import ChainDatabase
from deepshard.pallets.timestamp import INHERENT_IDENTIFIER
from deepshard.primitives.codec import H256, encode
from deepshard.primitives.hashing import storage_prefix
from deepshard.primitives.header import Digest, Header, PreRuntime
from deepshard.primitives.numeric import U32, U64
from deepshard.primitives.trie import StateVersion, trie_root
from deepshard.runtime.executive import Block
from deepshard.runtime.runtime import deepshard_runtime
from deepshard.runtime.support.inherents import InherentData

PRUNE_DEPTH = 4
SYSTEM_NUMBER = storage_prefix("System", "Number")


@dataclass
class Reported:
    """What the children said they committed, over all runs."""

    blocks: set[bytes] = field(default_factory=set)
    best_number: int = 0
    finalized_number: int = 0
    lines: int = 0

    def read(self, output: bytes) -> None:
        for line in output.decode().splitlines(keepends=True):
            if not line.endswith("\n"):
                continue  # cut by the kill
            kind, *rest = line.split()
            self.lines += 1
            if kind == "block":
                self.blocks.add(bytes.fromhex(rest[0]))
            elif kind == "best":
                self.best_number = max(self.best_number, int(rest[0]))
            elif kind == "final":
                self.finalized_number = max(self.finalized_number, int(rest[0]))


def _check(path: Path, reported: Reported, previous_best: int) -> int:
    """Reopen after a kill and check everything; return the best number."""
    with ChainDatabase(path, prune_depth=PRUNE_DEPTH) as db:
        if not db.is_initialized:
            assert not reported.blocks, "blocks were reported but the genesis is gone"
            return 0
        db.verify(deep=True)
        heads = db.heads
        assert heads.best_number >= max(previous_best, reported.best_number)
        assert heads.finalized_number >= reported.finalized_number
        for block_hash in reported.blocks:
            assert db.header(block_hash) is not None, f"lost block 0x{block_hash.hex()}"
            assert db.body(block_hash) is not None
        header = db.header(heads.best)
        assert isinstance(header, Header)
        state = db.state_at(heads.best)
        assert state is not None
        with state:
            pairs = list(state.iter_pairs())
            assert trie_root(pairs, StateVersion.V1) == header.state_root
            number = state.get(SYSTEM_NUMBER)
            assert number is not None
            assert int.from_bytes(number, "little") == heads.best_number
        return heads.best_number


def _run_kills(path: Path, kills: int, seed: int) -> Reported:
    rng = random.Random(seed)
    reported = Reported()
    best = 0
    bests: list[int] = []
    for run in range(kills):
        child = subprocess.Popen(
            [sys.executable, __file__, str(path), str(seed * 1000 + run)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert child.stdout is not None
        if rng.random() < 0.2:
            # Anywhere from start-up on: imports, opening, genesis, the first blocks.
            time.sleep(rng.uniform(0.0, 1.2))
        else:
            line = child.stdout.readline()
            if not line.startswith(b"ready"):
                child.kill()
                _, err = child.communicate()
                pytest.fail(f"the child did not start: {line!r} {err.decode()[-2000:]}")
            reported.read(line)
            time.sleep(rng.uniform(0.0, 0.5))
        if child.poll() is not None:
            _, err = child.communicate()
            pytest.fail(f"the child stopped on its own: {err.decode()[-2000:]}")
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        assert child.returncode == -signal.SIGKILL
        reported.read(out)
        best = _check(path, reported, best)
        bests.append(best)
    # Authoring went on across the restarts.
    assert bests[-1] > bests[0] or bests[-1] > 0
    assert bests == sorted(bests)
    return reported


def test_kill_during_block_production(tmp_path: Path) -> None:
    """A quick variant: three kills."""
    reported = _run_kills(tmp_path / "chain", kills=3, seed=1)
    assert reported.lines > 0


@pytest.mark.slow
def test_kill_during_block_production_many_times(tmp_path: Path) -> None:
    """At least 20 kills at random moments; the database survives every one."""
    reported = _run_kills(tmp_path / "chain", kills=24, seed=2)
    assert reported.best_number > 20
    assert reported.finalized_number > 0


# --- the child ------------------------------------------------------------------------------


def _child(path: Path, seed: int) -> None:
    """Author and import blocks until killed (see the module notes)."""
    slot_ms, first_slot = 6_000, 300_000_000
    rng = random.Random(seed)
    runtime = deepshard_runtime()
    executive = runtime.executive
    version = executive.state_version
    db = ChainDatabase(path, prune_depth=PRUNE_DEPTH)
    if not db.is_initialized:
        storage = runtime.genesis_storage(genesis_from_patch(preset_patch(DEV)))
        header = genesis_header(trie_root(storage.items(), version))
        db.initialize_genesis(header, storage, version)
    print("ready", db.best_number, flush=True)

    def author(parent: bytes, sibling: bool) -> tuple[Block, dict[bytes, bytes | None]]:
        parent_header = db.header(parent)
        assert parent_header is not None
        number = int(parent_header.number) + 1
        slot = first_slot + 2 * number + (1 if sibling else 0)
        digest = Digest(logs=(PreRuntime(b"aura", encode(U64(slot))),))
        data = InherentData()
        data.put_data(INHERENT_IDENTIFIER, U64(slot * slot_ms))
        state = db.state_at(parent)
        assert state is not None
        with state:
            inherents = runtime.inherent_extrinsics(state, parent_header, data)
            building = executive.initialize_block(
                state,
                Header(
                    parent_hash=H256(parent),
                    number=U32(number),
                    state_root=H256(),
                    extrinsics_root=H256(),
                    digest=digest,
                ),
            )
            for extrinsic in inherents:
                executive.apply_extrinsic(building, extrinsic)
            header, changes = executive.finalize_block(building)
        return Block(header, tuple(inherents)), changes

    while True:
        heads = db.heads
        if heads.best_number > heads.finalized_number and rng.random() < 0.2:
            best_header = db.header(heads.best)
            assert best_header is not None
            block, changes = author(best_header.parent_hash, sibling=True)
            db.import_block(block, changes, version, make_best=False)
            print("block", block.hash().hex(), flush=True)
            if rng.random() < 0.5:
                db.set_best(block.hash())
                print("best", db.best_number, flush=True)
            continue
        block, changes = author(heads.best, sibling=False)
        db.import_block(block, changes, version, make_best=True)
        print("block", block.hash().hex(), flush=True)
        print("best", int(block.header.number), flush=True)
        if db.best_number % 3 == 0 and db.best_number > 2:
            target = db.canonical_hash(db.best_number - 2)
            assert target is not None
            db.set_finalized(target, (b"FRNK", b"justification"))
            print("final", db.best_number - 2, flush=True)


if __name__ == "__main__":
    _child(Path(sys.argv[1]), int(sys.argv[2]))
