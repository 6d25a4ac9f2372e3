"""From a preset to a plain chain spec, and from a plain chain spec to a raw one.

Substrate's two chain-spec forms, which Deepshard writes and reads the same way:

* **plain** -- ``genesis.runtimeGenesis = {"code": "0x..", "patch": {...}}``, the patch holding
  each pallet's genesis configuration as JSON (``balances.balances``, ``aura.authorities``,
  ``sudo.key``, ``transactionPayment.multiplier``), accounts as SS58 addresses;
* **raw** -- ``genesis.raw = {"top": {key: value}, "childrenDefault": {}}``, the storage the
  runtime's genesis build writes. A node starts from this form;
  ``deepshard chain-spec inspect`` reads it.

`genesis_from_patch` validates the patch (unknown pallets or fields, bad addresses, malformed
amounts are `GenesisError` with the JSON path) before the pallets' own genesis checks run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepshard.chain_spec.presets import ChainPreset, RoundRules
from deepshard.pallets.aura import Aura, AuraGenesis, AuthorityId
from deepshard.pallets.balances import Balances, BalancesGenesis
from deepshard.pallets.grandpa import AuthorityId as GrandpaAuthorityId
from deepshard.pallets.grandpa import Grandpa, GrandpaGenesis
from deepshard.pallets.informants import Informants, InformantsGenesis
from deepshard.pallets.sudo import Sudo, SudoGenesis
from deepshard.pallets.training import (
    ProfileMode,
    RoundPeriods,
    RoundSize,
    Training,
    TrainingGenesis,
    TrainingProfile,
)
from deepshard.pallets.transaction_payment import TransactionPayment, TransactionPaymentGenesis
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.crypto import (
    CryptoError,
    KeyType,
    UnknownDevAccount,
    decode_account_id,
    dev_keypair,
    ss58_encode,
)
from deepshard.primitives.numeric import I64, U32, U64, U128, FixedU128
from deepshard.runtime.runtime import DeepshardRuntime
from deepshard.runtime.support import GenesisConfig, Pallet

__all__ = [
    "GenesisError",
    "resolve_account",
    "preset_patch",
    "rounds_patch",
    "plain_chain_spec",
    "genesis_from_patch",
    "raw_chain_spec",
]


class GenesisError(ValueError):
    """A genesis configuration is invalid; the message names the JSON path and the problem."""


def resolve_account(text: str, where: str) -> AccountId32:
    """Resolve a dev account name (``Alice``, ``Alice//stash``) or an SS58 address.

    Raises:
        GenesisError: neither a known dev name nor a valid SS58 address.
    """
    if not isinstance(text, str):
        raise GenesisError(f"{where}: expected an account (SS58 address or dev name)")
    try:
        return AccountId32(dev_keypair(text, KeyType.SR25519).public_key)
    except UnknownDevAccount:
        pass
    try:
        return AccountId32(decode_account_id(text))
    except CryptoError as error:
        raise GenesisError(f"{where}: {text!r} is not an account: {error}") from error


def finality_key(text: Any, where: str) -> bytes:
    """Resolve a finality authority: a dev name (its ed25519 key) or an SS58 address.

    Raises:
        GenesisError: neither.
    """
    if not isinstance(text, str):
        raise GenesisError(f"{where}: expected an SS58 address or dev name")
    try:
        return dev_keypair(text, KeyType.ED25519).public_key
    except UnknownDevAccount:
        pass
    try:
        return bytes(decode_account_id(text))
    except CryptoError as error:
        raise GenesisError(f"{where}: {text!r} is not an ed25519 key: {error}") from error


def _grandpa_genesis(grandpa: Mapping[str, Any]) -> GrandpaGenesis:
    _only(grandpa, ("authorities",), "patch.grandpa")
    entries = grandpa.get("authorities", [])
    if not isinstance(entries, list):
        raise GenesisError("patch.grandpa.authorities: expected a list of [address, weight]")
    pairs = []
    for i, entry in enumerate(entries):
        where = f"patch.grandpa.authorities[{i}]"
        if not isinstance(entry, list) or len(entry) != 2:
            raise GenesisError(f"{where}: expected [address, weight]")
        weight = _amount(entry[1], where)
        if not 1 <= weight <= U64.MAX:
            raise GenesisError(f"{where}: the weight must be in 1..=u64::MAX")
        pairs.append((GrandpaAuthorityId(finality_key(entry[0], where)), U64(weight)))
    return GrandpaGenesis(authorities=tuple(pairs))


def preset_patch(preset: ChainPreset) -> dict[str, Any]:
    """Return the ``runtimeGenesis.patch`` of a preset (accounts as SS58 addresses)."""
    prefix = int(preset.properties.get("ss58Format", 42))

    def address(name: str, where: str) -> str:
        return ss58_encode(bytes(resolve_account(name, where)), prefix)

    patch: dict[str, Any] = {
        "aura": {
            "authorities": [
                address(a, f"authorities[{i}]") for i, a in enumerate(preset.authorities)
            ]
        },
        "grandpa": {
            "authorities": [
                [ss58_encode(finality_key(a, f"authorities[{i}]"), prefix), 1]
                for i, a in enumerate(preset.authorities)
            ]
        },
        "balances": {
            "balances": [
                [address(a, f"endowed[{i}]"), preset.endowment]
                for i, a in enumerate(preset.endowed)
            ]
        },
    }
    if preset.sudo is not None:
        patch["sudo"] = {"key": address(preset.sudo, "sudo")}
    model = preset.model
    patch["training"] = {
        "baseModelCid": model.base_model_cid,
        "heldOutLoss": model.held_out_loss,
        "layerCount": model.layer_count,
        "shards": [list(shard) for shard in model.shards],
        "probeSetCid": model.probe_set_cid,
    }
    if preset.rounds is not None:
        patch["training"].update(rounds_patch(preset.rounds))
    if preset.voting_period is not None:
        patch["informants"] = {"votingPeriod": preset.voting_period}
    return patch


def rounds_patch(rules: RoundRules) -> dict[str, Any]:
    """Return the ``patch.training`` fields of round rules (``roundPeriods`` ...)."""
    commit, reveal, score, dispute = rules.periods
    p = rules.profile
    return {
        "roundPeriods": {"commit": commit, "reveal": reveal, "score": score, "dispute": dispute},
        "roundProfile": {
            "mode": p.mode,
            "loraRank": p.lora_rank,
            "loraAlpha": p.lora_alpha,
            "targetModules": list(p.target_modules),
            "learningRate": p.learning_rate,
            "steps": p.steps,
            "batchSize": p.batch_size,
        },
        "roundSize": {"trainers": rules.trainers, "scorers": rules.scorers},
    }


def plain_chain_spec(preset: ChainPreset, runtime: DeepshardRuntime) -> dict[str, Any]:
    """Return the plain chain spec of a preset (what ``build-spec`` prints without ``--raw``)."""
    code = runtime.code
    return {
        "name": preset.name,
        "id": preset.id,
        "chainType": preset.chain_type,
        "bootNodes": [],
        "telemetryEndpoints": None,
        "protocolId": preset.protocol_id,
        "properties": dict(preset.properties),
        "codeSubstitutes": {},
        "genesis": {"runtimeGenesis": {"code": "0x" + code.hex(), "patch": preset_patch(preset)}},
    }


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise GenesisError(f"{where}: expected an object")
    return value


def _only(value: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = [key for key in value if key not in allowed]
    if unknown:
        raise GenesisError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}")


def _amount(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise GenesisError(f"{where}: expected an integer amount")
    try:
        amount = int(value, 0) if isinstance(value, str) else value
    except ValueError:
        raise GenesisError(f"{where}: {value!r} is not an integer") from None
    if not 0 <= amount <= U128.MAX:
        raise GenesisError(f"{where}: {amount} is outside 0..=u128::MAX")
    return amount


def genesis_from_patch(patch: Any) -> dict[type[Pallet[Any]], GenesisConfig]:
    """Turn a ``runtimeGenesis.patch`` object into pallet genesis configurations.

    Raises:
        GenesisError: an unknown pallet or field, a bad account or a bad amount.
    """
    patch = _object(patch, "patch")
    _only(
        patch,
        (
            "aura",
            "grandpa",
            "balances",
            "sudo",
            "transactionPayment",
            "system",
            "training",
            "informants",
        ),
        "patch",
    )
    configs: dict[type[Pallet[Any]], GenesisConfig] = {}
    if "aura" in patch:
        aura = _object(patch["aura"], "patch.aura")
        _only(aura, ("authorities",), "patch.aura")
        authorities = aura.get("authorities", [])
        if not isinstance(authorities, list):
            raise GenesisError("patch.aura.authorities: expected a list of addresses")
        configs[Aura] = AuraGenesis(
            authorities=tuple(
                AuthorityId(bytes(resolve_account(a, f"patch.aura.authorities[{i}]")))
                for i, a in enumerate(authorities)
            )
        )
    if "grandpa" in patch:
        configs[Grandpa] = _grandpa_genesis(_object(patch["grandpa"], "patch.grandpa"))
    if "balances" in patch:
        balances = _object(patch["balances"], "patch.balances")
        _only(balances, ("balances",), "patch.balances")
        entries = balances.get("balances", [])
        if not isinstance(entries, list):
            raise GenesisError("patch.balances.balances: expected a list of [address, amount]")
        pairs = []
        for i, entry in enumerate(entries):
            where = f"patch.balances.balances[{i}]"
            if not isinstance(entry, list) or len(entry) != 2:
                raise GenesisError(f"{where}: expected [address, amount]")
            pairs.append((resolve_account(entry[0], where), _amount(entry[1], where)))
        configs[Balances] = BalancesGenesis(balances=tuple(pairs))
    if "sudo" in patch:
        sudo = _object(patch["sudo"], "patch.sudo")
        _only(sudo, ("key",), "patch.sudo")
        key = sudo.get("key")
        configs[Sudo] = SudoGenesis(
            key=None if key is None else resolve_account(key, "patch.sudo.key")
        )
    if "transactionPayment" in patch:
        payment = _object(patch["transactionPayment"], "patch.transactionPayment")
        _only(payment, ("multiplier",), "patch.transactionPayment")
        if "multiplier" in payment:
            inner = _amount(payment["multiplier"], "patch.transactionPayment.multiplier")
            configs[TransactionPayment] = TransactionPaymentGenesis(
                multiplier=FixedU128.from_inner(U128(inner))
            )
    if "system" in patch:
        _only(_object(patch["system"], "patch.system"), (), "patch.system")
    if "training" in patch:
        configs[Training] = _training_genesis(_object(patch["training"], "patch.training"))
    if "informants" in patch:
        informants = _object(patch["informants"], "patch.informants")
        _only(informants, ("votingPeriod",), "patch.informants")
        period = informants.get("votingPeriod")
        configs[Informants] = InformantsGenesis(
            voting_period=None
            if period is None
            else U32(_integer(period, "patch.informants.votingPeriod", 1, 2**32 - 1))
        )
    return configs


def _hex(value: Any, where: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise GenesisError(f"{where}: expected 0x-prefixed hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise GenesisError(f"{where}: {value!r} is not hex") from None


def _integer(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise GenesisError(f"{where}: expected an integer in {low}..={high}")
    return value


_U32_MAX = 2**32 - 1
_U64_MAX = 2**64 - 1


def _round_periods(value: Any, where: str) -> RoundPeriods:
    periods = _object(value, where)
    names = ("commit", "reveal", "score", "dispute")
    _only(periods, names, where)
    missing = [name for name in names if name not in periods]
    if missing:
        raise GenesisError(f"{where}: missing field(s) {', '.join(missing)}")
    commit, reveal, score, dispute = (
        U32(_integer(periods[n], f"{where}.{n}", 1, _U32_MAX)) for n in names
    )
    return RoundPeriods(commit=commit, reveal=reveal, score=score, dispute=dispute)


def _round_profile(value: Any, where: str) -> TrainingProfile:
    profile = _object(value, where)
    names = (
        "mode",
        "loraRank",
        "loraAlpha",
        "targetModules",
        "learningRate",
        "steps",
        "batchSize",
    )
    _only(profile, names, where)
    missing = [name for name in names if name not in profile]
    if missing:
        raise GenesisError(f"{where}: missing field(s) {', '.join(missing)}")
    modes = {mode.name: mode for mode in ProfileMode}
    if profile["mode"] not in modes:
        raise GenesisError(f"{where}.mode: expected one of {', '.join(modes)}")
    modules = profile["targetModules"]
    if not isinstance(modules, list) or not all(isinstance(m, str) and m for m in modules):
        raise GenesisError(f"{where}.targetModules: expected a list of module names")
    return TrainingProfile(
        mode=modes[profile["mode"]],
        lora_rank=U32(_integer(profile["loraRank"], f"{where}.loraRank", 1, _U32_MAX)),
        lora_alpha=U32(_integer(profile["loraAlpha"], f"{where}.loraAlpha", 1, _U32_MAX)),
        target_modules=tuple(m.encode() for m in modules),
        learning_rate=U64(_integer(profile["learningRate"], f"{where}.learningRate", 1, _U64_MAX)),
        steps=U32(_integer(profile["steps"], f"{where}.steps", 1, _U32_MAX)),
        batch_size=U32(_integer(profile["batchSize"], f"{where}.batchSize", 1, _U32_MAX)),
    )


def _round_size(value: Any, where: str) -> RoundSize:
    size = _object(value, where)
    _only(size, ("trainers", "scorers"), where)
    if "trainers" not in size or "scorers" not in size:
        raise GenesisError(f"{where}: expected trainers and scorers")
    return RoundSize(
        trainers=U32(_integer(size["trainers"], f"{where}.trainers", 1, _U32_MAX)),
        scorers=U32(_integer(size["scorers"], f"{where}.scorers", 1, _U32_MAX)),
    )


def _training_genesis(training: Mapping[str, Any]) -> TrainingGenesis:
    """The Training genesis (model version 0, optional round rules) from ``patch.training``."""
    where = "patch.training"
    fields = ("baseModelCid", "heldOutLoss", "layerCount", "shards", "probeSetCid")
    _only(training, (*fields, "roundPeriods", "roundProfile", "roundSize"), where)
    missing = [name for name in fields if name not in training]
    if missing:
        raise GenesisError(f"{where}: missing field(s) {', '.join(missing)}")
    shards = training["shards"]
    if not isinstance(shards, list) or not all(isinstance(s, list) and len(s) == 2 for s in shards):
        raise GenesisError(f"{where}.shards: expected a list of [first, end] layer ranges")
    u32 = 2**32 - 1
    return TrainingGenesis(
        base_model_cid=_hex(training["baseModelCid"], f"{where}.baseModelCid"),
        held_out_loss=I64(
            _integer(training["heldOutLoss"], f"{where}.heldOutLoss", -(2**63), 2**63 - 1)
        ),
        layer_count=U32(_integer(training["layerCount"], f"{where}.layerCount", 1, u32)),
        shards=tuple(
            (
                U32(_integer(a, f"{where}.shards[{i}][0]", 0, u32)),
                U32(_integer(b, f"{where}.shards[{i}][1]", 0, u32)),
            )
            for i, (a, b) in enumerate(shards)
        ),
        probe_set_cid=_hex(training["probeSetCid"], f"{where}.probeSetCid"),
        round_periods=None
        if "roundPeriods" not in training
        else _round_periods(training["roundPeriods"], f"{where}.roundPeriods"),
        round_profile=None
        if "roundProfile" not in training
        else _round_profile(training["roundProfile"], f"{where}.roundProfile"),
        round_size=None
        if "roundSize" not in training
        else _round_size(training["roundSize"], f"{where}.roundSize"),
    )


def raw_chain_spec(plain: Mapping[str, Any], runtime: DeepshardRuntime) -> dict[str, Any]:
    """Convert a plain chain spec into the raw form (``build-spec --raw``).

    Raises:
        GenesisError: the plain spec or its genesis patch is invalid (including a pallet's
            own genesis validation, e.g. an endowment below the existential deposit).
    """
    genesis = _object(plain.get("genesis"), "genesis")
    runtime_genesis = _object(genesis.get("runtimeGenesis"), "genesis.runtimeGenesis")
    code = runtime.code
    if runtime_genesis.get("code") not in (None, "0x" + code.hex()):
        raise GenesisError(
            "genesis.runtimeGenesis.code: the spec was built for another runtime version; "
            "rebuild it with this `deepshard`"
        )
    configs = genesis_from_patch(runtime_genesis.get("patch", {}))
    try:
        storage = runtime.genesis_storage(configs)
    except (ValueError, KeyError) as error:
        raise GenesisError(f"genesis.runtimeGenesis.patch: {error}") from error
    raw = {key: value for key, value in plain.items() if key != "genesis"}
    raw["genesis"] = {
        "raw": {
            "top": {"0x" + k.hex(): "0x" + v.hex() for k, v in sorted(storage.items())},
            "childrenDefault": {},
        }
    }
    return raw
