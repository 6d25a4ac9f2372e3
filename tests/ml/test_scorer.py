"""The scorer's statistics: Fast-DetectGPT against its sampling definition, DetectGPT's
perturbations, quantisation, weight distance, and the behaviour on honest and poisoned adapters."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from transformers import LlamaConfig, LlamaForCausalLM  # noqa: E402

from deepshard.offchain_workers.ml.curvature import (  # noqa: E402
    detectgpt,
    fast_detectgpt,
    perturb_spans,
    token_logprobs,
)
from deepshard.offchain_workers.ml.errors import MLError  # noqa: E402
from deepshard.offchain_workers.ml.scorer import quantise  # noqa: E402


def _tiny(seed: int) -> LlamaForCausalLM:
    torch.manual_seed(seed)
    cfg = LlamaConfig(
        vocab_size=40,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=64,
    )
    return LlamaForCausalLM(cfg).eval()


def test_fast_detectgpt_matches_its_sampling_definition() -> None:
    """The analytic criterion equals the sampled one: tokens resampled from the sampling model
    at every position (given the original prefix), scored by the scoring model."""
    q_model, p_model = _tiny(1), _tiny(2)
    gen = torch.Generator().manual_seed(3)
    ids = torch.randint(0, 40, (2, 24), generator=gen)
    analytic = fast_detectgpt(q_model, p_model, ids)
    with torch.no_grad():
        lp = token_logprobs(p_model, ids).double()  # (B, T-1, V)
        q = torch.softmax(q_model(input_ids=ids).logits[:, :-1, :].double(), dim=-1)
    n = 40_000
    for row in range(2):
        samples = torch.multinomial(q[row], n, replacement=True, generator=gen)  # (T-1, n)
        sampled_ll = lp[row].gather(-1, samples).sum(0)  # (n,)
        ll = lp[row].gather(-1, ids[row, 1:].unsqueeze(-1)).sum()
        sampled = (ll - sampled_ll.mean()) / sampled_ll.std()
        assert math.isclose(float(analytic[row]), float(sampled), rel_tol=0.03, abs_tol=0.03)


def test_fast_detectgpt_brute_force_per_position() -> None:
    """Mean and variance by explicit sums over the vocabulary, position by position (float64)."""
    q_model, p_model = _tiny(4), _tiny(5)
    ids = torch.randint(0, 40, (1, 10), generator=torch.Generator().manual_seed(6))
    with torch.no_grad():
        lp = token_logprobs(p_model, ids)[0].double().tolist()
        q = torch.softmax(q_model(input_ids=ids).logits[0, :-1].double(), -1).tolist()
    ll = mu = var = 0.0
    for j in range(9):
        ll += lp[j][int(ids[0, j + 1])]
        m = sum(q[j][v] * lp[j][v] for v in range(40))
        mu += m
        var += sum(q[j][v] * (lp[j][v] - m) ** 2 for v in range(40))
    want = (ll - mu) / math.sqrt(var)
    assert math.isclose(float(fast_detectgpt(q_model, p_model, ids)[0]), want, rel_tol=1e-4)


def test_perturbations_replace_spans_only() -> None:
    """Perturbed copies keep the first token and differ from the text only inside the spans;
    the same generator seed gives the same perturbations."""
    model = _tiny(7)
    ids = torch.randint(0, 40, (2, 40), generator=torch.Generator().manual_seed(8))
    a = perturb_spans(
        model, ids, copies=5, span=3, fraction=0.2, generator=torch.Generator().manual_seed(9)
    )
    b = perturb_spans(
        model, ids, copies=5, span=3, fraction=0.2, generator=torch.Generator().manual_seed(9)
    )
    assert torch.equal(a, b)
    assert a.shape == (10, 40)
    original = ids.repeat_interleave(5, dim=0)
    assert torch.equal(a[:, 0], original[:, 0])
    changed = (a != original).sum(1)
    assert int(changed.max()) <= round(0.2 * 39 / 3) * 3
    assert int(changed.sum()) > 0
    d = detectgpt(model, model, ids, copies=6, seed=1)
    assert d.shape == (2,)
    assert bool(torch.isfinite(d).all())


@pytest.mark.parametrize(
    ("x", "q"),
    [
        (0.0, 0),
        (1.5, 1_500_000),
        (-2.25, -2_250_000),
        (1e-7, 0),
        (1e300, 2**63 - 1),
        (-1e300, -(2**63)),
        (float("inf"), 2**63 - 1),
        (float("-inf"), -(2**63)),
    ],
)
def test_quantise(x: float, q: int) -> None:
    """x10^6, rounded, saturated to i64."""
    assert quantise(x) == q


def test_quantise_refuses_nan() -> None:
    """NaN is an error, never a score."""
    with pytest.raises(MLError, match="NaN"):
        quantise(float("nan"))


def test_honest_and_poisoned_adapters(
    base_dir: Path, honest_texts: list[str], held_out_texts: list[str]
) -> None:
    """Equal adapters score equally; a poisoned adapter (foreign text) has a worse held-out loss
    and improvement, a lower probe likelihood, and is farther from the others in weight."""
    from deepshard.offchain_workers.ml.adapters import decode_adapter  # noqa: PLC0415
    from deepshard.offchain_workers.ml.base_model import load_model  # noqa: PLC0415
    from deepshard.offchain_workers.ml.profile import RoundSpec, TrainingProfile  # noqa: PLC0415
    from deepshard.offchain_workers.ml.scorer import (  # noqa: PLC0415
        STATISTICS,
        score_adapters,
        weight_distances,
    )
    from deepshard.offchain_workers.ml.trainer import train_adapter  # noqa: PLC0415

    model, codec = load_model(base_dir)
    work, _ = load_model(base_dir)
    spec = RoundSpec(
        b"\x05" * 32, (0, 2), TrainingProfile(steps=10, batch_size=4, learning_rate_e9=3_000_000)
    )
    honest = train_adapter(model, codec, honest_texts, spec).blob
    other = train_adapter(model, codec, honest_texts[::-1], spec).blob
    poison_texts = ["\u4e2d\u6587\u6bb5\u843d " * 60 + str(i) for i in range(24)]
    poison = train_adapter(model, codec, poison_texts, spec).blob
    scores = score_adapters(
        model,
        work,
        codec,
        [honest, honest, other, poison],
        held_out=held_out_texts,
        probes=honest_texts[:4],
    )
    q = [s.quantised() for s in scores]
    assert len(q[0]) == len(STATISTICS)
    assert q[0][:4] == q[1][:4]
    h, p = scores[0].values, scores[3].values
    assert p["heldout_loss"] > h["heldout_loss"]
    assert p["heldout_improvement"] < h["heldout_improvement"]
    assert p["probe_loglik"] < h["probe_loglik"]
    assert p["weight_distance"] > h["weight_distance"]
    assert math.isclose(
        h["heldout_loss"] + h["heldout_improvement"],
        p["heldout_loss"] + p["heldout_improvement"],
        rel_tol=1e-9,
    )  # both equal the parent's loss
    # weight distance against a direct computation
    adapters = [decode_adapter(b) for b in (honest, poison)]
    direct = math.sqrt(
        sum(
            float((adapters[0].deltas()[k] - adapters[1].deltas()[k]).double().pow(2).sum())
            for k in adapters[0].deltas()
        )
    )
    assert weight_distances(adapters) == pytest.approx([direct, direct])


def test_layout_directions_match_what_the_scorer_measures(
    base_dir: Path, honest_texts: list[str], held_out_texts: list[str]
) -> None:
    """For every statistic of the pallet's layout, an honest adapter is on the side the layout
    declares better than an adapter trained on foreign text (curvature included: fine-tuning on
    in-domain text raises the held-out Fast-DetectGPT curvature, poison lowers it)."""
    from deepshard.offchain_workers.ml.base_model import load_model  # noqa: PLC0415
    from deepshard.offchain_workers.ml.profile import RoundSpec, TrainingProfile  # noqa: PLC0415
    from deepshard.offchain_workers.ml.scorer import score_adapters  # noqa: PLC0415
    from deepshard.offchain_workers.ml.trainer import train_adapter  # noqa: PLC0415
    from deepshard.pallets.training.pallet import DEFAULT_STATISTICS  # noqa: PLC0415

    model, codec = load_model(base_dir)
    work, _ = load_model(base_dir)
    spec = RoundSpec(
        b"\x07" * 32, (0, 2), TrainingProfile(steps=10, batch_size=4, learning_rate_e9=3_000_000)
    )
    poison_texts = ["\u4e2d\u6587\u6bb5\u843d " * 60 + str(i) for i in range(24)]
    blobs = [
        train_adapter(model, codec, honest_texts, spec).blob,
        train_adapter(model, codec, honest_texts[::-1], spec).blob,
        train_adapter(model, codec, poison_texts, spec).blob,
    ]
    honest, _, poison = score_adapters(
        model, work, codec, blobs, held_out=held_out_texts, probes=honest_texts[:4]
    )
    assert poison.values["curvature"] < honest.values["curvature"]
    for stat in DEFAULT_STATISTICS:
        name = bytes(stat.name).decode()
        h, p = honest.values[name], poison.values[name]
        assert (h > p) if stat.higher_is_better else (h < p), (name, h, p)


def test_held_out_pass_matches_the_separate_statistics(
    base_dir: Path, honest_texts: list[str], held_out_texts: list[str]
) -> None:
    """One pass gives `mean_loss` and `fast_detectgpt` of the candidate, as computed apart."""
    from deepshard.offchain_workers.ml.base_model import load_model, token_blocks  # noqa: PLC0415
    from deepshard.offchain_workers.ml.curvature import fast_detectgpt  # noqa: PLC0415
    from deepshard.offchain_workers.ml.scorer import (  # noqa: PLC0415
        held_out_pass,
        mean_loss,
        parent_distributions,
        probe_rows,
    )

    parent, codec = load_model(base_dir)
    candidate, _ = load_model(base_dir)
    with torch.no_grad():
        for p in candidate.parameters():
            p.add_(0.01 * torch.sign(p))
    blocks = token_blocks(codec, held_out_texts, 128)
    loss, curvature = held_out_pass(parent, candidate, blocks, batch=3)
    assert loss == pytest.approx(mean_loss(candidate, blocks), rel=1e-6)
    assert torch.allclose(curvature, fast_detectgpt(parent, candidate, blocks), atol=1e-4)
    probs = parent_distributions(parent, blocks, batch=3)
    cached = held_out_pass(parent, candidate, blocks, batch=3, parent_probs=probs)
    assert cached[0] == loss
    assert torch.equal(cached[1], curvature)
    rows = token_blocks(codec, honest_texts, 128)
    assert rows.shape[0] > 32
    picked = probe_rows(rows, 32)
    assert picked.shape[0] == 32
    assert torch.equal(picked[0], rows[0])
    assert torch.equal(probe_rows(rows[:5], 32), rows[:5])
