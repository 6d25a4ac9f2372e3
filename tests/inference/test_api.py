"""The inference node's HTTP API, driven by the real `openai` Python client over uvicorn.

The model is the bootstrapped base with a real trained LoRA adapter merged (what a licensed
version is). The `openai` client — OpenAI's own SDK, independent of this code — parses every
response into its typed objects, so a body or stream that strays from the format fails here.
Bad requests come back as 4xx with OpenAI's error shape, which the SDK raises as its typed
errors; raw HTTP checks the shape itself.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

openai = pytest.importorskip("openai")

MODEL = "deepshard-v1"


@pytest.fixture(scope="module")
def client(server_url: str) -> Any:
    return openai.OpenAI(base_url=f"{server_url}/v1", api_key="unused", max_retries=0)


def test_models_lists_the_licensed_version(client: Any) -> None:
    listed = client.models.list()
    assert [m.id for m in listed.data] == [MODEL]
    assert listed.data[0].owned_by == "deepshard"
    assert client.models.retrieve(MODEL).id == MODEL


def test_a_completion_with_usage_and_a_seed(client: Any) -> None:
    args = {"model": MODEL, "prompt": "def main():", "max_tokens": 12, "temperature": 0.8}
    one = client.completions.create(seed=7, **args)
    two = client.completions.create(seed=7, **args)
    assert one.object == "text_completion"
    choice = one.choices[0]
    assert choice.finish_reason in {"stop", "length"}
    assert one.usage.prompt_tokens == len(b"def main():")
    assert one.usage.total_tokens == one.usage.prompt_tokens + one.usage.completion_tokens
    assert 1 <= one.usage.completion_tokens <= 12
    if choice.finish_reason == "length":
        assert one.usage.completion_tokens == 12
    assert choice.text == two.choices[0].text  # the same seed gives the same text
    echoed = client.completions.create(seed=7, echo=True, **args)
    assert echoed.choices[0].text == "def main():" + choice.text


def test_greedy_stop_sequences_cut_the_text(client: Any) -> None:
    full = client.completions.create(model=MODEL, prompt="The ", max_tokens=30, temperature=0)
    text = full.choices[0].text
    assert len(text) >= 4
    stop = text[2:4]
    cut = client.completions.create(
        model=MODEL, prompt="The ", max_tokens=30, temperature=0, stop=[stop]
    )
    assert cut.choices[0].finish_reason == "stop"
    assert cut.choices[0].text == text[: text.index(stop)]


def test_a_streamed_chat_answer(client: Any) -> None:
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "You answer about Python."},
            {"role": "user", "content": "What is a list?"},
        ],
        max_tokens=20,
        temperature=0.7,
        seed=3,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    with_choices = [c for c in chunks if c.choices]
    assert with_choices[0].choices[0].delta.role == "assistant"
    assert with_choices[-1].choices[0].finish_reason in {"stop", "length"}
    streamed = "".join(c.choices[0].delta.content or "" for c in with_choices)
    usage = chunks[-1].usage
    assert usage is not None
    assert not chunks[-1].choices
    assert 1 <= usage.completion_tokens <= 20
    whole = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "You answer about Python."},
            {"role": "user", "content": [{"type": "text", "text": "What is a list?"}]},
        ],
        max_completion_tokens=20,
        temperature=0.7,
        seed=3,
    )
    assert whole.object == "chat.completion"
    assert whole.choices[0].message.role == "assistant"
    assert whole.choices[0].message.content == streamed
    assert whole.usage.completion_tokens == usage.completion_tokens
    assert "\nUser:" not in streamed


def test_a_streamed_completion_ends_with_done(server_url: str) -> None:
    body = {"model": MODEL, "prompt": "x", "max_tokens": 5, "stream": True, "seed": 1}
    with httpx.stream("POST", f"{server_url}/v1/completions", json=body, timeout=60) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in r.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"


@pytest.mark.parametrize(
    ("call", "status", "param", "code"),
    [
        ({"model": "gpt-4", "prompt": "x"}, 404, "model", "model_not_found"),
        ({"model": MODEL, "prompt": "x", "temperature": 3}, 400, "temperature", None),
        ({"model": MODEL, "prompt": "x", "top_p": 0}, 400, "top_p", None),
        ({"model": MODEL, "prompt": "x", "max_tokens": 0}, 400, "max_tokens", None),
        ({"model": MODEL, "prompt": "x", "n": 2}, 400, "n", None),
        ({"model": MODEL, "prompt": "x", "stop": ["a", "b", "c", "d", "e"]}, 400, "stop", None),
        ({"model": MODEL, "prompt": "x", "logprobs": 2}, 400, "logprobs", None),
        ({"model": MODEL}, 400, "prompt", None),
        (
            {"model": MODEL, "prompt": "x" * 300, "max_tokens": 5},
            400,
            "prompt",
            "context_length_exceeded",
        ),
        (
            {"model": MODEL, "prompt": "x", "max_tokens": 100_000},
            400,
            "max_tokens",
            "context_length_exceeded",
        ),
    ],
)
def test_bad_completion_requests_get_openai_errors(
    server_url: str, call: dict[str, Any], status: int, param: str, code: str | None
) -> None:
    r = httpx.post(f"{server_url}/v1/completions", json=call, timeout=60)
    assert r.status_code == status
    error = r.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert error["code"] == code
    assert error["message"]


@pytest.mark.parametrize(
    ("messages", "extra", "param"),
    [
        ([], {}, "messages"),
        ([{"role": "tool", "content": "x"}], {}, "messages.0.role"),
        ([{"role": "system", "content": "only a system message"}], {}, "messages"),
        ([{"role": "user", "content": [{"type": "image_url"}]}], {}, "messages.0.content"),
        ([{"role": "user", "content": "hi"}], {"tools": [{"type": "function"}]}, "tools"),
    ],
)
def test_bad_chat_requests_get_openai_errors(
    server_url: str, messages: list[Any], extra: dict[str, Any], param: str
) -> None:
    r = httpx.post(
        f"{server_url}/v1/chat/completions",
        json={"model": MODEL, "messages": messages, **extra},
        timeout=60,
    )
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param


def test_the_sdk_raises_its_typed_errors(client: Any, server_url: str) -> None:
    with pytest.raises(openai.NotFoundError) as found:
        client.completions.create(model="other", prompt="x")
    assert found.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "hi"}], temperature=5
        )
    r = httpx.post(
        f"{server_url}/v1/completions",
        content=b"{not json",
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 400
    assert r.json()["error"]["type"] == "invalid_request_error"
    r = httpx.get(f"{server_url}/v1/nothing-here", timeout=30)
    assert r.status_code == 404
    assert r.json()["error"]["message"]
