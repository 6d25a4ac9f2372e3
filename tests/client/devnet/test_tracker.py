"""The round tracker against a brute-force replay: a played round, with unrelated noise.

A scripted round (votes, acceptance, the round opening, commits, reveals, scores, aggregation,
pending slashes, rewards, the version, the close) is fed to `RoundTracker`; the report must say
what the events say. Under hypothesis, events of other batches and rounds, and unknown events,
are interleaved at random: the report must not change.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from deepshard.client.devnet.steps import Step, StepBoard, StepState
from deepshard.client.devnet.tracker import RoundTracker
from deepshard.client.rpc.client import Event, Phase

CUR = [bytes([1]) * 32, bytes([2]) * 32]
HONEST = [bytes([10 + i]) * 32 for i in range(3)]
POISONER = bytes([20]) * 32
TRAINERS = [*HONEST, POISONER]
SCORERS = [bytes([30]) * 32, bytes([31]) * 32]
UNIT = 10**12


def ev(pallet: str, name: str, **fields: Any) -> Event:
    return Event(pallet, name, fields, Phase("Finalization"))


def round_script(batch: int = 3, round_id: int = 7) -> list[list[Event]]:
    """One block's events per entry."""
    return [
        [ev("Informants", "Voted", batch_id=batch, curator=CUR[0], aye=True, changed=False)],
        [ev("Informants", "Voted", batch_id=batch, curator=CUR[1], aye=True, changed=False)],
        [
            ev(
                "Informants",
                "BatchAccepted",
                batch_id=batch,
                value=9 * UNIT,
                turnout=1,
                threshold=1,
            ),
            ev("Informants", "InformantRewarded", batch_id=batch, informant=CUR[0], amount=UNIT),
            ev(
                "Training",
                "RoundOpened",
                round_id=round_id,
                batch_id=batch,
                parent_version=0,
                shard=1,
                seed=b"\0" * 32,
                trainers=TRAINERS,
                scorers=SCORERS,
                commit_ends=40,
            ),
        ],
        [ev("Training", "Committed", round_id=round_id, trainer=t) for t in TRAINERS],
        [
            ev(
                "Training",
                "Revealed",
                round_id=round_id,
                trainer=t,
                cid=bytes([i]) * 34,
                sha256=b"",
            )
            for i, t in enumerate(TRAINERS)
        ],
        [ev("Training", "ScoresSubmitted", round_id=round_id, scorer=s) for s in SCORERS],
        [
            ev(
                "Training",
                "SlashPending",
                round_id=round_id,
                trainer=POISONER,
                amount=75 * UNIT,
                outlier=True,
            ),
            ev(
                "Training",
                "RoundAggregated",
                round_id=round_id,
                outcome="Accepted",
                accepted=HONEST,
                outliers=[POISONER],
                improvement=42_000,
            ),
            *[
                ev(
                    "Training",
                    "ScorerRewarded",
                    round_id=round_id,
                    scorer=s,
                    agreement=4,
                    amount=25,
                )
                for s in SCORERS
            ],
        ],
        [
            ev("Training", "SlashApplied", round_id=round_id, trainer=POISONER, amount=75 * UNIT),
            *[
                ev("Training", "TrainerRewarded", round_id=round_id, trainer=t, amount=100 + i)
                for i, t in enumerate(HONEST)
            ],
            ev(
                "Training",
                "VersionRecorded",
                version=1,
                parent=0,
                round_id=round_id,
                held_out_loss=2_700_000,
            ),
            ev(
                "Training",
                "RoundClosed",
                round_id=round_id,
                outcome={"Accepted": None},
                paid=303,
                to_treasury=0,
            ),
        ],
    ]


def play(blocks: list[list[Event]], batch: int = 3) -> RoundTracker:
    tracker = RoundTracker(StepBoard())
    tracker.watch_batch(batch)
    for number, events in enumerate(blocks, start=10):
        tracker.apply(events, number)
        for event in events:
            if event.name == "ScoresSubmitted":
                scorer = event.fields["scorer"]
                rows = [[2_800_000 + i, 1, 2, 3] for i in range(len(TRAINERS))]
                tracker.record_scores(scorer, rows)
    return tracker


def test_a_played_round_reads_as_its_events_say() -> None:
    tracker = play(round_script())
    report, board = tracker.report, tracker.board
    assert report.votes == {CUR[0]: True, CUR[1]: True}
    assert (report.batch_outcome, report.batch_value, report.informant_reward) == (
        "Accepted",
        9 * UNIT,
        UNIT,
    )
    assert (report.round_id, report.shard, report.commit_ends) == (7, 1, 40)
    assert list(report.trainers) == TRAINERS
    assert all(t.committed and t.revealed_cid for t in report.trainers.values())
    assert report.reveal_order == TRAINERS
    assert report.scorer_rows(POISONER) == {s: [2_800_003, 1, 2, 3] for s in SCORERS}
    assert report.trainers[POISONER].verdict == "outlier"
    assert report.trainers[POISONER].slashed == 75 * UNIT
    assert [report.trainers[t].verdict for t in HONEST] == ["accepted"] * 3
    assert [report.trainers[t].reward for t in HONEST] == [100, 101, 102]
    assert report.scorer_rewards == dict.fromkeys(SCORERS, 25)
    assert (report.version, report.version_loss, report.closed, report.paid) == (
        1,
        2_700_000,
        True,
        303,
    )
    for step in (Step.VOTES, Step.ROUND, Step.COMMITS, Step.REVEALS, Step.SCORES):
        assert board[step].state is StepState.DONE, step
    assert board[Step.VERDICTS].state is StepState.DONE
    assert board[Step.PAYOUT].state is StepState.DONE
    assert "accepted at #12" in board[Step.VOTES].detail


def test_a_rejected_batch_fails_the_votes_step() -> None:
    tracker = RoundTracker(StepBoard())
    tracker.watch_batch(3)
    tracker.apply([ev("Informants", "Voted", batch_id=3, curator=CUR[0], aye=False)], 5)
    tracker.apply([ev("Informants", "BatchRejected", batch_id=3, turnout=1, threshold=2)], 9)
    assert tracker.board[Step.VOTES].state is StepState.FAILED
    assert "rejected at #9 (0 aye, 1 nay)" in tracker.board[Step.VOTES].detail


def test_a_round_without_scores_fails_the_verdicts_step() -> None:
    script = round_script()[:5]
    script.append(
        [
            ev(
                "Training",
                "RoundAggregated",
                round_id=7,
                outcome="NoScores",
                accepted=[],
                outliers=[],
                improvement=0,
            )
        ]
    )
    tracker = play(script)
    assert tracker.board[Step.VERDICTS].state is StepState.FAILED
    assert tracker.board[Step.SCORES].state is StepState.FAILED
    assert all(t.verdict == "not accepted" for t in tracker.report.trainers.values())


def _noise() -> st.SearchStrategy[Event]:
    other_batch = st.integers(0, 20).filter(lambda b: b != 3)
    other_round = st.integers(0, 20).filter(lambda r: r != 7)
    account = st.binary(min_size=32, max_size=32)
    return st.one_of(
        st.builds(
            lambda b, c: ev("Informants", "Voted", batch_id=b, curator=c, aye=False),
            other_batch,
            account,
        ),
        st.builds(
            lambda b: ev("Informants", "BatchRejected", batch_id=b, turnout=0, threshold=0),
            other_batch,
        ),
        st.builds(
            lambda r, t: ev("Training", "SlashApplied", round_id=r, trainer=t, amount=5),
            other_round,
            st.sampled_from(TRAINERS),
        ),
        st.builds(
            lambda r, t: ev("Training", "TrainerRewarded", round_id=r, trainer=t, amount=9),
            other_round,
            st.sampled_from(TRAINERS),
        ),
        st.builds(lambda: ev("Balances", "Transfer", **{"from": b"", "to": b"", "amount": 1})),
        st.builds(lambda: ev("Training", "NoSuchEvent", round_id=7)),
        st.builds(lambda: ev("Training", "RoundClosed", round_id="not a number")),
    )


@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 20), _noise()), max_size=30))
def test_events_of_other_batches_and_rounds_change_nothing(
    inserts: list[tuple[int, int, Event]],
) -> None:
    clean = play(round_script()).report
    noisy_script = round_script()
    for block, position, event in inserts:
        events = noisy_script[block]
        events.insert(min(position, len(events)), event)
    noisy = play(noisy_script).report
    assert noisy.votes == clean.votes
    assert noisy.trainers == clean.trainers
    assert (noisy.batch_outcome, noisy.round_id, noisy.version, noisy.paid) == (
        clean.batch_outcome,
        clean.round_id,
        clean.version,
        clean.paid,
    )
