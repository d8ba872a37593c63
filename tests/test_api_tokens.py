"""API tokens (issue 14, item 15): `xxgk users token` issues one, a script writes with
`Authorization: Bearer …` and no cookie or CSRF token, revocation works, only the SHA-256 is kept;
the curl and Python examples of docs/api-tokens.md run against a live `xxgk serve --auth`."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .web_support import Desk, need, synth_text

need("fastapi", "argon2", "uvicorn")

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "api-tokens.md").read_text(encoding="utf-8")


def _xxgk(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xxgk", *args], capture_output=True, text=True, timeout=120, **kw)


def _token(db, name="张三", *extra) -> str:
    r = _xxgk("users", "token", name, "--db", str(db), *extra)
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    assert re.fullmatch(r"xxgk_[A-Za-z0-9_\-]{43}", token)
    return token


@pytest.fixture
def db(tmp_path):
    db = tmp_path / "c.db"
    r = _xxgk("users", "add", "张三", "--db", str(db), "--password-stdin", input="password-of-zhang\n")
    assert r.returncode == 0, r.stderr
    return db


def _error_finding_key(desk) -> str:
    rep, text = synth_text(3, break_balance=True)
    r = desk.client.post("/api/uploads?wait=true", files=[("files", ("r.txt", text.encode(), "text/plain"))],
                         headers={"Authorization": f"Bearer {desk.api_token}"})
    assert r.status_code == 202, r.text
    items = desk.client.get("/api/findings", params={"severity": "error"}).json()["items"]
    return items[0]["key"]


def test_token_writes_without_cookie_or_csrf_and_revocation_stops_it(db):
    token = _token(db)
    desk = Desk(db, auth=True)
    desk.api_token = token
    try:
        key = _error_finding_key(desk)  # an upload with the token: 202, no session, no CSRF
        assert not desk.client.cookies  # no cookie was ever set or sent
        body = {"status": "confirmed", "comment": "脚本确认"}
        ok = desk.client.put(f"/api/findings/{key}/review", json=body, headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200, ok.text
        assert ok.json()["reviewer"] == "张三"
        # without the token: refused before the body is read (not signed in); a wrong or malformed token: 401
        anon = desk.client.put(f"/api/findings/{key}/review", json=body)
        assert anon.status_code == 401 and anon.json()["detail"] == "请先登录审核员账号"
        for bad in (f"Bearer {token[:-1]}x", "Bearer xxgk_nothing", "Basic dXNlcjpwdw==", "Bearer "):
            r = desk.client.put(f"/api/findings/{key}/review", json=body, headers={"Authorization": bad})
            assert r.status_code == 401, (bad, r.status_code)
        # revoked by its number: the next request is refused
        r = _xxgk("users", "revoke-token", "1", "--db", str(db))
        assert r.returncode == 0 and "已撤销 1 个" in r.stdout
        r = desk.client.put(f"/api/findings/{key}/review", json=body, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
    finally:
        desk.close()


def test_only_the_sha256_is_kept_and_listing_never_shows_a_token(db):
    token = _token(db, "张三", "--label", "夜间入库")
    raw = db.read_bytes() + b"".join(p.read_bytes() for p in db.parent.glob("c.db-*"))
    assert token.encode() not in raw
    con = sqlite3.connect(db)
    (stored,) = con.execute("SELECT token_sha256 FROM api_tokens").fetchone()
    con.close()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    listing = _xxgk("users", "tokens", "--db", str(db)).stdout
    assert "夜间入库" in listing and token[:12] in listing and token not in listing
    # revoking by prefix and by reviewer name
    second = _token(db)
    assert _xxgk("users", "revoke-token", second[:12], "--db", str(db)).returncode == 0
    assert _xxgk("users", "revoke-token", "张三", "--db", str(db)).stdout.startswith("已撤销 1 个")
    assert _xxgk("users", "tokens", "--db", str(db)).stdout.startswith("没有 API 令牌")
    r = _xxgk("users", "token", "李四", "--db", str(db))
    assert r.returncode == 1 and "没有用户“李四”" in r.stderr


def test_removing_the_reviewer_revokes_their_tokens(db):
    token = _token(db)
    assert _xxgk("users", "remove", "张三", "--db", str(db)).returncode == 0
    desk = Desk(db)
    try:
        r = desk.client.put("/api/findings/x/review", json={"status": "confirmed"},
                            headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
    finally:
        desk.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _block(lang: str) -> str:
    return re.search(rf"```{lang}\n(.*?)```", DOC, re.S).group(1)


def test_the_documented_curl_and_python_examples_work(db, tmp_path):
    port = _free_port()
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "xxgk", "serve", "--db", str(db), "--port", str(port), "--auth"],
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/api/session", timeout=2).read()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
        _, text = synth_text(5, break_balance=True)
        (tmp_path / "年报.txt").write_text(text, encoding="utf-8")
        bindir = Path(sys.executable).parent  # `xxgk` of this environment first on PATH
        env = {**os.environ, "XXGK_URL": base, "XXGK_DB": str(db), "PATH": f"{bindir}:{os.environ['PATH']}"}
        script = _block("bash") + '\necho "TOKEN=$TOKEN"\n'
        r = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        assert '"finished":true' in r.stdout.replace(" ", "") and '"stored"' in r.stdout
        token = re.search(r"TOKEN=(\S+)", r.stdout).group(1)
        r = subprocess.run([sys.executable, "-c", _block("python")], env={**env, "XXGK_TOKEN": token},
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "confirmed 张三"
        assert "It prints `confirmed 张三`" in DOC
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
