"""Alembic environment: the schema is `collector.store`'s SQLModel metadata."""

from alembic import context
from sqlmodel import SQLModel

import collector.store  # noqa: F401  (registers the tables)
from collector.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
