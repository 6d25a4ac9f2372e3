"""The licence bundle: canonical bytes, read by Python's own `tarfile`, and a parser that refuses.

`tarfile` (the standard library's independent ustar reader) lists and extracts every bundle
we build; equal inputs give equal bytes; `parse_bundle` inverts `build_bundle` for any content
(hypothesis); and every corruption — a flipped byte anywhere, a cut, an extension, a member
added, reordered or renamed, a manifest re-serialised non-canonically — raises a `BundleError`
subclass and nothing else.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepshard.offchain_workers.content.cids import RAW, block_cid, cid_bytes
from deepshard.offchain_workers.keeper.bundle import (
    FORMAT,
    MANIFEST_PATH,
    BundleError,
    DigestMismatch,
    InvalidManifest,
    MalformedArchive,
    Manifest,
    NotThisVersion,
    adapter_path,
    build_bundle,
    ensure_same_version,
    make_manifest,
    parse_bundle,
    version_record,
)

BASE = block_cid(b"base model", codec=RAW, version=1)


def _record(files: list[bytes], version: int = 7, *, text: bool = False) -> dict[str, object]:
    """A decoded ``ModelVersion`` storage value naming `files` as its adapters."""

    return {
        "base_cid": "0x" + cid_bytes(BASE).hex() if text else cid_bytes(BASE),
        "shards": [(0, 2), (2, 4)],
        "adapters": [
            {
                "shard": i % 2,
                "cid": cid_bytes(block_cid(f, codec=RAW, version=1)),
                "sha256": ("0x" + hashlib.sha256(f).hexdigest())
                if text
                else hashlib.sha256(f).digest(),
            }
            for i, f in enumerate(files)
        ],
    }


def _manifest(files: list[bytes], version: int = 7) -> Manifest:
    return make_manifest(version_record(version, _record(files, version)), files)


FILES = [b"adapter zero " * 50, b"adapter one" * 3, b""]


def test_tarfile_reads_the_bundle_in_order() -> None:
    blob = build_bundle(_manifest(FILES), FILES)
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:") as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == [MANIFEST_PATH, *map(adapter_path, range(3))]
        assert all(m.isfile() and m.mode == 0o644 and m.mtime == 0 for m in members)
        assert all(m.uid == 0 and m.gid == 0 and m.uname == "" for m in members)
        assert tar.format == tarfile.USTAR_FORMAT or members[0].name == MANIFEST_PATH
        for i, data in enumerate(FILES):
            extracted = tar.extractfile(adapter_path(i))
            assert extracted is not None
            assert extracted.read() == data
        manifest_file = tar.extractfile(MANIFEST_PATH)
        assert manifest_file is not None
        manifest = json.loads(manifest_file.read())
    assert manifest["format"] == FORMAT
    assert manifest["version"] == 7
    assert manifest["base_model_cid"] == str(BASE)
    assert [a["sha256"] for a in manifest["adapters"]] == [
        hashlib.sha256(f).hexdigest() for f in FILES
    ]
    assert [a["layers"] for a in manifest["adapters"]] == [[0, 2], [2, 4], [0, 2]]
    assert [a["size"] for a in manifest["adapters"]] == [len(f) for f in FILES]


def test_equal_inputs_give_equal_bytes_whatever_the_decoded_form() -> None:
    one = build_bundle(_manifest(FILES), FILES)
    two = build_bundle(_manifest(list(FILES)), [bytes(f) for f in FILES])
    assert one == two
    as_hex = make_manifest(version_record(7, _record(FILES, text=True)), FILES)
    assert build_bundle(as_hex, FILES) == one
    assert len(one) % 512 == 0
    assert one.endswith(b"\x00" * 1024)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.binary(max_size=1500), max_size=5),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_parse_inverts_build(files: list[bytes], version: int) -> None:
    manifest = _manifest(files, version)
    blob = build_bundle(manifest, files)
    parsed = parse_bundle(blob)
    assert parsed.manifest == manifest
    assert list(parsed.adapters) == files
    assert build_bundle(parsed.manifest, parsed.adapters) == blob


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_flipped_byte_is_refused(data: st.DataObject) -> None:
    manifest = _manifest(FILES)
    blob = build_bundle(manifest, FILES)
    index = data.draw(st.integers(min_value=0, max_value=len(blob) - 1))
    flip = data.draw(st.integers(min_value=1, max_value=255))
    bad = bytearray(blob)
    bad[index] ^= flip
    with pytest.raises(BundleError):
        # A flip inside a CID's text can still parse (another valid CID): the check against
        # the chain's record catches it.
        ensure_same_version(parse_bundle(bytes(bad)).manifest, version_record(7, _record(FILES)))


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda b: b[:-512], MalformedArchive),
        (lambda b: b[:-1], MalformedArchive),
        (lambda b: b + b"\x00" * 512, MalformedArchive),
        (lambda b: b[:1024], MalformedArchive),
        (lambda b: b"", MalformedArchive),
        (lambda b: b"\x00" * 2048, MalformedArchive),
    ],
)
def test_cut_or_extended_archives_are_refused(mutate: object, error: type[BundleError]) -> None:
    blob = build_bundle(_manifest(FILES), FILES)
    with pytest.raises(error):
        parse_bundle(mutate(blob))  # type: ignore[operator]


def _tar(members: list[tuple[str, bytes]]) -> bytes:
    """An archive written by `tarfile` (ustar, canonical-looking fields) for foreign layouts."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def test_the_bytes_are_what_tarfile_writes_for_the_same_members() -> None:
    manifest = _manifest(FILES)
    members = [(MANIFEST_PATH, manifest.to_json())]
    members += [(adapter_path(i), f) for i, f in enumerate(FILES)]
    ours = build_bundle(manifest, FILES)
    theirs = _tar(members)
    # tarfile pads the archive to a 10 KiB record; ours ends after the two zero blocks.
    assert theirs[: len(ours)] == ours
    assert not any(theirs[len(ours) :])


def test_foreign_archives_are_refused() -> None:
    manifest = _manifest(FILES)
    good = [(MANIFEST_PATH, manifest.to_json())] + [
        (adapter_path(i), f) for i, f in enumerate(FILES)
    ]
    # tarfile pads to a 10 KiB record: not the canonical end.
    with pytest.raises(MalformedArchive, match="two zero blocks"):
        parse_bundle(_tar(good))
    assert parse_bundle(_tar(good)[: len(build_bundle(manifest, FILES))]).manifest == manifest
    with pytest.raises(MalformedArchive, match="expected"):
        parse_bundle(_tar([good[1], good[0], *good[2:]]))
    extra = build_bundle(manifest, FILES)[:-1024] + _tar([("extra.bin", b"x")])[:1024] + bytes(1024)
    with pytest.raises(MalformedArchive, match="does not list"):
        parse_bundle(extra)


def _with_manifest(raw: bytes) -> bytes:
    """A canonical archive around a manifest of our choosing and the real files."""
    from deepshard.offchain_workers.keeper.bundle import _member  # noqa: PLC0415

    parts = [_member(MANIFEST_PATH, raw)]
    parts += [_member(adapter_path(i), f) for i, f in enumerate(FILES)]
    return b"".join(parts) + bytes(1024)


def _edited(edit: object) -> bytes:
    obj = json.loads(_manifest(FILES).to_json())
    edit(obj)  # type: ignore[operator]
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


@pytest.mark.parametrize(
    ("edit", "error", "match"),
    [
        (lambda o: o.update(format="other"), InvalidManifest, "format"),
        (lambda o: o.update(version=-1), InvalidManifest, "u32"),
        (lambda o: o.update(version=True), InvalidManifest, "int"),
        (lambda o: o.update(extra=1), InvalidManifest, "keys"),
        (lambda o: o.update(base_model_cid="not-a-cid"), InvalidManifest, "base_model_cid"),
        (lambda o: o["adapters"][0].update(sha256="AB" * 32), InvalidManifest, "hex"),
        (lambda o: o["adapters"][0].update(sha256="00" * 32), DigestMismatch, "sha256"),
        (lambda o: o["adapters"][0].update(size=1), InvalidManifest, "bytes"),
        (lambda o: o["adapters"][0].update(layers=[2, 2]), InvalidManifest, "first < end"),
        (lambda o: o["adapters"][0].update(layers=[0]), InvalidManifest, "first, end"),
        (lambda o: o["adapters"][0].update(path="adapters/9.safetensors"), InvalidManifest, "path"),
        (lambda o: o["adapters"][0].pop("cid"), InvalidManifest, "keys"),
        (lambda o: o["adapters"].pop(), MalformedArchive, "does not list"),
    ],
)
def test_bad_manifests_are_refused(edit: object, error: type[BundleError], match: str) -> None:
    with pytest.raises(error, match=match):
        parse_bundle(_with_manifest(_edited(edit)))


def test_non_canonical_manifest_json_is_refused() -> None:
    obj = json.loads(_manifest(FILES).to_json())
    with pytest.raises(InvalidManifest, match="canonical"):
        parse_bundle(_with_manifest(json.dumps(obj, indent=1, sort_keys=True).encode()))
    with pytest.raises(InvalidManifest, match="JSON"):
        parse_bundle(_with_manifest(b"\xff not json"))


def test_build_refuses_files_that_are_not_the_manifests() -> None:
    manifest = _manifest(FILES)
    with pytest.raises(InvalidManifest, match="files for a manifest"):
        build_bundle(manifest, FILES[:2])
    with pytest.raises(InvalidManifest, match="bytes"):
        build_bundle(manifest, [FILES[0] + b"!", *FILES[1:]])
    with pytest.raises(DigestMismatch):
        build_bundle(manifest, [b"X" + FILES[0][1:], *FILES[1:]])


def test_make_manifest_checks_the_chains_digests() -> None:
    record = version_record(1, _record(FILES[:1], 1))
    make_manifest(record, FILES[:1])
    with pytest.raises(DigestMismatch, match="chain"):
        make_manifest(record, [b"other bytes"])
    with pytest.raises(InvalidManifest, match="1 adapters"):
        make_manifest(record, FILES[:2])


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda r: r["adapters"][0].update(cid=b"\x01junk"), "cid"),
        (lambda r: r["adapters"][0].update(shard=5), "layout"),
        (lambda r: r["adapters"][0].update(sha256=b"short"), "32 bytes"),
        (lambda r: r.pop("shards"), "ModelVersion"),
        (lambda r: r.update(base_cid=b"nope"), "base_cid"),
    ],
)
def test_malformed_version_records_are_refused(edit: object, match: str) -> None:
    record = _record(FILES)
    edit(record)  # type: ignore[operator]
    with pytest.raises(InvalidManifest, match=match):
        version_record(7, record)
    with pytest.raises(InvalidManifest, match="u32"):
        version_record(-1, _record(FILES))


def test_ensure_same_version_names_the_difference() -> None:
    record = version_record(7, _record(FILES))
    ensure_same_version(_manifest(FILES), record)
    with pytest.raises(NotThisVersion, match="version 8"):
        ensure_same_version(_manifest(FILES, 8), record)
    with pytest.raises(NotThisVersion, match="2 adapters"):
        ensure_same_version(_manifest(FILES[:2]), record)
    with pytest.raises(NotThisVersion, match="adapter 1"):
        ensure_same_version(_manifest([FILES[0], b"other", FILES[2]]), record)
