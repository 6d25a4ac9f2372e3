"""Balances declarations: indices, weights, metadata as clients see it, genesis, invariants."""

from __future__ import annotations

import inspect
from dataclasses import replace
from typing import Any

import pytest
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from deepshard.pallets.balances import (
    Balances,
    BalancesGenesis,
    BalancesWeights,
    Config,
    Error,
    Event,
    IdAmount,
    ReasonId,
    ReferenceWeights,
    UnitWeights,
)
from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System
from deepshard.primitives.codec import AccountId32
from deepshard.primitives.extrinsic import Id, UncheckedExtrinsic
from deepshard.primitives.numeric import U32, U128
from deepshard.primitives.weights import Weight
from deepshard.runtime.support import MemoryBackend, Overlay, Runtime
from deepshard.runtime.support.metadata import runtime_metadata

ALICE, BOB, CHARLIE = (AccountId32(bytes([n]) * 32) for n in range(1, 4))
STAKE = ReasonId(b"staking ")

CALLS = {
    "transfer_allow_death": (0, ["dest", "value"]),
    "force_transfer": (2, ["source", "dest", "value"]),
    "transfer_keep_alive": (3, ["dest", "value"]),
    "transfer_all": (4, ["dest", "keep_alive"]),
    "force_unreserve": (5, ["who", "amount"]),
    "force_set_balance": (8, ["who", "new_free"]),
    "burn": (10, ["value", "keep_alive"]),
}
EVENTS = {
    "Endowed": (0, ["account", "free_balance"]),
    "DustLost": (1, ["account", "amount"]),
    "Transfer": (2, ["from", "to", "amount"]),
    "BalanceSet": (3, ["who", "free"]),
    "Reserved": (4, ["who", "amount"]),
    "Unreserved": (5, ["who", "amount"]),
    "ReserveRepatriated": (6, ["from", "to", "amount", "destination_status"]),
    "Deposit": (7, ["who", "amount"]),
    "Withdraw": (8, ["who", "amount"]),
    "Slashed": (9, ["who", "amount"]),
    "Minted": (10, ["who", "amount"]),
    "Burned": (11, ["who", "amount"]),
    "Issued": (15, ["amount"]),
    "Rescinded": (16, ["amount"]),
    "Frozen": (19, ["who", "amount"]),
    "Thawed": (20, ["who", "amount"]),
}
ERRORS = [
    ("VestingBalance", "Vesting balance too high to send value."),
    ("LiquidityRestrictions", "Account liquidity restrictions prevent withdrawal."),
    ("InsufficientBalance", "Balance too low to send value."),
    ("ExistentialDeposit", "Value too low to create account due to existential deposit."),
    ("Expendability", "Transfer/payment would kill account."),
    ("ExistingVestingSchedule", "A vesting schedule already exists for this account."),
    ("DeadAccount", "Beneficiary account must pre-exist."),
    ("TooManyReserves", "Number of named reserves exceed `MaxReserves`."),
    ("TooManyHolds", "Number of holds exceed `VariantCountOf<T::RuntimeHoldReason>`."),
    ("TooManyFreezes", "Number of freezes exceed `MaxFreezes`."),
    ("IssuanceDeactivated", "The issuance cannot be modified since it is already deactivated."),
    ("DeltaZero", "The delta cannot be zero."),
]


# --- declarations -----------------------------------------------------------------------------


def test_call_indices_and_arguments() -> None:
    declared = {
        info.name: (info.spec.index, [n for n, _ in info.arguments]) for info in Balances.CALLS
    }
    assert declared == CALLS


def test_event_and_error_indices() -> None:
    variants = Event.__scale_variants__  # type: ignore[attr-defined]
    assert {cls.__name__: index for index, cls in variants.items()} == {
        name: index for name, (index, _) in EVENTS.items()
    }
    assert [(cls.__name__, cls.__doc__) for _, cls in sorted(Error.VARIANTS.items())] == ERRORS


def test_every_call_has_a_same_named_weight_method() -> None:
    protocol = {
        name for name, member in vars(BalancesWeights).items() if inspect.isfunction(member)
    }
    calls = {info.name for info in Balances.CALLS}
    assert calls <= protocol, f"calls without a weight: {sorted(calls - protocol)}"
    for table in (ReferenceWeights, UnitWeights):
        missing = sorted(name for name in calls if not callable(getattr(table, name, None)))
        assert not missing, f"{table.__name__} lacks {missing}"


def test_reference_weights_price_the_calls() -> None:
    runtime = Runtime(
        name="weights_mock",
        pallets=[(0, System, SystemConfig()), (1, Balances, Config(existential_deposit=U128(1)))],
    )
    assert isinstance(Config().weights, ReferenceWeights)
    meta = runtime.dispatch_meta(
        runtime.make_call(Balances, "transfer_allow_death", dest=Id(BOB), value=U128(1))
    )
    # 48.363 µs + one read (25 µs) + one write (100 µs); 3593 bytes of proof
    assert meta.weight == Weight.from_parts(173_363_000, 3593)
    weights = ReferenceWeights()
    assert weights.burn(keep_alive=False).ref_time > weights.burn(keep_alive=True).ref_time
    assert weights.force_set_balance() == Weight.from_parts(144_929_000, 3593)
    for info in Balances.CALLS:
        arguments = {"keep_alive": True} if info.weight_arguments else {}
        assert info.weight_of(weights, arguments).ref_time > 0
        assert info.weight_of(UnitWeights(), arguments) == Weight.from_parts(1, 0)


def test_integrity_test_refuses_a_zero_existential_deposit() -> None:
    for config in (Config(existential_deposit=U128(0)), Config(max_holds=U32(0))):
        with pytest.raises(ValueError, match="greater than zero"):
            Runtime(name="bad", pallets=[(0, System, SystemConfig()), (1, Balances, config)])


def test_golden_storage_keys(ext_builder) -> None:
    ext = ext_builder().build()
    assert ext.balances.total_issuance.key().hex() == (
        "c2261276cc9d1f8598ea4b6a74b15c2f57c875e4cff74148e4628f264b974c80"
    )
    assert ext.system.account.prefix.hex() == (
        "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9"
    )


# --- metadata as a client decodes it ----------------------------------------------------------


@pytest.fixture(scope="module")
def balances_metadata(request: pytest.FixtureRequest) -> tuple[dict[str, Any], list[Any]]:
    runtime = Runtime(
        name="balances_mock",
        pallets=[(0, System, SystemConfig()), (5, Balances, Config(existential_deposit=U128(500)))],
    )
    built = runtime_metadata(runtime, UncheckedExtrinsic, [])
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    metadata = config.create_scale_object("MetadataVersioned", data=ScaleBytes(built.encoded))
    metadata.decode()
    v14 = metadata.value[1]["V14"]
    pallet = next(p for p in v14["pallets"] if p["name"] == "Balances")
    return pallet, v14["types"]["types"]


def _variants(types: list[Any], type_id: int) -> dict[str, tuple[int, list[str | None]]]:
    variants = types[type_id]["type"]["def"]["variant"]["variants"]
    return {v["name"]: (v["index"], [f["name"] for f in v["fields"]]) for v in variants}


def test_metadata_calls_events_errors_as_clients_see_them(balances_metadata) -> None:
    pallet, types = balances_metadata
    assert pallet["index"] == 5
    assert _variants(types, pallet["calls"]["ty"]) == CALLS
    assert _variants(types, pallet["event"]["ty"]) == EVENTS
    errors = types[pallet["error"]["ty"]]["type"]["def"]["variant"]["variants"]
    assert [(e["index"], e["name"]) for e in errors] == [
        (i, name) for i, (name, _) in enumerate(ERRORS)
    ]
    assert [line.strip() for line in errors[2]["docs"]] == ["Balance too low to send value."]


def test_metadata_storage_and_constants(balances_metadata) -> None:
    pallet, types = balances_metadata
    entries = {e["name"]: e for e in pallet["storage"]["entries"]}
    # FRAME's pallet_balances declares these seven, in this order.
    assert list(entries) == [
        "TotalIssuance",
        "InactiveIssuance",
        "Account",
        "Locks",
        "Reserves",
        "Holds",
        "Freezes",
    ]
    holds = types[entries["Holds"]["type"]["Map"]["value"]]["type"]["def"]["sequence"]["type"]
    assert types[holds]["type"]["path"] == ["frame_support", "traits", "tokens", "misc", "IdAmount"]
    for name in ("Account", "Locks", "Reserves"):
        assert entries[name]["type"]["Map"]["hashers"] == ["Blake2_128Concat"]
        assert entries[name]["modifier"] == "Default"
    account = types[entries["Account"]["type"]["Map"]["value"]]["type"]
    assert account["path"] == ["pallet_balances", "types", "AccountData"]
    locks = types[entries["Locks"]["type"]["Map"]["value"]]["type"]["def"]["sequence"]["type"]
    lock = types[locks]["type"]
    assert lock["path"] == ["pallet_balances", "types", "BalanceLock"]
    assert [f["name"] for f in lock["def"]["composite"]["fields"]] == ["id", "amount", "reasons"]
    reasons = types[lock["def"]["composite"]["fields"][2]["type"]]["type"]
    assert reasons["path"] == ["pallet_balances", "types", "Reasons"]
    assert [(v["index"], v["name"]) for v in reasons["def"]["variant"]["variants"]] == [
        (0, "Fee"),
        (1, "Misc"),
        (2, "All"),
    ]
    reserves = types[entries["Reserves"]["type"]["Map"]["value"]]["type"]["def"]["sequence"]
    reserve = types[reserves["type"]]["type"]
    assert reserve["path"] == ["pallet_balances", "types", "ReserveData"]
    assert [f["name"] for f in reserve["def"]["composite"]["fields"]] == ["id", "amount"]
    constants = {c["name"]: c for c in pallet["constants"]}
    assert list(constants) == [
        "ExistentialDeposit",
        "MaxLocks",
        "MaxReserves",
        "MaxHolds",
        "MaxFreezes",
    ]
    assert constants["ExistentialDeposit"]["value"] == "0x" + (500).to_bytes(16, "little").hex()
    assert constants["ExistentialDeposit"]["documentation"] == [
        " The minimum amount required to keep an account open. MUST BE GREATER THAN ZERO!"
    ]


# --- genesis ----------------------------------------------------------------------------------


def test_genesis_endows_accounts_without_events(ext_builder) -> None:
    runtime = ext_builder().runtime()
    ctx = runtime.new_context(Overlay(MemoryBackend()), 0)
    BalancesGenesis(balances=((ALICE, U128(100)), (BOB, U128(10)))).build(ctx.pallet(Balances))
    assert ctx.events == []
    system = ctx.pallet(System)
    assert system.account.get(ALICE).providers == 1
    assert system.account.get(BOB).data.free == 10
    assert ctx.pallet(Balances).total_issuance.get() == 110
    ctx.pallet(Balances).try_state()


@pytest.mark.parametrize(
    ("balances", "message"),
    [
        (((ALICE, 100), (BOB, 9)), "existential deposit"),
        (((ALICE, 100), (ALICE, 50)), "duplicate balances"),
        (((ALICE, U128.MAX), (BOB, 10)), "does not fit"),
    ],
)
def test_genesis_validation(ext_builder, balances, message) -> None:
    runtime = ext_builder().runtime()
    ctx = runtime.new_context(Overlay(MemoryBackend()), 0)
    with pytest.raises(ValueError, match=message):
        BalancesGenesis(balances=balances).build(ctx.pallet(Balances))
    assert ctx.overlay.changes() == {}


# --- try_state --------------------------------------------------------------------------------


def test_try_state_catches_broken_invariants(ext_builder) -> None:
    def corrupted(mutate) -> None:
        ext = ext_builder().with_balances({ALICE: 100, BOB: 100}).skip_invariants().build()
        ext.balances.try_state()
        mutate(ext)
        with pytest.raises(RuntimeError):
            ext.balances.try_state()

    def set_data(ext, who, **changes) -> None:
        info = ext.system.account.get(who)
        ext.system.account.insert(who, replace(info, data=replace(info.data, **changes)))

    corrupted(lambda ext: ext.balances.total_issuance.put(U128(199)))
    corrupted(
        lambda ext: (set_data(ext, ALICE, free=U128(5)), ext.balances.total_issuance.put(U128(105)))
    )
    corrupted(lambda ext: ext.balances.holds.insert(ALICE, (IdAmount(id=STAKE, amount=U128(1)),)))
    corrupted(lambda ext: set_data(ext, ALICE, frozen=U128(1)))
    corrupted(
        lambda ext: ext.balances.freezes.insert(CHARLIE, (IdAmount(id=STAKE, amount=U128(1)),))
    )
