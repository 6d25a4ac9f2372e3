"""A small in-memory `NodeView` for the RPC tests, and servers running it on ephemeral ports.

`FakeNode` has a genesis block and block 1 (with a real timestamp inherent, so clients decode
the body against the real metadata), a dict state per block, a pool stub that records what it
is given, and event hubs the tests fire -- from any thread -- to drive subscriptions. Runtime
calls go to the real Deepshard runtime over the block's state.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import websocket

from deepshard.chain_spec.builder import genesis_from_patch, preset_patch
from deepshard.chain_spec.presets import DEV
from deepshard.client.node.interfaces import ChainInfo, TransactionStatus, TransactionWatcher
from deepshard.client.rpc import BackgroundRpcServer, RpcLimits, RpcPolicy, RpcServer
from deepshard.client.rpc.methods import node_rpc_module
from deepshard.pallets.timestamp import INHERENT_IDENTIFIER
from deepshard.primitives.codec import H256, encode
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.header import Digest, Header, PreRuntime, Seal
from deepshard.primitives.numeric import U64
from deepshard.primitives.transaction_validity import TransactionSource
from deepshard.primitives.trie import StateVersion
from deepshard.primitives.version import RuntimeVersion
from deepshard.runtime.runtime import DeepshardRuntime, deepshard_runtime
from deepshard.runtime.state import InMemoryState
from deepshard.runtime.support.inherents import InherentData

EXTRA_KEY = b":deepshard:test"
"""A storage key the fake node changes from block to block."""


class FakeState:
    """A `StateReader` over a dict."""

    def __init__(self, data: dict[bytes, bytes]) -> None:
        self.data = data
        self._sorted = sorted(data)

    def get(self, key: bytes) -> bytes | None:
        return self.data.get(key)

    def iter_keys(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[bytes]:
        for key in self._sorted:
            if key.startswith(prefix) and (start_after is None or key > start_after):
                yield key

    def read_proof(self, keys: list[bytes]) -> list[bytes]:
        return [b"node:" + key for key in keys]


class FakeChain:
    """A `BlockchainReader` over dicts; `add` appends blocks."""

    def __init__(self) -> None:
        self.headers: dict[H256, Header] = {}
        self.bodies: dict[H256, tuple[bytes, ...]] = {}
        self.states: dict[H256, dict[bytes, bytes]] = {}
        self.canonical: list[H256] = []
        self.justs: dict[H256, list[tuple[bytes, bytes]]] = {}
        self.kids: dict[H256, list[H256]] = {}
        self.best = H256()
        self.finalized = H256()

    def add(self, header: Header, body: tuple[bytes, ...], state: dict[bytes, bytes]) -> H256:
        block_hash = header.hash()
        self.headers[block_hash] = header
        self.bodies[block_hash] = body
        self.states[block_hash] = state
        self.kids.setdefault(header.parent_hash, []).append(block_hash)
        if int(header.number) == len(self.canonical):
            self.canonical.append(block_hash)
        self.best = block_hash
        return block_hash

    @property
    def genesis_hash(self) -> H256:
        return self.canonical[0]

    @property
    def best_hash(self) -> H256:
        return self.best

    @property
    def finalized_hash(self) -> H256:
        return self.finalized

    def header(self, block_hash: H256) -> Header | None:
        return self.headers.get(block_hash)

    def body(self, block_hash: H256) -> tuple[bytes, ...] | None:
        return self.bodies.get(block_hash)

    def justifications(self, block_hash: H256) -> list[tuple[bytes, bytes]] | None:
        return self.justs.get(block_hash)

    def canonical_hash(self, number: int) -> H256 | None:
        return self.canonical[number] if number < len(self.canonical) else None

    def children(self, block_hash: H256) -> list[H256]:
        return list(self.kids.get(block_hash, ()))

    def state_at(self, block_hash: H256) -> FakeState | None:
        state = self.states.get(block_hash)
        return None if state is None else FakeState(state)


@dataclass
class FakePool:
    """A `PoolView` that records submissions; `rejections` maps an extrinsic to its error."""

    submitted: list[bytes] = field(default_factory=list)
    rejections: dict[bytes, Exception] = field(default_factory=dict)
    watchers: list[tuple[bytes, TransactionWatcher]] = field(default_factory=list)
    unwatched: list[bytes] = field(default_factory=list)
    removed: list[H256] = field(default_factory=list)

    def submit(self, extrinsic: bytes, source: TransactionSource) -> H256:
        assert source is TransactionSource.External
        if extrinsic in self.rejections:
            raise self.rejections[extrinsic]
        self.submitted.append(extrinsic)
        return H256(blake2_256(extrinsic))

    def submit_and_watch(
        self, extrinsic: bytes, source: TransactionSource, watcher: TransactionWatcher
    ) -> tuple[H256, Callable[[], None]]:
        tx_hash = self.submit(extrinsic, source)
        self.watchers.append((extrinsic, watcher))
        return tx_hash, lambda: self.unwatched.append(extrinsic)

    def pending(self) -> list[bytes]:
        return list(self.submitted)

    def remove(self, hashes: list[H256]) -> list[H256]:
        removed = [h for h in hashes if any(blake2_256(x) == h for x in self.submitted)]
        self.submitted = [x for x in self.submitted if H256(blake2_256(x)) not in removed]
        self.removed.extend(removed)
        return removed


class FakeEvents:
    """`NodeEvents` whose topics the tests publish to (from any thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.topics: dict[str, list[Callable[[Header], None]]] = {
            "best": [],
            "finalized": [],
            "imported": [],
        }

    def _subscribe(self, topic: str, callback: Callable[[Header], None]) -> Callable[[], None]:
        with self._lock:
            self.topics[topic].append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self.topics[topic]:
                    self.topics[topic].remove(callback)

        return unsubscribe

    def on_new_best(self, callback: Callable[[Header], None]) -> Callable[[], None]:
        return self._subscribe("best", callback)

    def on_finalized(self, callback: Callable[[Header], None]) -> Callable[[], None]:
        return self._subscribe("finalized", callback)

    def on_imported(self, callback: Callable[[Header], None]) -> Callable[[], None]:
        return self._subscribe("imported", callback)

    def count(self, topic: str) -> int:
        with self._lock:
            return len(self.topics[topic])

    def publish(self, topic: str, header: Header) -> None:
        with self._lock:
            callbacks = list(self.topics[topic])
        for callback in callbacks:
            callback(header)


class FakeNode:
    """A `NodeView`: two blocks of the real dev genesis, a pool stub and event hubs."""

    def __init__(self, runtime: DeepshardRuntime, genesis: dict[bytes, bytes]) -> None:
        self.runtime = runtime
        self.chain = FakeChain()
        self.pool = FakePool()
        self.events = FakeEvents()
        self.info = ChainInfo(
            chain_name="Development",
            chain_type="Development",
            node_name="Deepshard Node",
            node_version="0.1.0-test",
            properties={"ss58Format": 42, "tokenDecimals": 12, "tokenSymbol": "DSH"},
            node_role="Authority",
            local_peer_id="12D3KooWTest",
        )
        self.peer_list: list[dict[str, Any]] = []
        self.syncing = False
        root = InMemoryState(genesis).storage_root({}, StateVersion.V1)
        genesis_header = Header(
            parent_hash=H256(),
            number=0,
            state_root=H256(root),
            extrinsics_root=H256(blake2_256(b"\x00")),
        )
        self.genesis_hash = self.chain.add(genesis_header, (), dict(genesis))
        self.block1_hash = self.produce(value=b"one")
        self.chain.finalized = self.genesis_hash

    def produce(self, *, value: bytes, extrinsics: tuple[bytes, ...] = ()) -> H256:
        """Append a block on the best one, with the timestamp inherent, setting EXTRA_KEY."""
        parent = self.chain.headers[self.chain.best]
        parent_state = self.chain.states[self.chain.best]
        number = int(parent.number) + 1
        slot = 300_000_000 + number
        data = InherentData()
        data.put_data(INHERENT_IDENTIFIER, U64(slot * 6_000))
        inherents = self.runtime.inherent_extrinsics(InMemoryState(parent_state), parent, data)
        state = dict(parent_state)
        state[EXTRA_KEY] = value
        header = Header(
            parent_hash=self.chain.best,
            number=number,
            state_root=H256(blake2_256(b"state" + value)),
            extrinsics_root=H256(blake2_256(b"xts" + value)),
            digest=Digest(logs=(PreRuntime(b"aura", encode(U64(slot))), Seal(b"aura", bytes(64)))),
        )
        return self.chain.add(header, (*inherents, *extrinsics), state)

    # --- NodeView ---------------------------------------------------------------------------

    def runtime_version(self, block_hash: H256) -> RuntimeVersion:
        assert block_hash in self.chain.headers
        return self.runtime.version

    def metadata(self, block_hash: H256) -> bytes:
        assert block_hash in self.chain.headers
        return self.runtime.metadata.encoded

    def call_runtime(self, method: str, arguments: bytes, block_hash: H256) -> bytes:
        header = self.chain.headers[block_hash]
        state = InMemoryState(self.chain.states[block_hash])
        return self.runtime.apis.call(method, arguments, state, header)

    def peers(self) -> list[dict[str, Any]]:
        return list(self.peer_list)

    def sync_state(self) -> dict[str, int]:
        best = int(self.chain.headers[self.chain.best].number)
        return {"startingBlock": 0, "currentBlock": best, "highestBlock": best}

    def is_syncing(self) -> bool:
        return self.syncing

    def listen_addresses(self) -> list[str]:
        return ["/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWTest"]

    def finality_round_state(self) -> dict[str, Any] | None:
        return None

    def on_justification(self, callback: Any) -> Any:
        return lambda: None

    def rotate_keys(self) -> bytes:
        return bytes(64)

    def insert_key(self, key_type: str, suri: str, public_key: bytes) -> None:
        raise LookupError(key_type)

    def has_key(self, public_key: bytes, key_type: str) -> bool:
        return False


@pytest.fixture(scope="session")
def runtime() -> DeepshardRuntime:
    return deepshard_runtime()


@pytest.fixture(scope="session")
def dev_genesis(runtime: DeepshardRuntime) -> dict[bytes, bytes]:
    return runtime.genesis_storage(genesis_from_patch(preset_patch(DEV)))


@pytest.fixture
def node(runtime: DeepshardRuntime, dev_genesis: dict[bytes, bytes]) -> FakeNode:
    return FakeNode(runtime, dev_genesis)


@pytest.fixture
def make_server(node: FakeNode) -> Iterator[Callable[..., RpcServer]]:
    """Start servers on ephemeral ports: ``make_server(limits=..., policy=..., cors=...)``."""
    running: list[BackgroundRpcServer] = []

    def start(**options: Any) -> RpcServer:
        options.setdefault("limits", RpcLimits())
        background = BackgroundRpcServer(
            lambda: RpcServer(node_rpc_module(node), host="127.0.0.1", port=0, **options)
        )
        running.append(background)
        return background.start()

    yield start
    for background in running:
        background.stop()


@pytest.fixture
def server(make_server: Callable[..., RpcServer]) -> RpcServer:
    return make_server()


def http_post(url: str, payload: Any, **kwargs: Any) -> requests.Response:
    """POST `payload` (JSON value, or raw str/bytes) as application/json."""
    data = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
    return requests.post(url, data=data, headers=headers, timeout=30, **kwargs)


def rpc(url: str, method: str, params: Any = None, request_id: int = 1) -> dict[str, Any]:
    """One JSON-RPC call over HTTP; the whole response object."""
    response = http_post(
        url, {"jsonrpc": "2.0", "method": method, "params": params or [], "id": request_id}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


class WsClient:
    """A raw websocket-client connection that separates responses from notifications."""

    def __init__(self, url: str) -> None:
        self.ws = websocket.create_connection(url, timeout=10)
        self.next_id = 1
        self.notifications: list[dict[str, Any]] = []
        self.responses: dict[Any, dict[str, Any]] = {}

    def send(self, method: str, params: Any = None) -> int:
        request_id = self.next_id
        self.next_id += 1
        self.ws.send(
            json.dumps(
                {"jsonrpc": "2.0", "method": method, "params": params or [], "id": request_id}
            )
        )
        return request_id

    def receive(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.ws.recv())
        if "id" in message:
            self.responses[message["id"]] = message
        else:
            self.notifications.append(message)
        return message

    def response(self, request_id: int) -> dict[str, Any]:
        while request_id not in self.responses:
            self.receive()
        return self.responses.pop(request_id)

    def call(self, method: str, params: Any = None) -> dict[str, Any]:
        return self.response(self.send(method, params))

    def notification(self) -> dict[str, Any]:
        while not self.notifications:
            self.receive()
        return self.notifications.pop(0)

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def ws_client(server: RpcServer) -> Iterator[Callable[..., WsClient]]:
    clients: list[WsClient] = []

    def connect(url: str | None = None) -> WsClient:
        client = WsClient(url or server.url_ws)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


def dev_policy() -> RpcPolicy:
    return RpcPolicy()


def status(kind: str, value: Any = None) -> TransactionStatus:
    return TransactionStatus(kind, value)
