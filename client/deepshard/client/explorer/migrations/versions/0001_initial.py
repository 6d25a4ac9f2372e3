"""The initial schema: blocks, extrinsics, events, accounts, transfers, batches, votes, slashes.

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-04 22:21:54.448672
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "accounts",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=66), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column("free", sa.String(length=40), nullable=False),
        sa.Column("reserved", sa.String(length=40), nullable=False),
        sa.Column("frozen", sa.String(length=40), nullable=False),
        sa.Column("first_seen", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_accounts")),
        sa.UniqueConstraint("public_key", name=op.f("uq_accounts_public_key")),
    )
    op.create_table(
        "batches",
        sa.Column("batch_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("informant", sa.String(length=64), nullable=False),
        sa.Column("cid", sa.String(length=200), nullable=False),
        sa.Column("stake", sa.String(length=40), nullable=False),
        sa.Column("voting_ends", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_block", sa.BigInteger(), nullable=False),
        sa.Column("closed_block", sa.BigInteger(), nullable=True),
        sa.Column("value", sa.String(length=40), nullable=True),
        sa.Column("turnout", sa.BigInteger(), nullable=True),
        sa.Column("threshold", sa.BigInteger(), nullable=True),
        sa.Column("reward", sa.String(length=40), nullable=True),
        sa.Column("slashed", sa.String(length=40), nullable=True),
        sa.Column("ayes", sa.Integer(), nullable=False),
        sa.Column("nays", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_batches")),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batches_informant"), ["informant"], unique=False)

    op.create_table(
        "blocks",
        sa.Column("hash", sa.String(length=66), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("parent_hash", sa.String(length=66), nullable=False),
        sa.Column("state_root", sa.String(length=66), nullable=False),
        sa.Column("extrinsics_root", sa.String(length=66), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=True),
        sa.Column("spec_version", sa.Integer(), nullable=False),
        sa.Column("extrinsic_count", sa.Integer(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=True),
        sa.Column("finalized", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_blocks")),
        sa.UniqueConstraint("number", name=op.f("uq_blocks_number")),
    )
    op.create_table(
        "indexer_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_indexer_state")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("extrinsic_index", sa.Integer(), nullable=True),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("pallet", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["block_hash"],
            ["blocks.hash"],
            name=op.f("fk_events_block_hash_blocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_block_hash"), ["block_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_block_number"), ["block_number"], unique=False)
        batch_op.create_index("ix_events_pallet_name", ["pallet", "name"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_subject"), ["subject"], unique=False)

    op.create_table(
        "extrinsics",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=66), nullable=False),
        sa.Column("pallet", sa.String(length=64), nullable=False),
        sa.Column("call", sa.String(length=64), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("signer", sa.String(length=64), nullable=True),
        sa.Column("nonce", sa.BigInteger(), nullable=True),
        sa.Column("tip", sa.String(length=40), nullable=False),
        sa.Column("fee", sa.String(length=40), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["block_hash"],
            ["blocks.hash"],
            name=op.f("fk_extrinsics_block_hash_blocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extrinsics")),
    )
    with op.batch_alter_table("extrinsics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extrinsics_block_hash"), ["block_hash"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_extrinsics_block_number"), ["block_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_extrinsics_hash"), ["hash"], unique=False)
        batch_op.create_index(
            "ix_extrinsics_signer_number", ["signer", "block_number"], unique=False
        )

    op.create_table(
        "slashes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("event_index", sa.Integer(), nullable=False),
        sa.Column("pallet", sa.String(length=64), nullable=False),
        sa.Column("who", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["block_hash"],
            ["blocks.hash"],
            name=op.f("fk_slashes_block_hash_blocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slashes")),
    )
    with op.batch_alter_table("slashes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slashes_block_hash"), ["block_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_slashes_who"), ["who"], unique=False)

    op.create_table(
        "transfers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("event_index", sa.Integer(), nullable=False),
        sa.Column("extrinsic_index", sa.Integer(), nullable=True),
        sa.Column("extrinsic_hash", sa.String(length=66), nullable=True),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("receiver", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["block_hash"],
            ["blocks.hash"],
            name=op.f("fk_transfers_block_hash_blocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfers_block_hash"), ["block_hash"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_transfers_block_number"), ["block_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_transfers_receiver"), ["receiver"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfers_sender"), ["sender"], unique=False)

    op.create_table(
        "votes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("event_index", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("curator", sa.String(length=64), nullable=False),
        sa.Column("aye", sa.Boolean(), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["block_hash"],
            ["blocks.hash"],
            name=op.f("fk_votes_block_hash_blocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_votes_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_block_hash"), ["block_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_curator"), ["curator"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_votes_curator"))
        batch_op.drop_index(batch_op.f("ix_votes_block_hash"))
        batch_op.drop_index(batch_op.f("ix_votes_batch_id"))

    op.drop_table("votes")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfers_sender"))
        batch_op.drop_index(batch_op.f("ix_transfers_receiver"))
        batch_op.drop_index(batch_op.f("ix_transfers_block_number"))
        batch_op.drop_index(batch_op.f("ix_transfers_block_hash"))

    op.drop_table("transfers")
    with op.batch_alter_table("slashes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slashes_who"))
        batch_op.drop_index(batch_op.f("ix_slashes_block_hash"))

    op.drop_table("slashes")
    with op.batch_alter_table("extrinsics", schema=None) as batch_op:
        batch_op.drop_index("ix_extrinsics_signer_number")
        batch_op.drop_index(batch_op.f("ix_extrinsics_hash"))
        batch_op.drop_index(batch_op.f("ix_extrinsics_block_number"))
        batch_op.drop_index(batch_op.f("ix_extrinsics_block_hash"))

    op.drop_table("extrinsics")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_subject"))
        batch_op.drop_index("ix_events_pallet_name")
        batch_op.drop_index(batch_op.f("ix_events_block_number"))
        batch_op.drop_index(batch_op.f("ix_events_block_hash"))

    op.drop_table("events")
    op.drop_table("indexer_state")
    op.drop_table("blocks")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batches_informant"))

    op.drop_table("batches")
    op.drop_table("accounts")
