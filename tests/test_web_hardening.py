"""The desk's hardening (issue 13): API filters against the store's own filtering, uploads
sniffed by content, formula injection in exports, sessions, throttling, HTTP details."""

from __future__ import annotations

import csv
import io
import re

import pytest

from .web_support import need

need("fastapi", "jinja2", "argon2", "httpx", "sqlalchemy", "xxgk.store")

from .web_support import Desk, synth_text  # noqa: E402

AGENCIES = ["南江县云岭乡人民政府", "临川区石门镇人民政府", "江西省抚州市人民政府", "四川省巴中市南江县教育局", "浙江省司法厅"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = Desk(tmp_path_factory.mktemp("filters") / "corpus.db")
    files = []
    for i, a in enumerate(AGENCIES):
        _, t = synth_text(60 + i, agency=a, year=2023 + i % 2, break_balance=i % 2 == 0)
        files.append((f"r{i}.txt", t.encode()))
    d.upload(files)
    yield d
    d.close()


def _values(corpus, key):
    vals = {getattr(s, key) for s in corpus.store.reports()} - {None}
    assert len(vals) >= 2, (key, vals)  # the fixture must make every filter discriminate
    return sorted(vals, key=str) + ["不存在的值"]


def _cases(corpus):
    for key in ("level", "region", "agency"):
        for v in _values(corpus, key):
            yield {key: v}
            if key == "region":
                yield {key: str(v)[:2]}  # region is a substring match
    for y in (2023, 2024):
        yield {"year": y}
    yield {"has_errors": True}
    yield {"has_errors": False}
    yield {"code": "T3_ROW_SUM"}
    yield {"template": "2021"}
    yield {"template": "2019"}
    yield {"q": "南江"}
    yield {"level": _values(corpus, "level")[0], "year": 2023}


def _csv_ids(body: bytes) -> list[int]:
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    return sorted(int(r["report_id"]) for r in rows)


def test_every_api_filter_matches_the_store(corpus):
    store, client = corpus.store, corpus.client
    checked = 0
    for f in _cases(corpus):
        want = sorted(s.id for s in store.reports(**f))
        got = client.get("/api/reports", params=f | {"limit": 1000}).json()
        assert sorted(i["id"] for i in got["items"]) == want and got["total"] == len(want), f
        r = client.get("/api/export", params=f | {"format": "csv"})
        assert r.status_code == 200 and _csv_ids(r.content) == want, f
        assert client.get("/api/stats", params=f).json() == store.stats(**f).to_json(), f
        checked += 1
    assert checked > 15


def test_every_findings_filter_matches_the_store(corpus):
    store, client = corpus.store, corpus.client
    cases = [{k: v} for k in ("level", "region", "agency") for v in _values(corpus, k)]
    cases += [{"year": 2024}, {"severity": "error"}, {"code": "T3_ROW_SUM"}, {"scope": "report"},
              {"review": "unreviewed"}, {"agency": AGENCIES[0], "severity": "error"}]
    for f in cases:
        want = [x.id for x in store.findings(**f)]
        got = client.get("/api/findings", params=f | {"limit": 1000}).json()["items"]
        assert [x["id"] for x in got] == want, f
    # the bug of issue 13: ?agency= was ignored and ?level= was also read as region and agency
    one = client.get("/api/reports", params={"agency": AGENCIES[1]}).json()
    assert one["total"] == 1 and one["items"][0]["agency"] == AGENCIES[1]


def test_openapi_lists_every_filter(corpus):
    spec = corpus.client.get("/openapi.json").json()["paths"]
    report_filters = {"year", "level", "region", "agency", "has_errors", "code", "template", "q"}
    for path in ("/api/reports", "/api/export", "/api/stats"):
        names = {p["name"] for p in spec[path]["get"]["parameters"]}
        assert report_filters <= names, (path, report_filters - names)
    names = {p["name"] for p in spec["/api/findings"]["get"]["parameters"]}
    assert {"code", "severity", "agency", "year", "level", "region", "review", "scope"} <= names


# ---- 1. files are told apart by content, the same way on every entrance -------------------------


def _docx_report(seed: int, agency: str):
    import random

    from xxgk.synth import random_report
    from xxgk.synth.webdocs import to_docx

    rep = random_report(random.Random(seed), "2021", year=2023, agency=agency)
    return rep, to_docx(rep, seed)


def _zip(members: dict[str, bytes]) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in members.items():
            z.writestr(n, d)
    return buf.getvalue()


def test_a_docx_upload_is_read_as_a_report_not_opened_as_an_archive(tmp_path):
    rep, docx = _docx_report(71, "东坡区永寿镇人民政府")
    _, text = synth_text(72, agency="青原区富田镇人民政府", year=2024)
    d = Desk(tmp_path / "c.db")
    try:
        # a DOCX, a DOCX sent under a .zip name, and a real zip holding a DOCX and a text report
        job = d.upload([("年报.docx", docx), ("误命名.zip", docx),
                        ("批量.zip", _zip({"内/a.docx": docx, "b.txt": text.encode()}))])
        paths = sorted(i["path"] for i in job["items"])
        assert paths == ["年报.docx", "批量.zip!/b.txt", "批量.zip!/内/a.docx", "误命名.zip"]
        assert not any("word/" in p or "[Content_Types]" in p for p in paths)
        by_path = {i["path"]: i for i in job["items"]}
        assert by_path["年报.docx"]["status"] == "stored" and by_path["年报.docx"]["agency"] == "东坡区永寿镇人民政府"
        assert by_path["误命名.zip"]["report_id"] == by_path["年报.docx"]["report_id"]  # same content
        assert by_path["批量.zip!/b.txt"]["agency"] == "青原区富田镇人民政府"
        stored = d.store.reports()
        assert sorted(s.agency for s in stored) == ["东坡区永寿镇人民政府", "青原区富田镇人民政府"]
        assert {s.format for s in stored} == {"docx", "text"}
    finally:
        d.close()


def test_walker_and_ingest_sniff_by_content(tmp_path):
    from xxgk.inputs import walk
    from xxgk.store import open_store
    from xxgk.store.ingest import ingest

    _, docx = _docx_report(73, "东坡区永寿镇人民政府")
    _, text = synth_text(74, agency="青原区富田镇人民政府", year=2024)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "报告.zip").write_bytes(docx)  # a DOCX under an archive's name
    (tmp_path / "in" / "打包.dat").write_bytes(_zip({"x.txt": text.encode(), "inner.bin": _zip({"y.docx": docx})}))
    (tmp_path / "in" / "坏.zip").write_bytes(b"not a zip at all")
    got = [i.path.replace(str(tmp_path / "in") + "/", "") for i in walk([tmp_path / "in"])]
    assert got == ["坏.zip", "打包.dat!/inner.bin!/y.docx", "打包.dat!/x.txt", "报告.zip"]
    with open_store(str(tmp_path / "c.db")) as store:
        res = ingest(store, [tmp_path / "in"], jobs=1)
        assert (res.files, res.stored + res.skipped, res.failed) == (4, 4, 0)
        reports = store.reports(is_report=True)
        assert sorted(s.agency for s in reports) == ["东坡区永寿镇人民政府", "青原区富田镇人民政府"]
        assert sorted(s.format for s in reports) == ["docx", "text"]


# ---- 10. formula injection in exports ------------------------------------------------------------

HOSTILE = {"agency": "=HYPERLINK(\"http://evil.example\",\"点此\")", "title": "+1+cmd|' /C calc'!A0",
           "path": "@SUM(1+1)*cmd.txt"}


@pytest.fixture
def hostile_desk(tmp_path):
    import dataclasses

    from xxgk import parse_bytes

    _, text = synth_text(81, agency="南江县云岭乡人民政府", year=2023)
    report = parse_bytes(text.encode(), "r.txt", path=HOSTILE["path"])
    report.meta = dataclasses.replace(report.meta, agency=HOSTILE["agency"], title=HOSTILE["title"])
    d = Desk(tmp_path / "c.db")
    d.store.add(report)
    _, text2 = synth_text(82, agency="\t-临川区石门镇人民政府", year=2024)  # tab/minus at the start
    d.store.add(parse_bytes(text2.encode(), "-2.txt", path="-2.txt"))
    yield d
    d.close()


def _check_csv(body: bytes, store):
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    texts = [v for r in rows for v in r.values() if v]
    assert texts and not [v for v in texts if v[0] in "=+-@\t\r"], [v for v in texts if v[0] in "=+-@\t\r"]
    bad = next(r for r in rows if r["source_path"] == "'" + HOSTILE["path"])
    assert bad["agency"] == "'" + HOSTILE["agency"] and bad["title"] == "'" + HOSTILE["title"]
    # numbers are numbers: the stored values, unprefixed
    s = store.reports(sha256=bad["sha256"])[0]
    assert bad["year"] == str(s.year) and bad["n_errors"] == str(s.n_errors)
    cell = "requests.new_received.natural_person"
    assert int(bad[cell]) >= 0


def _check_xlsx(body: bytes):
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(body)).worksheets[0]
    header = [c.value for c in ws[1]]
    seen = 0
    for row in ws.iter_rows(min_row=2):
        for c in row:
            assert c.data_type != "f", (c.coordinate, c.value)
            if isinstance(c.value, str) and c.value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert c.data_type == "s" and c.quotePrefix, (c.coordinate, c.value)
                seen += 1
        year = row[header.index("年度")].value
        assert isinstance(year, int)
    values = {c.value for row in ws.iter_rows(min_row=2) for c in row}
    assert {HOSTILE["agency"], HOSTILE["title"], HOSTILE["path"]} <= values  # exactly what the report said
    assert seen >= 4


def test_exports_neutralise_formulas_in_every_path(hostile_desk, tmp_path):
    from xxgk.store.export import export

    store = hostile_desk.store
    export(store, tmp_path / "x.csv")
    _check_csv((tmp_path / "x.csv").read_bytes(), store)
    export(store, tmp_path / "x.xlsx")
    _check_xlsx((tmp_path / "x.xlsx").read_bytes())
    export(store, tmp_path / "long.csv", layout="long")
    long_rows = list(csv.reader(io.StringIO((tmp_path / "long.csv").read_text("utf-8-sig"))))
    assert all(not v or v[0] not in "=+-@\t\r" or re.fullmatch(r"-[0-9.]+", v) for r in long_rows for v in r)
    for url in ("/api/export", "/export"):
        _check_csv(hostile_desk.client.get(url, params={"format": "csv"}).content, store)
        _check_xlsx(hostile_desk.client.get(url, params={"format": "xlsx"}).content)


def test_form_xlsx_keeps_a_hostile_agency_literal(tmp_path):
    from openpyxl import load_workbook

    from xxgk.render.data import ReportData
    from xxgk.render.form_xlsx import read_form, write_form

    rd = ReportData.blank("2021")
    rd.agency = "=WEBSERVICE(\"http://evil.example\")"
    write_form(tmp_path / "f.xlsx", rd=rd)
    ws = load_workbook(tmp_path / "f.xlsx")["填报说明"]
    c = ws["B3"]
    assert c.value == rd.agency and c.data_type == "s" and c.quotePrefix
    assert read_form(tmp_path / "f.xlsx").agency == rd.agency


def test_formula_like_text_and_numbers():
    from xxgk.spreadsheet import csv_safe

    for bad in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", "-", "=", "-8a"):
        assert csv_safe(bad) == "'" + bad
    for fine in ("-8", "+3", "-1.5", "12", "南江县", "", "a=b", 5, -5, None):
        assert csv_safe(fine) == fine


# ---- 11-14. sessions, the gate before the body, throttling, HTTP details -------------------------


def _raw_call(app, method: str, path: str, headers: dict[str, str], chunks: list[bytes], scheme: str = "http"):
    """Drive the ASGI app by hand: (status, headers, body, chunks of the body it pulled)."""
    import asyncio

    pulled = 0
    out: list[dict] = []

    async def receive():
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks)}
        await asyncio.sleep(3600)  # a client that sends nothing more

    async def send(m):
        out.append(m)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": scheme,
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 30))
    start = next(m for m in out if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in out if m["type"] == "http.response.body")
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, body, pulled


def _cookie_header(client) -> str:
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


MB = 1 << 20


def test_anonymous_or_tokenless_upload_is_refused_before_its_body_is_read(tmp_path):
    from xxgk.web.security import hash_password

    d = Desk(tmp_path / "g.db", auth=True)
    try:
        chunk = b"x" * MB
        body = [chunk] * 150  # 150 MB, sent in 1 MB pieces
        ctype = "multipart/form-data; boundary=XyZ"
        token = d.token
        status, headers, text, pulled = _raw_call(d.app, "POST", "/api/uploads", {
            "content-type": ctype, "content-length": str(150 * MB), "x-csrf-token": token,
            "cookie": _cookie_header(d.client)}, body)
        assert status == 401 and pulled == 0 and "登录" in text.decode()
        assert headers["connection"] == "close" and "nosniff" in headers["x-content-type-options"]
        d.store.add_user("张三", hash_password("correct horse"))
        assert d.client.post("/api/login", json={"username": "张三", "password": "correct horse"},
                             headers={"X-CSRF-Token": d.token}).status_code == 200
        cookie = _cookie_header(d.client)
        # signed in, but no token: the header is missing and the form's first 64 KB hold none
        status, _, text, pulled = _raw_call(d.app, "POST", "/api/uploads",
                                            {"content-type": ctype, "content-length": str(150 * MB), "cookie": cookie}, body)
        assert status == 403 and "CSRF" in text.decode() and pulled <= 1
        # the token as the form's first field, read from the first bytes; the rest is handed on
        boundary = b"--XyZ"
        _, good = synth_text(91, agency="青原区富田镇人民政府", year=2024)
        form = (boundary + b'\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + d.token.encode() + b"\r\n"
                + boundary + b'\r\nContent-Disposition: form-data; name="files"; filename="r.txt"\r\n'
                + b"Content-Type: text/plain\r\n\r\n" + good.encode() + b"\r\n" + boundary + b"--\r\n")
        pieces = [form[i : i + 100] for i in range(0, len(form), 100)]
        status, _, text, pulled = _raw_call(d.app, "POST", "/api/uploads", {
            "content-type": ctype, "content-length": str(len(form)), "cookie": cookie}, pieces)
        assert status == 202 and pulled == len(pieces), text
        job = d.app.state.jobs.wait(__import__("json").loads(text)["id"])
        assert [i.agency for i in job.items] == ["青原区富田镇人民政府"]
    finally:
        d.close()


def test_sign_out_and_removal_end_the_session_even_for_a_copied_cookie(tmp_path):
    from fastapi.testclient import TestClient

    from xxgk.web.security import hash_password

    d = Desk(tmp_path / "s.db", auth=True)
    try:
        d.store.add_user("张三", hash_password("correct horse"))

        def signed_in_client():
            c = TestClient(d.app, follow_redirects=False)
            tok = c.get("/api/session").json()["csrf_token"]
            r = c.post("/api/login", json={"username": "张三", "password": "correct horse"}, headers={"X-CSRF-Token": tok})
            assert r.status_code == 200
            return c

        def who(cookies: dict) -> str | None:
            c = TestClient(d.app)
            c.cookies.update(cookies)
            return c.get("/api/session").json()["user"]

        def can_write(cookies: dict) -> int:
            c = TestClient(d.app)
            c.cookies.update(cookies)
            tok = c.get("/api/session").json()["csrf_token"]
            return c.delete("/api/findings/0123456789abcdef/review", headers={"X-CSRF-Token": tok}).status_code

        # sign-out: the cookie copied before it no longer signs anyone in
        c = signed_in_client()
        stolen = dict(c.cookies)
        assert who(stolen) == "张三" and can_write(stolen) == 204
        c.post("/api/logout", headers={"X-CSRF-Token": c.get("/api/session").json()["csrf_token"]})
        assert who(stolen) is None and can_write(stolen) == 401
        # removal of the reviewer (as `xxgk users remove` does, from another process)
        c = signed_in_client()
        kept = dict(c.cookies)
        assert who(kept) == "张三"
        assert d.store.remove_user("张三")
        assert who(kept) is None and can_write(kept) == 401
        # a new password ends the sessions of the old one
        d.store.add_user("张三", hash_password("correct horse"))
        c = signed_in_client()
        kept = dict(c.cookies)
        d.store.add_user("张三", hash_password("another horse"), replace=True)
        assert who(kept) is None
    finally:
        d.close()


def test_chunked_body_over_the_limit_gets_413_with_the_security_headers(tmp_path):
    from xxgk.web.uploads import Limits

    d = Desk(tmp_path / "l.db", limits=Limits(max_request_bytes=2 * MB))
    try:
        token = d.token
        base = {"x-csrf-token": token, "cookie": _cookie_header(d.client),
                "content-type": "multipart/form-data; boundary=XyZ"}
        part = (b'--XyZ\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n\r\n')
        chunks = [part] + [b"y" * (256 * 1024)] * 12  # 3 MB, no Content-Length: chunked
        status, headers, text, _ = _raw_call(d.app, "POST", "/api/uploads", base, chunks)
        assert status == 413 and "超过2 MB" in text.decode()
        for h in ("content-security-policy", "x-content-type-options", "x-frame-options"):
            assert h in headers, h
        status, headers, _, pulled = _raw_call(d.app, "POST", "/api/uploads", base | {"content-length": str(3 * MB)}, chunks)
        assert status == 413 and pulled == 0 and "default-src 'self'" in headers["content-security-policy"]
    finally:
        d.close()


def test_session_cookie_is_secure_with_the_option_or_over_https(tmp_path):
    from fastapi.testclient import TestClient

    from xxgk.store import open_store
    from xxgk.web import create_app

    store = open_store(str(tmp_path / "c.db"))
    try:
        def cookie(app, base_url):
            with TestClient(app, base_url=base_url) as c:
                return c.get("/api/session").headers["set-cookie"].lower()

        plain = create_app(store=store, secret="s")
        assert "secure" not in cookie(plain, "http://testserver")
        assert "secure" in cookie(plain, "https://testserver")  # as uvicorn sets it behind a trusted proxy
        forced = create_app(store=store, secret="s", secure_cookies=True)
        c = cookie(forced, "http://testserver")
        assert "secure" in c and "httponly" in c and "samesite=lax" in c
    finally:
        store.close()


# ---- 7. uploads are parsed in bounded worker processes -------------------------------------------


def _children(pid: int) -> list[tuple[int, bytes]]:
    """(pid, command line) of the live children of a process."""
    from pathlib import Path

    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                fields = stat[stat.rindex(")") + 2 :].split()
                if fields[0] != "Z" and int(fields[1]) == pid:
                    out.append((int(d.name), (d / "cmdline").read_bytes()))
            except (OSError, ValueError):
                pass
    return out


def _parse_workers(pid: int) -> list[int]:
    """The worker processes of this process's forkserver."""
    servers = [p for p, cmd in _children(pid) if b"forkserver" in cmd]
    return [p for s in servers for p, _ in _children(s)]


def test_a_slow_or_huge_upload_is_bounded_and_does_not_stall_the_desk(tmp_path):
    import os
    import time

    from xxgk.web.jobs import ParseLimits

    limits = ParseLimits(workers=2, seconds=5, memory_mb=256, target="tests.desk_parse_probe:parse_task")
    d = Desk(tmp_path / "p.db", parse=limits)
    try:
        _, good = synth_text(101, agency="青原区富田镇人民政府", year=2024)
        _, good2 = synth_text(102, agency="东坡区永寿镇人民政府", year=2023)
        h = {"X-CSRF-Token": d.token}
        t0 = time.monotonic()
        r = d.client.post("/api/uploads", headers=h, files=[("files", (n, data, "text/plain")) for n, data in
                                                              [("slow.txt", b"x"), ("huge.txt", b"y"), ("good.txt", good.encode())]])
        assert r.status_code == 202 and time.monotonic() - t0 < 2
        first = r.json()["id"]
        r = d.client.post("/api/uploads", headers=h, files=[("files", ("next.txt", good2.encode(), "text/plain"))])
        second = r.json()["id"]
        # the desk answers while a worker is stuck on the slow file
        latencies = []
        while not d.app.state.jobs.get(first).finished and time.monotonic() - t0 < 30:
            t = time.monotonic()
            assert d.client.get("/api/reports").status_code == 200
            assert d.client.get("/", headers={"Accept": "text/html"}).status_code == 200
            latencies.append(time.monotonic() - t)
            time.sleep(0.05)
        # a GET held behind the parse would take the whole time limit (5 s); the machine is shared,
        # so the bound is loose, the median tight
        latencies.sort()
        assert len(latencies) >= 10 and latencies[len(latencies) // 2] < 0.3 and latencies[-1] < 2.5, latencies
        job = d.app.state.jobs.wait(first, 30)
        took = time.monotonic() - t0
        assert 5 <= took < 20  # held for the time limit, no longer
        items = {i.path: i for i in job.items}
        assert items["slow.txt"].status == "failed" and items["slow.txt"].message.startswith("解析超过5秒仍未完成")
        assert items["huge.txt"].status == "failed" and "内存超过256 MB" in items["huge.txt"].message
        assert items["good.txt"].status == "stored" and items["good.txt"].agency == "青原区富田镇人民政府"
        # the next upload was not held behind the slow file, and the pool still has its two workers
        nxt = d.app.state.jobs.wait(second, 30)
        assert [i.status for i in nxt.items] == ["stored"]
        assert nxt.started + nxt.seconds < job.started + job.seconds
        pool = d.app.state.jobs._parsers
        live = [p.pid for p, _ in pool._all if p.is_alive()]
        assert len(live) == 2 and set(live) <= set(_parse_workers(os.getpid()))
        # the failures are listed with their reasons on the job page
        assert "解析超过5秒" in d.page(f"/jobs/{first}")
    finally:
        d.close()


def test_other_authenticators_skip_csrf_but_not_the_sign_in(tmp_path):
    """The hook for credentials a browser does not send by itself (API tokens)."""
    from xxgk.web import security

    def by_header(scope, store):
        return "机器人" if (b"x-test-user", b"ok") in scope.get("headers", []) else None

    d = Desk(tmp_path / "h.db", auth=True)
    security.AUTHENTICATORS.append(by_header)
    try:
        url = "/api/findings/0123456789abcdef/review"
        assert d.client.delete(url).status_code == 401  # nobody: refused before the body
        assert d.client.delete(url, headers={"X-Test-User": "bad"}).status_code == 401
        assert d.client.delete(url, headers={"X-Test-User": "ok"}).status_code == 204  # no CSRF needed
    finally:
        security.AUTHENTICATORS.remove(by_header)
        d.close()


def test_html_sign_in_is_throttled_the_same_way(tmp_path):
    import re as _re

    from xxgk.web.security import hash_password

    d = Desk(tmp_path / "t.db", auth=True)
    d.app.state.login_throttle.clock = lambda: 50.0  # time stands still: the wait never passes
    try:
        d.store.add_user("王五", hash_password("right password"))
        tok = _re.search(r'name="csrf_token" value="([^"]+)"', d.page("/login")).group(1)

        def attempt(pw):
            return d.client.post("/login", data={"csrf_token": tok, "username": "王五", "password": pw},
                                 headers={"Accept": "text/html"})

        assert [attempt("x").status_code for _ in range(3)] == [401, 401, 401]
        r = attempt("right password")
        assert r.status_code == 429 and r.headers["Retry-After"] == "1" and "请1秒后再试" in r.text
        assert "王五" in r.text  # the form keeps the name
    finally:
        d.close()


def test_body_limit_lets_an_application_error_through_as_itself():
    """An error inside the application passes BodyLimit unchanged (its `except` clause once named
    an undefined class, which turned every such error into a NameError)."""
    import asyncio

    from xxgk.web.app import BodyLimit

    async def failing_app(scope, receive, send):
        await receive()
        raise RuntimeError("boom")

    async def receive():
        return {"type": "http.request", "body": b"x", "more_body": False}

    async def send(message):
        pass

    with pytest.raises(RuntimeError, match="boom"):
        asyncio.run(BodyLimit(failing_app, 10)({"type": "http", "headers": []}, receive, send))
