"""The keeper role: bond with a box key, encrypt each new version once, deliver shares to buyers.

Bonding
-------
On each connection the keeper makes sure ``Licences.Keepers`` holds its bond (at least
``bond``) and its X25519 box key (derived from its signing key); one ``bond_keeper`` call tops
up or rotates it.

Registering a version (who encrypts)
------------------------------------
When ``Training.CurrentVersion`` names a version (≥ 1; version 0 is the public base alone) with
no ``Licences.Ciphertexts`` entry, one keeper must encrypt it. The election is deterministic
and needs no messages: the eligible keepers (bonded at least ``KeeperMinBond``, not unbonding)
sorted by account id; the keeper of rank *r* acts once ``r * grace`` blocks have passed since it
first saw the version unregistered. Rank 0 acts at once; if it is offline, rank 1 takes over
``grace`` blocks later, and so on. Two keepers racing is harmless: the pallet accepts the first
registration (``CiphertextExists`` for the other).

The registrar builds the version's canonical bundle (`keeper.bundle`: adapters fetched by CID
and checked against the chain's sha256), encrypts it once under a fresh random key
(`custody.encrypt_stream`, streamed to a temporary file), pins the ciphertext in its content
store, splits the key ``t``-of-``n`` among the share set (the first ``MaxKeepers`` eligible
keepers by account id; ``t`` from ``--threshold``, at most ``n``; it waits while ``n < t``),
seals each share to its keeper's box key, and signs ``register_ciphertext``. The key lives only
in that function's frame and is dropped before anything is submitted; the signed extrinsic
(sealed shares only) goes through the `Outbox`, so a crash never registers twice nor needs the
key again.

Delivering
----------
Every keeper of a version's share set reads its own sealed share from ``KeeperShares``, opens
it with its box secret, and on each ``PurchaseOpened`` of that version re-seals it to the
buyer's box key and signs ``deliver_share``, once per purchase (the outbox key
``deliver:{id}``). On (re)connection it scans ``Purchases`` for open purchases it has not
served, so purchases opened while it was down are served too, before their deadline.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import secrets
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepshard.client.rpc.client import ChainClient, FinalizedHead, UnknownItem
from deepshard.offchain_workers.content.cids import cid_bytes, parse_cid
from deepshard.offchain_workers.content.errors import ContentError
from deepshard.offchain_workers.keeper.bundle import (
    BundleError,
    build_bundle,
    make_manifest,
    version_record,
)
from deepshard.offchain_workers.keeper.custody import (
    CustodyError,
    encrypt_stream,
    open_share,
    seal_share,
    split_key,
)
from deepshard.offchain_workers.ml.errors import MLError
from deepshard.offchain_workers.worker.curator import phase_name
from deepshard.offchain_workers.worker.outbox import Status
from deepshard.offchain_workers.worker.rounds import account_bytes, fetch_verified
from deepshard.offchain_workers.worker.runner import Submitter

__all__ = [
    "EligibleKeeper",
    "Encrypted",
    "KeeperRole",
    "eligible_keepers",
    "election_rank",
    "registrar_due",
    "encrypt_version",
]

log = logging.getLogger("deepshard.worker.keeper")


@dataclass(frozen=True, slots=True)
class EligibleKeeper:
    """A keeper that may hold a share: its account and box key."""

    account: bytes
    """Its 32-byte account id."""
    box_key: bytes
    """Its X25519 public key."""


def eligible_keepers(entries: Sequence[tuple[bytes, Any]], min_bond: int) -> list[EligibleKeeper]:
    """Return the keepers of ``Keepers`` entries that may hold shares, sorted by account id.

    Eligible: bonded at least `min_bond` and not unbonding.
    """
    found = [
        EligibleKeeper(bytes(account), account_bytes(info["box_key"]))
        for account, info in entries
        if info["unlock_at"] is None and int(info["bond"]) >= min_bond
    ]
    return sorted(found, key=lambda k: k.account)


def election_rank(keepers: Sequence[EligibleKeeper], me: bytes) -> int | None:
    """Return `me`'s place in the registrar election (0 acts first), or None if not eligible."""
    for rank, keeper in enumerate(keepers):
        if keeper.account == me:
            return rank
    return None


def registrar_due(first_seen: int, now: int, rank: int, grace: int) -> bool:
    """Whether the keeper of `rank` should register a version first seen unregistered then."""
    return now >= first_seen + rank * grace


@dataclass(frozen=True, slots=True)
class Encrypted:
    """A version encrypted and pinned, with its key's shares sealed to their keepers."""

    cid: bytes
    """The ciphertext's binary CID (pinned)."""
    sha256: bytes
    """The ciphertext's sha256."""
    threshold: int
    """How many shares rebuild the key."""
    shares: list[tuple[bytes, bytes]]
    """``(keeper account, share sealed to its box key)``, in share order."""


async def encrypt_version(
    store: Any, version: int, record: Any, holders: Sequence[EligibleKeeper], threshold: int
) -> Encrypted:
    """Build, encrypt, pin and share out `version` (module docs); the key never leaves here.

    Raises:
        BundleError: the chain's record is malformed or an adapter's bytes do not match it.
        ContentError / MLError: an adapter cannot be fetched or verified.
        CustodyError: a threshold out of range or a malformed box key.
    """
    expected = version_record(version, record)
    files = [
        await fetch_verified(store, cid_bytes(parse_cid(ref.cid)), ref.sha256)
        for ref in expected.adapters
    ]
    plain = build_bundle(make_manifest(expected, files), files)
    key = secrets.token_bytes(32)
    try:
        with tempfile.TemporaryDirectory(prefix="deepshard-keeper-") as tmp:
            path = Path(tmp) / f"version-{version}.dskw"
            digest = await asyncio.to_thread(_encrypt_to, plain, path, key)
            entries = await store.add_path(path)
        shares = split_key(key, threshold, len(holders))
    finally:
        del key
    sealed = [
        (holder.account, seal_share(share, holder.box_key))
        for holder, share in zip(holders, shares, strict=True)
    ]
    return Encrypted(bytes(entries[-1].cid), digest, threshold, sealed)


def _encrypt_to(plain: bytes, path: Path, key: bytes) -> bytes:
    with path.open("wb") as sink:
        encrypt_stream(io.BytesIO(plain), sink, key)
    return hashlib.sha256(path.read_bytes()).digest()


@dataclass
class KeeperRole:
    """Keeps licence keys (module docs)."""

    store: Any
    """A content store: adapters are read from it, ciphertexts pinned in it."""
    box_secret: bytes
    """This keeper's X25519 secret (derived from its signing key)."""
    box_public: bytes
    """Its X25519 public key (published by `bond_keeper`)."""
    bond: int = 0
    """The keeper bond to keep (0: bond nothing, e.g. already bonded)."""
    threshold: int = 2
    """Shares needed to rebuild a key (t) when this keeper registers a version."""
    grace: int = 5
    """Blocks each election rank waits after the one before it."""
    name: str = "keeper"
    """The role's name."""
    _due: set[int] = field(default_factory=set)
    """Open purchases this keeper still has to serve."""
    _shares: dict[int, Any] = field(default_factory=dict)
    """Its opened shares, by version."""

    async def on_connect(self, chain: ChainClient, submitter: Submitter) -> None:
        """Bond (with the box key), then queue every open purchase not yet served."""
        await self._bond(chain, submitter)
        async for purchase_id in _open_purchase_ids(chain):
            self._due.add(purchase_id)

    async def on_finalized(
        self, chain: ChainClient, head: FinalizedHead, submitter: Submitter
    ) -> None:
        """Register a new version when elected; deliver to every purchase due."""
        for event in await chain.events(head.hash):
            if event.matches("Licences", "PurchaseOpened"):
                self._due.add(int(event.fields["purchase_id"]))
        await self._register(chain, head, submitter)
        for purchase_id in sorted(self._due):
            if await self._deliver(chain, purchase_id, submitter):
                self._due.discard(purchase_id)

    # --- bonding ------------------------------------------------------------------------

    async def _bond(self, chain: ChainClient, submitter: Submitter) -> None:
        if self.bond <= 0:
            return
        me = submitter.key.public_key

        async def applied() -> bool:
            info = await chain.query("Licences", "Keepers", me)
            return (
                info is not None
                and int(info["bond"]) >= self.bond
                and account_bytes(info["box_key"]) == self.box_public
            )

        if await applied():
            return
        info = await chain.query("Licences", "Keepers", me)
        if info is not None and info["unlock_at"] is not None:
            log.warning("this keeper is unbonding: it cannot bond again until it withdraws")
            return
        current = int(info["bond"]) if info is not None else 0
        await submitter.submit_once(
            f"bond:keeper:{self.bond}:{self.box_public.hex()}",
            lambda: chain.compose(
                "Licences",
                "bond_keeper",
                amount=max(0, self.bond - current),
                box_key=self.box_public,
            ),
            applied,
        )

    # --- registering --------------------------------------------------------------------

    async def _register(
        self, chain: ChainClient, head: FinalizedHead, submitter: Submitter
    ) -> None:
        current = await chain.query("Training", "CurrentVersion", at=head.hash)
        if current is None:
            return
        outbox = submitter.outbox
        low = int(outbox.get_value("keeper:registered_below") or 1)
        for version in range(low, int(current) + 1):
            if await chain.query("Licences", "Ciphertexts", version, at=head.hash) is not None:
                if version == low:
                    low += 1
                    outbox.set_value("keeper:registered_below", str(low))
                continue
            seen_key = f"keeper:first_seen:{version}"
            first_seen = outbox.get_value(seen_key)
            if first_seen is None:
                outbox.set_value(seen_key, str(head.number))
                first_seen = str(head.number)
            await self._maybe_register(chain, head, submitter, version, int(first_seen))

    async def _maybe_register(
        self,
        chain: ChainClient,
        head: FinalizedHead,
        submitter: Submitter,
        version: int,
        first_seen: int,
    ) -> None:
        action = f"register:{version}"
        entry = submitter.outbox.get(action)
        if entry is not None and entry.status != Status.SIGNED:
            return  # done, or failed (another keeper registered first)

        async def applied() -> bool:
            return await chain.query("Licences", "Ciphertexts", version) is not None

        if entry is None:
            keepers = eligible_keepers(
                [
                    (account_bytes(keys[0]), info)
                    async for keys, info in chain.iter_storage("Licences", "Keepers", at=head.hash)
                    if keys is not None
                ],
                _constant(chain, "KeeperMinBond", 0),
            )
            rank = election_rank(keepers, submitter.key.public_key)
            if rank is None or not registrar_due(first_seen, head.number, rank, self.grace):
                return
            holders = keepers[: _constant(chain, "MaxKeepers", len(keepers))]
            threshold = min(self.threshold, len(holders))
            if threshold < max(self.threshold, _constant(chain, "MinThreshold", 1)):
                log.info(
                    "version %d: %d keeper(s) bonded, %d needed for t=%d; waiting",
                    version,
                    len(holders),
                    self.threshold,
                    self.threshold,
                )
                return
            record = await chain.query("Training", "ModelVersions", version, at=head.hash)
            if record is None:
                return
            try:
                encrypted = await encrypt_version(self.store, version, record, holders, threshold)
            except (BundleError, ContentError, MLError, CustodyError, OSError) as exc:
                log.warning("version %d: cannot encrypt: %s", version, exc)
                submitter.metrics.jobs.labels(self.name, "encrypt", "failed").inc()
                return
            submitter.metrics.jobs.labels(self.name, "encrypt", "ok").inc()
            log.info(
                "🔐 version %d encrypted: %d-of-%d shares, ciphertext sha256 %s",
                version,
                threshold,
                len(holders),
                encrypted.sha256.hex()[:16],
            )

            def make_call() -> Any:
                return chain.compose(
                    "Licences",
                    "register_ciphertext",
                    version=version,
                    cid=encrypted.cid,
                    sha256=encrypted.sha256,
                    threshold=encrypted.threshold,
                    shares=encrypted.shares,
                )

        else:

            def make_call() -> Any:
                raise AssertionError("a stored registration is resent, never rebuilt")

        await submitter.submit_once(action, make_call, applied)

    # --- delivering ---------------------------------------------------------------------

    async def _my_share(self, chain: ChainClient, version: int, me: bytes) -> Any | None:
        if version in self._shares:
            return self._shares[version]
        sealed = await chain.query("Licences", "KeeperShares", version, me)
        if sealed is None:
            return None
        try:
            share = open_share(account_bytes(sealed), self.box_secret)
        except CustodyError as exc:
            log.warning("version %d: my share does not open (%s); box key rotated?", version, exc)
            return None
        self._shares[version] = share
        return share

    async def _deliver(self, chain: ChainClient, purchase_id: int, submitter: Submitter) -> bool:
        """Deliver to `purchase_id` if this keeper owes it; return whether nothing is left to do."""
        me = submitter.key.public_key
        action = f"deliver:{purchase_id}"
        entry = submitter.outbox.get(action)
        if entry is not None and entry.status != Status.SIGNED:
            return True

        async def applied() -> bool:
            now = await chain.query("Licences", "Purchases", purchase_id)
            return now is None or _served_by(now, me) or phase_name(now["phase"]) != "Open"

        purchase = await chain.query("Licences", "Purchases", purchase_id)
        if purchase is None or phase_name(purchase["phase"]) != "Open" or _served_by(purchase, me):
            return True
        version = int(purchase["version"])
        share = await self._my_share(chain, version, me)
        if share is None:
            return True  # not a keeper of this version's share set
        sealed = seal_share(share, account_bytes(purchase["buyer_box_key"]))
        status = await submitter.submit_once(
            action,
            lambda: chain.compose(
                "Licences", "deliver_share", purchase_id=purchase_id, sealed_share=sealed
            ),
            applied,
        )
        if status == Status.INCLUDED:
            submitter.metrics.jobs.labels(self.name, "deliver", "ok").inc()
            log.info("🔑 share delivered to purchase %d (version %d)", purchase_id, version)
        return status in {Status.INCLUDED, Status.FAILED}


def _served_by(purchase: Any, me: bytes) -> bool:
    return any(account_bytes(keeper) == me for keeper, _ in purchase["deliveries"])


def _constant(chain: ChainClient, name: str, default: int) -> int:
    try:
        return int(chain.constant("Licences", name))
    except UnknownItem:  # a runtime without the constant: the default applies
        return default


async def _open_purchase_ids(chain: ChainClient) -> AsyncIterator[int]:
    async for keys, purchase in chain.iter_storage("Licences", "Purchases"):
        if keys is not None and phase_name(purchase["phase"]) == "Open":
            yield int(keys[0])
