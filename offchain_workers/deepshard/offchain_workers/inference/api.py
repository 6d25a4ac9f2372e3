"""The OpenAI-compatible HTTP API of the inference node (FastAPI).

Routes: ``GET /v1/models`` and ``/v1/models/{id}`` (the one licensed version, named
``deepshard-v{N}``), ``POST /v1/completions`` and ``POST /v1/chat/completions`` (OpenAI's request
and response bodies; ``stream: true`` answers ``text/event-stream``, one ``data: {chunk}`` per
delta, then ``data: [DONE]``; ``stream_options.include_usage`` adds a last chunk with the usage),
and ``GET /health``. Parameters honoured: ``max_tokens`` (``max_completion_tokens`` for chat),
``temperature``, ``top_p``, ``stop`` (up to 4), ``seed``, ``presence_penalty``,
``frequency_penalty``, ``echo`` (completions), ``user`` (accepted, unused). Fields this node
cannot honour (``n`` > 1, ``logprobs``, ``tools``, ``best_of`` > 1, non-text content parts) are
refused rather than ignored, and fields it does not know are ignored, as OpenAI's API does.

Every error has OpenAI's body, ``{"error": {"message", "type", "param", "code"}}``: 400
``invalid_request_error`` for a malformed or unsupported request (``context_length_exceeded``
when it does not fit the model), 404 for an unknown model (``model_not_found``) or route, 405
for a wrong method, 500 ``server_error`` otherwise. This module does not import torch: it drives
any object shaped like `engine.Engine` (the `Generator` protocol).
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Iterator
from typing import Any, Literal, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from deepshard.offchain_workers.inference.chat import CHAT_STOP, Message, render_chat
from deepshard.offchain_workers.inference.errors import BadRequest

__all__ = ["Generator", "CompletionRequest", "ChatRequest", "create_app"]

MAX_STOPS = 4
"""The most stop sequences a request may give (OpenAI's limit)."""


class Generator(Protocol):
    """What the API needs of an engine (`engine.Engine` is one)."""

    model_id: str
    context_length: int

    def stream(self, prompt: str, params: Any) -> Iterator[Any]:
        """Yield text deltas, then a finish record (`engine.Finish`)."""
        ...


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model: str
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    n: int | None = Field(None, ge=1)
    stream: bool | None = False
    stream_options: dict[str, Any] | None = None
    stop: str | list[str] | None = None
    seed: int | None = None
    presence_penalty: float | None = Field(None, ge=-2, le=2)
    frequency_penalty: float | None = Field(None, ge=-2, le=2)
    user: str | None = None


class CompletionRequest(_Request):
    """The body of ``POST /v1/completions``."""

    prompt: str | list[str]
    max_tokens: int | None = Field(16, ge=1)
    echo: bool | None = False
    logprobs: int | None = None
    best_of: int | None = Field(None, ge=1)
    suffix: str | None = None


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str
    text: str | None = None


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[_Part] | None = None
    name: str | None = None


class ChatRequest(_Request):
    """The body of ``POST /v1/chat/completions``."""

    messages: list[_Message] = Field(min_length=1)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    logprobs: bool | None = None
    tools: list[Any] | None = None
    functions: list[Any] | None = None


def _error(
    status: int, message: str, kind: str, param: str | None, code: str | None
) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return JSONResponse(body, status_code=status)


def _stops(value: str | list[str] | None, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    stops = [value] if isinstance(value, str) else list(value or [])
    # Verify OpenAI's limit on stop sequences.
    if len(stops) > MAX_STOPS:
        raise BadRequest(f"at most {MAX_STOPS} stop sequences", "stop")
    return tuple(stops) + extra


def _common(request: _Request) -> dict[str, Any]:
    # Verify what this node cannot honour is not asked for.
    if request.n not in {None, 1}:
        raise BadRequest("only n=1 is supported", "n")
    return {
        "temperature": 1.0 if request.temperature is None else request.temperature,
        "top_p": 1.0 if request.top_p is None else request.top_p,
        "seed": request.seed,
        "presence_penalty": request.presence_penalty or 0.0,
        "frequency_penalty": request.frequency_penalty or 0.0,
    }


def _message_text(message: _Message, index: int) -> str:
    if message.content is None or isinstance(message.content, str):
        return message.content or ""
    texts = []
    for part in message.content:
        # Verify every part is text.
        if part.type != "text" or part.text is None:
            raise BadRequest(
                f"content part of type {part.type!r} is not supported (text only)",
                f"messages.{index}.content",
            )
        texts.append(part.text)
    return "".join(texts)


def create_app(engine: Generator, params_type: Any) -> FastAPI:
    """Return the API serving `engine`; `params_type` builds its sampling parameters.

    (`params_type` is `engine.SamplingParams`; it is passed in so this module needs no torch.)
    """
    app = FastAPI(title="Deepshard inference node", version="1", docs_url=None, redoc_url=None)
    created = int(time.time())

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ()) if p != "body"]
        message = str(first.get("msg", "invalid request"))
        param = ".".join(loc) or None
        return _error(
            400, f"{param}: {message}" if param else message, "invalid_request_error", param, None
        )

    @app.exception_handler(BadRequest)
    async def bad(_: Request, exc: BadRequest) -> JSONResponse:
        return _error(400, str(exc), "invalid_request_error", exc.param, exc.code)

    @app.exception_handler(StarletteHTTPException)
    async def http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = "invalid_request_error" if exc.status_code < 500 else "server_error"
        return _error(exc.status_code, str(exc.detail), kind, None, None)

    @app.exception_handler(Exception)
    async def crashed(_: Request, exc: Exception) -> JSONResponse:
        return _error(500, f"internal error: {type(exc).__name__}", "server_error", None, None)

    def model_card() -> dict[str, Any]:
        return {
            "id": engine.model_id,
            "object": "model",
            "created": created,
            "owned_by": "deepshard",
        }

    def ensure_model(name: str) -> None:
        if name != engine.model_id:
            raise _NotFound(name)

    @app.exception_handler(_NotFound)
    async def not_found(_: Request, exc: _NotFound) -> JSONResponse:
        return _error(
            404,
            f"the model {exc.args[0]!r} does not exist; this node serves {engine.model_id!r}",
            "invalid_request_error",
            "model",
            "model_not_found",
        )

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok", "model": engine.model_id}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [model_card()]}

    @app.get("/v1/models/{name:path}")
    async def model(name: str) -> dict[str, Any]:
        ensure_model(name)
        return model_card()

    def respond(items: Iterator[Any], make_chunk: Any, make_body: Any, request: _Request) -> Any:
        """Drain `items` into one body, or stream them as server-sent events."""
        if request.stream:
            usage_chunk = bool((request.stream_options or {}).get("include_usage"))

            def events() -> Iterator[str]:
                for item in items:
                    yield f"data: {json.dumps(make_chunk(item))}\n\n"
                    if not isinstance(item, str) and usage_chunk:
                        yield f"data: {json.dumps(make_chunk(None, _usage(item)))}\n\n"
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")

        def drain() -> Any:
            parts, finish = [], None
            for item in items:
                if isinstance(item, str):
                    parts.append(item)
                else:
                    finish = item
            return make_body("".join(parts), finish)

        return run_in_threadpool(drain)

    @app.post("/v1/completions")
    async def completions(request: CompletionRequest) -> Any:
        ensure_model(request.model)
        if request.logprobs is not None:
            raise BadRequest("logprobs are not supported", "logprobs")
        if request.best_of not in {None, 1}:
            raise BadRequest("only best_of=1 is supported", "best_of")
        if request.suffix:
            raise BadRequest("suffix is not supported", "suffix")
        prompts = [request.prompt] if isinstance(request.prompt, str) else request.prompt
        if len(prompts) != 1:
            raise BadRequest("exactly one prompt per request", "prompt")
        prompt = prompts[0]
        params = params_type(
            max_tokens=request.max_tokens, stop=_stops(request.stop), **_common(request)
        )
        ident, now = f"cmpl-{secrets.token_hex(12)}", int(time.time())
        echo = prompt if request.echo else ""

        def chunk(item: Any, usage: dict[str, int] | None = None) -> dict[str, Any]:
            body: dict[str, Any] = {
                "id": ident,
                "object": "text_completion",
                "created": now,
                "model": engine.model_id,
                "choices": [],
            }
            if usage is not None:
                body["usage"] = usage
            elif isinstance(item, str):
                body["choices"] = [
                    {"index": 0, "text": item, "logprobs": None, "finish_reason": None}
                ]
            else:
                body["choices"] = [
                    {"index": 0, "text": "", "logprobs": None, "finish_reason": item.finish_reason}
                ]
            return body

        def whole(text: str, finish: Any) -> dict[str, Any]:
            return {
                "id": ident,
                "object": "text_completion",
                "created": now,
                "model": engine.model_id,
                "choices": [
                    {
                        "index": 0,
                        "text": echo + text,
                        "logprobs": None,
                        "finish_reason": finish.finish_reason,
                    }
                ],
                "usage": _usage(finish),
            }

        items = engine.stream(prompt, params)  # checks the parameters and the context
        if request.stream and echo:
            items = itertools.chain([echo], items)
        result = respond(items, chunk, whole, request)
        return await result if not request.stream else result

    @app.post("/v1/chat/completions")
    async def chat_completions(request: ChatRequest) -> Any:
        ensure_model(request.model)
        if request.logprobs:
            raise BadRequest("logprobs are not supported", "logprobs")
        if request.tools or request.functions:
            raise BadRequest("tools and functions are not supported", "tools")
        messages = [Message(m.role, _message_text(m, i)) for i, m in enumerate(request.messages)]
        prompt = render_chat(messages)
        limit = request.max_completion_tokens or request.max_tokens
        params = params_type(
            max_tokens=limit, stop=_stops(request.stop, (CHAT_STOP,)), **_common(request)
        )
        ident, now = f"chatcmpl-{secrets.token_hex(12)}", int(time.time())
        first = [True]

        def chunk(item: Any, usage: dict[str, int] | None = None) -> dict[str, Any]:
            body: dict[str, Any] = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": now,
                "model": engine.model_id,
                "choices": [],
            }
            if usage is not None:
                body["usage"] = usage
                return body
            delta: dict[str, Any] = {}
            if first[0]:
                delta["role"] = "assistant"
                first[0] = False
            if isinstance(item, str):
                delta["content"] = item
                reason = None
            else:
                reason = item.finish_reason
            body["choices"] = [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": reason}
            ]
            return body

        def whole(text: str, finish: Any) -> dict[str, Any]:
            return {
                "id": ident,
                "object": "chat.completion",
                "created": now,
                "model": engine.model_id,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "logprobs": None,
                        "finish_reason": finish.finish_reason,
                    }
                ],
                "usage": _usage(finish),
            }

        items = _answer_only(engine.stream(prompt, params))
        result = respond(items, chunk, whole, request)
        return await result if not request.stream else result

    return app


class _NotFound(Exception):
    """A request names a model this node does not serve."""


def _answer_only(items: Iterator[Any]) -> Iterator[Any]:
    """Drop the whitespace the model writes right after ``Assistant:`` (the template's space)."""
    started = False
    for item in items:
        if isinstance(item, str) and not started:
            text = item.lstrip()
            if text:
                started = True
                yield text
            continue
        yield item


def _usage(finish: Any) -> dict[str, int]:
    return {
        "prompt_tokens": finish.prompt_tokens,
        "completion_tokens": finish.completion_tokens,
        "total_tokens": finish.prompt_tokens + finish.completion_tokens,
    }
