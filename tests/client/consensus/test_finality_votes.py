"""Vote counting of the finality gadget against a brute-force reference, and justifications."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepshard.client.consensus.finality_votes import (
    Block,
    CommitMessage,
    Justification,
    JustificationError,
    SignedPrecommit,
    VoteMessage,
    VoterSet,
    decode_finality_message,
    ghost,
    verify_justification,
)
from deepshard.pallets.grandpa import Stage, vote_payload
from deepshard.primitives.codec import H256, H512
from deepshard.primitives.crypto import KeyType, dev_keypair
from deepshard.primitives.numeric import U8, U32, U64

KEYS = [dev_keypair(name, KeyType.ED25519) for name in ("Alice", "Bob", "Charlie", "Dave")]


def _hash(index: int) -> H256:
    return H256(index.to_bytes(4, "big") + bytes(28))


def _tree(parents: list[int]) -> tuple[dict[H256, H256 | None], dict[H256, int]]:
    """Block i's parent is parents[i - 1] (< i); block 0 is the finalized base."""
    parent: dict[H256, H256 | None] = {_hash(0): None}
    number = {_hash(0): 0}
    for i, p in enumerate(parents, start=1):
        parent[_hash(i)] = _hash(p)
        number[_hash(i)] = number[_hash(p)] + 1
    return parent, number


def _ancestry(parent: dict[H256, H256 | None], number: dict[H256, int]):  # type: ignore[no-untyped-def]
    def path(block: H256) -> list[Block] | None:
        if block not in parent:
            return None
        out = []
        current: H256 | None = block
        while current is not None:
            out.append((current, number[current]))
            current = parent[current]
        return out

    return path


@given(
    parents=st.lists(st.integers(0, 30), max_size=30).map(
        lambda raw: [min(p, i) for i, p in enumerate(raw)]
    ),
    weights=st.lists(st.integers(1, 5), min_size=1, max_size=7),
    choices=st.lists(st.integers(0, 40), max_size=7),
    equivocating=st.sets(st.integers(0, 6), max_size=2),
)
def test_ghost_matches_a_brute_force_count(
    parents: list[int], weights: list[int], choices: list[int], equivocating: set[int]
) -> None:
    parent, number = _tree(parents)
    blocks = list(parent)
    voters = VoterSet.from_pairs(0, [(bytes([v]) * 32, w) for v, w in enumerate(weights)])
    votes = {
        bytes([v]) * 32: (blocks[c % len(blocks)], number[blocks[c % len(blocks)]])
        for v, c in enumerate(choices[: len(weights)])
    }
    equivocators = {bytes([v]) * 32 for v in equivocating if v < len(weights)}
    found = ghost(votes, voters, _ancestry(parent, number), equivocators)

    def supports(vote: H256, block: H256) -> bool:
        current: H256 | None = vote
        while current is not None:
            if current == block:
                return True
            current = parent[current]
        return False

    total = sum(weights)
    extra = sum(voters.weights[e] for e in equivocators)
    best: Block | None = None
    for block in blocks:
        weight = extra + sum(
            voters.weights[v]
            for v, (target, _) in votes.items()
            if v not in equivocators and supports(target, block)
        )
        has_support = any(
            v not in equivocators and supports(t, block) for v, (t, _) in votes.items()
        )
        if 3 * weight > 2 * total and has_support:
            candidate = (block, number[block])
            if best is None or (candidate[1], bytes(candidate[0])) > (best[1], bytes(best[0])):
                best = candidate
    assert found == best


def _precommit(key_index: int, target: Block, round_: int = 3) -> SignedPrecommit:
    key = KEYS[key_index]
    payload = vote_payload(Stage.PRECOMMIT, bytes(target[0]), target[1], round_, 0)
    return SignedPrecommit(
        target_hash=target[0],
        target_number=U32(target[1]),
        signature=H512(key.sign(payload)),
        voter=H256(key.public_key),
    )


def test_justifications_verify_and_refuse_forgeries() -> None:
    parent, number = _tree([0, 1, 2, 2])  # 0 <- 1 <- 2 <- 3, and 2 <- 4
    ancestry = _ancestry(parent, number)
    voters = VoterSet.from_pairs(0, [(k.public_key, 1) for k in KEYS])
    b2, b3, b4 = (_hash(2), 2), (_hash(3), 3), (_hash(4), 3)

    def justification(*precommits: SignedPrecommit, target: Block = b2) -> Justification:
        return Justification(
            round=U64(3),
            set_id=U64(0),
            target_hash=target[0],
            target_number=U32(target[1]),
            precommits=precommits,
        )

    good = justification(_precommit(0, b2), _precommit(1, b3), _precommit(2, b4))
    assert verify_justification(good, voters, ancestry) == b2
    cases = {
        "less than the supermajority": justification(_precommit(0, b2), _precommit(1, b3)),
        "two precommits from one voter": justification(
            _precommit(0, b2), _precommit(0, b3), _precommit(1, b2)
        ),
        "does not support the target": justification(
            _precommit(0, b3), _precommit(1, b3), _precommit(2, b4), target=b3
        ),
        "signature does not verify": justification(
            _precommit(0, b2), _precommit(1, b2), _precommit(2, b2, round_=4)
        ),
    }
    for message, bad in cases.items():
        with pytest.raises(JustificationError, match=message):
            verify_justification(bad, voters, ancestry)
    with pytest.raises(JustificationError, match="outside the voter set"):
        verify_justification(good, VoterSet.from_pairs(0, [(KEYS[3].public_key, 1)]), ancestry)
    with pytest.raises(JustificationError, match="set 0 is not 1"):
        verify_justification(good, VoterSet(1, voters.weights), ancestry)
    # The wire form round-trips through the gossip envelope.
    assert decode_finality_message(CommitMessage(justification=good).encode()) == CommitMessage(
        justification=good
    )


def test_vote_messages_check_their_signature() -> None:
    key = KEYS[1]
    target = (_hash(7), 7)
    payload = vote_payload(Stage.PREVOTE, bytes(target[0]), 7, 1, 0)
    vote = VoteMessage(
        round=U64(1),
        set_id=U64(0),
        stage=U8(Stage.PREVOTE),
        target_hash=target[0],
        target_number=U32(7),
        signature=H512(key.sign(payload)),
        voter=H256(key.public_key),
    )
    assert vote.signature_is_valid()
    assert decode_finality_message(vote.encode()) == vote
    tampered = VoteMessage(
        round=U64(2),
        set_id=vote.set_id,
        stage=vote.stage,
        target_hash=vote.target_hash,
        target_number=vote.target_number,
        signature=vote.signature,
        voter=vote.voter,
    )
    assert not tampered.signature_is_valid()
