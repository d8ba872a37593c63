"""Fixtures of the corpus tests: the same tests run on SQLite and on PostgreSQL.

PostgreSQL: $XXGK_TEST_PG (default postgresql://postgres@127.0.0.1:5432/test); each test gets
a fresh schema, dropped afterwards.  When the server cannot be reached the PostgreSQL variants
are skipped — except under CI (env CI set), where they fail.
"""

from __future__ import annotations

import os
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("XXGK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def seeds_dir() -> Path | None:
    for p in (os.environ.get("XXGK_SEEDS"), ROOT.parent / "shared" / "seeds"):
        if p and Path(p).is_dir():
            return Path(p)
    return None


_pg_state: dict[str, object] = {}


def _pg_engine():
    """An engine on the test server, or None (with the reason) when it cannot be reached."""
    if "engine" not in _pg_state:
        import sqlalchemy as sa

        from xxgk.store.db import database_url

        try:
            engine = sa.create_engine(database_url(PG_URL), connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            _pg_state["engine"] = engine
        except Exception as exc:  # unreachable, no driver, bad credentials
            _pg_state["engine"] = None
            _pg_state["reason"] = f"{type(exc).__name__}: {exc}"
    return _pg_state["engine"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A database URL for a fresh, empty corpus."""
    if request.param == "sqlite":
        yield str(tmp_path / "corpus.db")
        return
    engine = _pg_engine()
    if engine is None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_URL} is required under CI: {_pg_state['reason']}")
        pytest.skip(f"PostgreSQL at {PG_URL} not reachable: {_pg_state['reason']}")
    import sqlalchemy as sa

    schema = f"xxgk_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def store(db_url):
    from xxgk.store import open_store

    s = open_store(db_url)
    yield s
    s.close()


@dataclass
class Synth:
    path: Path
    report: object  # xxgk.synth.SynthReport


def write_synth(folder: Path, n: int, seed: int = 0, *, agencies: int | None = None, layouts=None) -> list[Synth]:
    """n synthetic reports (both templates, every layout) as text files under folder.  With
    `agencies`, reports are spread over that many agencies with consecutive years."""
    from xxgk.synth import random_report
    from xxgk.synth.layouts import LAYOUTS, write

    layouts = layouts or LAYOUTS
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    out = []
    names: list[tuple[str, int]] = []
    for i in range(n):
        r_rng = random.Random(seed * 7919 + i)
        if agencies:
            k = i % agencies
            if k >= len(names):
                rep = random_report(r_rng, year=rng.randint(2019, 2022))
                names.append((rep.agency, rep.year))
            else:
                agency, last = names[k]
                rep = random_report(r_rng, year=last + 1, agency=agency)
                names[k] = (agency, last + 1)
        else:
            rep = random_report(r_rng)
        p = folder / f"r{i:05d}.txt"
        p.write_text(write(rep, layouts[i % len(layouts)], r_rng), encoding="utf-8")
        out.append(Synth(p, rep))
    return out
