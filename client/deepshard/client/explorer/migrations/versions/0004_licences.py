"""Licences: keepers, ciphertexts, purchases (with the terms they opened on) and licences.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 01:00:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

AMOUNT = sa.String(length=40)


def _block_columns(table: str) -> list[Any]:
    return [
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["block_hash"],
            ["blocks.hash"],
            name=op.f(f"fk_{table}_block_hash_blocks"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "keepers",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("bond", AMOUNT, nullable=False),
        sa.Column("slashed", AMOUNT, nullable=False),
        sa.Column("box_key", sa.String(length=66), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("unlock_at", sa.BigInteger(), nullable=True),
        sa.Column("bonded_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_keepers")),
    )
    op.create_table(
        "ciphertexts",
        sa.Column("version_id", sa.BigInteger(), autoincrement=False, nullable=False),
        *_block_columns("ciphertexts"),
        sa.Column("cid", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=66), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("keepers", sa.JSON(), nullable=False),
        sa.Column("registrar", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_ciphertexts")),
    )
    op.create_table(
        "purchase_terms",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        *_block_columns("purchase_terms"),
        sa.Column("purchase_id", sa.BigInteger(), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("buyer_box_key", sa.String(length=66), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("keepers", sa.JSON(), nullable=False),
        sa.Column("payouts", sa.JSON(), nullable=False),
        sa.Column("to_treasury", AMOUNT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_terms")),
    )
    op.create_table(
        "purchases",
        sa.Column("purchase_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("buyer", sa.String(length=64), nullable=False),
        sa.Column("version_id", sa.BigInteger(), nullable=False),
        sa.Column("price", AMOUNT, nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("opened_block", sa.BigInteger(), nullable=False),
        sa.Column("closed_block", sa.BigInteger(), nullable=True),
        sa.Column("deadline", sa.BigInteger(), nullable=True),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("keepers", sa.JSON(), nullable=False),
        sa.Column("deliveries", sa.JSON(), nullable=False),
        sa.Column("refunded", AMOUNT, nullable=True),
        sa.Column("slashes", sa.JSON(), nullable=False),
        sa.Column("buyer_box_key", sa.String(length=66), nullable=True),
        sa.Column("payouts", sa.JSON(), nullable=False),
        sa.Column("to_treasury", AMOUNT, nullable=True),
        sa.PrimaryKeyConstraint("purchase_id", name=op.f("pk_purchases")),
    )
    op.create_table(
        "licences",
        sa.Column("purchase_id", sa.BigInteger(), autoincrement=False, nullable=False),
        *_block_columns("licences"),
        sa.Column("buyer", sa.String(length=64), nullable=False),
        sa.Column("version_id", sa.BigInteger(), nullable=False),
        sa.Column("price", AMOUNT, nullable=False),
        sa.PrimaryKeyConstraint("purchase_id", name=op.f("pk_licences")),
    )
    for table, columns in (
        ("ciphertexts", ("block_hash", "registrar")),
        ("purchase_terms", ("block_hash", "purchase_id")),
        ("purchases", ("buyer", "version_id")),
        ("licences", ("block_hash", "buyer", "version_id")),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    for table in ("licences", "purchases", "purchase_terms", "ciphertexts", "keepers"):
        op.drop_table(table)
