"""Alembic environment: xxgk passes the open connection in ``config.attributes``."""

from alembic import context

from xxgk.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    import sqlalchemy as sa

    from xxgk.store.db import database_url

    connection = sa.create_engine(database_url(config.get_main_option("sqlalchemy.url"))).connect()

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE via copy on SQLite
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
