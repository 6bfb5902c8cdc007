"""sessions: who made each event; figure.scale 64-bit

Revision ID: 0002_sessions
Revises: 0001_initial
Create Date: 2026-12-01 20:30:00

``appsession`` records each running program of an annotator; ``event.session_id``
says which one made an event, so undo never takes back another running
session's action (events from before have no session and count as ended).
``figure.scale`` becomes BIGINT: "trillion" (10**12) overflowed PostgreSQL's int4.
SQLite cannot alter columns or add foreign keys in place, hence the batch mode.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002_sessions"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appsession",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("hostname", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotator.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.create_foreign_key(
            "fk_event_session_id_appsession", "appsession", ["session_id"], ["id"]
        )
        batch_op.create_index("ix_event_session", ["session_id"], unique=False)
    with op.batch_alter_table("figure", schema=None) as batch_op:
        batch_op.alter_column(
            "scale", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("figure", schema=None) as batch_op:
        batch_op.alter_column(
            "scale", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False
        )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_session")
        batch_op.drop_constraint("fk_event_session_id_appsession", type_="foreignkey")
        batch_op.drop_column("session_id")
    op.drop_table("appsession")
