"""The devnet's step list and board: order, transitions, skipping what a build lacks."""

from __future__ import annotations

from deepshard.client.devnet.steps import PLAN, Feature, Step, StepBoard, StepState


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plan_lists_every_step_once_in_enum_order() -> None:
    assert [info.step for info in PLAN] == list(Step)
    assert all(info.title for info in PLAN)


def test_licence_steps_are_optional_and_need_the_licence_parts() -> None:
    optional = {info.step for info in PLAN if not info.required}
    assert optional == {Step.KEEPERS, Step.LICENCE, Step.GENERATE}
    needs = {info.step: set(info.needs) for info in PLAN}
    assert needs[Step.GENERATE] == {Feature.LICENCES, Feature.KEEPER, Feature.INFER}
    assert all(not needs[s] for s in Step if s not in optional)


def test_transitions_record_times_and_never_reopen_an_ended_step() -> None:
    clock = FakeClock()
    board = StepBoard(clock)
    clock.now = 103.0
    board.start(Step.GENESIS, "keys")
    clock.now = 110.5
    board.done(Step.GENESIS, "ready")
    record = board[Step.GENESIS]
    assert (record.state, record.detail, record.started, record.seconds) == (
        StepState.DONE,
        "ready",
        3.0,
        7.5,
    )
    board.start(Step.GENESIS, "again")
    board.fail(Step.GENESIS, "late failure")
    assert board[Step.GENESIS].state is StepState.DONE
    assert board[Step.GENESIS].detail == "ready"


def test_note_starts_a_pending_step_and_done_keeps_the_last_detail() -> None:
    board = StepBoard(FakeClock())
    board.note(Step.VOTES, "1 aye")
    assert board[Step.VOTES].state is StepState.RUNNING
    board.done(Step.VOTES)
    assert board[Step.VOTES].detail == "1 aye"


def test_skip_unavailable_names_the_missing_parts() -> None:
    board = StepBoard(FakeClock())
    board.skip_unavailable(frozenset({Feature.LICENCES}))
    for step in (Step.KEEPERS, Step.LICENCE, Step.GENERATE):
        assert board[step].state is StepState.SKIPPED
        assert board[step].detail.startswith("skipped: not available")
        assert "deepshard worker keeper" in board[step].detail
        assert "Licences pallet" not in board[step].detail
    assert board[Step.PAYOUT].state is StepState.PENDING


def test_succeeded_needs_every_required_step_done_and_allows_skipped_optionals() -> None:
    board = StepBoard(FakeClock())
    board.skip_unavailable(frozenset())
    for info in PLAN:
        if info.required:
            assert not board.succeeded()
            board.done(info.step)
    assert board.succeeded()
    board = StepBoard(FakeClock())
    for info in PLAN:
        board.done(info.step)
    assert board.succeeded()
    board = StepBoard(FakeClock())
    for info in PLAN:
        (board.skip if info.step is Step.PAYOUT else board.done)(info.step, "x")
    assert not board.succeeded()
