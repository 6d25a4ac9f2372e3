"""The plaintext a licence buys: a version's accepted adapters and their manifest, canonically.

Introduction
------------
A model version is public in outline (its base model CID, each accepted adapter's CID and
sha256 are on chain) but the adapters' bytes are what a licence pays for. Keepers encrypt one
*bundle* per version: a POSIX ustar archive, readable by any ``tar``, whose members are, in
this order::

    manifest.json                 canonical JSON (sorted keys, compact, ASCII)
    adapters/0000.safetensors     the first accepted adapter of the lineage
    adapters/0001.safetensors     ...

and nothing else. The manifest names the format, the version, the base model's CID and, per
adapter in lineage order (oldest first, as ``Training.ModelVersions`` lists them), its member
path, CID, sha256, shard index, layer range and size::

    {"adapters":[{"cid":"bafk…","layers":[0,2],"path":"adapters/0000.safetensors",
                  "sha256":"…","shard":0,"size":4136}],
     "base_model_cid":"bafy…","format":"deepshard.bundle.v1","version":1}

Canonical bytes
---------------
Every header field is fixed (mode 0644, uid/gid 0, mtime 0, empty owner names, typeflag
``0``, no device numbers: what Python's ``tarfile`` writes for such a member), members are
padded with zero bytes to 512-byte blocks, and the archive ends with exactly two zero blocks
(no record padding). Equal inputs therefore give equal bytes — every keeper builds the same
plaintext — and `parse_bundle` accepts *only* canonical bytes: anything else (another member,
an order, a header field, a checksum, trailing bytes, a manifest that is not canonical JSON, a
digest that does not match) is a typed `BundleError`, so ``build_bundle(p.manifest,
p.adapters) == b`` for ``p = parse_bundle(b)``. `ensure_same_version` then checks a decrypted
manifest against the one the chain's ``ModelVersions`` record implies.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from deepshard.offchain_workers.content.cids import cid_from_bytes, parse_cid
from deepshard.offchain_workers.content.errors import InvalidCid
from deepshard.offchain_workers.ml.canonical import canonical_json

__all__ = [
    "FORMAT",
    "MANIFEST_PATH",
    "MAX_ADAPTERS",
    "BundleError",
    "MalformedArchive",
    "InvalidManifest",
    "DigestMismatch",
    "NotThisVersion",
    "AdapterEntry",
    "AdapterRef",
    "VersionRecord",
    "Manifest",
    "Bundle",
    "adapter_path",
    "version_record",
    "make_manifest",
    "build_bundle",
    "parse_bundle",
    "ensure_same_version",
]

FORMAT: Final = "deepshard.bundle.v1"
"""The manifest's ``format`` value of this layout."""
MANIFEST_PATH: Final = "manifest.json"
"""The archive's first member."""
MAX_ADAPTERS: Final = 10_000
"""The most adapters one bundle holds (member names have four digits)."""
MAX_MANIFEST_SIZE: Final = 4 << 20
"""The largest manifest accepted (4 MiB)."""
MAX_MEMBER_SIZE: Final = 8**11 - 1
"""The largest member a plain ustar size field can state (8 GiB - 1)."""
_BLOCK: Final = 512
_U32_MAX: Final = 2**32 - 1
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class BundleError(ValueError):
    """A bundle that cannot be built or read: the subclass says what is wrong."""


class MalformedArchive(BundleError):
    """The bytes are not a canonical bundle archive (layout, header, member or end)."""


class InvalidManifest(BundleError):
    """The manifest is not canonical JSON of the expected shape, or disagrees with the members."""


class DigestMismatch(BundleError):
    """An adapter's bytes do not hash to the sha256 the manifest (or the chain) states."""


class NotThisVersion(BundleError):
    """A well-formed bundle whose manifest is not the version recorded on chain."""


@dataclass(frozen=True, slots=True)
class AdapterEntry:
    """One adapter as the manifest lists it."""

    cid: str
    """Its CID (text form, CIDv1 in base32), as pinned in the content store."""
    sha256: bytes
    """The sha256 of its file (32 bytes), as recorded on chain."""
    shard: int
    """The shard index (into the version's shard layout) it trains."""
    layers: tuple[int, int]
    """The shard's layer range ``(first, end)``, end exclusive."""
    size: int
    """Its size in bytes."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a bundle holds: the version, its base model, its adapters in lineage order."""

    version: int
    """The model version (``Training.ModelVersions`` key)."""
    base_model_cid: str
    """The base model directory's CID (text form); the base itself stays public."""
    adapters: tuple[AdapterEntry, ...]
    """The accepted adapters, oldest first."""

    def to_json(self) -> bytes:
        """Return the manifest's canonical JSON bytes."""
        return canonical_json(
            {
                "adapters": [
                    {
                        "cid": a.cid,
                        "layers": list(a.layers),
                        "path": adapter_path(i),
                        "sha256": a.sha256.hex(),
                        "shard": a.shard,
                        "size": a.size,
                    }
                    for i, a in enumerate(self.adapters)
                ],
                "base_model_cid": self.base_model_cid,
                "format": FORMAT,
                "version": self.version,
            }
        )


@dataclass(frozen=True, slots=True)
class Bundle:
    """A parsed bundle: its manifest and the adapter files, in manifest order."""

    manifest: Manifest
    """The manifest."""
    adapters: tuple[bytes, ...]
    """Each adapter file's bytes (their sha256 checked against the manifest)."""


def adapter_path(index: int) -> str:
    """Return the archive path of the `index`-th adapter (``adapters/0000.safetensors``)."""
    return f"adapters/{index:04d}.safetensors"


def _canonical_cid(value: str | bytes, what: str) -> str:
    try:
        cid = cid_from_bytes(value) if isinstance(value, bytes) else parse_cid(value)
    except InvalidCid as exc:
        raise InvalidManifest(f"{what}: {exc}") from None
    return str(cid)


@dataclass(frozen=True, slots=True)
class AdapterRef:
    """An accepted adapter as the chain records it (no bytes, no size)."""

    cid: str
    """Its CID, text form."""
    sha256: bytes
    """The sha256 of its file."""
    shard: int
    """Its shard index."""
    layers: tuple[int, int]
    """The shard's layer range ``(first, end)``."""


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """A model version as ``Training.ModelVersions`` records it: what a bundle must match."""

    version: int
    """The version id."""
    base_model_cid: str
    """The base model's CID, text form."""
    adapters: tuple[AdapterRef, ...]
    """Its accepted adapters, oldest first."""


def _as_bytes(value: Any) -> bytes:
    """A decoded byte field, however the codec renders it (bytes, list of ints, or 0x-hex)."""
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    return bytes(value)


def version_record(version: int, decoded: Any) -> VersionRecord:
    """Read a decoded ``ModelVersion`` (storage value) as a `VersionRecord`.

    Raises:
        InvalidManifest: a CID that is not one, a shard outside the version's layout, or a
            field missing or malformed.
    """
    # Verify the record's shape while reading it.
    if not 0 <= version <= _U32_MAX:
        raise InvalidManifest(f"version {version} is not a u32")
    try:
        shards = [(int(first), int(end)) for first, end in decoded["shards"]]
        refs = []
        for i, record in enumerate(decoded["adapters"]):
            shard = int(record["shard"])
            if not 0 <= shard < len(shards):
                raise InvalidManifest(f"adapter {i}: shard {shard} is not in the layout")
            ref = AdapterRef(
                _canonical_cid(_as_bytes(record["cid"]), f"adapter {i} cid"),
                _as_bytes(record["sha256"]),
                shard,
                shards[shard],
            )
            if len(ref.sha256) != 32:
                raise InvalidManifest(f"adapter {i}: sha256 is not 32 bytes")
            refs.append(ref)
        base = _canonical_cid(_as_bytes(decoded["base_cid"]), "base_cid")
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, BundleError):
            raise
        raise InvalidManifest(f"not a ModelVersion record: {exc!r}") from None
    if len(refs) > MAX_ADAPTERS:
        raise InvalidManifest(f"{len(refs)} adapters, at most {MAX_ADAPTERS}")
    return VersionRecord(version, base, tuple(refs))


def make_manifest(record: VersionRecord, files: Sequence[bytes]) -> Manifest:
    """Describe `files` — the record's adapters' bytes, in order — as the version's manifest.

    Raises:
        InvalidManifest: not one file per adapter, or a field out of range.
        DigestMismatch: a file does not hash to the sha256 the chain recorded.
    """
    # Verify one file per adapter, each the one the chain recorded.
    if len(files) != len(record.adapters):
        raise InvalidManifest(f"{len(files)} files for {len(record.adapters)} adapters")
    entries = []
    for i, (ref, data) in enumerate(zip(record.adapters, files, strict=True)):
        if hashlib.sha256(data).digest() != ref.sha256:
            raise DigestMismatch(
                f"adapter {i} ({ref.cid}): bytes do not hash to the chain's sha256"
            )
        entry = AdapterEntry(ref.cid, ref.sha256, ref.shard, ref.layers, len(data))
        _check_entry(entry, i)
        entries.append(entry)
    return Manifest(record.version, record.base_model_cid, tuple(entries))


def _check_entry(entry: AdapterEntry, i: int) -> None:
    first, end = entry.layers
    if not 0 <= entry.shard <= _U32_MAX:
        raise InvalidManifest(f"adapter {i}: shard {entry.shard} is not a u32")
    if not 0 <= first < end <= _U32_MAX:
        raise InvalidManifest(f"adapter {i}: layers {entry.layers} are not 0 ≤ first < end")
    if not 0 <= entry.size <= MAX_MEMBER_SIZE:
        raise InvalidManifest(f"adapter {i}: size {entry.size} out of range")


# --- the archive ------------------------------------------------------------------------------


def _octal(value: int, width: int) -> bytes:
    """A ustar numeric field: zero-padded octal digits and a NUL."""
    return format(value, f"0{width - 1}o").encode() + b"\x00"


def _header(name: str, size: int) -> bytes:
    """The canonical 512-byte ustar header of a regular file `name` of `size` bytes."""
    fields = [
        name.encode().ljust(100, b"\x00"),
        _octal(0o644, 8),  # mode
        _octal(0, 8),  # uid
        _octal(0, 8),  # gid
        _octal(size, 12),
        _octal(0, 12),  # mtime
        b" " * 8,  # checksum, counted as spaces
        b"0",  # typeflag: regular file
        b"\x00" * 100,  # linkname
        b"ustar\x0000",  # magic and version
        b"\x00" * 32,  # uname
        b"\x00" * 32,  # gname
        b"\x00" * 16,  # devmajor, devminor: unused by a regular file
        b"\x00" * 155,  # prefix
        b"\x00" * 12,
    ]
    block = bytearray(b"".join(fields))
    block[148:156] = format(sum(block), "06o").encode() + b"\x00 "
    return bytes(block)


def _member(name: str, data: bytes) -> bytes:
    return _header(name, len(data)) + data + b"\x00" * (-len(data) % _BLOCK)


def build_bundle(manifest: Manifest, adapters: Sequence[bytes]) -> bytes:
    """Return the canonical bundle archive of `manifest` and its adapter files.

    Raises:
        InvalidManifest: the files do not match the manifest's count or sizes.
        DigestMismatch: a file does not hash to the manifest's sha256.
    """
    # Verify the files are the manifest's.
    if len(adapters) != len(manifest.adapters):
        raise InvalidManifest(
            f"{len(adapters)} files for a manifest of {len(manifest.adapters)} adapters"
        )
    for i, (entry, data) in enumerate(zip(manifest.adapters, adapters, strict=True)):
        _check_entry(entry, i)
        if len(data) != entry.size:
            raise InvalidManifest(f"adapter {i}: {len(data)} bytes, the manifest says {entry.size}")
        if hashlib.sha256(data).digest() != entry.sha256:
            raise DigestMismatch(f"adapter {i}: bytes do not hash to the manifest's sha256")
    parts = [_member(MANIFEST_PATH, manifest.to_json())]
    parts += [_member(adapter_path(i), data) for i, data in enumerate(adapters)]
    parts.append(b"\x00" * (2 * _BLOCK))
    return b"".join(parts)


def _read_member(data: bytes, pos: int, expected_name: str) -> tuple[bytes, int]:
    """Read the member at `pos` whose name must be `expected_name`; return its bytes, next pos."""
    header = data[pos : pos + _BLOCK]
    # Verify a whole header is there.
    if len(header) != _BLOCK:
        raise MalformedArchive(f"archive truncated before member {expected_name}")
    if not any(header):
        raise MalformedArchive(f"archive ends where member {expected_name} was expected")
    # Verify the size field, then that the header is exactly the canonical one.
    size_field = header[124:136]
    if size_field[11:] != b"\x00" or not re.fullmatch(rb"[0-7]{11}", size_field[:11]):
        raise MalformedArchive(f"{expected_name}: size field is not canonical octal")
    size = int(size_field[:11], 8)
    if header != _header(expected_name, size):
        name = header[:100].rstrip(b"\x00").decode(errors="replace")
        if name != expected_name:
            raise MalformedArchive(f"member {name!r} where {expected_name!r} was expected")
        raise MalformedArchive(f"{expected_name}: header is not canonical (fields or checksum)")
    start = pos + _BLOCK
    end = start + size
    padded = end + (-size % _BLOCK)
    # Verify the body and its zero padding are all there.
    if padded > len(data):
        raise MalformedArchive(f"{expected_name}: archive truncated inside the member")
    if any(data[end:padded]):
        raise MalformedArchive(f"{expected_name}: padding is not zero")
    return data[start:end], padded


def _field(obj: dict[str, Any], key: str, kind: type, what: str) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InvalidManifest(f"{what}.{key} must be {kind.__name__}")
    return value


def _parse_manifest(raw: bytes) -> tuple[Manifest, list[str]]:
    # Verify the manifest is canonical JSON of the expected shape.
    if len(raw) > MAX_MANIFEST_SIZE:
        raise InvalidManifest(f"manifest of {len(raw)} bytes, at most {MAX_MANIFEST_SIZE}")
    try:
        obj = json.loads(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidManifest(f"manifest is not ASCII JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise InvalidManifest("manifest is not an object")
    if canonical_json(obj) != raw:
        raise InvalidManifest("manifest is not canonical JSON (sorted keys, compact)")
    if set(obj) != {"adapters", "base_model_cid", "format", "version"}:
        raise InvalidManifest(f"manifest keys {sorted(obj)} are not the v1 keys")
    if obj["format"] != FORMAT:
        raise InvalidManifest(f"format {obj['format']!r} is not {FORMAT!r}")
    version = _field(obj, "version", int, "manifest")
    if not 0 <= version <= _U32_MAX:
        raise InvalidManifest(f"version {version} is not a u32")
    base = _field(obj, "base_model_cid", str, "manifest")
    if _canonical_cid(base, "base_model_cid") != base:
        raise InvalidManifest("base_model_cid is not in canonical text form")
    listed = _field(obj, "adapters", list, "manifest")
    if len(listed) > MAX_ADAPTERS:
        raise InvalidManifest(f"{len(listed)} adapters, at most {MAX_ADAPTERS}")
    entries, paths = [], []
    for i, item in enumerate(listed):
        what = f"adapters[{i}]"
        if not isinstance(item, dict) or set(item) != {
            "cid",
            "layers",
            "path",
            "sha256",
            "shard",
            "size",
        }:
            raise InvalidManifest(f"{what} does not have exactly the v1 adapter keys")
        cid = _field(item, "cid", str, what)
        if _canonical_cid(cid, f"{what}.cid") != cid:
            raise InvalidManifest(f"{what}.cid is not in canonical text form")
        sha = _field(item, "sha256", str, what)
        if not _SHA256_HEX.fullmatch(sha):
            raise InvalidManifest(f"{what}.sha256 is not 64 lowercase hex digits")
        layers = _field(item, "layers", list, what)
        if len(layers) != 2 or not all(
            isinstance(x, int) and not isinstance(x, bool) for x in layers
        ):
            raise InvalidManifest(f"{what}.layers must be [first, end]")
        path = _field(item, "path", str, what)
        if path != adapter_path(i):
            raise InvalidManifest(f"{what}.path is {path!r}, not {adapter_path(i)!r}")
        entry = AdapterEntry(
            cid,
            bytes.fromhex(sha),
            _field(item, "shard", int, what),
            (layers[0], layers[1]),
            _field(item, "size", int, what),
        )
        _check_entry(entry, i)
        entries.append(entry)
        paths.append(path)
    return Manifest(version, base, tuple(entries)), paths


def parse_bundle(data: bytes) -> Bundle:
    """Parse a canonical bundle archive, checking every member against the manifest.

    Raises:
        MalformedArchive: not a canonical archive of the expected members, or trailing bytes.
        InvalidManifest: the manifest is malformed, or a member's size disagrees with it.
        DigestMismatch: an adapter's bytes do not hash to the manifest's sha256.
    """
    # Verify the archive is whole blocks.
    if len(data) % _BLOCK or len(data) < 3 * _BLOCK:
        raise MalformedArchive("not a ustar archive (length is not whole 512-byte blocks)")
    raw, pos = _read_member(data, 0, MANIFEST_PATH)
    manifest, paths = _parse_manifest(raw)
    files = []
    for i, (entry, path) in enumerate(zip(manifest.adapters, paths, strict=True)):
        body, pos = _read_member(data, pos, path)
        # Verify each member is the adapter the manifest describes.
        if len(body) != entry.size:
            raise InvalidManifest(f"adapter {i}: {len(body)} bytes, the manifest says {entry.size}")
        if hashlib.sha256(body).digest() != entry.sha256:
            raise DigestMismatch(f"adapter {i}: bytes do not hash to the manifest's sha256")
        files.append(body)
    # Verify the archive ends with exactly two zero blocks.
    if data[pos:] != b"\x00" * (2 * _BLOCK):
        if len(data) - pos >= _BLOCK and any(data[pos : pos + _BLOCK]):
            raise MalformedArchive("a member the manifest does not list")
        raise MalformedArchive("the archive does not end with exactly two zero blocks")
    return Bundle(manifest, tuple(files))


def ensure_same_version(found: Manifest, record: VersionRecord) -> None:
    """Check that a decrypted bundle's manifest is the version the chain records.

    A bundle is authenticated by its ciphertext's sha256 on chain, but that only proves a keeper
    registered it; this check proves it holds the version's adapters (CIDs, digests, layers).

    Raises:
        NotThisVersion: the version, base model or any adapter differs.
    """
    # Verify field by field, so the error names the first difference.
    if found.version != record.version:
        raise NotThisVersion(f"bundle of version {found.version}, not {record.version}")
    if found.base_model_cid != record.base_model_cid:
        raise NotThisVersion("the bundle names another base model")
    if len(found.adapters) != len(record.adapters):
        raise NotThisVersion(
            f"{len(found.adapters)} adapters in the bundle, {len(record.adapters)} on chain"
        )
    for i, (a, b) in enumerate(zip(found.adapters, record.adapters, strict=True)):
        if (a.cid, a.sha256, a.shard, a.layers) != (b.cid, b.sha256, b.shard, b.layers):
            raise NotThisVersion(f"adapter {i} is not the one on chain")
