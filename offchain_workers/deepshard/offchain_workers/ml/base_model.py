"""Version 0 of a devnet: a small byte-level Llama pretrained deterministically on local text.

The recipe (architecture, corpus digest, optimiser settings, seed, and the torch and
transformers versions) is hashed; the result is cached under that hash, so the same recipe
and library versions give the same bytes, hence the same CID, on every machine of the same
CPU family. Pretraining runs on one CPU thread in fp32 with deterministic algorithms, and takes
seconds. `load_model` reads this layout or any local Hugging Face causal LM (``--base-model``).

Layout of a model directory: ``config.json`` (canonical JSON), ``model.safetensors`` (canonical,
`canonical.dump_safetensors`) and, for a bootstrapped model, ``recipe.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import transformers
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM, PreTrainedModel

from deepshard.offchain_workers.ml.canonical import (
    canonical_json,
    dump_safetensors,
    parse_safetensors,
    sha256_hex,
)
from deepshard.offchain_workers.ml.codec import BYTE_VOCAB, EOT, ByteCodec, TextCodec
from deepshard.offchain_workers.ml.corpus import bootstrap_corpus, corpus_digest, split_held_out
from deepshard.offchain_workers.ml.errors import ModelFormatError
from deepshard.offchain_workers.ml.profile import data_order
from deepshard.offchain_workers.ml.runtime import enter_deterministic, from_raw, to_raw

__all__ = [
    "Recipe",
    "HFCodec",
    "default_cache",
    "bootstrap",
    "save_model",
    "load_model",
    "load_codec",
    "token_blocks",
]

CONFIG = "config.json"
WEIGHTS = "model.safetensors"
RECIPE = "recipe.json"


@dataclass(frozen=True, slots=True)
class Recipe:
    """Everything that determines the bootstrapped base model's bytes."""

    hidden_size: int = 128
    """Model width."""
    layers: int = 4
    """Decoder layers (the shard layout splits these)."""
    heads: int = 4
    """Attention heads."""
    intermediate_size: int = 256
    """MLP width."""
    max_positions: int = 256
    """Longest sequence."""
    block_size: int = 128
    """Tokens per pretraining sequence."""
    batch_size: int = 8
    """Sequences per pretraining step."""
    steps: int = 150
    """Pretraining steps."""
    learning_rate: float = 3e-3
    """AdamW learning rate."""
    seed: int = 0
    """Torch seed of the initialisation."""

    def key(self) -> dict[str, Any]:
        """Return the recipe with the corpus digest and library versions (what is hashed)."""
        return {
            **asdict(self),
            "corpus": corpus_digest(bootstrap_corpus()),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
        }

    def digest(self) -> str:
        """Return the hex sha256 of `key` (the cache name)."""
        return sha256_hex(canonical_json(self.key()))


class HFCodec:
    """A Hugging Face tokenizer as a `TextCodec`."""

    def __init__(self, path: Path) -> None:
        from transformers import AutoTokenizer  # noqa: PLC0415 - only for foreign models

        self._tok = AutoTokenizer.from_pretrained(str(path))
        eot = self._tok.eos_token_id
        if eot is None:
            raise ModelFormatError(f"{path}: the tokenizer has no end-of-text token")
        self.eot = int(eot)

    def encode(self, text: str) -> list[int]:
        """Return the token ids of `text`."""
        return list(self._tok.encode(text, add_special_tokens=False))

    def decode(self, ids: list[int]) -> str:
        """Return the text of `ids`."""
        return str(self._tok.decode(ids, skip_special_tokens=True))


def default_cache() -> Path:
    """Return ``$DEEPSHARD_MODEL_CACHE`` or ``~/.cache/deepshard/models``."""
    env = os.environ.get("DEEPSHARD_MODEL_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "deepshard" / "models"


def token_blocks(codec: TextCodec, texts: list[str], block_size: int) -> torch.Tensor:
    """Return the texts as one end-of-text-separated stream cut into ``block_size`` rows.

    A stream shorter than one block is padded with end-of-text (one row).
    """
    stream: list[int] = []
    for t in texts:
        stream.extend(codec.encode(t))
        stream.append(codec.eot)
    if len(stream) < block_size:
        stream.extend([codec.eot] * (block_size - len(stream)))
    rows = len(stream) // block_size
    return torch.tensor(stream[: rows * block_size], dtype=torch.long).view(rows, block_size)


def _config(r: Recipe) -> LlamaConfig:
    cfg = LlamaConfig(
        vocab_size=BYTE_VOCAB,
        hidden_size=r.hidden_size,
        intermediate_size=r.intermediate_size,
        num_hidden_layers=r.layers,
        num_attention_heads=r.heads,
        num_key_value_heads=r.heads,
        max_position_embeddings=r.max_positions,
        bos_token_id=EOT,
        eos_token_id=EOT,
        pad_token_id=EOT,
        tie_word_embeddings=False,
    )
    cfg.deepshard_tokenizer = "bytes"
    return cfg


def save_model(model: PreTrainedModel, dest: Path, extra: dict[str, bytes] | None = None) -> None:
    """Write `model` in the canonical layout into the new directory `dest` (atomically)."""
    config = model.config.to_dict()
    config.pop("_name_or_path", None)
    tmp = Path(tempfile.mkdtemp(prefix=".model-", dir=dest.parent))
    try:
        (tmp / CONFIG).write_bytes(canonical_json(config))
        state = {k: v.float() for k, v in model.state_dict().items()}
        (tmp / WEIGHTS).write_bytes(dump_safetensors(to_raw(state), {"format": "pt"}))
        for name, data in (extra or {}).items():
            (tmp / name).write_bytes(data)
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def bootstrap(recipe: Recipe | None = None, cache: Path | None = None) -> Path:
    """Return the directory of version 0 for `recipe`, pretraining it on first use."""
    r = recipe or Recipe()
    root = cache or default_cache()
    dest = root / r.digest()
    if (dest / WEIGHTS).is_file():
        return dest
    root.mkdir(parents=True, exist_ok=True)
    threads = torch.get_num_threads()
    try:
        enter_deterministic(1, r.seed)
        model = LlamaForCausalLM(_config(r)).float()
        train, _ = split_held_out(bootstrap_corpus())
        blocks = token_blocks(ByteCodec(), train, r.block_size)
        order = data_order(r.seed.to_bytes(32, "little"), blocks.shape[0], r.steps * r.batch_size)
        opt = torch.optim.AdamW(model.parameters(), lr=r.learning_rate)
        model.train()
        for step in range(r.steps):
            rows = order[step * r.batch_size : (step + 1) * r.batch_size]
            batch = blocks[rows]
            loss = model(input_ids=batch, labels=batch).loss
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        model.eval()
        try:
            save_model(model, dest, {RECIPE: canonical_json(r.key())})
        except OSError:
            if not (dest / WEIGHTS).is_file():  # another process won the race: same bytes
                raise
    finally:
        torch.set_num_threads(threads)
    return dest


def load_codec(path: Path) -> TextCodec:
    """Return the text codec of the model directory `path`."""
    try:
        config = json.loads((path / CONFIG).read_text())
    except (OSError, ValueError) as exc:
        raise ModelFormatError(f"{path}: unreadable {CONFIG}: {exc}") from None
    if config.get("deepshard_tokenizer") == "bytes":
        return ByteCodec()
    return HFCodec(path)


def load_model(path: Path, device: torch.device | None = None) -> tuple[PreTrainedModel, TextCodec]:
    """Load the causal LM in `path` (fp32, eval mode) and its codec.

    Raises:
        ModelFormatError: not a model directory transformers can load.
    """
    codec = load_codec(path)
    weights = path / WEIGHTS
    try:
        if weights.is_file() and json.loads((path / CONFIG).read_text()).get("deepshard_tokenizer"):
            config = transformers.AutoConfig.from_pretrained(str(path))
            model = AutoModelForCausalLM.from_config(config).float()
            tensors, _ = parse_safetensors(weights.read_bytes())
            missing, unexpected = model.load_state_dict(from_raw(tensors), strict=False)
            if [m for m in missing if "rotary" not in m] or unexpected:
                raise ModelFormatError(f"{path}: weights do not match the config")
        else:
            model = AutoModelForCausalLM.from_pretrained(str(path), torch_dtype=torch.float32)
    except (OSError, ValueError) as exc:
        raise ModelFormatError(f"{path}: not a causal LM: {exc}") from None
    model.eval()
    if device is not None:
        model.to(device)
    return model, codec
