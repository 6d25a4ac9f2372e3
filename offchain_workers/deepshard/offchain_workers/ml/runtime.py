"""Torch set-up shared by the jobs: the device, the deterministic profile, tensor conversion.

This module imports torch; only the jobs import it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import torch

from deepshard.offchain_workers.ml.canonical import RawTensor
from deepshard.offchain_workers.ml.errors import ModelFormatError

__all__ = ["no_grad", "pick_device", "enter_deterministic", "to_raw", "from_raw"]

_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}
_BY_NAME = {v: k for k, v in _DTYPES.items()}
_F = TypeVar("_F", bound=Callable[..., Any])


def no_grad(fn: _F) -> _F:
    """Run `fn` under ``torch.inference_mode`` (a typed decorator)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with torch.inference_mode():
            return fn(*args, **kwargs)

    return cast(_F, wrapper)


def pick_device(requested: str | None = None) -> torch.device:
    """Return `requested`, else CUDA when present, else the CPU."""
    if requested:
        return torch.device(requested)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def enter_deterministic(threads: int, seed: int) -> None:
    """Apply the deterministic profile: fixed threads, deterministic kernels, seeded generators.

    On CUDA this also needs ``CUBLAS_WORKSPACE_CONFIG`` (set here if absent) and disables TF32.
    """
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(seed)


def to_raw(tensors: Mapping[str, torch.Tensor]) -> dict[str, RawTensor]:
    """Return CPU little-endian copies of `tensors` for `canonical.dump_safetensors`."""
    out = {}
    for name, t in tensors.items():
        dtype = _DTYPES.get(t.dtype)
        if dtype is None:
            raise ModelFormatError(f"tensor {name}: unsupported dtype {t.dtype}")
        c = t.detach().to("cpu").contiguous()
        out[name] = RawTensor(dtype, tuple(c.shape), c.view(torch.uint8).numpy().tobytes())
    return out


def from_raw(tensors: Mapping[str, RawTensor]) -> dict[str, torch.Tensor]:
    """Return torch tensors (CPU) for parsed safetensors entries."""
    out = {}
    for name, t in tensors.items():
        dtype = _BY_NAME.get(t.dtype)
        if dtype is None:
            raise ModelFormatError(f"tensor {name}: unsupported dtype {t.dtype}")
        buf = torch.frombuffer(bytearray(t.data), dtype=torch.uint8)
        out[name] = buf.view(dtype).reshape(t.shape).clone()
    return out
