"""Text generation with a merged model version: sampling, stop sequences, streaming, token counts.

`Engine` holds one causal LM (the public base with the licensed adapters merged in, fp32, eval
mode) and its codec. `Engine.stream` yields the completion as text deltas and finally a
`Finish`: it encodes the prompt (after the codec's end-of-text token, the beginning-of-sequence
the bootstrapped model was pretrained with), then samples one token at a time with the key/value
cache. Sampling follows OpenAI's parameters: presence and frequency penalties on the logits,
then ``temperature`` (0 is greedy), then nucleus ``top_p``, drawn from a generator seeded with
``seed`` (the same seed, prompt and parameters give the same text). It stops at the end-of-text
token or a stop sequence (``finish_reason`` ``stop``, the stop text excluded) or after
``max_tokens`` (``length``). Text that could still become a stop sequence, or an incomplete UTF-8
character, is held back until it is decided, so a stream never shows what the full answer omits.
One generation runs at a time (a lock): the model is not shared between threads.

This module imports torch; only the inference process imports it.
"""

from __future__ import annotations

import inspect
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import PreTrainedModel

from deepshard.offchain_workers.inference.errors import BadRequest, ContextTooLong
from deepshard.offchain_workers.ml.codec import TextCodec

__all__ = ["SamplingParams", "Finish", "Completion", "Engine", "load_engine"]


@dataclass(frozen=True, slots=True)
class SamplingParams:
    """How to sample one completion (OpenAI's names and ranges)."""

    max_tokens: int | None = 16
    """Most tokens to generate (None: as many as the context leaves)."""
    temperature: float = 1.0
    """Softmax temperature, 0 … 2 (0: greedy)."""
    top_p: float = 1.0
    """Nucleus mass, (0, 1]."""
    stop: tuple[str, ...] = ()
    """Stop sequences (excluded from the text)."""
    seed: int | None = None
    """Seed of the sampler (None: a fresh random one)."""
    presence_penalty: float = 0.0
    """Subtracted once from the logit of every token already generated, -2 … 2."""
    frequency_penalty: float = 0.0
    """Subtracted per occurrence from the logit of every generated token, -2 … 2."""


@dataclass(frozen=True, slots=True)
class Finish:
    """The end of a completion: why, and the token counts of the usage report."""

    finish_reason: str
    """``stop`` (end-of-text or a stop sequence) or ``length`` (``max_tokens`` reached)."""
    prompt_tokens: int
    """Tokens of the prompt."""
    completion_tokens: int
    """Tokens generated."""


@dataclass(frozen=True, slots=True)
class Completion:
    """A whole completion."""

    text: str
    """The generated text."""
    finish: Finish
    """How it ended."""


def _cache_of(out: Any) -> Any:
    """The key/value cache a forward pass returned (``cache`` from transformers 5 on)."""
    keys = out.keys()
    return out["cache"] if "cache" in keys else out["past_key_values"]


def _first_stop(text: str, stops: tuple[str, ...], emitted: int) -> int | None:
    """Return where the first stop sequence in `text` starts, if one has appeared."""
    found = [i for s in stops if (i := text.find(s, max(0, emitted - len(s)))) >= 0]
    return min(found) if found else None


def _held_back(text: str, stops: tuple[str, ...]) -> int:
    """Return how many trailing characters of `text` could begin a stop sequence."""
    longest = 0
    for stop in stops:
        for n in range(min(len(stop) - 1, len(text)), longest, -1):
            if text.endswith(stop[:n]):
                longest = n
                break
    return longest


class Engine:
    """A loaded model version that generates text (module docs)."""

    def __init__(self, model: PreTrainedModel, codec: TextCodec, model_id: str) -> None:
        self.model = model
        """The merged causal LM."""
        self.codec = codec
        """Its text codec."""
        self.model_id = model_id
        """The name the API serves it under (``deepshard-v1``)."""
        config = model.config
        self.context_length = int(getattr(config, "max_position_embeddings", 2048))
        """Most tokens (prompt, beginning-of-sequence and completion) one sequence holds."""
        self._lock = threading.Lock()
        self._device = next(model.parameters()).device
        # transformers 5 renamed the cache argument (``past_key_values`` -> ``cache``).
        accepted = inspect.signature(model.forward).parameters
        self._cache_arg = "cache" if "cache" in accepted else "past_key_values"

    def count_tokens(self, text: str) -> int:
        """Return the number of tokens of `text`."""
        return len(self.codec.encode(text))

    def _check(self, prompt_ids: list[int], params: SamplingParams) -> int:
        # Verify the parameters and that the request fits the context.
        if params.max_tokens is not None and params.max_tokens < 1:
            raise BadRequest("max_tokens must be at least 1", "max_tokens")
        if not 0 <= params.temperature <= 2:
            raise BadRequest("temperature must be between 0 and 2", "temperature")
        if not 0 < params.top_p <= 1:
            raise BadRequest("top_p must be in (0, 1]", "top_p")
        room = self.context_length - 1 - len(prompt_ids)
        wanted = room if params.max_tokens is None else params.max_tokens
        if room < 1 or wanted > room:
            raise ContextTooLong(
                f"this model's context is {self.context_length} tokens; the prompt has "
                f"{len(prompt_ids)} (+1 beginning-of-sequence) and {wanted} more were asked for",
                "max_tokens" if room >= 1 else "prompt",
                "context_length_exceeded",
            )
        return wanted

    def _sample(
        self,
        logits: torch.Tensor,
        counts: torch.Tensor,
        params: SamplingParams,
        gen: torch.Generator,
    ) -> int:
        logits = logits.float()
        if params.frequency_penalty or params.presence_penalty:
            logits = logits - params.frequency_penalty * counts
            logits = logits - params.presence_penalty * (counts > 0).float()
        if params.temperature == 0:
            return int(torch.argmax(logits))
        probs = torch.softmax(logits / params.temperature, dim=-1)
        if params.top_p < 1:
            sorted_probs, order = torch.sort(probs, descending=True)
            before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs
            sorted_probs[before >= params.top_p] = 0.0
            probs = torch.zeros_like(probs).scatter_(0, order, sorted_probs)
        return int(torch.multinomial(probs.cpu(), 1, generator=gen))

    def stream(self, prompt: str, params: SamplingParams) -> Iterator[str | Finish]:
        """Yield the completion of `prompt` as text deltas, then its `Finish`.

        Raises:
            BadRequest: a parameter out of range (before anything is yielded).
            ContextTooLong: the prompt and ``max_tokens`` do not fit the context.
        """
        prompt_ids = self.codec.encode(prompt)
        wanted = self._check(prompt_ids, params)
        return self._generate(prompt_ids, wanted, params)

    def _generate(
        self, prompt_ids: list[int], wanted: int, params: SamplingParams
    ) -> Iterator[str | Finish]:
        stops = tuple(s for s in params.stop if s)
        gen = torch.Generator().manual_seed(
            params.seed if params.seed is not None else secrets.randbits(63)
        )
        eot = self.codec.eot
        with self._lock, torch.inference_mode():
            ids = torch.tensor([[eot, *prompt_ids]], dtype=torch.long, device=self._device)
            out = self.model(input_ids=ids, use_cache=True)
            counts = torch.zeros(out.logits.shape[-1], device=out.logits.device)
            generated: list[int] = []
            emitted = 0
            reason = "length"
            text = ""
            while len(generated) < wanted:
                token = self._sample(out.logits[0, -1], counts, params, gen)
                if token == eot:
                    reason = "stop"
                    break
                generated.append(token)
                counts[token] += 1
                text = self.codec.decode(generated)
                cut = _first_stop(text, stops, emitted)
                if cut is not None:
                    if cut > emitted:
                        yield text[emitted:cut]
                    yield Finish("stop", len(prompt_ids), len(generated))
                    return
                safe = len(text) - _held_back(text, stops)
                while safe > emitted and text[safe - 1] == "\ufffd":
                    safe -= 1  # maybe the first bytes of a character still to come
                if safe > emitted:
                    yield text[emitted:safe]
                    emitted = safe
                if len(generated) < wanted:
                    step = torch.tensor([[token]], device=self._device)
                    cache = {self._cache_arg: _cache_of(out)}
                    out = self.model(input_ids=step, use_cache=True, **cache)
            # No more tokens: what was held back can no longer become a stop sequence.
            if len(text) > emitted:
                yield text[emitted:]
            yield Finish(reason, len(prompt_ids), len(generated))

    def complete(self, prompt: str, params: SamplingParams) -> Completion:
        """Return the whole completion of `prompt` (`stream`, joined).

        Raises:
            BadRequest / ContextTooLong: as `stream`.
        """
        parts: list[str] = []
        finish: Finish | None = None
        for item in self.stream(prompt, params):
            if isinstance(item, Finish):
                finish = item
            else:
                parts.append(item)
        assert finish is not None
        return Completion("".join(parts), finish)


def load_engine(
    base: Path, adapters: list[bytes], model_id: str, device: str | None = None
) -> Engine:
    """Load the base model in `base`, merge `adapters` in order, and wrap it as an `Engine`.

    Raises:
        ModelFormatError / AdapterFormatError: the base or an adapter does not load.
    """
    from deepshard.offchain_workers.ml.adapters import load_version  # noqa: PLC0415
    from deepshard.offchain_workers.ml.runtime import pick_device  # noqa: PLC0415

    model, codec = load_version(base, adapters, pick_device(device))
    return Engine(model, codec, model_id)
