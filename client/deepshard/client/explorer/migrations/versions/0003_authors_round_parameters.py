"""Block authors and slots; the parameters a round was opened with.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 00:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_blocks_author"), ["author"], unique=False)

    op.create_table(
        "round_parameters",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("reveal_ends", sa.BigInteger(), nullable=False),
        sa.Column("score_ends", sa.BigInteger(), nullable=False),
        sa.Column("dispute_ends", sa.BigInteger(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("trainer_bonds", sa.JSON(), nullable=False),
        sa.Column("scorer_bonds", sa.JSON(), nullable=False),
        sa.Column("statistics", sa.JSON(), nullable=False),
        sa.Column("mad_factor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["block_hash"],
            ["blocks.hash"],
            name=op.f("fk_round_parameters_block_hash_blocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_parameters")),
    )
    with op.batch_alter_table("round_parameters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_round_parameters_block_hash"), ["block_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_round_parameters_round_id"), ["round_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("round_parameters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_parameters_round_id"))
        batch_op.drop_index(batch_op.f("ix_round_parameters_block_hash"))
    op.drop_table("round_parameters")
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blocks_author"))
        batch_op.drop_column("slot")
