"""`render_metadata`: stable text, checked against a committed snapshot of the synthetic runtime.

The snapshot holds the summary and pallet sections (``types=False``, hash line dropped): those
depend on this directory's declarations and on the rendering only, not on the docstrings of
shared types such as ``MultiAddress``. Regenerate it on purpose with
``DEEPSHARD_UPDATE_SNAPSHOTS=1 pytest tests/primitives/metadata -k snapshot``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from deepshard.primitives.codec import H256, Compact, Vec
from deepshard.primitives.hashing import blake2_256
from deepshard.primitives.metadata import (
    TypeRegistry,
    decode_metadata,
    render_metadata,
    type_name,
)
from deepshard.primitives.numeric import U8, U32, U128

SNAPSHOT = Path(__file__).with_name("snapshots") / "synthetic_runtime.txt"


def test_render_matches_the_committed_snapshot(synthetic: Any) -> None:
    text = render_metadata(synthetic.built.metadata, types=False)
    assert text.splitlines()[-1].startswith("blake2_256: 0x")
    text = "\n".join(text.splitlines()[:-1]) + "\n"
    if os.environ.get("DEEPSHARD_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8"), (
        "metadata drifted from the snapshot; if intended, regenerate it with "
        "DEEPSHARD_UPDATE_SNAPSHOTS=1"
    )


def test_render_is_stable(synthetic: Any) -> None:
    built = synthetic.built
    text = render_metadata(built.metadata)
    assert render_metadata(built.metadata) == text
    assert render_metadata(decode_metadata(built.encoded)) == text
    assert text.endswith(f"blake2_256: 0x{blake2_256(built.encoded).hex()}\n")


def test_render_shows_what_clients_use(synthetic: Any) -> None:
    text = render_metadata(synthetic.built.metadata)
    lines = text.splitlines()
    for expected in [
        "pallet 0 System",
        "pallet 5 Balances",
        "  storage (prefix System)",
        "    Account: Map [Blake2_128Concat] AccountId32 -> AccountInfo<u32, AccountData<u128>>, "
        "Default, default 0x" + "00" * 80,
        "    Events: Plain Vec<EventRecord<RuntimeEvent, H256>>, Default, default 0x00",
        "    Reserves: Map [Blake2_128Concat, Twox64Concat] (AccountId32, u32) -> Vec<u128>, "
        "Optional, default 0x00",
        "  calls (pallet_balances::pallet::Call)",
        "    3 transfer_keep_alive{dest: MultiAddress<AccountId32, u32>, value: Compact<u128>}",
        "    2 Transfer{from: AccountId32, to: AccountId32, amount: u128}",
        "    2 InsufficientBalance",
        "      /// Balance too low to send value.",
        "    SS58Prefix: u16 = 0x2a00",
        "  signed extension CheckMortality: extra CheckMortality, additional H256",
        "      1..=255 Mortal<index>(u8)",
    ]:
        assert expected in lines, expected
    assert "types" in lines
    assert "types" not in render_metadata(synthetic.built.metadata, types=False).splitlines()


def test_type_names() -> None:
    registry = TypeRegistry()
    ids = {
        t: registry.register(t)
        for t in (
            U8,
            Vec[U8],
            Compact[U128],
            tuple[U8, U32],
            tuple[U8],
            tuple[()],
            H256,
            U32 | None,
        )
    }
    portable = registry.portable_registry()
    names = {t: type_name(portable, i) for t, i in ids.items()}
    assert list(names.values()) == [
        "u8",
        "Vec<u8>",
        "Compact<u128>",
        "(u8, u32)",
        "(u8,)",
        "()",
        "H256",
        "Option<u32>",
    ]
