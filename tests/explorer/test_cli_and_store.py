"""`deepshard explorer` on bad input, the store's chain check, and the batch projection."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from deepshard.client.cli import app
from deepshard.client.explorer.database import (
    current_revision,
    downgrade,
    head,
    open_engine,
    upgrade,
)
from deepshard.client.explorer.store import (
    Store,
    WrongChain,
    project_batch,
    project_keeper,
    project_purchase,
)

ALICE_HEX = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--db", "mysql://u@h/d"], "unsupported database"),
        (["--db", "::nonsense::"], "not a database URL"),
        (["--node", "ws://127.0.0.1:9"], "cannot connect"),
    ],
)
def test_index_fails_cleanly(tmp_path: Path, args: list[str], message: str) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'x.db'}"]
    result = CliRunner().invoke(app, ["explorer", "index", "--once", *db, *args])
    assert result.exit_code == 1
    assert message in result.output


def test_a_database_belongs_to_one_chain(db_url: str) -> None:
    engine = open_engine(db_url)
    upgrade(engine)
    assert current_revision(engine) == head()
    store = Store(engine)
    store.check_genesis("0x" + "11" * 32)
    store.check_genesis("0x" + "11" * 32)
    with pytest.raises(WrongChain):
        store.check_genesis("0x" + "22" * 32)
    downgrade(engine)
    assert current_revision(engine) is None
    engine.dispose()


_UPGRADE = (
    "import sys\n"
    "from deepshard.client.explorer.database import current_revision, open_engine, upgrade\n"
    "engine = open_engine(sys.argv[1])\n"
    "upgrade(engine)\n"
    "print(current_revision(engine))\n"
)


def test_processes_that_start_together_migrate_one_after_the_other(db_url: str) -> None:
    """An indexer and a server started at once on a fresh database both come up (a devnet's
    explorer once failed with ``table accounts already exists``)."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _UPGRADE, db_url], stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    outputs = [proc.communicate(timeout=120)[0].strip() for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 4
    assert outputs == [head()] * 4


def test_the_migrations_create_exactly_the_models(db_url: str) -> None:
    """Alembic's autogenerate finds nothing to add: the models and the migrations agree."""
    from alembic.autogenerate import compare_metadata  # noqa: PLC0415
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415

    from deepshard.client.explorer.models import Base  # noqa: PLC0415

    engine = open_engine(db_url)
    upgrade(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_a_batch_is_projected_from_its_events() -> None:
    submitted = {
        "batch_id": 3,
        "informant": ALICE_HEX,
        "cid": "0x01",
        "stake": 20,
        "voting_ends": 9,
    }
    assert project_batch([], 42) is None
    assert project_batch([(5, "Voted", {"batch_id": 3})], 42) is None
    voting = project_batch([(4, "BatchSubmitted", submitted)], 42)
    assert voting is not None
    assert (voting["informant"], voting["status"], voting["submitted_block"]) == (
        ALICE,
        "Voting",
        4,
    )
    rejected = project_batch(
        [
            (4, "BatchSubmitted", submitted),
            (9, "BatchRejected", {"batch_id": 3, "turnout": 5, "threshold": 7}),
            (9, "InformantSlashed", {"batch_id": 3, "amount": 2}),
        ],
        42,
    )
    assert rejected is not None
    assert (rejected["status"], rejected["closed_block"], rejected["slashed"]) == ("Rejected", 9, 2)
    assert (rejected["turnout"], rejected["threshold"], rejected["value"]) == (5, 7, None)


BOB_HEX = "0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48"
BOB = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"


def test_a_keeper_is_projected_from_its_events_and_slashes() -> None:
    assert project_keeper([], []) is None
    assert project_keeper([(3, "KeeperUnbonded", {"unlock_at": 9})], []) is None
    bonded = [
        (2, "KeeperBonded", {"amount": 100, "box_key": "0x01"}),
        (4, "KeeperBonded", {"amount": 50, "box_key": "0x02"}),
    ]
    keeper = project_keeper(bonded, [(5, 10)])
    assert keeper == {
        "bonded_block": 2,
        "box_key": "0x02",
        "status": "Bonded",
        "unlock_at": None,
        "slashed": 10,
        "bond": 140,
    }
    left = project_keeper(
        [*bonded, (6, "KeeperUnbonded", {"unlock_at": 20}), (20, "KeeperWithdrawn", {})],
        [(5, 10)],
    )
    assert left is not None
    assert (left["status"], left["bond"], left["slashed"]) == ("Withdrawn", 0, 10)
    # Bonding again after withdrawing starts a fresh bond; old slashes stay in the total.
    again = project_keeper(
        [
            *bonded,
            (6, "KeeperUnbonded", {"unlock_at": 20}),
            (20, "KeeperWithdrawn", {}),
            (30, "KeeperBonded", {"amount": 70, "box_key": "0x03"}),
        ],
        [(5, 10), (31, 7)],
    )
    assert again is not None
    assert (again["status"], again["bond"], again["slashed"]) == ("Bonded", 63, 17)


def test_a_purchase_is_projected_from_its_events_and_terms() -> None:
    opened = (
        4,
        "PurchaseOpened",
        {"purchase_id": 0, "buyer": ALICE_HEX, "version": 1, "price": 1000},
    )
    terms = {
        "deadline": 104,
        "threshold": 2,
        "keepers": [BOB, ALICE],
        "buyer_box_key": "0xaa",
        "payouts": {BOB: "700"},
        "to_treasury": 300,
    }
    assert project_purchase([], terms, 42) is None
    assert project_purchase([(5, "ShareDelivered", {"keeper": BOB_HEX})], terms, 42) is None
    open_ = project_purchase([opened], terms, 42)
    assert open_ is not None
    assert (open_["phase"], open_["buyer"], open_["deadline"], open_["threshold"]) == (
        "Open",
        ALICE,
        104,
        2,
    )
    served = project_purchase(
        [
            opened,
            (5, "ShareDelivered", {"keeper": BOB_HEX}),
            (6, "ShareDelivered", {"keeper": ALICE_HEX}),
            (6, "LicenceGranted", {"purchase_id": 0}),
        ],
        terms,
        42,
    )
    assert served is not None
    assert (served["phase"], served["closed_block"]) == ("Served", 6)
    assert served["deliveries"] == [{"keeper": BOB, "block": 5}, {"keeper": ALICE, "block": 6}]
    expired = project_purchase(
        [
            opened,
            (5, "ShareDelivered", {"keeper": BOB_HEX}),
            (104, "PurchaseExpired", {"refunded": 1000}),
            (104, "KeeperSlashed", {"keeper": ALICE_HEX, "amount": 25}),
        ],
        None,
        42,
    )
    assert expired is not None
    assert (expired["phase"], expired["refunded"], expired["slashes"]) == (
        "Expired",
        1000,
        {ALICE: "25"},
    )
    assert expired["deadline"] is None  # terms not indexed: unknown, not invented


def _block(number: int, parent: str) -> dict[str, object]:
    return {
        "hash": f"0x{number:064x}",
        "number": number,
        "parent_hash": parent,
        "state_root": "0x" + "00" * 32,
        "extrinsics_root": "0x" + "00" * 32,
        "timestamp": None,
        "spec_version": 1,
        "extrinsic_count": 0,
        "event_count": 1,
        "author": None,
        "slot": None,
        "finalized": False,
    }


def _event(block: dict[str, object], name: str, fields: dict[str, object], subject: str) -> dict:
    return {
        "block_hash": block["hash"],
        "block_number": block["number"],
        "index": 0,
        "extrinsic_index": None,
        "phase": "Finalization",
        "pallet": "Licences",
        "name": name,
        "fields": fields,
        "subject": subject,
    }


def test_retracting_a_block_re_projects_purchases_and_keepers(db_url: str) -> None:
    """A licence granted in a block that a reorg retracts is gone, its purchase open again."""
    from sqlalchemy.orm import Session  # noqa: PLC0415

    from deepshard.client.explorer.models import Keeper, Licence, Purchase  # noqa: PLC0415
    from deepshard.client.explorer.rows import BlockRows  # noqa: PLC0415

    engine = open_engine(db_url)
    upgrade(engine)
    store = Store(engine)
    b1, b2 = _block(1, "0x" + "00" * 32), _block(2, f"0x{1:064x}")
    at1 = {"block_hash": b1["hash"], "block_number": 1}
    at2 = {"block_hash": b2["hash"], "block_number": 2}
    opened = BlockRows(
        b1,
        events=[
            _event(
                b1,
                "KeeperBonded",
                {"keeper": BOB_HEX, "amount": 50, "box_key": "0x01"},
                f"keeper:{BOB}",
            ),
        ],
        keepers={BOB},
        purchases={0},
        terms=[
            {
                **at1,
                "purchase_id": 0,
                "deadline": 9,
                "buyer_box_key": "0xaa",
                "threshold": 1,
                "keepers": [BOB],
                "payouts": {},
                "to_treasury": 0,
            }
        ],
    )
    opened.events.append(
        {
            **_event(
                b1,
                "PurchaseOpened",
                {"purchase_id": 0, "buyer": ALICE_HEX, "version": 0, "price": 10},
                "purchase:0",
            ),
            "index": 1,
        }
    )
    served = BlockRows(
        b2,
        events=[
            _event(b2, "ShareDelivered", {"purchase_id": 0, "keeper": BOB_HEX}, "purchase:0"),
            {
                **_event(
                    b2,
                    "LicenceGranted",
                    {"purchase_id": 0, "buyer": ALICE_HEX, "version": 0, "price": 10},
                    "purchase:0",
                ),
                "index": 1,
            },
        ],
        purchases={0},
        licences=[{**at2, "purchase_id": 0, "buyer": ALICE, "version_id": 0, "price": 10}],
    )
    store.add([opened, served])
    with Session(engine) as session:
        purchase = session.get(Purchase, 0)
        assert purchase is not None
        assert (purchase.phase, purchase.deadline, len(purchase.deliveries)) == ("Served", 9, 1)
        assert session.get(Licence, 0) is not None
        keeper = session.get(Keeper, BOB)
        assert keeper is not None
        assert keeper.bond == 50
    store.retract(str(b2["hash"]))
    with Session(engine) as session:
        purchase = session.get(Purchase, 0)
        assert purchase is not None
        assert (purchase.phase, purchase.deliveries) == ("Open", [])
        assert session.get(Licence, 0) is None
    store.retract(str(b1["hash"]))
    with Session(engine) as session:
        assert session.get(Purchase, 0) is None
        assert session.get(Keeper, BOB) is None
    engine.dispose()
