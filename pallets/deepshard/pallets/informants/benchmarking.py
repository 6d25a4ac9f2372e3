"""Benchmarks of the Informants pallet: the worst case of every call and of each part of the hook.

Each setup runs on fresh genesis state of the runtime being benchmarked (its own configuration:
limits, minimum stakes), funds the accounts it needs, builds the worst case the configuration
allows and returns the action the benchmark step measures. ``deepshard benchmark pallet
--pallet informants`` fits the measurements and writes ``weights.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deepshard.pallets.informants.pallet import Informants
from deepshard.pallets.informants.types import CriteriaScores
from deepshard.pallets.informants.weights import InformantsWeights
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.numeric import U32, U64, U128, Percent
from deepshard.runtime.support import ROOT, Origin, Signed
from deepshard.runtime.support.benchmarking import BenchmarkSuite, Component, benchmark
from deepshard.runtime.support.testing import TestExternalities

__all__ = ["SUITE", "account", "fund", "scores_of"]

CID = bytes.fromhex("01551220") + bytes(range(32))
"""A CIDv1 (raw, sha2-256)."""
Action = Callable[[], object]


def account(n: int) -> AccountId32:
    """The `n`-th benchmark account."""
    return AccountId32(b"bench:" + n.to_bytes(26, "big"))


def fund(ext: TestExternalities, who: AccountId32) -> None:
    """Give `who` plenty of free balance (minted through the configured currency)."""
    pallet = ext.pallet(Informants)
    currency: Any = ext.ctx.pallet(pallet.config.currency)
    currency.deposit_creating(who, U128(10**30))


def scores_of(value: int) -> CriteriaScores:
    """The same score on all five criteria."""
    return CriteriaScores(*(Percent.from_parts(value) for _ in range(5)))


def call(ext: TestExternalities, name: str, origin: Origin, **arguments: Any) -> Action:
    """The action of dispatching ``Informants.<name>`` (as an extrinsic would, in a layer)."""
    runtime = ext.runtime
    outer = runtime.make_call(Informants, name, **arguments)
    return lambda: runtime.dispatch(ext.ctx, outer, origin)


def submit(ext: TestExternalities, who: AccountId32) -> U64:
    """Submit a batch from `who` with the minimum stake; return its id."""
    pallet = ext.pallet(Informants)
    batch_id = pallet.next_batch_id.get()
    call(
        ext,
        "submit_batch",
        Signed(who),
        cid=CID,
        byte_size=U64(1_000_000),
        item_count=U32(10_000),
        stake=pallet.config.min_batch_stake,
        metadata_cid=CID,
    )()
    return batch_id


def bond(ext: TestExternalities, who: AccountId32) -> None:
    """Fund `who` and bond it as a curator with ten times the minimum."""
    fund(ext, who)
    amount = ext.pallet(Informants).config.min_curator_bond * U128(10)
    call(ext, "bond_curator", Signed(who), amount=amount)()


def with_votes(ext: TestExternalities, votes: int) -> U64:
    """A batch with `votes` aye votes from as many curators (the informant is account 0)."""
    fund(ext, account(0))
    curators = [account(n) for n in range(1, votes + 1)]
    for who in curators:
        bond(ext, who)
    batch_id = submit(ext, account(0))
    for n, who in enumerate(curators):
        call(ext, "vote", Signed(who), batch_id=batch_id, aye=True, scores=scores_of(n % 101))()
    return batch_id


# --- calls ----------------------------------------------------------------------------------------


@benchmark()
def submit_batch(ext: TestExternalities) -> Action:
    """The informant already has `MaxOpenBatches - 1` open batches."""
    pallet = ext.pallet(Informants)
    fund(ext, account(0))
    for _ in range(int(pallet.config.max_open_batches) - 1):
        submit(ext, account(0))
    return call(
        ext,
        "submit_batch",
        Signed(account(0)),
        cid=CID,
        byte_size=U64(1_000_000),
        item_count=U32(10_000),
        stake=pallet.config.min_batch_stake,
        metadata_cid=CID,
    )


@benchmark()
def bond_curator(ext: TestExternalities) -> Action:
    """A curator tops up an existing bond."""
    bond(ext, account(1))
    return call(ext, "bond_curator", Signed(account(1)), amount=U128(10**12))


@benchmark()
def unbond_curator(ext: TestExternalities) -> Action:
    """The curator already has `MaxUnlockingChunks - 1` chunks unbonding."""
    bond(ext, account(1))
    for _ in range(int(ext.pallet(Informants).config.max_unlocking_chunks) - 1):
        call(ext, "unbond_curator", Signed(account(1)), amount=U128(1))()
    return call(ext, "unbond_curator", Signed(account(1)), amount=U128(1))


@benchmark()
def withdraw_unbonded(ext: TestExternalities) -> Action:
    """`MaxUnlockingChunks` chunks, all ready."""
    pallet = ext.pallet(Informants)
    bond(ext, account(1))
    for _ in range(int(pallet.config.max_unlocking_chunks)):
        call(ext, "unbond_curator", Signed(account(1)), amount=U128(1))()
    ext.ctx.block_number += int(pallet.config.unbonding_period)
    return call(ext, "withdraw_unbonded", Signed(account(1)))


@benchmark()
def vote(ext: TestExternalities) -> Action:
    """A curator changes an aye vote into another aye vote (both histogram updates)."""
    batch_id = with_votes(ext, 1)
    return call(ext, "vote", Signed(account(1)), batch_id=batch_id, aye=True, scores=scores_of(7))


@benchmark()
def set_voting_period(ext: TestExternalities) -> Action:
    """Root sets the period."""
    return call(ext, "set_voting_period", ROOT, period=U32(100))


@benchmark()
def claim_curator_reward(ext: TestExternalities) -> Action:
    """A winning curator claims a share (a mint) of an accepted batch."""
    pallet = ext.pallet(Informants)
    treasury: Any = ext.ctx.pallet(pallet.config.treasury)
    treasury.emission_budget.put(U128(10**24))
    curators = max(2, int(pallet.config.min_turnout.deconstruct()) // 10_000_000)
    batch_id = with_votes(ext, curators)
    batch = pallet.batches.get(batch_id)
    assert batch is not None  # just submitted
    ext.ctx.block_number = int(batch.voting_ends)
    pallet.do_schedule_closing(batch_id)
    pallet.do_close(batch_id)
    return call(ext, "claim_curator_reward", Signed(account(1)), batch_id=batch_id)


# --- the hook -------------------------------------------------------------------------------------


@benchmark()
def on_initialize_base(ext: TestExternalities) -> Action:
    """Nothing due, an empty closing queue."""
    pallet = ext.pallet(Informants)
    return lambda: pallet.on_initialize(ext.ctx.block_number)


@benchmark(Component("batches", 1, 64))
def schedule_closing(ext: TestExternalities, batches: int) -> Action:
    """`batches` batches reach the end of their voting period in the same block."""
    pallet = ext.pallet(Informants)
    ids = []
    for n in range(batches):
        fund(ext, account(n))
        ids.append(submit(ext, account(n)))
    batch = pallet.batches.get(ids[0])
    assert batch is not None  # just submitted
    ext.ctx.block_number = int(batch.voting_ends)

    def action() -> None:
        for batch_id in ids:
            pallet.do_schedule_closing(batch_id)

    return action


@benchmark()
def close_batch(ext: TestExternalities) -> Action:
    """An accepted batch with `MaxVotesPerBatch` votes.

    The stake is released, the informant paid and the curator reward set aside; the closing
    never reads the votes themselves.
    """
    pallet = ext.pallet(Informants)
    treasury: Any = ext.ctx.pallet(pallet.config.treasury)
    treasury.emission_budget.put(U128(10**24))
    batch_id = with_votes(ext, int(pallet.config.max_votes_per_batch))
    batch = pallet.batches.get(batch_id)
    assert batch is not None  # just submitted
    ext.ctx.block_number = int(batch.voting_ends)
    pallet.do_schedule_closing(batch_id)
    return lambda: pallet.do_close(batch_id)


SUITE = BenchmarkSuite(
    pallet="Informants",
    weights_protocol=InformantsWeights,
    benchmarks=(
        submit_batch,
        bond_curator,
        unbond_curator,
        withdraw_unbonded,
        vote,
        set_voting_period,
        claim_curator_reward,
        on_initialize_base,
        schedule_closing,
        close_batch,
    ),
)
"""Every benchmark of the Informants pallet."""
