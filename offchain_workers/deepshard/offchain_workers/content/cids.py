"""CIDs, multihashes and block verification over the `multiformats` package.

Only the codecs UnixFS uses are built here (``dag-pb`` 0x70 and ``raw`` 0x55, with sha2-256);
any CID whose hash function `multiformats` knows can still be parsed and verified.
"""

from __future__ import annotations

import hashlib

from multiformats import CID, multihash

from deepshard.offchain_workers.content.errors import BlockVerificationFailed, InvalidCid

__all__ = [
    "CID",
    "DAG_PB",
    "RAW",
    "SHA2_256",
    "block_cid",
    "cid_bytes",
    "parse_cid",
    "verify_block",
    "cid_from_digest",
    "cid_from_bytes",
]

DAG_PB = 0x70
"""Multicodec of the dag-pb (MerkleDAG protobuf) block format."""
RAW = 0x55
"""Multicodec of raw bytes (UnixFS raw leaves)."""
SHA2_256 = 0x12
"""Multihash code of sha2-256, the only hash Kubo's profiles use."""

_SHA256_PREFIX = bytes([SHA2_256, 32])


def cid_from_digest(digest: bytes, *, codec: int, version: int) -> CID:
    """The CID of a block whose sha2-256 ``digest`` is known.

    Raises:
        InvalidCid: version 0 with a codec other than dag-pb.
    """
    if version == 0:
        if codec != DAG_PB:
            raise InvalidCid("CIDv0 can only name dag-pb blocks")
        return CID.decode(_SHA256_PREFIX + digest)
    return CID("base32", 1, codec, _SHA256_PREFIX + digest)


def cid_from_bytes(raw: bytes) -> CID:
    """Decode a binary CID; CIDv1 is shown in base32, as Kubo prints it.

    Raises:
        InvalidCid: not a binary CID.
    """
    try:
        cid = CID.decode(raw)
    except Exception as exc:
        raise InvalidCid(f"not a binary CID: {raw[:40].hex()} ({exc})") from exc
    return cid if cid.version == 0 else cid.set(base="base32")


def block_cid(data: bytes, *, codec: int, version: int) -> CID:
    """Hash ``data`` with sha2-256 and name it by a CID of ``version`` and ``codec``."""
    return cid_from_digest(hashlib.sha256(data).digest(), codec=codec, version=version)


def cid_bytes(cid: CID) -> bytes:
    """The binary form of ``cid`` (a bare multihash for CIDv0), as dag-pb links hold it."""
    return bytes(cid)


def parse_cid(value: str | bytes | CID) -> CID:
    """Parse a CID from its text or binary form.

    Raises:
        InvalidCid: the value is not a CID.
    """
    if isinstance(value, CID):
        return value
    try:
        text = value.strip() if isinstance(value, str) else value
        if isinstance(text, str) and text.startswith("/ipfs/"):
            text = text[len("/ipfs/") :].split("/", 1)[0]
        cid = CID.decode(text)
    except Exception as exc:
        shown = value if isinstance(value, str) else value.hex()
        raise InvalidCid(f"not a CID: {shown[:80]!r} ({exc})") from exc
    return cid if cid.version == 0 else cid.set(base="base32")


def verify_block(cid: CID, data: bytes, backend: str) -> None:
    """Check that ``data`` hashes to ``cid``.

    Raises:
        BlockVerificationFailed: the digest differs, or the hash function is unknown.
    """
    # Verify the fast, common case without going through the registry.
    if cid.hashfun.code == SHA2_256:
        ok = hashlib.sha256(data).digest() == cid.raw_digest
    else:
        try:
            ok = multihash.digest(data, cid.hashfun) == cid.digest
        except Exception as exc:
            raise BlockVerificationFailed(
                f"cannot verify hash function {cid.hashfun.name}", cid=str(cid), backend=backend
            ) from exc
    if not ok:
        raise BlockVerificationFailed(
            "block bytes do not hash to the CID", cid=str(cid), backend=backend
        )
