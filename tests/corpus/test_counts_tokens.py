"""Store.counts and the API-token store methods on both backends (SQLite and PostgreSQL)."""

import hashlib
from pathlib import Path

from xxgk import parse_bytes
from xxgk.store import open_store

RENDERED = Path(__file__).resolve().parents[2] / "examples" / "rendered"


def test_counts_files_and_reports(store):
    for suffix in ("txt", "html"):
        p = RENDERED / f"西山县云岭镇人民政府-2024-2021模板.{suffix}"
        store.add(parse_bytes(p.read_bytes(), p.name, path=str(p)))
    p = RENDERED / "西山县云岭镇人民政府-2023-2021模板.txt"
    store.add(parse_bytes(p.read_bytes(), p.name, path=str(p)))
    store.add(parse_bytes("会议通知\n请各单位按时参加。\n".encode(), "通知.txt", path="通知.txt"))
    c = store.counts()
    assert (c.files, c.reports, c.not_reports, c.duplicates) == (4, 2, 1, 1)
    assert store.counts(year=2024).reports == 1 and store.counts(year=2024).files == 2
    stats = store.stats()
    assert sum(g.reports for g in stats.groups) == c.reports and stats.duplicates == c.duplicates


def test_tokens_kept_hashed_and_revoked(store):
    assert store.add_user("张三", "argon2-hash-placeholder")
    sha = hashlib.sha256(b"xxgk_token-one").hexdigest()
    tid = store.add_token("张三", sha, "xxgk_token-o", "脚本")
    assert store.token_user(sha) == "张三"
    (row,) = store.tokens()
    assert row["id"] == tid and row["prefix"] == "xxgk_token-o" and row["last_used_at"] is not None
    assert store.token_user(hashlib.sha256(b"xxgk_other").hexdigest()) is None
    assert store.revoke_token(str(tid)) == 1 and store.token_user(sha) is None
    store.add_token("张三", sha, "xxgk_token-o")
    assert store.remove_user("张三") and store.token_user(sha) is None and store.tokens() == []


def test_read_only_open_refuses_a_missing_corpus(db_url):
    import pytest

    from xxgk.store import StoreError

    with pytest.raises(StoreError):
        open_store(db_url, create=False)
    open_store(db_url).close()  # created
    open_store(db_url, create=False).close()  # now it opens
