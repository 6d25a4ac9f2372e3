"""The trainer job: a LoRA adapter on the round's layer shard, reproducible to the bit.

Under the deterministic profile two processes (or two machines of one CPU family) given the same
parent, batch and round produce byte-identical adapter files: the torch seed and data order come
from the round seed, threads are fixed, algorithms deterministic, fp32 on CPU; the file is
canonical (`adapters.encode_adapter`). CUDA is used when present (deterministic kernels). Under
the tolerant profile the thread count is left to the caller, and replicas differ in rounding.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
from peft import LoraConfig, get_peft_model, get_peft_model_state_dict
from transformers import PreTrainedModel

from deepshard.offchain_workers.ml.adapters import encode_adapter
from deepshard.offchain_workers.ml.base_model import token_blocks
from deepshard.offchain_workers.ml.canonical import sha256_hex
from deepshard.offchain_workers.ml.codec import TextCodec
from deepshard.offchain_workers.ml.errors import MLError
from deepshard.offchain_workers.ml.profile import ProfileMode, RoundSpec, data_order, torch_seed
from deepshard.offchain_workers.ml.runtime import enter_deterministic

__all__ = ["TrainedAdapter", "train_adapter"]


@dataclass(frozen=True, slots=True)
class TrainedAdapter:
    """A trained adapter file and its figures."""

    blob: bytes
    """The canonical adapter file."""
    sha256: str
    """Its hex sha256 (what the trainer commits to)."""
    tokens: int
    """Tokens trained on (steps x batch x block)."""
    seconds: float
    """Wall time of the training loop."""
    final_loss: float
    """Training loss of the last step."""


def train_adapter(
    model: PreTrainedModel,
    codec: TextCodec,
    texts: list[str],
    spec: RoundSpec,
    *,
    order_seed: bytes | None = None,
    distributed: bool = False,
) -> TrainedAdapter:
    """Train a LoRA adapter on `model` (the parent version, left unchanged) for the round.

    `order_seed` replaces the round seed for the data order only (an honest replica that does
    not follow the pinned order, as in the poison-detection benchmark's data-order noise).
    `distributed` trains as one rank of an initialised ``torch.distributed`` process group
    (`distributed.train_distributed` launches it): the model is wrapped in
    ``DistributedDataParallel``, each rank takes its interleaved share of every step's batch,
    and the averaged gradients make every rank hold the same adapter.

    Raises:
        MLError: no text, a shard outside the model's layers, or (distributed) a batch size
            the world size does not divide.
    """
    p = spec.profile
    first, end = spec.layers
    layers = int(getattr(model.config, "num_hidden_layers", 0))
    if end > layers:
        raise MLError(f"shard {spec.layers} outside the model's {layers} layers")
    if not any(t.strip() for t in texts):
        raise MLError("no text to train on")
    if p.mode == ProfileMode.DETERMINISTIC:
        enter_deterministic(p.threads, torch_seed(spec.seed))
    else:
        torch.manual_seed(torch_seed(spec.seed))
    device = next(model.parameters()).device
    config = LoraConfig(
        r=p.lora_rank,
        lora_alpha=p.lora_alpha,
        target_modules=list(p.target_modules),
        layers_to_transform=list(range(first, end)),
        lora_dropout=0.0,
        bias="none",
        task_type="CAUSAL_LM",
    )
    peft_model = get_peft_model(model, config)
    rank, world = 0, 1
    if distributed:
        rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
        if p.batch_size % world:
            raise MLError(f"batch size {p.batch_size} is not divisible by {world} processes")
    try:
        blocks = token_blocks(codec, texts, p.block_size).to(device)
        order = data_order(order_seed or spec.seed, blocks.shape[0], p.steps * p.batch_size)
        params = [q for q in peft_model.parameters() if q.requires_grad]
        opt = torch.optim.AdamW(params, lr=p.learning_rate)
        peft_model.train()
        forward: torch.nn.Module = peft_model
        if distributed:
            forward = torch.nn.parallel.DistributedDataParallel(peft_model)
        start = time.perf_counter()
        loss = torch.zeros(())
        for step in range(p.steps):
            rows = order[step * p.batch_size : (step + 1) * p.batch_size]
            batch = blocks[rows[rank::world]]
            loss = forward(input_ids=batch, labels=batch).loss
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        seconds = time.perf_counter() - start
        state = get_peft_model_state_dict(peft_model)
        blob = encode_adapter(
            {k: v for k, v in state.items() if "lora_" in k},
            rank=p.lora_rank,
            alpha=p.lora_alpha,
            layers=spec.layers,
            target_modules=p.target_modules,
        )
    finally:
        peft_model.unload()  # the parent model is left as it was given
        model.eval()
    return TrainedAdapter(
        blob, sha256_hex(blob), p.steps * p.batch_size * p.block_size, seconds, float(loss.detach())
    )
