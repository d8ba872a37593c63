"""Alembic migrations of the corpus database, shipped with the package and run by `open_store`.

To add one: write ``versions/NNNN_what.py`` with ``revision``, ``down_revision`` (the previous
file's revision), ``upgrade()`` and ``downgrade()`` using ``alembic.op``; change ``schema.py`` to
match (tests/corpus/test_migrations.py compares the two on SQLite and PostgreSQL)."""
