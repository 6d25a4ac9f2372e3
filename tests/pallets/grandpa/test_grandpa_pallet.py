"""The Grandpa pallet: the genesis authority set and on-chain equivocation evidence."""

from __future__ import annotations

import pytest

from deepshard.pallets.grandpa import (
    AuthorityId,
    AuthoritySignature,
    DuplicateOffenceReport,
    EquivocationProof,
    EquivocationReported,
    Grandpa,
    GrandpaGenesis,
    InvalidEquivocationProof,
    SignedVote,
    Stage,
    TooManyReports,
    offence_key,
    vote_payload,
)
from deepshard.pallets.grandpa import Config as GrandpaConfig
from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.primitives.codec import H256
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.numeric import U8, U32, U64
from deepshard.runtime.support import NONE, ROOT, Runtime
from deepshard.runtime.support.errors import BadOrigin
from deepshard.runtime.support.testing import (
    TestExternalities,
    assert_last_event,
    assert_noop,
)

RUNTIME = Runtime(
    name="grandpa_mock",
    pallets=[
        (0, System, SystemConfig(weights=SystemUnitWeights())),
        (3, Grandpa, GrandpaConfig()),
    ],
)
NAMES = ("Alice", "Bob", "Charlie", "Dave")
KEYS = {name: dev_keypair(name, KeyType.ED25519) for name in (*NAMES, "Eve")}


@pytest.fixture
def ext() -> TestExternalities:
    genesis = GrandpaGenesis(
        authorities=tuple((AuthorityId(KEYS[n].public_key), U64(1)) for n in NAMES)
    )
    return TestExternalities(RUNTIME, {Grandpa: genesis})


def _vote(name: str, target: bytes, number: int, round_: int, stage: Stage) -> SignedVote:
    payload = vote_payload(stage, target, number, round_, 0)
    return SignedVote(
        target_hash=H256(target),
        target_number=U32(number),
        signature=AuthoritySignature(KEYS[name].sign(payload)),
    )


def _proof(name: str = "Bob", round_: int = 7, stage: Stage = Stage.PREVOTE) -> EquivocationProof:
    return EquivocationProof(
        set_id=U64(0),
        round=U64(round_),
        stage=U8(stage),
        offender=AuthorityId(KEYS[name].public_key),
        first=_vote(name, b"\x01" * 32, 5, round_, stage),
        second=_vote(name, b"\x02" * 32, 5, round_, stage),
    )


def test_genesis_stores_the_weighted_set(ext: TestExternalities) -> None:
    grandpa = ext.pallet(Grandpa)
    assert [bytes(k) for k, _ in grandpa.weighted_authorities()] == [
        KEYS[n].public_key for n in NAMES
    ]
    assert int(grandpa.current_set_id.get()) == 0


def test_genesis_refuses_a_repeated_key_or_zero_weight() -> None:
    alice = AuthorityId(KEYS["Alice"].public_key)
    with pytest.raises(ValueError, match="twice"):
        TestExternalities(
            RUNTIME, {Grandpa: GrandpaGenesis(authorities=((alice, U64(1)), (alice, U64(1))))}
        )
    with pytest.raises(ValueError, match="zero weight"):
        TestExternalities(RUNTIME, {Grandpa: GrandpaGenesis(authorities=((alice, U64(0)),))})


def test_a_valid_proof_is_recorded_once(ext: TestExternalities) -> None:
    proof = _proof()
    ext.dispatch(Grandpa, "report_equivocations", NONE, proofs=(proof,))
    assert_last_event(
        ext, EquivocationReported(offender=proof.offender, set_id=U64(0), round=U64(7))
    )
    offence = ext.pallet(Grandpa).offences.get(offence_key(proof))
    assert offence is not None
    assert bytes(offence.offender) == KEYS["Bob"].public_key
    assert_noop(
        ext,
        lambda: ext.dispatch(Grandpa, "report_equivocations", NONE, proofs=(proof,)),
        DuplicateOffenceReport,
    )
    # The same offender in another stage of the round is another offence.
    ext.dispatch(Grandpa, "report_equivocations", NONE, proofs=(_proof(stage=Stage.PRECOMMIT),))


def test_invalid_proofs_are_refused(ext: TestExternalities) -> None:
    good = _proof()
    forged = EquivocationProof(
        set_id=good.set_id,
        round=good.round,
        stage=good.stage,
        offender=good.offender,
        first=good.first,
        second=_vote("Alice", b"\x02" * 32, 5, 7, Stage.PREVOTE),  # not Bob's signature
    )
    same = EquivocationProof(
        set_id=good.set_id,
        round=good.round,
        stage=good.stage,
        offender=good.offender,
        first=good.first,
        second=good.first,
    )
    other_round = EquivocationProof(
        set_id=good.set_id,
        round=U64(8),  # the signatures are for round 7
        stage=good.stage,
        offender=good.offender,
        first=good.first,
        second=good.second,
    )
    for bad in (forged, same, other_round, _proof("Eve")):  # Eve is no authority
        assert_noop(
            ext,
            lambda bad=bad: ext.dispatch(Grandpa, "report_equivocations", NONE, proofs=(bad,)),
            InvalidEquivocationProof,
        )
    assert_noop(
        ext,
        lambda: ext.dispatch(Grandpa, "report_equivocations", NONE, proofs=(good,) * 17),
        TooManyReports,
    )
    assert_noop(
        ext,
        lambda: ext.dispatch(Grandpa, "report_equivocations", ROOT, proofs=(good,)),
        BadOrigin,
    )
