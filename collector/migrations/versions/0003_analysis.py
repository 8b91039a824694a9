"""analysis: alerts that grow in place (threads, repeated claims, spikes) and the running totals behind them

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_STR = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_key", _STR(length=500), nullable=True))
        batch_op.add_column(sa.Column("post_count", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("last_seen_at", _TIME(), nullable=True))
        batch_op.create_index("ix_alert_group", ["kind", "group_key", "created_at"], unique=False)

    op.create_table(
        "threadstat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", _STR(length=32), nullable=False),
        sa.Column("root_external_id", _STR(length=500), nullable=False),
        sa.Column("account", _STR(length=300), nullable=False, server_default=""),
        sa.Column("root_created_at", _TIME(), nullable=True),
        sa.Column("replies", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("hostile", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("hostile_authors", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("threats", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("peak_hour_replies", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("first_reply_at", _TIME(), nullable=True),
        sa.Column("last_reply_at", _TIME(), nullable=True),
        sa.Column("pile_on_at", _TIME(), nullable=True),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", _TIME(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "root_external_id", name="uq_threadstat_root"),
    )
    with op.batch_alter_table("threadstat", schema=None) as batch_op:
        batch_op.create_index("ix_threadstat_account", ["platform", "account", "root_created_at"], unique=False)

    op.create_table(
        "threadauthor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author", _STR(length=300), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["threadstat.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("thread_id", "author", name="uq_threadauthor"),
    )
    op.create_table(
        "threadreply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("author", _STR(length=300), nullable=False, server_default=""),
        sa.Column("score", sa.Float(), nullable=False, server_default="0"),
        sa.Column("threat", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("snippet", sa.Text(), nullable=True),
        sa.Column("created_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["thread_id"], ["threadstat.id"]),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("thread_id", "post_id", name="uq_threadreply"),
    )
    with op.batch_alter_table("threadreply", schema=None) as batch_op:
        batch_op.create_index("ix_threadreply_rank", ["thread_id", "threat", "score"], unique=False)

    op.create_table(
        "threadbucket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("bucket_start", _TIME(), nullable=False),
        sa.Column("replies", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("hostile", sa.Integer(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(["thread_id"], ["threadstat.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("thread_id", "bucket_start", name="uq_threadbucket"),
    )
    op.create_table(
        "topicvolume",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", _STR(length=200), nullable=False),
        sa.Column("hour_start", _TIME(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("topic", "hour_start", name="uq_topicvolume"),
    )
    op.create_table(
        "alertpost",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False, server_default="0"),
        sa.Column("confirmed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"]),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "post_id", name="uq_alertpost"),
    )
    with op.batch_alter_table("alertpost", schema=None) as batch_op:
        batch_op.create_index("ix_alertpost_post", ["post_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alertpost", schema=None) as batch_op:
        batch_op.drop_index("ix_alertpost_post")
    op.drop_table("alertpost")
    op.drop_table("topicvolume")
    op.drop_table("threadbucket")
    with op.batch_alter_table("threadreply", schema=None) as batch_op:
        batch_op.drop_index("ix_threadreply_rank")
    op.drop_table("threadreply")
    op.drop_table("threadauthor")
    with op.batch_alter_table("threadstat", schema=None) as batch_op:
        batch_op.drop_index("ix_threadstat_account")
    op.drop_table("threadstat")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_group")
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("post_count")
        batch_op.drop_column("group_key")
