"""Unlock a licensed model version: licence on chain → ciphertext → shares → key → bundle.

`unlock_version` is what ``deepshard infer serve`` does before it loads a model:

1. read ``Licences.LicencesOf(account, version)``; no entry is `NoLicence` (the node refuses to
   start);
2. read the purchase it names (the buyer's box key must be this account's) and the version's
   ``Ciphertexts`` record (CID, sha256, threshold);
3. open every delivered share with the account's X25519 box secret; find ``threshold`` of them
   that rebuild a key the ciphertext's first chunk authenticates under (a keeper that delivered
   garbage is skipped, not trusted);
4. stream the ciphertext from the content store by CID (every block verified) into a private
   temporary file while hashing it, and compare with the chain's sha256;
5. decrypt it, streamed, into memory; parse the bundle strictly and check its manifest against
   ``Training.ModelVersions`` (`bundle.ensure_same_version`); the key is then dropped.

No torch here; `engine` loads the result.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepshard.offchain_workers.content.cids import cid_from_bytes
from deepshard.offchain_workers.inference.errors import (
    CiphertextMismatch,
    NoLicence,
    SharesUnusable,
    VersionUnavailable,
)
from deepshard.offchain_workers.keeper.bundle import (
    BundleError,
    Manifest,
    ensure_same_version,
    parse_bundle,
    version_record,
)
from deepshard.offchain_workers.keeper.custody import (
    CustodyError,
    Share,
    combine_shares,
    decrypt_stream,
    key_opens,
    open_share,
)

__all__ = ["LicensedVersion", "purchase_of", "recover_key", "unlock_version"]

log = logging.getLogger("deepshard.infer")

MAX_COMBINATIONS = 256
"""The most share subsets tried when some delivered shares are bad."""


@dataclass(frozen=True, slots=True)
class LicensedVersion:
    """A decrypted, verified model version."""

    version: int
    """The version id."""
    purchase_id: int
    """The purchase that licensed it."""
    manifest: Manifest
    """The bundle's manifest (base model CID, adapters)."""
    adapters: tuple[bytes, ...]
    """The adapter files, in lineage order."""


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    return bytes(value)


def _phase(value: Any) -> str:
    if isinstance(value, dict) and len(value) == 1:
        return str(next(iter(value)))
    return str(value)


async def purchase_of(chain: Any, account: bytes, version: int) -> tuple[int, Any]:
    """Return ``(purchase id, purchase)`` of the licence `account` holds for `version`.

    Raises:
        NoLicence: ``LicencesOf`` has no entry for them.
        VersionUnavailable: the purchase record is gone.
    """
    purchase_id = await chain.query("Licences", "LicencesOf", account, version)
    if purchase_id is None:
        raise NoLicence(
            f"no licence for model version {version} is recorded on chain for this account; "
            f"buy one first (`deepshard wallet licence buy {version}`) and wait until its "
            "keepers have delivered"
        )
    purchase = await chain.query("Licences", "Purchases", int(purchase_id))
    if purchase is None:
        raise VersionUnavailable(f"purchase {purchase_id} of the licence is not on chain")
    return int(purchase_id), purchase


def recover_key(shares: Sequence[Share], threshold: int, accepts: Callable[[bytes], bool]) -> bytes:
    """Return the content key from `threshold` of `shares` that `accepts` (the ciphertext) takes.

    Tries subsets of size `threshold` in order (at most `MAX_COMBINATIONS`), so a bad share
    among good ones costs a retry, not the licence.

    Raises:
        SharesUnusable: fewer than `threshold` shares, or no subset rebuilds the key.
    """
    # Verify there are enough shares to try.
    if threshold < 1 or len(shares) < threshold:
        raise SharesUnusable(
            f"{len(shares)} usable share(s), the key needs {threshold}: wait for more keepers"
        )
    for subset in itertools.islice(itertools.combinations(shares, threshold), MAX_COMBINATIONS):
        try:
            key = combine_shares(subset)
        except CustodyError:
            continue
        if accepts(key):
            return key
    raise SharesUnusable(f"no {threshold} of the {len(shares)} delivered shares rebuild the key")


async def _fetch_ciphertext(store: Any, cid: bytes, sha256: bytes, dest: Path) -> None:
    digest = hashlib.sha256()
    with dest.open("wb") as out:
        async for piece in store.cat(cid_from_bytes(cid)):
            digest.update(piece)
            out.write(piece)
    # Verify the bytes are the ones the chain registered.
    if digest.digest() != sha256:
        raise CiphertextMismatch(
            f"ciphertext {cid_from_bytes(cid)} hashes to {digest.hexdigest()}, "
            f"the chain registered {sha256.hex()}"
        )


async def unlock_version(
    chain: Any, store: Any, account: bytes, version: int, *, box_secret: bytes, box_public: bytes
) -> LicensedVersion:
    """Unlock `version` for `account`, whose X25519 box key pair is given (module docs).

    Raises:
        NoLicence: no licence recorded for this account and version.
        VersionUnavailable: the version, its ciphertext or the purchase is missing or unusable.
        SharesUnusable: fewer than the threshold of delivered shares rebuild the key.
        CiphertextMismatch: the fetched ciphertext is not the registered one.
        ContentError: the ciphertext cannot be fetched (from the store).
    """
    purchase_id, purchase = await purchase_of(chain, account, version)
    # Verify the purchase is this account's, served, with shares sealed to this box key.
    if _as_bytes(purchase["buyer_box_key"]) != box_public:
        raise VersionUnavailable(
            f"purchase {purchase_id} sealed its shares to another box key than this account's"
        )
    if _phase(purchase["phase"]) != "Served":
        raise VersionUnavailable(f"purchase {purchase_id} is {_phase(purchase['phase'])}")
    info = await chain.query("Licences", "Ciphertexts", version)
    record = await chain.query("Training", "ModelVersions", version)
    if info is None or record is None:
        raise VersionUnavailable(f"version {version} or its ciphertext is not on chain")
    try:
        expected = version_record(version, record)
    except BundleError as exc:
        raise VersionUnavailable(f"version {version}: {exc}") from None
    shares: list[Share] = []
    for keeper, sealed in purchase["deliveries"]:
        try:
            shares.append(open_share(_as_bytes(sealed), box_secret))
        except CustodyError as exc:
            log.warning("share of keeper 0x%s does not open: %s", _as_bytes(keeper).hex(), exc)
    threshold = int(info["threshold"])
    with tempfile.TemporaryDirectory(prefix="deepshard-licence-") as tmp:
        path = Path(tmp) / "ciphertext"
        await _fetch_ciphertext(store, _as_bytes(info["cid"]), _as_bytes(info["sha256"]), path)

        def accepts(key: bytes) -> bool:
            with path.open("rb") as source:
                try:
                    return key_opens(source, key)
                except CustodyError as exc:
                    raise CiphertextMismatch(f"not an encrypted bundle: {exc}") from None

        key = recover_key(shares, threshold, accepts)
        plain = io.BytesIO()
        try:
            with path.open("rb") as source:
                decrypt_stream(source, plain, key)
        except CustodyError as exc:
            raise CiphertextMismatch(f"the ciphertext does not decrypt: {exc}") from None
        finally:
            del key
    try:
        bundle = parse_bundle(plain.getvalue())
        ensure_same_version(bundle.manifest, expected)
    except BundleError as exc:
        raise VersionUnavailable(f"the decrypted bundle is not version {version}: {exc}") from None
    log.info(
        "🔓 version %d unlocked (purchase %d, %d of %d shares, %d adapters)",
        version,
        purchase_id,
        threshold,
        len(purchase["deliveries"]),
        len(bundle.adapters),
    )
    return LicensedVersion(version, purchase_id, bundle.manifest, bundle.adapters)
