"""``deepshard devnet``: one command runs a whole Deepshard network through a training round.

Examples:
    1. deepshard devnet
    2. deepshard devnet --validators 1 --trainers 3 --poisoners 1 --scorers 2 --json
    3. deepshard devnet --dir ./my-devnet            # a second run resumes the same network
    4. deepshard devnet --dir ./my-devnet --keep-running
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from deepshard.client.devnet.runner import (
    Devnet,
    DevnetOptions,
    ExitCode,
    Outcome,
    RoundRules,
)
from deepshard.client.devnet.state import Topology
from deepshard.client.devnet.summary import print_summary, summary_json
from deepshard.client.devnet.view import LineView, LiveView

__all__ = ["devnet"]

DEFAULT_RULES = RoundRules()


def devnet(  # noqa: PLR0917 - one parameter per command-line option
    validators: Annotated[
        int | None, typer.Option(min=1, max=16, help="Validator nodes [default: 4].")
    ] = None,
    curators: Annotated[
        int | None, typer.Option(min=1, max=32, help="Curator workers [default: 2].")
    ] = None,
    trainers: Annotated[
        int | None, typer.Option(min=1, max=32, help="Honest trainers [default: 3].")
    ] = None,
    poisoners: Annotated[
        int | None,
        typer.Option(min=0, max=32, help="Trainers that train on garbage [default: 1]."),
    ] = None,
    scorers: Annotated[
        int | None, typer.Option(min=1, max=32, help="Scorer workers [default: 2].")
    ] = None,
    keepers: Annotated[
        int | None,
        typer.Option(min=0, max=32, help="Keeper workers, where available [default: 3]."),
    ] = None,
    base_model: Annotated[
        Path | None,
        typer.Option(
            "--base-model",
            exists=True,
            file_okay=False,
            help="A local Hugging Face causal LM as version 0 (default: bootstrapped).",
        ),
    ] = None,
    directory: Annotated[
        Path | None,
        typer.Option("--dir", file_okay=False, help="Keep state here; a second run resumes it."),
    ] = None,
    round_timeout: Annotated[
        float,
        typer.Option(min=10, help="Seconds from the batch proposal to the end of the round."),
    ] = 1200.0,
    commit_blocks: Annotated[
        int, typer.Option(min=1, help="Blocks the trainers have to train and commit.")
    ] = DEFAULT_RULES.commit,
    score_blocks: Annotated[
        int, typer.Option(min=1, help="Blocks the scorers have.")
    ] = DEFAULT_RULES.score,
    keep_running: Annotated[
        bool, typer.Option(help="Keep the network up after the round, until Ctrl-C.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as one JSON document.")
    ] = False,
) -> None:
    """Run a whole Deepshard network on this machine through one training round.

    Fresh keys and chain spec; validators, the IPFS daemon and the explorer; curators, honest
    and poisoning trainers, scorers (and keepers where this build has them) as child processes
    on loopback, each with its own log. A demo batch is proposed, voted on and trained on; the
    live view follows the round on chain until the poisoner is slashed, the honest trainers are
    paid and a new model version is recorded. Ctrl-C stops everything.

    Exit codes: 0 the round worked, 1 it ended but a check failed, 2 usage, 3 --round-timeout,
    4 the devnet could not run, 130 interrupted.
    """
    counts = {
        "validators": validators,
        "curators": curators,
        "trainers": trainers,
        "poisoners": poisoners,
        "scorers": scorers,
        "keepers": keepers,
    }
    given = {k: v for k, v in counts.items() if v is not None}
    options = DevnetOptions(
        topology=Topology(**given),
        topology_given=bool(given),
        directory=directory,
        base_model=base_model,
        round_timeout=round_timeout,
        keep_running=keep_running,
        rules=replace(DEFAULT_RULES, commit=commit_blocks, score=score_blocks),
    )
    err = Console(stderr=True)
    view: LiveView | LineView = LiveView(err) if err.is_terminal else LineView(err)
    with view:
        outcome = asyncio.run(_run(Devnet(options, view)))
    if as_json:
        typer.echo(json.dumps(summary_json(outcome), indent=2))
    else:
        print_summary(Console(), outcome)
    directory_note = outcome.endpoints.directory if outcome.endpoints else None
    if directory is None and outcome.code is not ExitCode.OK and directory_note is not None:
        err.print(f"state and logs kept in {directory_note}", highlight=False)
    raise typer.Exit(int(outcome.code))


async def _run(devnet_: Devnet) -> Outcome:
    """Run `devnet_`; the first SIGINT/SIGTERM stops it cleanly, a second kills every child."""
    loop = asyncio.get_running_loop()
    inner = asyncio.ensure_future(devnet_.run())

    def on_signal() -> None:
        if devnet_.interrupt():
            print("second interrupt: killing every child", file=sys.stderr)
        else:
            inner.cancel()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal)
    try:
        outcome = await inner
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    devnet_.cleanup(outcome)
    return outcome
