"""A member's open tickets on a platform, whatever the conversation: a member answering in
their private chat a reply to a ticket they opened in a group joins that ticket.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_tickets_open_member",
        "tickets",
        ["platform", "user_id"],
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_open_member", table_name="tickets")
