"""The registry, parameter binding, subscription sinks and policies, without a network."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from deepshard.client.rpc import (
    UNSAFE_METHODS,
    CorsPolicy,
    Param,
    RpcError,
    RpcMethods,
    RpcModule,
    RpcPolicy,
    Session,
    SubscriptionSink,
)
from deepshard.client.rpc.params import bind, h256, hex_bytes, list_or_value, number_or_hex, u32


class RecordingSession(Session):
    """Collects notifications instead of writing them."""

    supports_subscriptions = True

    def __init__(self, *, deny_unsafe: bool = False, max_subscriptions: int = 3) -> None:
        super().__init__(deny_unsafe=deny_unsafe, max_subscriptions=max_subscriptions)
        self.sent: list[tuple[str, str, Any]] = []

    def notify(self, sink: SubscriptionSink, result: Any) -> None:
        self.sent.append((sink.method, sink.id, result))


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_register_aliases_and_rpc_methods() -> None:
    module = RpcModule()
    module.register("a_one", lambda: 1, aliases=("a_uno",))
    module.register_subscription("a_sub", "a_unsub", "a_note", lambda sink: None)
    assert module.method_names == ["a_one", "a_sub", "a_uno", "a_unsub", "rpc_methods"]
    with pytest.raises(ValueError, match="already registered"):
        module.register("a_uno", lambda: 2)
    with pytest.raises(ValueError, match="different names"):
        module.register_subscription("x", "x", "n", lambda sink: None)

    async def go() -> Any:
        session = RecordingSession()
        return (
            await module.call("a_uno", [], session),
            await module.call("rpc_methods", None, session),
        )

    (one, _), (methods, _) = run(go())
    assert one == 1
    assert methods == {"methods": module.method_names}


def test_unsafe_methods_follow_substrate_and_the_policy() -> None:
    module = RpcModule()
    module.register("author_removeExtrinsic", lambda: "removed")  # unsafe by name
    module.register("my_method", lambda: "ok", unsafe=True)
    module.register("system_name", lambda: "safe")

    async def go(deny: bool) -> list[Any]:
        session = RecordingSession(deny_unsafe=deny)
        answers = []
        for name in ("author_removeExtrinsic", "my_method", "system_name"):
            try:
                answers.append((await module.call(name, [], session))[0])
            except RpcError as error:
                answers.append(error.code)
        return answers

    assert run(go(False)) == ["removed", "ok", "safe"]
    assert run(go(True)) == [-32601, -32601, "safe"]
    assert {"author_insertKey", "author_rotateKeys", "system_addReservedPeer"} <= UNSAFE_METHODS


def test_policy_flags() -> None:
    assert not RpcPolicy.from_flags("auto", "127.0.0.1").deny_unsafe
    assert not RpcPolicy.from_flags("auto", "::1").deny_unsafe
    assert not RpcPolicy.from_flags("auto", "localhost").deny_unsafe
    assert RpcPolicy.from_flags("auto", "0.0.0.0").deny_unsafe
    assert RpcPolicy.from_flags("Safe", "127.0.0.1").deny_unsafe
    assert not RpcPolicy.from_flags(RpcMethods.UNSAFE, "0.0.0.0").deny_unsafe
    with pytest.raises(ValueError, match="auto, safe or unsafe"):
        RpcMethods.parse("everything")


def test_cors_policy() -> None:
    local = CorsPolicy.local()
    assert local.allows(None)
    assert local.allows("http://localhost:3000")
    assert local.allows("http://127.0.0.1:9944")
    assert local.allows("https://polkadot.js.org")
    assert not local.allows("https://polkadot.js.org.evil.example")
    assert not local.allows("http://localhost:3000.evil.example")
    assert not local.allows("https://evil.example")
    assert CorsPolicy.allow_all().allows("https://evil.example")
    assert CorsPolicy.of(["all"]).origins is None
    assert CorsPolicy.of(["https://a.example"]).allows("https://a.example")


def test_bind_positional_named_and_optional() -> None:
    params = (Param("key", hex_bytes), Param("count", u32), Param("at", h256, optional=True))
    assert bind(params, ["0x01", 2]) == [b"\x01", 2, None]
    assert bind(params, {"key": "02", "count": 3}) == [b"\x02", 3, None]
    assert bind(params, ["0x01", 2, None, None]) == [b"\x01", 2, None]
    for raw, fragment in (
        (["0x01"], "missing required parameter 1 (count)"),
        (["0x01", 2, "0x00", 5], "at most 3"),
        ({"key": "0x01", "count": 1, "zzz": 1}, "unknown parameter"),
        ("0x01", "array or an object"),
        (["0x0", 1], "odd number"),
        (["0x01", -1], "outside u32"),
        (["0x01", True], "integer"),
        (["0x01", 1, "0x00"], "32-byte hash"),
    ):
        with pytest.raises(RpcError) as raised:
            bind(params, raw)
        assert raised.value.code == -32602
        assert fragment in raised.value.data


def test_number_or_hex_and_list_or_value() -> None:
    parse = list_or_value(number_or_hex)
    assert parse(5) == (False, 5)
    assert parse("0x1f") == (False, 31)
    assert parse([1, "0x2"]) == (True, [1, 2])
    with pytest.raises(ValueError, match="hex"):
        parse("17")


def test_subscription_notifications_wait_for_the_response() -> None:
    module = RpcModule()
    sinks: list[SubscriptionSink] = []
    stopped: list[str] = []

    def subscribe(sink: SubscriptionSink, start: int) -> Any:
        sink.send(start)  # before the subscribe response: buffered
        sinks.append(sink)
        return lambda: stopped.append(sink.id)

    module.register_subscription(
        "t_sub", "t_unsub", "t_note", subscribe, params=(Param("start", u32),)
    )

    async def go() -> RecordingSession:
        session = RecordingSession()
        sub_id, after = await module.call("t_sub", [7], session)
        assert session.sent == []
        assert after is not None
        after()
        assert session.sent == [("t_note", sub_id, 7)]
        # From another thread: marshalled onto the loop.
        thread = threading.Thread(target=sinks[0].send, args=(8,))
        thread.start()
        thread.join()
        await asyncio.sleep(0.01)
        assert session.sent[-1] == ("t_note", sub_id, 8)
        unsubscribed, _ = await module.call("t_unsub", [sub_id], session)
        assert unsubscribed is True
        assert stopped == [sub_id]
        sinks[0].send(9)
        await asyncio.sleep(0)
        assert len(session.sent) == 2  # nothing after unsubscribing
        assert (await module.call("t_unsub", [sub_id], session))[0] is False
        return session

    run(go())


def test_subscription_limit_and_refusal_release_slots() -> None:
    module = RpcModule()

    def refuse(sink: SubscriptionSink, flag: bool) -> Any:
        if flag:
            raise RpcError(1234, "no")
        return None

    module.register_subscription(
        "r_sub", "r_unsub", "r_note", refuse, params=(Param("f", lambda v: v),)
    )

    async def go() -> None:
        session = RecordingSession(max_subscriptions=2)
        with pytest.raises(RpcError) as raised:
            await module.call("r_sub", [True], session)
        assert raised.value.code == 1234
        assert session.subscriptions == {}
        await module.call("r_sub", [False], session)
        await module.call("r_sub", [False], session)
        with pytest.raises(RpcError) as raised:
            await module.call("r_sub", [False], session)
        assert raised.value.code == -32006
        session.close()
        assert session.subscriptions == {}

    run(go())


def test_handler_failures_are_internal_errors() -> None:
    module = RpcModule()

    def broken() -> None:
        raise KeyError("bug")

    module.register("b_broken", broken)
    module.register("b_blocking", lambda: threading.current_thread().name, blocking=True)

    async def go() -> None:
        session = RecordingSession()
        with pytest.raises(RpcError) as raised:
            await module.call("b_broken", [], session)
        assert raised.value.to_json() == {"code": -32603, "message": "Internal error"}
        name, _ = await module.call("b_blocking", [], session)
        assert name != threading.current_thread().name

    run(go())
