"""dashboard: indexes for the queue, the thread view, the incident view and text search

Revision ID: 0004
Revises: 0003

- post (platform, in_reply_to, created_at): a post's replies and siblings (thread view), in order, without a scan.
- post (is_official, created_at): the official posts to choose an incident from.
- alert (severity_rank, created_at) and (created_at): the queue order when every status is
  shown, and its date range.
- PostgreSQL only: pg_trgm GIN indexes on post.text and post.title, so ILIKE '%…%' substring
  search (Japanese included, any 3+ characters) uses an index. Creating the extension needs
  the right to; without it the search still works, unindexed. SQLite searches with LIKE.
"""

import logging

from alembic import op
import sqlalchemy as sa  # noqa: F401


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
TRGM = (("ix_post_text_trgm", "text"), ("ix_post_title_trgm", "title"))


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.create_index("ix_post_reply", ["platform", "in_reply_to", "created_at"], unique=False)
        batch_op.create_index("ix_post_official", ["is_official", "created_at"], unique=False)
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index("ix_alert_rank", ["severity_rank", "created_at"], unique=False)
        batch_op.create_index("ix_alert_created", ["created_at"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as e:  # noqa: BLE001 - no right to create it: search works, unindexed
        log.warning("pg_trgm unavailable (%s); text search will not use an index", str(e).splitlines()[0])
        return
    for name, column in TRGM:
        op.create_index(name, "post", [column], postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name, _ in TRGM:
            bind.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_created")
        batch_op.drop_index("ix_alert_rank")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("ix_post_official")
        batch_op.drop_index("ix_post_reply")
