"""The base model and the LoRA trainer: reproducible to the bit across separate processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")

SEED = "11" * 32
STEPS = ["--steps", "12", "--batch-size", "4", "--learning-rate-e9", "3000000"]


def _cli(cache: Path, *args: str) -> dict[str, object]:
    env = {**os.environ, "DEEPSHARD_MODEL_CACHE": str(cache)}
    out = subprocess.run(
        [sys.executable, "-m", "deepshard.client.cli", "ml", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_bootstrap_is_reproducible_in_two_processes(tmp_path: Path) -> None:
    """Two processes bootstrapping a (small) recipe into separate caches write equal bytes."""
    code = (
        "import sys, hashlib\n"
        "from pathlib import Path\n"
        "from deepshard.offchain_workers.ml.base_model import Recipe, bootstrap\n"
        "r = Recipe(hidden_size=32, layers=2, heads=2, intermediate_size=64, steps=10)\n"
        "p = bootstrap(r, Path(sys.argv[1]))\n"
        "print(p.name, hashlib.sha256((p / 'model.safetensors').read_bytes()).hexdigest(),"
        " hashlib.sha256((p / 'config.json').read_bytes()).hexdigest())\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / name)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for name in ("a", "b")
    ]
    assert runs[0] == runs[1]
    assert len(runs[0].split()) == 3


def test_base_model_loads_in_transformers(base_dir: Path) -> None:
    """The canonical layout loads with plain ``from_pretrained`` and matches `load_model`."""
    import torch  # noqa: PLC0415
    from transformers import AutoModelForCausalLM  # noqa: PLC0415

    from deepshard.offchain_workers.ml.base_model import load_model  # noqa: PLC0415

    ours, codec = load_model(base_dir)
    theirs = AutoModelForCausalLM.from_pretrained(str(base_dir), torch_dtype=torch.float32).eval()
    ids = torch.tensor([codec.encode("def function(x):\n    return x")])
    with torch.no_grad():
        assert torch.equal(ours(input_ids=ids).logits, theirs(input_ids=ids).logits)


def test_bootstrapped_model_learned_the_corpus(base_dir: Path, held_out_texts: list[str]) -> None:
    """Pretraining brought the held-out loss well below a uniform byte guess (ln 257 ≈ 5.55)."""
    from deepshard.offchain_workers.ml.base_model import load_model, token_blocks  # noqa: PLC0415
    from deepshard.offchain_workers.ml.scorer import mean_loss  # noqa: PLC0415

    model, codec = load_model(base_dir)
    assert mean_loss(model, token_blocks(codec, held_out_texts, 128)) < 3.5


def test_adapters_bit_identical_across_processes(
    tmp_path: Path,
    model_cache: Path,
    base_dir: Path,
    honest_texts: list[str],
    write_jsonl: Callable[[Path, list[str]], Path],
) -> None:
    """Two trainer processes give the same adapter bytes; another seed gives other bytes."""
    assert base_dir.parent == model_cache
    batch = write_jsonl(tmp_path / "batch.jsonl", honest_texts)
    runs = [
        _cli(
            model_cache,
            "train",
            "--batch",
            str(batch),
            "--seed",
            seed,
            "--layers",
            "1:3",
            "-o",
            str(tmp_path / f"{name}.safetensors"),
            *STEPS,
        )
        for name, seed in (("a", SEED), ("b", SEED), ("c", "22" * 32))
    ]
    a, b, c = ((tmp_path / f"{n}.safetensors").read_bytes() for n in "abc")
    assert a == b
    assert runs[0]["sha256"] == runs[1]["sha256"]
    assert a != c


def test_adapter_covers_only_the_shard(base_dir: Path, honest_texts: list[str]) -> None:
    """The adapter holds factors for the shard's layers and target modules only; the parent
    model is unchanged after training; merging equals peft's own forward pass."""
    import torch  # noqa: PLC0415
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict  # noqa: PLC0415
    from safetensors.torch import load  # noqa: PLC0415

    from deepshard.offchain_workers.ml.adapters import decode_adapter, merge_adapter  # noqa: PLC0415
    from deepshard.offchain_workers.ml.base_model import load_model  # noqa: PLC0415
    from deepshard.offchain_workers.ml.profile import RoundSpec, TrainingProfile  # noqa: PLC0415
    from deepshard.offchain_workers.ml.trainer import train_adapter  # noqa: PLC0415

    model, codec = load_model(base_dir)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    profile = TrainingProfile(steps=8, batch_size=4, learning_rate_e9=3_000_000)
    result = train_adapter(model, codec, honest_texts, RoundSpec(bytes(32), (2, 4), profile))
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    adapter = decode_adapter(result.blob)
    assert sorted(adapter.factors) == [
        f"model.layers.{i}.self_attn.{m}" for i in (2, 3) for m in ("q_proj", "v_proj")
    ]
    # peft, loading the same file, computes what our merged weights compute.
    peft_model = get_peft_model(
        load_model(base_dir)[0],
        LoraConfig(
            r=8,
            lora_alpha=16,
            target_modules=["q_proj", "v_proj"],
            layers_to_transform=[2, 3],
            lora_dropout=0.0,
        ),
    )
    set_peft_model_state_dict(peft_model, load(result.blob))
    merge_adapter(model, adapter)
    ids = torch.tensor([codec.encode("for item in sequence: pass")])
    with torch.no_grad():
        got = model(input_ids=ids).logits
        want = peft_model.eval()(input_ids=ids).logits
    assert torch.allclose(got, want, atol=1e-5)
    assert not torch.allclose(got, load_model(base_dir)[0](input_ids=ids).logits, atol=1e-5)


def test_bad_inputs_are_typed(tmp_path: Path, base_dir: Path, model_cache: Path) -> None:
    """A shard outside the model, or a malformed adapter, is refused with a clear error."""
    from deepshard.offchain_workers.ml.adapters import decode_adapter  # noqa: PLC0415
    from deepshard.offchain_workers.ml.base_model import load_model  # noqa: PLC0415
    from deepshard.offchain_workers.ml.canonical import dump_safetensors  # noqa: PLC0415
    from deepshard.offchain_workers.ml.errors import AdapterFormatError, MLError  # noqa: PLC0415
    from deepshard.offchain_workers.ml.profile import RoundSpec  # noqa: PLC0415
    from deepshard.offchain_workers.ml.trainer import train_adapter  # noqa: PLC0415

    model, codec = load_model(base_dir)
    with pytest.raises(MLError, match="outside"):
        train_adapter(model, codec, ["some text here"], RoundSpec(bytes(32), (3, 9)))
    with pytest.raises(MLError, match="no text"):
        train_adapter(model, codec, ["   "], RoundSpec(bytes(32), (0, 1)))
    for blob in (b"garbage", dump_safetensors({}, {"format": "pt"})):
        with pytest.raises(AdapterFormatError):
            decode_adapter(blob)
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"txt": "x"}\n')
    env = {**os.environ, "DEEPSHARD_MODEL_CACHE": str(model_cache)}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "deepshard.client.cli",
            "ml",
            "train",
            "--batch",
            str(bad),
            "--seed",
            SEED,
            "--layers",
            "0:1",
            "-o",
            str(tmp_path / "x"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode != 0
    assert "text" in out.stderr
    assert not (tmp_path / "x").exists()
