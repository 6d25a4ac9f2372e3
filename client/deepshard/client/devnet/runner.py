"""Run a devnet: every role as a child process, the demo batch, its round followed to the end.

`Devnet.run` walks the steps of `deepshard.client.devnet.steps.PLAN` inside one
`asyncio.TaskGroup`: the scenario itself, a guard that fails the run as soon as a child process
dies, and the live view. Ctrl-C or SIGTERM cancels the group; the supervisor then stops every
child (SIGINT, SIGKILL after a grace period) before `run` returns its `Outcome`. With a kept
directory a second run resumes: same keys, chain, content store and explorer database, and the
demo batch is not proposed twice (its id is in ``devnet.json``); the round is re-read from the
archive node's events.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import traceback
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from enum import IntEnum
from importlib import resources
from pathlib import Path
from typing import Any, Final, Protocol

import httpx

from deepshard.chain_spec.presets import DEV_ROUNDS
from deepshard.client.devnet.children import Child, ChildExited, Supervisor, deepshard_argv
from deepshard.client.devnet.features import cli_features, runtime_features
from deepshard.client.devnet.genesis import CHAIN_ID, devnet_chain_spec, peer_multiaddr
from deepshard.client.devnet.state import (
    AccountKey,
    BatchRecord,
    DevnetError,
    DevnetLayout,
    DevnetState,
    Ports,
    Role,
    Topology,
    pick_port,
)
from deepshard.client.devnet.steps import Feature, Step, StepBoard, StepState
from deepshard.client.devnet.tracker import RoundTracker, account_of
from deepshard.client.node.keystore import Keystore
from deepshard.client.rpc.client import ChainClient, ClientError
from deepshard.client.wallet.licences import quote_price
from deepshard.primitives.crypto import KeyType
from deepshard.primitives.crypto.box_key import licence_box_keypair

__all__ = [
    "DEMO_BATCH",
    "Bonds",
    "DevnetOptions",
    "DevnetView",
    "Devnet",
    "Endpoints",
    "ExitCode",
    "Outcome",
    "RoundRules",
]

UNIT: Final = 10**12
"""One DSH in the smallest unit."""
WORKER_KEY_TYPE: Final = b"dswk"
"""The key type of a worker's key file (as ``deepshard worker`` reads it)."""
DEMO_BATCH: Final = "demo_batch.jsonl"
"""The bundled demo corpus (a resource of this package)."""
NODE_READY_TIMEOUT: Final = 120.0
SERVICE_READY_TIMEOUT: Final = 90.0
BOOTSTRAP_TIMEOUT: Final = 900.0
WALLET_TIMEOUT: Final = 180.0
GENERATE_TIMEOUT: Final = 600.0


class ExitCode(IntEnum):
    """What ``deepshard devnet`` exits with."""

    OK = 0
    """The round worked: poisoners slashed, honest trainers paid, a better version."""
    ROUND_FAILED = 1
    """The round ended but a check failed (the summary says which)."""
    ERROR = 4
    """The devnet could not run (a child died, bad state, a port...)."""
    TIMED_OUT = 3
    """``--round-timeout`` passed before the round closed."""
    INTERRUPTED = 130
    """Ctrl-C or SIGTERM."""


@dataclass(frozen=True, slots=True)
class RoundRules:
    """The devnet's round rules in blocks of 6 seconds.

    They are in its genesis, and its sudo key sets them again when a resumed devnet is given
    other ones.
    """

    voting: int = 4
    """Informants voting period."""
    commit: int = DEV_ROUNDS.periods[0]
    """Blocks the drawn trainers have to train and commit."""
    reveal: int = DEV_ROUNDS.periods[1]
    """Blocks to reveal."""
    score: int = 24
    """Blocks to score. Each scorer scores every adapter against the parent while every other
    process of the devnet shares the machine: 13 blocks were measured on a loaded two-core
    machine, so the dev preset's 6 are not enough here."""
    dispute: int = DEV_ROUNDS.periods[3]
    """Blocks Root has to cancel a pending slash."""

    @property
    def periods(self) -> tuple[int, int, int, int]:
        """Commit, reveal, score and dispute blocks (the Training genesis' order)."""
        return (self.commit, self.reveal, self.score, self.dispute)


@dataclass(frozen=True, slots=True)
class Bonds:
    """What each role bonds and what the informant stakes (smallest units)."""

    curator: int = 200 * UNIT
    trainer: int = 150 * UNIT
    scorer: int = 150 * UNIT
    keeper: int = 1_000 * UNIT
    """At least the Licences pallet's ``KeeperMinBond`` (1,000 DSH in dev)."""
    batch_stake: int = 100 * UNIT


@dataclass(frozen=True, slots=True)
class DevnetOptions:
    """How ``deepshard devnet`` was asked to run."""

    topology: Topology = field(default_factory=Topology)
    """Role counts (a resumed devnet keeps its own)."""
    topology_given: bool = False
    """Whether counts were given on the command line (checked against a resumed devnet)."""
    directory: Path | None = None
    """``--dir``: kept state; None: a temporary directory."""
    base_model: Path | None = None
    """``--base-model``: a local Hugging Face causal LM instead of the bootstrapped one."""
    round_timeout: float = 1200.0
    """Seconds from the batch proposal to the end of the round before giving up."""
    keep_running: bool = False
    """Keep the network up after the summary, until Ctrl-C."""
    rules: RoundRules = field(default_factory=RoundRules)
    """The dev round rules."""
    bonds: Bonds = field(default_factory=Bonds)
    """Bonds and stake."""
    corpus: Path | None = None
    """The demo batch (default: the bundled one)."""
    prompt: str = "The licensed model says:"
    """What the licensed model is asked to continue."""
    keeper_threshold: int = 2
    """Key shares that rebuild a version's content key (t, capped at the keeper count)."""
    keeper_grace: int = 2
    """Blocks each keeper election rank waits after the one before it."""
    generate_tokens: int = 32
    """Tokens the licensed model generates."""


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Everything a user can reach while the devnet runs."""

    rpc: tuple[str, ...]
    """Each validator's JSON-RPC (WebSocket) URL."""
    p2p: tuple[str, ...]
    """Each validator's peer-to-peer multiaddr."""
    ipfs_api: str
    """The IPFS daemon's Kubo RPC."""
    gateway: str
    """Its trustless gateway."""
    explorer: str
    """The explorer's pages (the API under ``/api/v1``)."""
    directory: Path
    """The devnet directory: logs, keys, chain data."""

    def as_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "rpc": list(self.rpc),
            "p2p": list(self.p2p),
            "ipfsApi": self.ipfs_api,
            "gateway": self.gateway,
            "explorer": self.explorer,
            "polkadotJsApps": "https://polkadot.js.org/apps/?rpc="
            + self.rpc[0].replace(":", "%3A").replace("/", "%2F"),
            "dir": str(self.directory),
            "logs": str(self.directory / "logs"),
        }


@dataclass(slots=True)
class Outcome:
    """How a run ended: the exit code, why, and everything the summary reports."""

    code: ExitCode
    """The exit code."""
    reason: str
    """One line saying why."""
    board: StepBoard
    """Every step's state."""
    tracker: RoundTracker
    """The batch and round as seen on chain."""
    state: DevnetState | None
    """The devnet's state (keys, topology)."""
    endpoints: Endpoints | None
    """Where it listened."""
    resumed: bool
    """Whether this run resumed a kept directory."""
    genesis_hash: str | None = None
    """The chain's genesis hash."""
    finalized: int | None = None
    """The last finalized block seen."""
    checks: dict[str, bool] = field(default_factory=dict)
    """The round's checks: poisoners slashed, honest trainers paid, a lower held-out loss."""


class DevnetView(Protocol):
    """What the devnet shows while it runs (the live view, or plain lines)."""

    def show_endpoints(self, endpoints: Endpoints) -> None:
        """Print every endpoint once the network is up."""

    def refresh(self, devnet: Devnet) -> None:
        """Redraw from the devnet's board and tracker."""

    def message(self, text: str) -> None:
        """Print one line (a warning, a hint)."""


class Devnet:
    """One run of a devnet (module docs)."""

    def __init__(self, options: DevnetOptions, view: DevnetView) -> None:
        self.options = options
        self.view = view
        self.board = StepBoard()
        self.tracker = RoundTracker(self.board)
        self.state: DevnetState | None = None
        self.endpoints: Endpoints | None = None
        self.resumed = False
        self.interrupted = False
        self.genesis_hash: str | None = None
        self.finalized: int | None = None
        self.features: frozenset[Feature] = frozenset()
        self._temporary = options.directory is None
        root = options.directory or Path(tempfile.mkdtemp(prefix="deepshard-devnet-"))
        self.layout = DevnetLayout(root.resolve())
        self.supervisor = Supervisor(self.layout.logs)
        self._lock_fd: int | None = None

    # --- the run --------------------------------------------------------------------------------

    async def run(self) -> Outcome:
        """Run the devnet to the end of its round (or Ctrl-C); always stop every child."""
        try:
            self._lock()
            outcome = await self._supervised()
        except DevnetError as exc:
            outcome = self._outcome(ExitCode.ERROR, str(exc))
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            self.interrupted = True
            outcome = self._outcome(ExitCode.INTERRUPTED, "interrupted")
        finally:
            await self.supervisor.stop_all()
            self._unlock()
        self._mark_unfinished(outcome)
        self.view.refresh(self)
        return outcome

    def interrupt(self) -> bool:
        """Note a Ctrl-C; return True when it is the second (the caller kills at once)."""
        if self.interrupted or self.supervisor.stopping:
            self.supervisor.kill_all()
            return True
        self.interrupted = True
        return False

    def cleanup(self, outcome: Outcome) -> None:
        """Remove a temporary directory after a successful run (kept for inspection else)."""
        if self._temporary and outcome.code is ExitCode.OK:
            shutil.rmtree(self.layout.root, ignore_errors=True)

    async def _supervised(self) -> Outcome:
        result: list[Outcome] = []

        class _Finished(Exception):
            pass

        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self.supervisor.watch())
                group.create_task(self._animate())
                result.append(await self._scenario())
                raise _Finished
        except* _Finished:
            pass
        except* (ChildExited, DevnetError) as failed:
            first = _first_leaf(failed)
            self._fail_running(str(first).splitlines()[0])
            result.append(self._outcome(ExitCode.ERROR, str(first)))
        except* ClientError as failed:
            first = _first_leaf(failed)
            self._fail_running(f"node: {first}")
            result.append(self._outcome(ExitCode.ERROR, f"the node failed a request: {first}"))
        except* Exception as failed:
            first = _first_leaf(failed)
            trace = "".join(traceback.format_exception(first))
            self.layout.logs.mkdir(parents=True, exist_ok=True)
            (self.layout.logs / "devnet-error.log").write_text(trace, encoding="utf-8")
            self._fail_running(f"internal error: {first!r}")
            result.append(
                self._outcome(
                    ExitCode.ERROR,
                    f"internal error {first!r} (traceback in logs/devnet-error.log)",
                )
            )
        return result[-1]

    async def _animate(self) -> None:
        while True:
            self.view.refresh(self)
            await asyncio.sleep(0.25)

    async def _scenario(self) -> Outcome:
        state = await self._genesis()
        await self._network(state)
        assert self.endpoints is not None
        self.view.show_endpoints(self.endpoints)
        async with ChainClient.connect(self.endpoints.rpc[0]) as chain:
            self.genesis_hash = "0x" + chain.genesis_hash.hex()
            self.features = runtime_features(chain.runtime) | cli_features()
            self.board.skip_unavailable(self.features)
            await self._workers(state)
            async with asyncio.TaskGroup() as group:
                group.create_task(self._rules(chain, state))
                group.create_task(self._bonds(chain, state))
            batch = await self._batch(state)
            try:
                async with asyncio.timeout(self.options.round_timeout):
                    await self._follow(chain, batch)
                    await self._licence_steps(chain, state)
            except TimeoutError:
                running = self._fail_running(
                    f"timed out: --round-timeout {self.options.round_timeout:.0f} s passed"
                )
                return self._outcome(
                    ExitCode.TIMED_OUT, f"the round did not finish in time (at step {running})"
                )
            outcome = self._judge()
            if self.options.keep_running:
                self.view.message("the network keeps running: Ctrl-C stops it")
                await asyncio.Event().wait()
            return outcome

    # --- steps ----------------------------------------------------------------------------------

    async def _genesis(self) -> DevnetState:
        """GENESIS: keys, the base model pinned, the chain spec, keystores."""
        board, layout = self.board, self.layout
        board.start(Step.GENESIS, "loading or creating the devnet")
        state = layout.load()
        if state is not None:
            self.resumed = True
            if self.options.topology_given and state.topology != self.options.topology:
                raise DevnetError(
                    f"{layout.root} holds a devnet of {_describe(state.topology)}; run it "
                    "without role counts to resume it, or use another --dir"
                )
        else:
            self.options.topology.check()
            state = DevnetState.create(self.options.topology, _ports(self.options.topology))
            layout.save(state)
        self.state = state
        if not state.genesis_model:
            board.note(Step.GENESIS, "bootstrapping and pinning the base model")
            state.genesis_model = await self._bootstrap_model()
            layout.save(state)
        if not layout.chain_spec.exists():
            board.note(Step.GENESIS, "writing the chain spec")
            from deepshard.runtime.runtime import deepshard_runtime  # noqa: PLC0415

            rules = self.options.rules
            spec = devnet_chain_spec(
                state, state.genesis_model, deepshard_runtime(), rules.periods, rules.voting
            )
            temporary = layout.chain_spec.with_suffix(".tmp")
            temporary.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
            temporary.replace(layout.chain_spec)
        self._write_keystores(state)
        await self._import_wallet_keys(state)
        model = state.genesis_model
        board.done(
            Step.GENESIS,
            ("resumed " if self.resumed else "fresh keys; ")
            + f"base model held-out loss {int(model['heldOutLoss']) / 1e6:.4f}",
        )
        return state

    async def _bootstrap_model(self) -> dict[str, Any]:
        argv = [*deepshard_argv(), "ml", "bootstrap", "--json", "--repo", str(self.layout.ipfs)]
        if self.options.base_model is not None:
            argv += ["--base-model", str(self.options.base_model)]
        output = await self.supervisor.run("bootstrap", argv, timeout=BOOTSTRAP_TIMEOUT)
        return _last_json(output, "deepshard ml bootstrap")

    def _write_keystores(self, state: DevnetState) -> None:
        for index, validator in enumerate(state.of(Role.VALIDATOR)):
            store = Keystore(self.layout.node(index) / "chains" / CHAIN_ID / "keystore")
            if not store.keys("aura"):
                store.insert("aura", validator.seed, KeyType.SR25519)
                store.insert("gran", validator.seed, KeyType.ED25519)
            key_file = self.layout.node(index) / "node-key"
            if not key_file.exists():
                _write_secret(key_file, state.node_keys[index])
        for account in state.accounts:
            if account.role in (Role.VALIDATOR, Role.INFORMANT, Role.BUYER, Role.SUDO):
                continue
            directory = self.layout.worker_keystore(account.name)
            name = WORKER_KEY_TYPE.hex() + account.keypair().public_key.hex()
            if not (directory / name).exists():
                directory.mkdir(parents=True, exist_ok=True)
                os.chmod(directory, 0o700)
                _write_secret(directory / name, json.dumps(account.seed))

    async def _import_wallet_keys(self, state: DevnetState) -> None:
        for account in (state.one(Role.INFORMANT), state.one(Role.BUYER)):
            if (
                any(self.layout.wallet.glob(f"*{account.address}*"))
                or (self.layout.wallet / f".{account.name}.imported").exists()
            ):
                continue
            argv = [
                *deepshard_argv(),
                "wallet",
                "import",
                account.name,
                "--secret-env",
                "DEVNET_SECRET",
                "--wallet-dir",
                str(self.layout.wallet),
                "--password-env",
                "DEVNET_WALLET_PASSWORD",
                "--json",
            ]
            await self._run_with_env(
                f"wallet-import-{account.name}", argv, {"DEVNET_SECRET": account.seed}
            )
            (self.layout.wallet / f".{account.name}.imported").touch()

    async def _run_with_env(self, name: str, argv: list[str], extra: dict[str, str]) -> str:
        env = {**extra, **self._wallet_env()}
        return await self.supervisor.run(name, argv, timeout=WALLET_TIMEOUT, env=env)

    def _wallet_env(self) -> dict[str, str]:
        assert self.state is not None
        return {"DEVNET_WALLET_PASSWORD": self.state.wallet_password}

    async def _network(self, state: DevnetState) -> None:
        """NETWORK: validators, the IPFS daemon, the explorer's indexer and server."""
        board, layout, ports = self.board, self.layout, state.ports
        board.start(Step.NETWORK, "starting validators")
        bootnode = peer_multiaddr(state.node_keys[0], ports.p2p[0])
        nodes: list[tuple[Child, int]] = []
        for index, validator in enumerate(state.of(Role.VALIDATOR)):
            argv = [
                *deepshard_argv(),
                "node",
                "--chain",
                str(layout.chain_spec),
                "--base-path",
                str(layout.node(index)),
                "--name",
                validator.name,
                "--validator",
                "--rpc-port",
                str(ports.rpc[index]),
                "--listen-addr",
                f"/ip4/127.0.0.1/tcp/{ports.p2p[index]}",
                "--node-key-file",
                str(layout.node(index) / "node-key"),
            ]
            if index == 0:
                argv += ["--pruning", "archive"]  # the explorer and a resume read old events
            else:
                argv += ["--bootnodes", bootnode]
            nodes.append((await self.supervisor.start(validator.name, argv), ports.rpc[index]))
        ipfs = await self.supervisor.start(
            "ipfs",
            [
                *deepshard_argv(),
                "ipfs",
                "--repo",
                str(layout.ipfs),
                "daemon",
                "--port",
                str(ports.ipfs),
            ],
        )
        async with httpx.AsyncClient(timeout=5.0) as http:
            for child, port in nodes:
                board.note(Step.NETWORK, f"waiting for {child.name}")
                await self.supervisor.wait_ready(
                    child, _rpc_probe(http, port), timeout=NODE_READY_TIMEOUT
                )
            board.note(Step.NETWORK, "waiting for the IPFS daemon")
            await self.supervisor.wait_ready(
                ipfs,
                _post_probe(http, f"http://127.0.0.1:{ports.ipfs}/api/v0/version"),
                timeout=SERVICE_READY_TIMEOUT,
            )
            board.note(Step.NETWORK, "starting the explorer")
            rpc0 = f"ws://127.0.0.1:{ports.rpc[0]}"
            await self.supervisor.start(
                "explorer-index",
                [
                    *deepshard_argv(),
                    "explorer",
                    "index",
                    "--node",
                    rpc0,
                    "--db",
                    layout.explorer_db,
                ],
            )
            server = await self.supervisor.start(
                "explorer-serve",
                [
                    *deepshard_argv(),
                    "explorer",
                    "serve",
                    "--db",
                    layout.explorer_db,
                    "--port",
                    str(ports.explorer),
                ],
            )
            await self.supervisor.wait_ready(
                server,
                _get_probe(http, f"http://127.0.0.1:{ports.explorer}/api/v1/status"),
                timeout=SERVICE_READY_TIMEOUT,
            )
        self.endpoints = Endpoints(
            rpc=tuple(f"ws://127.0.0.1:{p}" for p in ports.rpc),
            p2p=tuple(
                peer_multiaddr(k, p) for k, p in zip(state.node_keys, ports.p2p, strict=True)
            ),
            ipfs_api=f"http://127.0.0.1:{ports.ipfs}",
            gateway=f"http://127.0.0.1:{ports.ipfs}/ipfs/",
            explorer=f"http://127.0.0.1:{ports.explorer}/",
            directory=layout.root,
        )
        board.done(
            Step.NETWORK,
            f"{len(nodes)} validator{'s' if len(nodes) != 1 else ''}, IPFS daemon, explorer",
        )

    def _worker_argv(self, state: DevnetState, account: AccountKey, index: int) -> list[str]:
        role = "trainer" if account.role is Role.POISONER else str(account.role)
        ports = state.ports
        bond = {
            Role.CURATOR: self.options.bonds.curator,
            Role.TRAINER: self.options.bonds.trainer,
            Role.POISONER: self.options.bonds.trainer,
            Role.SCORER: self.options.bonds.scorer,
            Role.KEEPER: self.options.bonds.keeper,
        }[account.role]
        argv = [
            *deepshard_argv(),
            "worker",
            role,
            "--node",
            f"ws://127.0.0.1:{ports.rpc[index % len(ports.rpc)]}",
            "--keystore",
            str(self.layout.worker_keystore(account.name)),
            "--ipfs-api",
            f"http://127.0.0.1:{ports.ipfs}",
            "--state",
            str(self.layout.worker_state(account.name)),
            "--bond",
            str(bond),
        ]
        if account.role is Role.POISONER:
            argv += ["--poison", "random"]
        if account.role is Role.KEEPER:
            argv += [
                "--threshold",
                str(self._threshold(state)),
                "--grace-blocks",
                str(self.options.keeper_grace),
            ]
        return argv

    def _threshold(self, state: DevnetState) -> int:
        """The keepers' t: the asked one, at most the number of keepers (at least 1)."""
        return max(1, min(self.options.keeper_threshold, state.topology.keepers))

    def _worker_env(self, state: DevnetState, account: AccountKey) -> dict[str, str]:
        """Scorers share the cores: one torch thread pool each, sized so they do not thrash."""
        if account.role is not Role.SCORER:
            return {}
        threads = str(max(1, (os.cpu_count() or 1) // max(1, state.topology.scorers)))
        return {"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}

    def _workers_of(self, state: DevnetState) -> list[AccountKey]:
        roles = [Role.CURATOR, Role.TRAINER, Role.POISONER, Role.SCORER]
        if Feature.KEEPER in self.features and Feature.LICENCES in self.features:
            roles.append(Role.KEEPER)
        return [a for role in roles for a in state.of(role)]

    async def _workers(self, state: DevnetState) -> None:
        """WORKERS: one process per curator, trainer, poisoner, scorer (and keeper)."""
        self.board.start(Step.WORKERS, "starting workers")
        workers = self._workers_of(state)
        for index, account in enumerate(workers):
            await self.supervisor.start(
                account.name,
                self._worker_argv(state, account, index),
                env=self._worker_env(state, account),
            )
        skipped = "" if Role.KEEPER in {w.role for w in workers} else "; keepers not available"
        self.board.done(Step.WORKERS, f"{len(workers)} workers{skipped}")

    async def _bonds(self, chain: ChainClient, state: DevnetState) -> None:
        """BONDS: wait until every worker's bond is active on chain."""
        self.board.start(Step.BONDS, "waiting for the workers to bond")
        wanted: list[tuple[AccountKey, str, str, int]] = []
        bonds = self.options.bonds
        for account in self._workers_of(state):
            item = {
                Role.CURATOR: ("Informants", "Curators", bonds.curator),
                Role.TRAINER: ("Training", "TrainerBonds", bonds.trainer),
                Role.POISONER: ("Training", "TrainerBonds", bonds.trainer),
                Role.SCORER: ("Training", "ScorerBonds", bonds.scorer),
                Role.KEEPER: ("Licences", "Keepers", bonds.keeper),
            }[account.role]
            wanted.append((account, *item))
        # A resumed devnet whose round has run keeps the bonds it has: a slashed poisoner's is
        # below its target and its worker does not bond twice (its outbox says it did).
        played = state.batch is not None
        while True:
            done = 0
            for account, pallet, storage, amount in wanted:
                ledger = await chain.query(pallet, storage, account.keypair().public_key)
                done += _active_bond(ledger) >= (1 if played else amount)
            if done == len(wanted):
                self.board.done(Step.BONDS, f"{done} workers bonded")
                return
            self.board.note(Step.BONDS, f"{done}/{len(wanted)} workers bonded")
            await asyncio.sleep(2.0)

    async def _rules(self, chain: ChainClient, state: DevnetState) -> None:
        """RULES: the sudo key sets the voting period, the round periods and the round size."""
        board, rules, topology = self.board, self.options.rules, state.topology
        board.start(Step.RULES, "checking the round rules")
        calls = []
        if await chain.query("Informants", "VotingPeriod") != rules.voting:
            calls.append(chain.compose("Informants", "set_voting_period", period=rules.voting))
        periods = {
            "commit": rules.commit,
            "reveal": rules.reveal,
            "score": rules.score,
            "dispute": rules.dispute,
        }
        current = await chain.query("Training", "RoundPeriods")
        if current is None or {k: int(current[k]) for k in periods} != periods:
            calls.append(chain.compose("Training", "set_round_periods", periods=periods))
        size = {"trainers": topology.drawn_trainers, "scorers": topology.scorers}
        try:
            chain.runtime.call_variant("Training", "set_round_size")
        except LookupError:
            drawn = int(chain.constant("Training", "TrainersPerRound"))
            scored = int(chain.constant("Training", "ScorersPerRound"))
            if (drawn, scored) != (size["trainers"], size["scorers"]):
                raise DevnetError(
                    f"this runtime draws {drawn} trainers and {scored} scorers a round; "
                    f"run --trainers + --poisoners = {drawn} and --scorers {scored}"
                ) from None
        else:
            now = await chain.query("Training", "RoundSize")
            if now is None or {k: int(now[k]) for k in size} != size:
                calls.append(chain.compose("Training", "set_round_size", size=size))
        if not calls:
            board.done(Step.RULES, _rules_text(rules, size))
            return
        board.note(Step.RULES, f"sudo: {', '.join(c.name for c in calls)}")
        batch = chain.compose("Utility", "batch_all", calls=calls)
        call = chain.compose("Sudo", "sudo", call=batch)
        receipt = await chain.sign_and_submit(
            call, state.one(Role.SUDO).keypair(), wait="finalized"
        )
        receipt.ensure_success()
        for event in receipt.events:
            if event.matches("Sudo", "Sudid"):
                result = event.fields.get("sudo_result") if isinstance(event.fields, dict) else None
                if isinstance(result, dict) and "Err" in result:
                    raise DevnetError(f"sudo could not set the round rules: {result['Err']}")
        board.done(Step.RULES, _rules_text(rules, size))

    async def _batch(self, state: DevnetState) -> BatchRecord:
        """BATCH: the informant pins the demo corpus and proposes it (once per devnet)."""
        board = self.board
        if state.batch is not None:
            board.done(Step.BATCH, f"batch {state.batch.batch_id} proposed at #{state.batch.block}")
            return state.batch
        board.start(Step.BATCH, "the informant pins and proposes the demo batch")
        corpus = self.options.corpus
        with contextlib.ExitStack() as stack:
            if corpus is None:
                ref = resources.files("deepshard.client.devnet").joinpath(DEMO_BATCH)
                corpus = stack.enter_context(resources.as_file(ref))
            assert self.endpoints is not None
            argv = [
                *deepshard_argv(),
                "wallet",
                "submit-batch",
                str(corpus),
                "--stake",
                str(self.options.bonds.batch_stake / UNIT),
                "--from",
                str(Role.INFORMANT),
                "--ipfs-api",
                self.endpoints.ipfs_api,
                "--node",
                self.endpoints.rpc[0],
                "--wallet-dir",
                str(self.layout.wallet),
                "--password-env",
                "DEVNET_WALLET_PASSWORD",
                "--yes",
                "--json",
            ]
            output = await self._run_with_env("submit-batch", argv, {})
        receipt = _last_json(output, "deepshard wallet submit-batch")
        try:
            batch = BatchRecord(
                int(receipt["batch_id"]), str(receipt["cid"]), int(receipt["block_number"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DevnetError(f"the wallet's receipt lacks the batch: {receipt}") from exc
        state.batch = batch
        self.layout.save(state)
        board.done(Step.BATCH, f"batch {batch.batch_id} ({batch.cid}) at #{batch.block}")
        return batch

    async def _follow(self, chain: ChainClient, batch: BatchRecord) -> None:
        """VOTES..PAYOUT: apply every finalized block's events from the proposal on."""
        self.tracker.watch_batch(batch.batch_id)
        async for number, block_hash in _finalized_from(chain, batch.block):
            self.finalized = number
            events = await chain.events(block_hash)
            self.tracker.apply(events, number)
            await self._read_storage(chain, events, block_hash)
            if self._round_over():
                return

    async def _read_storage(self, chain: ChainClient, events: Any, block_hash: bytes) -> None:
        report = self.tracker.report
        for event in events:
            if report.round_id is None or not isinstance(event.fields, dict):
                continue
            if event.matches("Training", "ScoresSubmitted"):
                if int(event.fields["round_id"]) != report.round_id:
                    continue
                scorer = account_of(event.fields["scorer"])
                rows = await chain.query(
                    "Training", "Scores", report.round_id, scorer, at=block_hash
                )
                self.tracker.record_scores(scorer, rows or [])
            elif event.matches("Training", "VersionRecorded"):
                if int(event.fields["round_id"]) != report.round_id:
                    continue
                parent = await chain.query(
                    "Training", "ModelVersions", int(event.fields["parent"]), at=block_hash
                )
                if parent is not None:
                    report.parent_loss = int(parent["held_out_loss"])

    def _round_over(self) -> bool:
        board = self.board
        failed = any(
            board[s].state is StepState.FAILED for s in (Step.VOTES, Step.VERDICTS, Step.PAYOUT)
        )
        return failed or self.tracker.report.closed

    async def _licence_steps(self, chain: ChainClient, state: DevnetState) -> None:
        """KEEPERS, LICENCE, GENERATE where this build has them (else already skipped)."""
        report = self.tracker.report
        if self.board[Step.KEEPERS].state is StepState.SKIPPED:
            return
        why = None
        if report.version is None:
            why = "skipped: no new version"
        elif state.topology.keepers == 0:
            why = "skipped: --keepers 0"
        if why is not None:
            for step in (Step.KEEPERS, Step.LICENCE, Step.GENERATE):
                self.board.skip(step, why)
            return
        assert report.version is not None
        self.board.start(Step.KEEPERS, f"waiting for version {report.version}'s ciphertext")
        stored = await chain.query("Licences", "Ciphertexts", report.version)
        if stored is not None:  # a resumed devnet: registered on an earlier run
            report.ciphertext_registered = True
            self.board.done(Step.KEEPERS, f"ciphertext of version {report.version} registered")
        else:
            async for number, block_hash in _finalized_from(chain, (self.finalized or 0) + 1):
                self.finalized = number
                self.tracker.apply(await chain.events(block_hash), number)
                if report.ciphertext_registered:
                    break
        buyer = state.one(Role.BUYER).keypair().public_key
        if await chain.query("Licences", "LicencesOf", buyer, report.version) is not None:
            report.licence_granted = True
            self.board.done(Step.LICENCE, f"the buyer holds a licence for {report.version}")
        else:
            await self._buy(chain, state)
            async for number, block_hash in _finalized_from(chain, (self.finalized or 0) + 1):
                self.finalized = number
                self.tracker.apply(await chain.events(block_hash), number)
                if report.licence_granted or self.board[Step.LICENCE].state is StepState.FAILED:
                    break
        if report.licence_granted and Feature.INFER in self.features:
            await self._generate(state)
        else:
            self.board.skip(Step.GENERATE, "skipped: no licence")

    async def _buy(self, chain: ChainClient, state: DevnetState) -> None:
        """LICENCE: the buyer buys the new version (box key from the contract's derivation)."""
        report = self.tracker.report
        assert report.version is not None
        self.board.start(Step.LICENCE, f"buying version {report.version}")
        buyer = state.one(Role.BUYER).keypair()
        _, public = licence_box_keypair(buyer)
        price = await quote_price(chain, report.version)
        if price is None:
            raise DevnetError(f"LicencesApi_price knows no version {report.version}")
        self.board.note(Step.LICENCE, f"buying version {report.version} for {price}")
        call = chain.compose(
            "Licences", "buy", version=report.version, buyer_box_key=public, max_price=price.planck
        )
        receipt = await chain.sign_and_submit(call, buyer, wait="finalized")
        receipt.ensure_success()
        for event in receipt.events:
            if event.matches("Licences", "PurchaseOpened") and isinstance(event.fields, dict):
                report.purchase_id = int(event.fields["purchase_id"])
        if report.purchase_id is None:
            raise DevnetError("Licences.buy succeeded without a PurchaseOpened event")
        self.board.note(Step.LICENCE, f"purchase {report.purchase_id}: waiting for the keepers")

    async def _generate(self, state: DevnetState) -> None:
        """GENERATE: the licensed model continues a prompt (``deepshard infer generate``)."""
        report = self.tracker.report
        assert self.endpoints is not None
        assert report.version is not None
        self.board.start(Step.GENERATE, "decrypting, merging and generating")
        argv = self._generate_argv(state, report.version)
        output = await self.supervisor.run("infer-generate", argv, timeout=GENERATE_TIMEOUT)
        result = _last_json(output, "deepshard infer generate")
        report.prompt = self.options.prompt
        report.generated = str(result.get("text", ""))
        done = f"{result.get('completion_tokens', '?')} tokens: {report.generated!r}"
        self.board.done(Step.GENERATE, done[:100])

    def _generate_argv(self, state: DevnetState, version: int) -> list[str]:
        """``deepshard infer generate`` as the buyer, against the devnet's node and daemon.

        The base model comes by the CID the version's manifest names, from the devnet's IPFS
        daemon (genesis pinned it): no ``--base-model``, so what runs is what was licensed.
        """
        assert self.endpoints is not None
        return [
            *deepshard_argv(),
            "infer",
            "generate",
            "--version",
            str(version),
            "--node",
            self.endpoints.rpc[0],
            "--key",
            state.one(Role.BUYER).seed,
            "--ipfs-api",
            self.endpoints.ipfs_api,
            "--max-tokens",
            str(self.options.generate_tokens),
            "--seed",
            "0",
            "--json",
            "--",
            self.options.prompt,
        ]

    # --- the verdict ----------------------------------------------------------------------------

    def _judge(self) -> Outcome:
        """The round's checks and the exit code."""
        assert self.state is not None
        report = self.tracker.report
        names = self.state.labels()
        poisoners = {a.keypair().public_key for a in self.state.of(Role.POISONER)}
        drawn_poisoners = [t for who, t in report.trainers.items() if who in poisoners]
        honest = [t for who, t in report.trainers.items() if who not in poisoners]
        checks = {
            "roundClosed": report.closed,
            "poisonersSlashed": bool(report.trainers)
            and all(t.slashed > 0 for t in drawn_poisoners)
            and len(drawn_poisoners) == len(poisoners),
            "honestPaid": bool(honest) and all(t.reward > 0 for t in honest),
            "lowerHeldOutLoss": report.version_loss is not None
            and report.parent_loss is not None
            and report.version_loss < report.parent_loss,
        }
        failed = [name for name, ok in checks.items() if not ok]
        if failed or not self.board.succeeded():
            steps = [r.info.step.value for r in self.board if r.state is StepState.FAILED]
            why = ", ".join(failed + [f"step {s} failed" for s in steps]) or "a step did not run"
            outcome = self._outcome(ExitCode.ROUND_FAILED, f"the round did not work: {why}")
        else:
            slashed = ", ".join(names.get(t.account, "?") for t in drawn_poisoners) or "nobody"
            outcome = self._outcome(
                ExitCode.OK,
                f"round {report.round_id} worked: {slashed} slashed, "
                f"{len(honest)} honest trainers paid, version {report.version}",
            )
        outcome.checks = checks
        return outcome

    def _outcome(self, code: ExitCode, reason: str) -> Outcome:
        return Outcome(
            code,
            reason,
            self.board,
            self.tracker,
            self.state,
            self.endpoints,
            self.resumed,
            self.genesis_hash,
            self.finalized,
        )

    def _fail_running(self, why: str) -> str:
        running = [r for r in self.board if r.state is StepState.RUNNING]
        for record in running:
            self.board.fail(record.info.step, why)
        return ", ".join(r.info.step.value for r in running) or "-"

    def _mark_unfinished(self, outcome: Outcome) -> None:
        if outcome.code is ExitCode.INTERRUPTED:
            for record in self.board:
                if record.state is StepState.RUNNING:
                    self.board.fail(record.info.step, "interrupted")

    # --- the directory lock ---------------------------------------------------------------------

    def _lock(self) -> None:
        self.layout.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.layout.lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DevnetError(f"another devnet is running on {self.layout.root}") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None


# --- helpers ------------------------------------------------------------------------------------


def _first_leaf(group: BaseExceptionGroup[Any]) -> BaseException:
    """The first exception of a (possibly nested) group."""
    first: BaseException = group
    while isinstance(first, BaseExceptionGroup):
        first = first.exceptions[0]
    return first


def _describe(topology: Topology) -> str:
    return (
        f"{topology.validators} validators, {topology.curators} curators, "
        f"{topology.trainers} trainers, {topology.poisoners} poisoners, "
        f"{topology.scorers} scorers, {topology.keepers} keepers"
    )


def _rules_text(rules: RoundRules, size: dict[str, int]) -> str:
    return (
        f"voting {rules.voting}, commit {rules.commit}, reveal {rules.reveal}, "
        f"score {rules.score}, dispute {rules.dispute} blocks; "
        f"{size['trainers']} trainers and {size['scorers']} scorers a round"
    )


def _ports(topology: Topology) -> Ports:
    taken: set[int] = set()
    rpc = tuple(pick_port(9944 + i, taken) for i in range(topology.validators))
    p2p = tuple(pick_port(30333 + i, taken) for i in range(topology.validators))
    return Ports(rpc, p2p, pick_port(5001, taken), pick_port(8080, taken))


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def _last_json(output: str, what: str) -> dict[str, Any]:
    """The last top-level JSON object a command printed (its log may hold other lines)."""
    decoder = json.JSONDecoder()
    found: dict[str, Any] | None = None
    position = output.find("{")
    while position != -1:
        try:
            value, end = decoder.raw_decode(output, position)
        except ValueError:
            position = output.find("{", position + 1)
            continue
        if isinstance(value, dict):
            found = value
        position = output.find("{", end)
    if found is None:
        raise DevnetError(f"{what} printed no JSON result:\n{output[-2000:]}")
    return found


def _active_bond(ledger: Any) -> int:
    if not ledger:
        return 0
    if isinstance(ledger, dict):
        for name in ("active", "bond"):
            if name in ledger:
                return int(ledger[name])
    return 0


def _rpc_probe(http: httpx.AsyncClient, port: int) -> Callable[[], Any]:
    async def probe() -> bool:
        body = {"jsonrpc": "2.0", "id": 1, "method": "system_health", "params": []}
        response = await http.post(f"http://127.0.0.1:{port}", json=body)
        return response.status_code == 200 and "result" in response.json()

    return probe


def _post_probe(http: httpx.AsyncClient, url: str) -> Callable[[], Any]:
    async def probe() -> bool:
        return (await http.post(url)).status_code == 200

    return probe


def _get_probe(http: httpx.AsyncClient, url: str) -> Callable[[], Any]:
    async def probe() -> bool:
        return (await http.get(url)).status_code == 200

    return probe


async def _finalized_from(chain: ChainClient, first: int) -> AsyncIterator[tuple[int, bytes]]:
    """Every finalized block from number `first` on, in order: the past ones, then new ones."""
    next_number = first
    async for head in chain.follow_finalized():
        while next_number <= head.number:
            block_hash = (
                head.hash if next_number == head.number else await chain.block_hash(next_number)
            )
            yield next_number, block_hash
            next_number += 1
