"""``deepshard ml``: the ML jobs as commands (bootstrap, train, score, curate).

The workers call the same functions; these commands run one job at a time on local files, which
is how the reproducibility tests run two trainers in separate processes. torch is imported
inside the commands that need it, never when ``deepshard`` starts.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from deepshard.offchain_workers.content.errors import ContentError
from deepshard.offchain_workers.ml.errors import MLError

__all__ = ["app"]

app = typer.Typer(
    help="Deepshard ML jobs: base model, LoRA trainer, scorer, curator.", no_args_is_help=True
)

BaseOpt = Annotated[
    Path | None,
    typer.Option("--base-model", help="Any local HF causal LM; default: the bootstrapped one."),
]
ParentOpt = Annotated[
    list[Path] | None,
    typer.Option("--adapter", help="Accepted adapter files of the parent version, in order."),
]


def _emit(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, sort_keys=True))


def _texts(path: Path) -> list[str]:
    from deepshard.offchain_workers.ml.curation import parse_batch  # noqa: PLC0415

    return parse_batch(path.read_bytes())


def _base(base: Path | None) -> Path:
    from deepshard.offchain_workers.ml.base_model import bootstrap  # noqa: PLC0415

    return base if base is not None else bootstrap()


def _layers(text: str) -> tuple[int, int]:
    try:
        first, end = (int(x) for x in text.split(":"))
    except ValueError:
        raise typer.BadParameter("layers are FIRST:END") from None
    return first, end


@app.command()
def bootstrap(
    repo: Annotated[
        Path | None,
        typer.Option("--repo", help="Embedded content store to pin the model and probe set in."),
    ] = None,
    base_model: Annotated[
        Path | None,
        typer.Option("--base-model", help="Any local HF causal LM instead of the bootstrapped."),
    ] = None,
    probe_set: Annotated[
        Path | None,
        typer.Option("--probe-set", help="Probe set JSONL; default: the corpus's held-out."),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the genesis-model document (needs --repo).")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the genesis-model document here."),
    ] = None,
) -> None:
    """Build (or find in the cache) version 0; with --repo pin it and its probe set.

    With `--repo` the model directory and the probe set are pinned, the held-out loss is
    measured on the probe set, and the result is the *genesis-model document* that
    `deepshard chain-spec build --genesis-model FILE` and `deepshard node --genesis-model FILE`
    take: `baseModelCid`, `layerCount`, `shards`, `heldOutLoss` (x10^6), `probeSetCid` (binary
    CIDs as 0x-hex), plus `baseModel` and `probeSet` (text CIDs, path, sha256) for people.

    Examples:
        1. deepshard ml bootstrap --repo ~/.deepshard/ipfs --json > genesis-model.json
        2. deepshard node --dev --genesis-model genesis-model.json
    """
    from deepshard.offchain_workers.ml.canonical import sha256_hex  # noqa: PLC0415

    if (json_out or output is not None) and repo is None:
        raise typer.BadParameter("--json and --output need --repo (the CIDs are pinned there)")
    try:
        path = _base(base_model)
        if repo is None:
            weights = path / "model.safetensors"
            sha = sha256_hex(weights.read_bytes()) if weights.is_file() else None
            _emit({"path": str(path), "sha256": sha})
            return
        from deepshard.offchain_workers.content.embedded import EmbeddedStore  # noqa: PLC0415
        from deepshard.offchain_workers.ml.genesis import describe_genesis_model  # noqa: PLC0415

        probes = _texts(probe_set) if probe_set is not None else None

        async def pin() -> dict[str, Any]:
            async with EmbeddedStore(repo) as store:
                return (await describe_genesis_model(store, path, probes)).to_json()

        document = asyncio.run(pin())
    except (MLError, ContentError, OSError) as exc:
        raise typer.BadParameter(str(exc)) from None
    if output is not None:
        output.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    if json_out:
        _emit(document)
        return
    typer.echo(f"Base model   {document['baseModel']['cid']}  ({document['layerCount']} layers)")
    typer.echo(f"             {path}")
    typer.echo(f"Shards       {document['shards']}")
    typer.echo(f"Held-out     {document['heldOutLoss'] / 1e6:.4f} nats")
    probe = document["probeSet"]
    typer.echo(f"Probe set    {probe['cid']}  ({probe['texts']} texts)")
    if output is not None:
        typer.echo(f"Wrote {output}: deepshard node --dev --genesis-model {output}")


@app.command()
def train(  # noqa: PLR0917 - one parameter per command-line option
    batch: Annotated[Path, typer.Option(help="The batch (JSONL with 'text').")],
    seed: Annotated[str, typer.Option(help="Round seed, 32 bytes hex.")],
    layers: Annotated[str, typer.Option(help="Shard FIRST:END (end exclusive).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Adapter file to write.")],
    base_model: BaseOpt = None,
    adapter: ParentOpt = None,
    steps: Annotated[int, typer.Option(help="Optimiser steps.")] = 100,
    batch_size: Annotated[int, typer.Option(help="Sequences per step.")] = 8,
    learning_rate_e9: Annotated[int, typer.Option(help="Learning rate x10^9.")] = 200_000,
    rank: Annotated[int, typer.Option(help="LoRA rank.")] = 8,
    alpha: Annotated[int, typer.Option(help="LoRA alpha.")] = 16,
    threads: Annotated[int, typer.Option(help="CPU threads.")] = 1,
    tolerant: Annotated[bool, typer.Option(help="Tolerant profile.")] = False,
    nproc: Annotated[
        int,
        typer.Option(
            min=1, help="Processes (DDP under torch's elastic launcher, gloo on CPU) to train with."
        ),
    ] = 1,
) -> None:
    """Train a LoRA adapter for a round and write it canonically; print its sha256.

    With `--nproc N` (N > 1) the shard trains as N ranks of one torch.distributed group started
    by torch's elastic launcher (what `torchrun` runs), each on its share of every batch.

    Examples:
        1. deepshard ml train --batch b.jsonl --seed 00..ff --layers 0:2 -o a.safetensors
        2. deepshard ml train --batch b.jsonl --seed 00..ff --layers 0:2 -o a.safetensors --nproc 2
    """
    from deepshard.offchain_workers.ml.adapters import load_version  # noqa: PLC0415
    from deepshard.offchain_workers.ml.profile import (  # noqa: PLC0415
        ProfileMode,
        RoundSpec,
        TrainingProfile,
    )
    from deepshard.offchain_workers.ml.trainer import train_adapter  # noqa: PLC0415

    try:
        seed_bytes = bytes.fromhex(seed.removeprefix("0x"))
    except ValueError:
        raise typer.BadParameter("seed is hex") from None
    profile = TrainingProfile(
        mode=ProfileMode.TOLERANT if tolerant else ProfileMode.DETERMINISTIC,
        lora_rank=rank,
        lora_alpha=alpha,
        learning_rate_e9=learning_rate_e9,
        steps=steps,
        batch_size=batch_size,
        threads=threads,
    )
    try:
        import torch  # noqa: PLC0415

        if tolerant:
            torch.set_num_threads(threads)
        spec = RoundSpec(seed_bytes, _layers(layers), profile)
        parents = [p.read_bytes() for p in adapter or []]
        if nproc > 1:
            from deepshard.offchain_workers.ml.distributed import (  # noqa: PLC0415
                train_distributed,
            )

            result = train_distributed(_base(base_model), parents, _texts(batch), spec, nproc)
        else:
            model, codec = load_version(_base(base_model), parents)
            result = train_adapter(model, codec, _texts(batch), spec)
    except (MLError, ValueError, OSError) as exc:
        raise typer.BadParameter(str(exc)) from None
    output.write_bytes(result.blob)
    _emit(
        {
            "path": str(output),
            "sha256": result.sha256,
            "tokens": result.tokens,
            "seconds": round(result.seconds, 3),
            "loss": result.final_loss,
        }
    )


@app.command()
def score(  # noqa: PLR0917 - one parameter per command-line option
    candidate: Annotated[list[Path], typer.Option(help="Revealed adapter files to score.")],
    held_out: Annotated[Path, typer.Option(help="Held-out probe set (JSONL).")],
    probes: Annotated[Path, typer.Option(help="Probes from the batch (JSONL).")],
    base_model: BaseOpt = None,
    adapter: ParentOpt = None,
    detectgpt: Annotated[bool, typer.Option(help="Perturbation DetectGPT curvature.")] = False,
) -> None:
    """Print each candidate's statistics and its quantised i64 vector.

    Examples:
        1. deepshard ml score --candidate a.safetensors --held-out h.jsonl --probes p.jsonl
    """
    from deepshard.offchain_workers.ml.adapters import load_version  # noqa: PLC0415
    from deepshard.offchain_workers.ml.scorer import score_adapters  # noqa: PLC0415

    try:
        parents = [p.read_bytes() for p in adapter or []]
        parent, codec = load_version(_base(base_model), parents)
        work, _ = load_version(_base(base_model), parents)
        scores = score_adapters(
            parent,
            work,
            codec,
            [c.read_bytes() for c in candidate],
            held_out=_texts(held_out),
            probes=_texts(probes),
            use_detectgpt=detectgpt,
        )
    except (MLError, OSError) as exc:
        raise typer.BadParameter(str(exc)) from None
    for path, s in zip(candidate, scores, strict=True):
        _emit({"path": str(path), "values": s.values, "quantised": s.quantised()})


@app.command()
def curate(
    batch: Annotated[Path, typer.Option(help="The batch (JSONL with 'text').")],
    accepted: Annotated[
        list[Path] | None, typer.Option(help="Accepted batches to compare with.")
    ] = None,
) -> None:
    """Judge a batch: near-duplicates, novelty, the five criteria and the vote.

    Examples:
        1. deepshard ml curate --batch new.jsonl --accepted old1.jsonl --accepted old2.jsonl
    """
    from deepshard.offchain_workers.ml.curation import AcceptedIndex, judge_batch  # noqa: PLC0415

    try:
        index = AcceptedIndex()
        for path in accepted or []:
            index.add(_texts(path))
        j = judge_batch(_texts(batch), index)
    except (MLError, OSError) as exc:
        raise typer.BadParameter(str(exc)) from None
    _emit(
        {
            "records": j.records,
            "kept": len(j.kept),
            "criteria": list(j.criteria()),
            "aye": j.aye,
            "reasons": j.reasons,
        }
    )
