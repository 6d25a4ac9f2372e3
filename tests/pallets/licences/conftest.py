"""Mock runtime for the Licences tests: System, Balances, Treasury, Informants, Training, Licences.

``ext_builder().with_balances({...}).keepers([...]).config(...).build()`` returns a
`LicencesExt`; every externalities built this way has every pallet's ``try_state`` checked when
the test ends, and `LicencesExt.run_to_block` drives the hooks as the executive does.

Keepers and buyers are real key pairs (``//Keeper1``, ``//Buyer``...), so their box keys are
the ones `licence_box_keypair` derives, and ciphertexts are made with the real custody
cryptography (`LicencesExt.register`): a plaintext encrypted under a fresh content key, the key
Shamir-split and each share sealed to its keeper's box key.

Model versions with value behind them are written the way a closed round and an accepted batch
leave them (`LicencesExt.record_version`): a ``ModelVersions`` entry on top of the current
head, its ``VersionPayouts`` and the informant's ``BatchRewards``, with the amounts minted.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest

from deepshard.offchain_workers.keeper import custody
from deepshard.pallets.balances import Balances, BalancesGenesis
from deepshard.pallets.balances import Config as BalancesConfig
from deepshard.pallets.balances import UnitWeights as BalancesUnitWeights
from deepshard.pallets.informants import Config as InformantsConfig
from deepshard.pallets.informants import Informants
from deepshard.pallets.licences import BoxKey, Licences, LicencesGenesis
from deepshard.pallets.licences import Config as LicencesConfig
from deepshard.pallets.system import Config as SystemConfig
from deepshard.pallets.system import System
from deepshard.pallets.system import UnitWeights as SystemUnitWeights
from deepshard.pallets.training import Config as TrainingConfig
from deepshard.pallets.training import Training, VersionPayout
from deepshard.pallets.treasury import Config as TreasuryConfig
from deepshard.pallets.treasury import Treasury, TreasuryGenesis
from deepshard.primitives.codec import H256, AccountId32
from deepshard.primitives.crypto import Keypair
from deepshard.primitives.crypto.box_key import licence_box_keypair
from deepshard.primitives.header import Digest
from deepshard.primitives.numeric import U32, U64, U128
from deepshard.runtime.support import Origin, Runtime, Signed
from deepshard.runtime.support.context import Phase
from deepshard.runtime.support.testing import TestExternalities

ED = 10
"""Existential deposit of the mock runtime."""
CIPHERTEXT_CID = bytes.fromhex("01551220") + b"\xc1" * 32
"""A CIDv1 (raw, sha2-256) standing for a pinned ciphertext."""
PLAINTEXT = b"adapter weights " * 5_000
"""What the keepers encrypt (80 kB, several chunks at the chunk size the tests use)."""


@dataclass(frozen=True)
class Party:
    """A test account: its key pair, account id and licence box key."""

    keypair: Keypair
    """The signing key pair."""

    @property
    def id(self) -> AccountId32:
        """The account id."""
        return AccountId32(self.keypair.public_key)

    @property
    def origin(self) -> Origin:
        """A signed origin of this account."""
        return Signed(self.id)

    @property
    def box_secret(self) -> bytes:
        """The X25519 secret its shares are sealed to."""
        return licence_box_keypair(self.keypair)[0]

    @property
    def box_key(self) -> BoxKey:
        """The X25519 public key it publishes."""
        return BoxKey(licence_box_keypair(self.keypair)[1])


_PARTIES: dict[str, Party] = {}


def party(name: str) -> Party:
    """The account ``//name`` (key pairs are cached: sr25519 derivation is slow)."""
    found = _PARTIES.get(name)
    if found is None:
        found = _PARTIES[name] = Party(Keypair.from_uri(f"//{name}"))
    return found


KEEPERS = tuple(party(f"Keeper{n}") for n in range(1, 6))
"""Five keepers."""
BUYER = party("Buyer")
"""The buyer."""
OTHER = party("Other")
"""An account that is no keeper."""

_RUNTIMES: dict[tuple[tuple[str, Any], ...], Runtime] = {}


def mock_runtime(**overrides: Any) -> Runtime:
    """The mock runtime; `overrides` replace fields of the Licences configuration."""
    key = tuple(sorted(overrides.items()))
    runtime = _RUNTIMES.get(key)
    if runtime is None:
        licences = LicencesConfig(
            currency=Balances,
            treasury=Treasury,
            training=Training,
            informants=Informants,
            **overrides,
        )
        runtime = Runtime(
            name="licences_mock",
            pallets=[
                (0, System, SystemConfig(weights=SystemUnitWeights())),
                (
                    4,
                    Balances,
                    BalancesConfig(existential_deposit=U128(ED), weights=BalancesUnitWeights()),
                ),
                (
                    7,
                    Treasury,
                    TreasuryConfig(
                        currency=Balances,
                        emission_per_block=U128(0),
                        max_emission_budget=U128(10**30),
                    ),
                ),
                (20, Informants, InformantsConfig(currency=Balances, treasury=Treasury)),
                (
                    21,
                    Training,
                    TrainingConfig(currency=Balances, treasury=Treasury, informants=Informants),
                ),
                (22, Licences, licences),
            ],
        )
        _RUNTIMES[key] = runtime
    return runtime


@dataclass
class Registered:
    """A registered ciphertext and what only its registrar knew."""

    version: int
    """The model version."""
    key: bytes
    """The content key."""
    ciphertext: bytes
    """The encrypted plaintext."""
    shares: dict[bytes, custody.Share]
    """Each keeper's share, by account."""


class LicencesExt(TestExternalities):
    """Test externalities of the mock runtime, with shortcuts."""

    __test__ = False

    @property
    def licences(self) -> Licences:
        """The Licences pallet."""
        return self.pallet(Licences)

    @property
    def training(self) -> Training:
        """The Training pallet."""
        return self.pallet(Training)

    @property
    def balances(self) -> Balances:
        """The Balances pallet."""
        return self.pallet(Balances)

    @property
    def treasury(self) -> Treasury:
        """The Treasury pallet."""
        return self.pallet(Treasury)

    def call(self, name: str, origin: Origin, **arguments: Any) -> None:
        """Dispatch ``Licences.<name>`` through its SCALE encoding, as an extrinsic would."""
        call = self.runtime.make_call(Licences, name, **arguments)
        decoded = self.runtime.call_codec.decode(self.runtime.call_codec.encode(call))
        self.runtime.dispatch(self.ctx, decoded, origin)

    def free(self, who: AccountId32) -> int:
        """Free balance of `who`."""
        return int(self.balances.free_balance(who))

    def held(self, reason: Any, who: AccountId32) -> int:
        """Balance of `who` held for `reason`."""
        return int(self.balances.balance_on_hold(reason, who))

    def pot(self) -> int:
        """The treasury pot's free balance."""
        return int(self.treasury.pot())

    def issuance(self) -> int:
        """The total issuance."""
        return int(self.balances.total_issuance.get())

    @property
    def block(self) -> int:
        """The current block number."""
        return self.ctx.block_number

    def next_block(self) -> None:
        """Finalize this block and initialize the next (every pallet's hooks, in index order)."""
        ctx = self.ctx
        ctx.phase = Phase.FINALIZATION
        for pallet in ctx.pallets():
            pallet.on_finalize(ctx.block_number)
        ctx.block_number += 1
        ctx.phase = Phase.INITIALIZATION
        system = ctx.pallet(System)
        parent = H256(bytes([ctx.block_number % 256]) * 32)
        system.initialize(U32(ctx.block_number), parent, Digest())
        for pallet in ctx.pallets():
            pallet.on_initialize(ctx.block_number)
        ctx.phase = Phase.APPLY_EXTRINSIC

    def run_to_block(self, n: int) -> None:
        """Advance block by block until block `n` is initialized."""
        while self.ctx.block_number < n:
            self.next_block()

    def check_invariants(self) -> None:
        """Run every pallet's ``try_state``."""
        for pallet in self.ctx.pallets():
            pallet.try_state()

    # --- the chain's history -------------------------------------------------------------------

    def record_version(
        self,
        trainers: Mapping[AccountId32, int],
        informant: tuple[AccountId32, int] | None = None,
        scorers_paid: int = 0,
    ) -> int:
        """Record a version on top of the head, as a closed round leaves it; return its id.

        `trainers` were paid their amounts, the informant of its batch `informant[1]` and the
        scorers `scorers_paid` (minted to the treasury pot); all are minted, as rewards are.
        """
        training = self.training
        head = training.current_version.get()
        parent = training.model_versions.get(head)
        assert parent is not None
        version = U32(int(head) + 1)
        batch_id = U64(int(version) + 1_000)
        training.model_versions.insert(
            version, replace(parent, parent=head, round_id=U64(int(version)))
        )
        training.current_version.put(version)
        training.version_payouts.insert(
            version,
            VersionPayout(
                round_id=U64(int(version)),
                batch_id=batch_id,
                trainers=tuple((who, U128(amount)) for who, amount in trainers.items()),
                scorers_paid=U128(scorers_paid),
            ),
        )
        for who, amount in trainers.items():
            self.balances.deposit_creating(who, U128(amount))
        if informant is not None:
            who, amount = informant
            self.pallet(Informants).batch_rewards.insert(batch_id, (who, U128(amount)))
            self.balances.deposit_creating(who, U128(amount))
        if scorers_paid:
            self.balances.deposit_creating(self.treasury.account_id(), U128(scorers_paid))
        return int(version)

    # --- keepers and ciphertexts ---------------------------------------------------------------

    def bond(self, keepers: Sequence[Party], amount: int = 1_000) -> None:
        """Bond each of `keepers` with `amount` and its real box key."""
        for keeper in keepers:
            self.call("bond_keeper", keeper.origin, amount=U128(amount), box_key=keeper.box_key)

    def seal_shares(
        self, keepers: Sequence[Party], threshold: int
    ) -> tuple[bytes, bytes, dict[bytes, custody.Share], list[tuple[AccountId32, bytes]]]:
        """Encrypt `PLAINTEXT` and split its key: ``(key, ciphertext, shares, sealed)``."""
        key = secrets.token_bytes(custody.KEY_SIZE)
        sink = io.BytesIO()
        custody.encrypt_stream(io.BytesIO(PLAINTEXT), sink, key, chunk_size=1 << 14)
        shares = custody.split_key(key, threshold, len(keepers))
        sealed = [
            (keeper.id, custody.seal_share(share, bytes(keeper.box_key)))
            for keeper, share in zip(keepers, shares, strict=True)
        ]
        by_keeper = {bytes(k.id): s for k, s in zip(keepers, shares, strict=True)}
        return key, sink.getvalue(), by_keeper, sealed

    def register(
        self, version: int, keepers: Sequence[Party], threshold: int, registrar: Party | None = None
    ) -> Registered:
        """Register a real ciphertext of `version` shared among `keepers`, t = `threshold`."""
        key, ciphertext, shares, sealed = self.seal_shares(keepers, threshold)
        self.call(
            "register_ciphertext",
            (registrar or keepers[0]).origin,
            version=U32(version),
            cid=CIPHERTEXT_CID,
            sha256=H256(hashlib.sha256(ciphertext).digest()),
            threshold=U32(threshold),
            shares=sealed,
        )
        return Registered(version, key, ciphertext, shares)

    def deliver(self, purchase_id: int, keeper: Party) -> None:
        """`keeper` opens its own sealed share and delivers it re-sealed to the buyer."""
        purchase = self.licences.purchases.get(U64(purchase_id))
        assert purchase is not None
        mine = self.licences.keeper_shares.get(purchase.version, keeper.id)
        assert mine is not None
        share = custody.open_share(mine, keeper.box_secret)
        resealed = custody.seal_share(share, bytes(purchase.buyer_box_key))
        self.call(
            "deliver_share", keeper.origin, purchase_id=U64(purchase_id), sealed_share=resealed
        )


class ExtBuilder:
    """Builds `LicencesExt`s: balances, genesis keepers and configuration overrides."""

    def __init__(self, built: list[LicencesExt]) -> None:
        self._built = built
        self._balances: dict[AccountId32, int] = {p.id: 1_000_000 for p in (*KEEPERS, BUYER, OTHER)}
        self._keepers: list[tuple[Party, int]] = []
        self._overrides: dict[str, Any] = {}

    def with_balances(self, balances: Mapping[AccountId32, int]) -> ExtBuilder:
        """Endow accounts at genesis."""
        self._balances.update(balances)
        return self

    def keepers(self, keepers: Sequence[Party], bond: int = 1_000) -> ExtBuilder:
        """Bond keepers at genesis."""
        self._keepers.extend((k, bond) for k in keepers)
        return self

    def config(self, **overrides: Any) -> ExtBuilder:
        """Override fields of the Licences configuration."""
        self._overrides.update(overrides)
        return self

    def build(self) -> LicencesExt:
        """Build genesis and return the externalities (at block 1, applying an extrinsic)."""
        ext = LicencesExt(
            mock_runtime(**self._overrides),
            genesis={
                Balances: BalancesGenesis(
                    balances=tuple((w, U128(v)) for w, v in self._balances.items())
                ),
                Treasury: TreasuryGenesis(initial_budget=U128(0)),
                Licences: LicencesGenesis(
                    keepers=tuple((k.id, U128(b), k.box_key) for k, b in self._keepers)
                ),
            },
        )
        ext.check_invariants()
        self._built.append(ext)
        return ext


Builder = Callable[[], ExtBuilder]


@pytest.fixture
def ext_builder() -> Iterator[Builder]:
    """A factory of `ExtBuilder`s; every externalities it built is checked at teardown."""
    built: list[LicencesExt] = []
    yield lambda: ExtBuilder(built)
    for ext in built:
        ext.check_invariants()
