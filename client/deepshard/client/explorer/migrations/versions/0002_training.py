"""Training: rounds, commitments and reveals, scores and model versions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 23:24:07.162724
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "rounds",
        sa.Column("round_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("parent_version", sa.BigInteger(), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=66), nullable=False),
        sa.Column("commit_ends", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("opened_block", sa.BigInteger(), nullable=False),
        sa.Column("aggregated_block", sa.BigInteger(), nullable=True),
        sa.Column("closed_block", sa.BigInteger(), nullable=True),
        sa.Column("improvement", sa.BigInteger(), nullable=True),
        sa.Column("new_version", sa.BigInteger(), nullable=True),
        sa.Column("paid", sa.String(length=40), nullable=True),
        sa.Column("to_treasury", sa.String(length=40), nullable=True),
        sa.Column("trainers", sa.JSON(), nullable=False),
        sa.Column("scorers", sa.JSON(), nullable=False),
        sa.Column("accepted", sa.JSON(), nullable=False),
        sa.Column("outliers", sa.JSON(), nullable=False),
        sa.Column("slashes", sa.JSON(), nullable=False),
        sa.Column("rewards", sa.JSON(), nullable=False),
        sa.Column("scorer_rewards", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_rounds")),
    )
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rounds_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "model_versions",
        sa.Column("version_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("parent", sa.BigInteger(), nullable=True),
        sa.Column("round_id", sa.BigInteger(), nullable=True),
        sa.Column("held_out_loss", sa.BigInteger(), nullable=False),
        sa.Column("base_cid", sa.String(length=200), nullable=False),
        sa.Column("layer_count", sa.Integer(), nullable=False),
        sa.Column("shards", sa.JSON(), nullable=False),
        sa.Column("adapters", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["block_hash"],
            ["blocks.hash"],
            name=op.f("fk_model_versions_block_hash_blocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_model_versions")),
    )
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_model_versions_block_hash"), ["block_hash"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_model_versions_parent"), ["parent"], unique=False)

    op.create_table(
        "round_commitments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("event_index", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("trainer", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("cid", sa.String(length=200), nullable=True),
        sa.Column("sha256", sa.String(length=66), nullable=True),
        sa.ForeignKeyConstraint(
            ["block_hash"],
            ["blocks.hash"],
            name=op.f("fk_round_commitments_block_hash_blocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_commitments")),
    )
    with op.batch_alter_table("round_commitments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_round_commitments_block_hash"), ["block_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_round_commitments_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_round_commitments_trainer"), ["trainer"], unique=False)

    op.create_table(
        "round_scores",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("block_hash", sa.String(length=66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("event_index", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("scorer", sa.String(length=64), nullable=False),
        sa.Column("trainers", sa.JSON(), nullable=False),
        sa.Column("statistics", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["block_hash"],
            ["blocks.hash"],
            name=op.f("fk_round_scores_block_hash_blocks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_scores")),
    )
    with op.batch_alter_table("round_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_round_scores_block_hash"), ["block_hash"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_round_scores_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_round_scores_scorer"), ["scorer"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("round_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_scores_scorer"))
        batch_op.drop_index(batch_op.f("ix_round_scores_round_id"))
        batch_op.drop_index(batch_op.f("ix_round_scores_block_hash"))

    op.drop_table("round_scores")
    with op.batch_alter_table("round_commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_commitments_trainer"))
        batch_op.drop_index(batch_op.f("ix_round_commitments_round_id"))
        batch_op.drop_index(batch_op.f("ix_round_commitments_block_hash"))

    op.drop_table("round_commitments")
    with op.batch_alter_table("model_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_versions_parent"))
        batch_op.drop_index(batch_op.f("ix_model_versions_block_hash"))

    op.drop_table("model_versions")
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rounds_batch_id"))

    op.drop_table("rounds")
