"""announcement: committed changes for SQLite programs following changes

Revision ID: 0005_announcement
Revises: 0004_assignment
Create Date: 2026-12-08 00:30:00

SQLite has no NOTIFY: each action writes one row here in its own
transaction, and the change feed reads the rows newer than the last it saw
(an undo or redo, which only marks an old event, included).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005_announcement"
down_revision = "0004_assignment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("announcement")
