"""Database URLs, engines and migrations.

`--db` and XXGK_DB take a file path (SQLite) or a URL (postgresql://…, sqlite:///…).  Opening a
database brings its schema to the newest migration shipped inside the package
(xxgk/store/migrations), so an upgraded xxgk upgrades an existing corpus without losing data.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

DEFAULT_DB = "xxgk.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StoreError(Exception):
    """The database cannot be opened or used; the message is one Chinese sentence for the user."""


def database_url(db: str | os.PathLike | None = None) -> str:
    """The SQLAlchemy URL for `db` (a path or a URL); None → $XXGK_DB, else ./xxgk.db."""
    db = os.fspath(db) if db is not None else (os.environ.get("XXGK_DB") or DEFAULT_DB)
    if "://" not in db:
        return "sqlite:///" + str(Path(db).expanduser().resolve())
    scheme, rest = db.split("://", 1)
    if scheme in ("postgresql", "postgres", "pgsql"):
        return "postgresql+psycopg://" + rest
    return db


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    u = sa.engine.make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database).resolve()


def make_engine(url: str) -> sa.Engine:
    u = sa.engine.make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is not None and not path.parent.is_dir():
            raise StoreError(f"数据库所在的文件夹不存在：{path.parent}")
        engine = sa.create_engine(u, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by every SQLite test
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers never block the ingest, crash-safe
            cur.execute("PRAGMA synchronous=NORMAL")  # consistent after a crash; fsync at checkpoints
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA cache_size=-32768")  # 32 MB page cache
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.execute("PRAGMA wal_autocheckpoint=8192")  # checkpoint (and fsync) every 32 MB of WAL
            cur.close()

        return engine
    if backend == "postgresql":
        try:
            return sa.create_engine(u, pool_pre_ping=True)
        except ModuleNotFoundError as exc:  # `pip install .` without the extra
            raise StoreError(f"连接 PostgreSQL 需要安装可选依赖：pip install 'xxgk[store]'（缺少 {exc.name}）") from None
    raise StoreError(f"不支持的数据库：{backend}（支持 SQLite 文件与 PostgreSQL）")


def _alembic_config(connection: sa.Connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision(connection: sa.Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


MIGRATION_LOCK = 7470301  # PostgreSQL advisory lock keys of xxgk
CROSS_YEAR_LOCK = 7470302
TOTALS_LOCK = 7470303  # the choice of the counted file per agency key and year (report_totals.counted)


def lock_for_write(conn: sa.Connection, key: int | None = None) -> None:
    """Serialise this transaction with the other writers, as its first statement.

    SQLite: BEGIN IMMEDIATE takes the database's write lock now (waiting for another writer up
    to the busy timeout), so what the transaction reads stays true until it commits — the
    driver would otherwise run the first SELECTs outside any transaction and begin only at the
    first INSERT, after another process may have written the same rows.  PostgreSQL: with a
    `key`, a transaction-level advisory lock (released at commit or rollback); rows are
    otherwise protected by the database's own isolation and constraints."""
    if conn.dialect.name == "sqlite":
        if not conn.connection.driver_connection.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql" and key is not None:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def migrate(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (no-op when it is there already)."""
    from alembic import command

    head = head_revision()
    with engine.connect() as conn:
        if current_revision(conn) == head:
            return
    with engine.begin() as conn:
        # two processes opening a new database at once: one migrates, the other waits
        lock_for_write(conn, MIGRATION_LOCK)
        if current_revision(conn) == head:
            return
        command.upgrade(_alembic_config(conn), "head")
