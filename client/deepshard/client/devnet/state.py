"""What a devnet keeps in its directory so that a second run resumes the same network.

``devnet.json`` (mode 0600: it holds secret seeds) records the topology the devnet was made
with, every account's fresh key, the validators' node keys, the ports, and how far the demo got
(the batch it proposed). `DevnetLayout` names every path under the directory: the chain spec,
each node's base path, the content store, the explorer's database, the worker state files and
keystores, the wallet and the logs.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from deepshard.client.network.identity import NodeKey
from deepshard.primitives.crypto import Keypair, KeyType

__all__ = [
    "STATE_VERSION",
    "AccountKey",
    "BatchRecord",
    "DevnetError",
    "DevnetLayout",
    "DevnetState",
    "Ports",
    "Role",
    "Topology",
    "pick_port",
]

STATE_VERSION: Final = 1
"""The version of ``devnet.json``'s layout."""


class DevnetError(Exception):
    """A devnet cannot start or go on; the message says why and what to do."""


class Role(StrEnum):
    """What an account does in the devnet."""

    VALIDATOR = "validator"
    CURATOR = "curator"
    TRAINER = "trainer"
    POISONER = "poisoner"
    SCORER = "scorer"
    KEEPER = "keeper"
    INFORMANT = "informant"
    BUYER = "buyer"
    SUDO = "sudo"


@dataclass(frozen=True, slots=True)
class Topology:
    """How many of each role a devnet runs."""

    validators: int = 4
    """Authoring and finalizing nodes."""
    curators: int = 2
    """Curator workers."""
    trainers: int = 3
    """Honest trainer workers."""
    poisoners: int = 1
    """Trainer workers that train on corrupted text (the chain should slash them)."""
    scorers: int = 2
    """Scorer workers."""
    keepers: int = 3
    """Keeper workers (where the build has them)."""

    def check(self) -> None:
        """Raise `DevnetError` for a topology that cannot run a round."""
        if not 1 <= self.validators <= 16:
            raise DevnetError("--validators must be between 1 and 16")
        if self.curators < 1:
            raise DevnetError("--curators must be at least 1: curators accept the demo batch")
        if self.trainers < 1:
            raise DevnetError("--trainers must be at least 1: honest trainers make the version")
        if self.scorers < 1:
            raise DevnetError("--scorers must be at least 1: scorers judge the adapters")
        for name in ("curators", "trainers", "poisoners", "scorers", "keepers"):
            if not 0 <= getattr(self, name) <= 32:
                raise DevnetError(f"--{name} must be between 0 and 32")

    @property
    def drawn_trainers(self) -> int:
        """Trainers a round draws: every trainer, honest or not."""
        return self.trainers + self.poisoners


@dataclass(frozen=True, slots=True)
class AccountKey:
    """One account of the devnet: its name, role and secret seed."""

    name: str
    """``trainer-2``, ``informant``..."""
    role: Role
    """What it does."""
    seed: str
    """Its secret: a 32-byte seed as ``0x`` hex (a secret URI every Deepshard door accepts)."""

    def keypair(self, scheme: KeyType = KeyType.SR25519) -> Keypair:
        """The account's key pair (sr25519 unless asked)."""
        return Keypair.from_uri(self.seed, scheme)

    @property
    def address(self) -> str:
        """Its SS58 address (prefix 42)."""
        return self.keypair().ss58_address()


@dataclass(frozen=True, slots=True)
class Ports:
    """Where every service listens on loopback."""

    rpc: tuple[int, ...]
    """Each validator's JSON-RPC port."""
    p2p: tuple[int, ...]
    """Each validator's peer-to-peer port."""
    ipfs: int
    """The IPFS daemon (Kubo RPC and gateway)."""
    explorer: int
    """The explorer's API and pages."""


@dataclass(slots=True)
class BatchRecord:
    """The demo batch, once proposed."""

    batch_id: int
    """Its id in the Informants pallet."""
    cid: str
    """Its CID."""
    block: int
    """The block it was proposed in."""


@dataclass(slots=True)
class DevnetState:
    """Everything ``devnet.json`` holds (module docs)."""

    topology: Topology
    """What the devnet runs."""
    accounts: list[AccountKey]
    """Every account, validators first."""
    node_keys: list[str]
    """Each validator's ed25519 node key (hex)."""
    ports: Ports
    """Where the services listen."""
    genesis_model: dict[str, Any] = field(default_factory=dict)
    """Model version 0 as recorded in the chain spec (CIDs, loss, layers, shards)."""
    batch: BatchRecord | None = None
    """The demo batch, once proposed."""
    wallet_password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    """The password of the wallet's key files (the informant's and the buyer's)."""
    version: int = STATE_VERSION
    """Layout version."""

    @staticmethod
    def create(topology: Topology, ports: Ports) -> DevnetState:
        """Make fresh keys for `topology`."""
        accounts: list[AccountKey] = []

        def add(role: Role, count: int) -> None:
            accounts.extend(
                AccountKey(f"{role}-{i}", role, "0x" + secrets.token_hex(32))
                for i in range(1, count + 1)
            )

        add(Role.VALIDATOR, topology.validators)
        add(Role.CURATOR, topology.curators)
        add(Role.TRAINER, topology.trainers)
        add(Role.POISONER, topology.poisoners)
        add(Role.SCORER, topology.scorers)
        add(Role.KEEPER, topology.keepers)
        accounts.extend(
            AccountKey(str(role), role, "0x" + secrets.token_hex(32))
            for role in (Role.INFORMANT, Role.BUYER, Role.SUDO)
        )
        node_keys = [NodeKey.generate().secret_hex() for _ in range(topology.validators)]
        return DevnetState(topology, accounts, node_keys, ports)

    def of(self, role: Role) -> list[AccountKey]:
        """The accounts of `role`, in order."""
        return [a for a in self.accounts if a.role is role]

    def one(self, role: Role) -> AccountKey:
        """The single account of `role` (informant, buyer, sudo)."""
        (account,) = self.of(role)
        return account

    def labels(self) -> dict[bytes, str]:
        """Account id -> name, for every account (validators by their sr25519 key)."""
        return {a.keypair().public_key: a.name for a in self.accounts}

    def to_json(self) -> dict[str, Any]:
        """The ``devnet.json`` document."""
        return {
            "version": self.version,
            "topology": asdict(self.topology),
            "accounts": [
                {"name": a.name, "role": str(a.role), "seed": a.seed} for a in self.accounts
            ],
            "nodeKeys": list(self.node_keys),
            "ports": {
                "rpc": list(self.ports.rpc),
                "p2p": list(self.ports.p2p),
                "ipfs": self.ports.ipfs,
                "explorer": self.ports.explorer,
            },
            "genesisModel": self.genesis_model,
            "batch": None if self.batch is None else asdict(self.batch),
            "walletPassword": self.wallet_password,
        }

    @staticmethod
    def from_json(document: Any) -> DevnetState:
        """Parse a ``devnet.json`` document.

        Raises:
            DevnetError: another layout version, or a malformed document.
        """
        try:
            if document["version"] != STATE_VERSION:
                raise DevnetError(
                    f"devnet.json has layout version {document['version']}, this deepshard "
                    f"reads {STATE_VERSION}; start a new devnet in another --dir"
                )
            ports = document["ports"]
            batch = document.get("batch")
            return DevnetState(
                topology=Topology(**document["topology"]),
                accounts=[
                    AccountKey(str(a["name"]), Role(a["role"]), str(a["seed"]))
                    for a in document["accounts"]
                ],
                node_keys=[str(k) for k in document["nodeKeys"]],
                ports=Ports(
                    tuple(int(p) for p in ports["rpc"]),
                    tuple(int(p) for p in ports["p2p"]),
                    int(ports["ipfs"]),
                    int(ports["explorer"]),
                ),
                genesis_model=dict(document.get("genesisModel") or {}),
                batch=None if batch is None else BatchRecord(**batch),
                wallet_password=str(document["walletPassword"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DevnetError(f"devnet.json is malformed ({exc!r}); use another --dir") from exc


@dataclass(frozen=True, slots=True)
class DevnetLayout:
    """Every path of a devnet directory."""

    root: Path
    """The directory (``--dir``)."""

    @property
    def state(self) -> Path:
        """``devnet.json``."""
        return self.root / "devnet.json"

    @property
    def lock(self) -> Path:
        """Held while a devnet runs on this directory."""
        return self.root / "devnet.lock"

    @property
    def chain_spec(self) -> Path:
        """The raw chain spec every node starts from."""
        return self.root / "chain-spec.json"

    @property
    def logs(self) -> Path:
        """One log file per child process."""
        return self.root / "logs"

    @property
    def ipfs(self) -> Path:
        """The embedded content store the IPFS daemon serves."""
        return self.root / "ipfs"

    @property
    def wallet(self) -> Path:
        """The wallet directory (the informant's and buyer's keys)."""
        return self.root / "wallet"

    @property
    def explorer_db(self) -> str:
        """The explorer's SQLAlchemy URL."""
        return f"sqlite:///{self.root / 'explorer.db'}"

    @property
    def summary(self) -> Path:
        """The last run's JSON summary."""
        return self.root / "summary.json"

    def node(self, index: int) -> Path:
        """Validator `index`'s base path."""
        return self.root / "nodes" / f"validator-{index + 1}"

    def worker_state(self, name: str) -> Path:
        """A worker's SQLite state file."""
        return self.root / "workers" / f"{name}.sqlite"

    def worker_keystore(self, name: str) -> Path:
        """A worker's keystore directory (its one ``dswk`` key file)."""
        return self.root / "keys" / name

    def log(self, name: str) -> Path:
        """A child's log file."""
        return self.logs / f"{name}.log"

    def load(self) -> DevnetState | None:
        """The saved state, or None for a new directory.

        Raises:
            DevnetError: unreadable or malformed.
        """
        if not self.state.exists():
            return None
        try:
            return DevnetState.from_json(json.loads(self.state.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise DevnetError(f"{self.state}: cannot be read ({exc})") from exc

    def save(self, state: DevnetState) -> None:
        """Write ``devnet.json`` atomically, readable by the owner only."""
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.state.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(state.to_json(), out, indent=2)
            out.write("\n")
        temporary.replace(self.state)


def pick_port(preferred: int, taken: set[int]) -> int:
    """Return `preferred` when it is free on loopback (and not in `taken`), else a free port."""
    candidates = [preferred, 0] if preferred not in taken else [0]
    for candidate in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port = int(sock.getsockname()[1])
            if port not in taken:
                taken.add(port)
                return port
    return pick_port(0, taken)
