"""The web desk through FastAPI's TestClient: upload → report page → findings → review → corpus,
with the values checked against the parser and the statistics against independent sums."""

import io
import json
import re
import zipfile
from decimal import Decimal
from html import unescape

import pytest

from .web_support import need

need("fastapi", "jinja2", "argon2", "httpx", "sqlalchemy", "xxgk.store")

from xxgk import parse_bytes  # noqa: E402
from xxgk.form import fmt  # noqa: E402
from xxgk.report import _json_default  # noqa: E402

from .conftest import seed_path  # noqa: E402
from .web_support import Desk, synth_text  # noqa: E402


@pytest.fixture
def desk(tmp_path):
    d = Desk(tmp_path / "corpus.db")
    yield d
    d.close()


def _seeds():
    return [(p.name, p.read_bytes()) for p in (seed_path(k) for k in ("000", "001", "002", "003", "004"))]


def _canonical(report) -> dict:
    return json.loads(json.dumps(report.to_json(), ensure_ascii=False, default=_json_default))


def test_upload_seeds_lists_what_came_in_and_serves_the_canonical_json(desk):
    seeds = _seeds()
    job = desk.upload(seeds)
    assert job["finished"] and job["total"] == 5 and job["counts"]["stored"] == 5
    by_path = {i["path"]: i for i in job["items"]}
    for name, data in seeds:
        item = by_path[name]
        assert item["status"] == "stored" and item["report_id"]
        expected = parse_bytes(data, name, path=name)
        got = desk.client.get(f"/api/reports/{item['report_id']}").json()
        want = _canonical(expected)
        assert got["schema"] == "xxgk.report/1"
        for key in ("active", "requests", "appeals", "meta", "template"):
            assert got[key] == want[key], (name, key)
        assert sorted(f["code"] for f in got["findings"]) == sorted(f["code"] for f in want["findings"])
        assert got["provenance"] == want["provenance"]
        assert item["agency"] == expected.meta.agency and item["year"] == expected.meta.year
    listing = desk.client.get("/api/reports", params={"limit": 2}).json()
    assert listing["total"] == 5 and len(listing["items"]) == 2
    # the job page lists every file with a link to its report
    html = desk.page(f"/jobs/{job['id']}")
    for item in job["items"]:
        assert f'href="/reports/{item["report_id"]}"' in html
    # the same files again: nothing new, every file still points at its report
    again = desk.upload(seeds)
    assert again["counts"]["skipped"] == 5 and again["counts"]["stored"] == 0
    assert {i["path"]: i["report_id"] for i in again["items"]} == {i["path"]: i["report_id"] for i in job["items"]}


def test_report_page_draws_every_value_in_the_form_and_flags_the_broken_cells(desk):
    rep, text = synth_text(21, break_balance=True)
    job = desk.upload([("broken.txt", text.encode())])
    rid = job["items"][0]["report_id"]
    assert job["items"][0]["n_errors"] >= 2
    html = desk.page(f"/reports/{rid}")
    cells = dict(re.findall(r'<td class="v [^"]*"[^>]*data-slot="([\w.]+)"[^>]*><a[^>]*>([^<]*)</a>', html))
    for table, rows in rep.values.items():
        for row, cols in rows.items():
            for col, v in cols.items():
                assert cells[f"{table}.{row}.{col}"] == fmt(Decimal(str(v)) if isinstance(v, float) else v), (table, row, col)
    td = re.search(r'<td class="([^"]*)"[^>]*data-slot="requests.new_received.natural_person"', html).group(1)
    assert "flag-error" in td
    td = re.search(r'<td class="([^"]*)"[^>]*data-slot="appeals.reconsideration.upheld"', html).group(1)
    assert "flag" not in td
    assert "T3_ROW_SUM" in html and "T3_BALANCE" in html
    # the merged label cells of the national form are there (from xxgk.form)
    assert re.search(r'<th class="group" rowspan="\d+"[^>]*>三、本年度办理结果</th>', html)


def test_cell_source_shows_the_line_it_was_read_from(desk):
    rep, text = synth_text(8)
    job = desk.upload([("r.txt", text.encode())])
    rid = job["items"][0]["report_id"]
    src = desk.client.get(f"/api/reports/{rid}/cells/requests.granted.total", params={"context": 1}).json()
    lines = text.split("\n")
    assert src["value"] == str(rep.values["requests"]["granted"]["total"])
    assert src["status"] == "read" and src["raw"] == src["value"]
    assert lines[src["line"] - 1].startswith(("（一）", "三、本年度办理结果")) and "予以公开" in lines[src["line"] - 1]
    assert [c["text"] for c in src["context"]] == lines[src["line"] - 2 : src["line"] + 1]
    # without script: the page renders the same source panel
    html = unescape(desk.page(f"/reports/{rid}?cell=requests.granted.total"))
    assert f"第{src['line']}行" in html and lines[src["line"] - 1].split("\t")[-1] in html
    assert desk.client.get(f"/api/reports/{rid}/cells/requests.nope.total").status_code == 404
    assert desk.client.get("/api/reports/999/cells/requests.granted.total").status_code == 404


def test_report_page_and_api_say_where_the_agency_and_year_came_from(desk):
    """The agency of a page without a title comes from its contact sentence; the report page says so
    in Chinese, quoting the sentence and its line, and the API's JSON carries the same sources."""
    from pathlib import Path

    meta = Path(__file__).parent / "fixtures" / "meta"
    files = [(n, (meta / n).read_bytes()) for n in ("contact_only.txt", "fuller_contact.txt", "pipe_title.txt", "silent.txt")]
    job = desk.upload(files)
    rid = {i["path"]: i["report_id"] for i in job["items"]}
    html = unescape(desk.page(f"/reports/{rid['contact_only.txt']}"))
    assert "机关名称来源：联系方式「请与青禾市东岭区石泉镇人民政府办公室联系」（第1行）" in html
    assert "年度来源：正文所述年份" in html
    html = unescape(desk.page(f"/reports/{rid['fuller_contact.txt']}"))
    assert "机关名称来源：联系方式「请与青禾县松涧镇人民政府联系」（第5行）" in html
    assert "其他说法：编制说明「松涧镇」第1行" in html
    html = unescape(desk.page(f"/reports/{rid['pipe_title.txt']}"))
    assert "机关名称来源：标题「青禾县常丰镇人民政府 2024年政府信息公开工作年度报告」（第2行）" in html
    html = unescape(desk.page(f"/reports/{rid['silent.txt']}"))
    assert "机关名称来源：未识别" in html and "MISSING_AGENCY" in html
    for name, data in files:
        got = desk.client.get(f"/api/reports/{rid[name]}").json()
        assert got["meta"] == _canonical(parse_bytes(data, name, path=name))["meta"], name
    assert desk.client.get(f"/api/reports/{rid['silent.txt']}").json()["meta"]["provenance"]["agency"] == {"source": None}
    listed = {i["id"]: i for i in desk.client.get("/api/reports").json()["items"]}
    assert (listed[rid["contact_only.txt"]]["agency_source"], listed[rid["contact_only.txt"]]["year_source"]) == ("contact", "body")
    assert listed[rid["pipe_title.txt"]]["agency_raw"] == "青禾县常丰镇人民政府 2024年政府信息公开工作年度报告"


def test_review_is_stored_and_survives_reingest_and_reparse(desk):
    from xxgk.store.rows import report_rows

    _, text = synth_text(4, break_balance=True)
    data = text.encode()
    job = desk.upload([("b.txt", data)])
    rid = job["items"][0]["report_id"]
    found = desk.client.get(f"/api/reports/{rid}/findings").json()
    target = next(f for f in found if f["code"] == "T3_BALANCE")
    # no token → refused
    r = desk.client.put(f"/api/findings/{target['key']}/review", json={"status": "dismissed", "comment": "x"})
    assert r.status_code == 403
    r = desk.client.put(f"/api/findings/{target['key']}/review", json={"status": "dismissed", "comment": "原件如此，已电话核实"},
                        headers={"X-CSRF-Token": desk.token})
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    # the same file uploaded again; then re-parsed as by a newer parser version
    desk.upload([("again.txt", data)])
    desk.store.write([report_rows(parse_bytes(data, "b.txt", path="b.txt"), parser_version="next")])
    rows = desk.client.get("/api/findings", params={"code": "T3_BALANCE", "review": "dismissed"}).json()["items"]
    assert [(r["key"], r["review"]["comment"]) for r in rows] == [(target["key"], "原件如此，已电话核实")]
    assert desk.client.get("/api/reports").json()["total"] == 1
    # cleared
    assert desk.client.delete(f"/api/findings/{target['key']}/review", headers={"X-CSRF-Token": desk.token}).status_code == 204
    assert desk.client.get("/api/findings", params={"review": "dismissed"}).json()["items"] == []
    assert desk.client.put("/api/findings/nope/review", json={"status": "confirmed"},
                           headers={"X-CSRF-Token": desk.token}).status_code == 404


def test_review_form_needs_the_csrf_token_and_shows_the_verdict(desk):
    _, text = synth_text(6, break_balance=True)
    rid = desk.upload([("b.txt", text.encode())])["items"][0]["report_id"]
    html = desk.page(f"/reports/{rid}")
    key = re.search(r'name="key" value="([0-9a-f]+)"', html).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    form = {"key": key, "status": "dismissed", "comment": "<b>说明</b>", "next": f"/reports/{rid}"}
    assert desk.client.post("/review", data=form).status_code == 403
    assert desk.client.post("/review", data={**form, "csrf_token": "forged"}).status_code == 403
    r = desk.client.post("/review", data={**form, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"/reports/{rid}#f-{key}"
    html = desk.page(f"/reports/{rid}")
    li = re.search(rf'<li id="f-{key}".*?</li>', html, re.S).group(0)
    assert "已驳回" in li and "&lt;b&gt;说明&lt;/b&gt;" in li and "<b>说明" not in li
    # an open redirect is not possible through `next`
    r = desk.client.post("/review", data={**form, "csrf_token": token, "next": "//evil.example/x"})
    assert r.headers["location"].startswith("/findings")
    # the findings list filters by review state
    listed = desk.page("/findings?review=dismissed")
    assert f'id="f-{key}"' in listed
    assert f'id="f-{key}"' not in desk.page("/findings?review=unreviewed")


def test_report_text_is_escaped_everywhere(desk):
    evil = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
    _, text = synth_text(9, agency="东湖区<b>青山</b>镇人民政府", narrative_extra=f"其他事项：{evil}")
    rid = desk.upload([(f"{evil}.txt", text.encode())])["items"][0]["report_id"]
    for path in (f"/reports/{rid}", "/reports", "/findings", f"/agency?name={evil}", "/corpus", "/"):
        html = desk.page(path)
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>青山" not in html, path
    html = desk.page(f"/reports/{rid}")
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in html
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/app.js" defer>']
    r = desk.client.get(f"/reports/{rid}")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_corpus_page_charts_and_stats_agree_with_independent_sums(desk):
    reps = []
    files = []
    for k, year in enumerate((2022, 2023, 2023, 2024)):
        rep, text = synth_text(100 + k, year=year, break_balance=(k == 1))
        reps.append(rep)
        files.append((f"r{k}.txt", text.encode()))
    desk.upload(files)
    per_year: dict[int, int] = {}
    for rep in reps:
        per_year[rep.year] = per_year.get(rep.year, 0) + rep.values["requests"]["new_received"]["total"]
    stats = desk.client.get("/api/stats", params={"by": "year"}).json()
    assert {g["key"]: g["totals"]["new_received"] for g in stats["groups"]} == per_year
    html = desk.page("/corpus")
    assert html.count("<svg") == 4
    chart = re.search(r"<figure><figcaption>各年度新收.*?</figure>", html, re.S).group(0)
    for year, n in per_year.items():
        assert f"{year}：{n:,}件" in chart
    # a filter narrows charts and counts
    html = desk.page("/corpus?year=2023&has_errors=1")
    assert re.search(r'<div class="big">1</div><div>份年度报告（1 个文件）</div>', html)
    shares = desk.client.get("/api/stats", params={"year": 2023}).json()["groups"][0]["rates"]
    processed = sum(r.values["requests"]["total_processed"]["total"] for r in reps if r.year == 2023)
    granted = sum(r.values["requests"]["granted"]["total"] for r in reps if r.year == 2023)
    assert shares["granted_share"] == pytest.approx(granted / processed, abs=1e-6)


def test_agency_page_years_side_by_side_with_cross_year_findings(desk):
    from xxgk.synth import random_report

    agency = "西山县松溪镇人民政府"
    first, t1 = synth_text(31, agency=agency, year=2022)
    second = random_report(32, "2021", year=2023, agency=agency, zero_share=0.05, previous=first)
    second.values["requests"]["carried_over"]["total"] += 0  # consistent carry-over...
    from xxgk.synth.layouts import write
    t2 = write(second, "tsv", 32, heading="一、")
    third, t3 = synth_text(33, agency=agency, year=2024)  # ...but 2024 does not continue 2023
    desk.upload([("2022.txt", t1.encode()), ("2023.txt", t2.encode()), ("2024.txt", t3.encode())])
    hist = desk.client.get(f"/api/agencies/{agency}/history").json()
    assert [r["year"] for r in hist["reports"]] == [2022, 2023, 2024]
    codes = {(f["year"], f["code"]) for f in hist["findings"]}
    expect_2024 = any(third.values["requests"]["carried_over"][c] != second.values["requests"]["carried_forward"][c]
                      for c in second.values["requests"]["carried_over"])
    assert ((2024, "CARRY_OVER_MISMATCH") in codes) == expect_2024
    assert (2023, "CARRY_OVER_MISMATCH") not in codes
    html = desk.page(f"/agency?name={agency}")
    assert html.count("年</a>") >= 3
    row = re.search(r"<tr[^>]*><td>表三</td><td>本年新收</td><td>总计</td>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r'<td class="num">(\d*)</td>', row) == [str(r.values["requests"]["new_received"]["total"]) for r in (first, second, third)]


def test_export_of_the_selection_has_the_stored_values(desk):
    import csv

    from openpyxl import load_workbook

    a, ta = synth_text(301, year=2023, break_balance=True)
    b, tb = synth_text(302, year=2024)
    desk.upload([("a.txt", ta.encode()), ("b.txt", tb.encode())])
    r = desk.client.get("/export", params={"format": "csv", "year": "2023", "has_errors": ""})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 1 and rows[0]["year"] == "2023"
    for row, cols in a.values["requests"].items():
        for col, v in cols.items():
            assert rows[0][f"requests.{row}.{col}"] == str(v), (row, col)
    r = desk.client.get("/api/export", params={"format": "xlsx", "has_errors": False})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    sheet = wb.worksheets[0]
    data = list(sheet.iter_rows(values_only=True))
    assert len(data) == 2  # the header and the one report without errors
    head = data[0]
    assert any(h and "予以公开" in str(h) for h in head)  # Chinese headers
    assert desk.client.get("/api/export", params={"format": "pdf"}).status_code == 422
    assert desk.client.get("/export", params={"format": "pdf"}).status_code == 400


def test_findings_filters_by_code_severity_agency_year(desk):
    a, ta = synth_text(41, agency="南江县云岭乡人民政府", year=2023, break_balance=True)
    b, tb = synth_text(42, agency="临川区石门镇人民政府", year=2024)
    desk.upload([("a.txt", ta.encode()), ("b.txt", tb.encode())])
    api = desk.client.get("/api/findings", params={"severity": "error"}).json()["items"]
    assert api and {f["agency"] for f in api} == {"南江县云岭乡人民政府"} and {f["severity"] for f in api} == {"error"}
    only = desk.client.get("/api/findings", params={"code": "T3_ROW_SUM", "year": 2023}).json()["items"]
    assert only and {f["code"] for f in only} == {"T3_ROW_SUM"}
    assert desk.client.get("/api/findings", params={"code": "T3_ROW_SUM", "year": 2024}).json()["items"] == []
    html = desk.page("/findings?agency=石门镇&severity=error")
    assert "没有符合条件的审核意见" in html
    html = desk.page("/findings?agency=云岭乡&severity=error")
    assert "T3_BALANCE" in html and "石门镇" not in html


def test_reports_list_filters(desk):
    _, ta = synth_text(51, year=2023, break_balance=True)
    _, tb = synth_text(52, year=2024)
    desk.upload([("a.txt", ta.encode()), ("b.txt", tb.encode())])
    assert desk.client.get("/api/reports", params={"has_errors": True}).json()["total"] == 1
    assert desk.client.get("/api/reports", params={"year": 2024}).json()["items"][0]["year"] == 2024
    html = desk.page("/reports?has_errors=1&year=")
    assert "共1份" in html


# ---- uploads: limits and hostile archives --------------------------------------------------------


def test_upload_refusals(tmp_path):
    from xxgk.web.uploads import Limits

    d = Desk(tmp_path / "c.db", limits=Limits(max_file_bytes=4096, max_files=3, max_request_bytes=64 * 1024))
    try:
        tok = d.token

        def post(files, headers=None):
            return d.client.post("/api/uploads", headers={"X-CSRF-Token": tok, **(headers or {})},
                                 files=[("files", (n, b, "application/octet-stream")) for n, b in files])

        assert post([("big.txt", b"x" * 5000)]).status_code == 413
        assert post([(f"{k}.txt", b"x") for k in range(4)]).status_code == 413
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("../../escape.txt", "x")
        r = post([("evil.zip", buf.getvalue())])
        assert r.status_code == 400 and "压缩包以外" in r.json()["detail"]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("zeros.txt", b"\0" * (2 << 20))
        assert post([("bomb.zip", buf.getvalue())]).status_code == 413
        # the body itself over the request limit: refused before parsing
        r = post([("huge.txt", b"x" * (80 * 1024))])
        assert r.status_code == 413 and "MB" in r.json()["detail"]
        # nothing was stored by any of these
        assert d.client.get("/api/reports").json()["total"] == 0
        # the HTML form shows the refusal as a message
        html_tok = re.search(r'name="csrf_token" value="([^"]+)"', d.page("/upload")).group(1)
        r = d.client.post("/upload", data={"csrf_token": html_tok}, files=[("files", ("big.txt", b"x" * 5000, "text/plain"))],
                          headers={"Accept": "text/html"})
        assert r.status_code == 413 and "超过" in r.text
    finally:
        d.close()


def test_unreadable_files_are_listed_with_their_reason(desk):
    job = desk.upload([("empty.txt", b""), ("bin.txt", bytes(range(256)) * 8), ("ok.txt", synth_text(61)[1].encode())])
    st = {i["path"]: (i["status"], i["message"]) for i in job["items"]}
    assert st["ok.txt"][0] == "stored"
    assert st["empty.txt"][0] == "failed" and st["empty.txt"][1]
    assert st["bin.txt"][0] == "failed" and st["bin.txt"][1]
    html = desk.page(f"/jobs/{job['id']}")
    assert "无法读取" in html


def test_upload_through_the_html_form_redirects_to_its_progress_page(desk):
    html = desk.page("/upload")
    tok = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    _, text = synth_text(71)
    r = desk.client.post("/upload", data={"csrf_token": tok}, files=[("files", ("r.txt", text.encode(), "text/plain"))])
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    job_id = r.headers["location"].rsplit("/", 1)[1]
    desk.app.state.jobs.wait(job_id)
    page = desk.page(r.headers["location"])
    assert "完成" in page and "已入库" in page and 'http-equiv="refresh"' not in page


# ---- permissions ---------------------------------------------------------------------------------


def test_auth_mode_requires_a_reviewer_for_writes(tmp_path):
    from xxgk.web.security import hash_password

    d = Desk(tmp_path / "a.db", auth=True)
    try:
        _, text = synth_text(81, break_balance=True)
        r = d.client.post("/api/uploads", headers={"X-CSRF-Token": d.token},
                          files=[("files", ("r.txt", text.encode(), "text/plain"))])
        assert r.status_code == 401
        assert "审核员登录" in d.page("/upload")
        d.store.add_user("张三", hash_password("correct horse"))
        bad = d.client.post("/api/login", json={"username": "张三", "password": "wrong password"}, headers={"X-CSRF-Token": d.token})
        assert bad.status_code == 401
        nobody = d.client.post("/api/login", json={"username": "李四", "password": "correct horse"}, headers={"X-CSRF-Token": d.token})
        assert nobody.status_code == 401
        assert d.client.post("/api/login", json={"username": "张三", "password": "correct horse"}).status_code == 403
        ok = d.client.post("/api/login", json={"username": "张三", "password": "correct horse"}, headers={"X-CSRF-Token": d.token})
        assert ok.status_code == 200 and ok.json()["user"] == "张三"
        job = d.upload([("r.txt", text.encode())])
        key = d.client.get(f"/api/reports/{job['items'][0]['report_id']}/findings").json()[0]["key"]
        rev = d.client.put(f"/api/findings/{key}/review", json={"status": "confirmed"}, headers={"X-CSRF-Token": d.token})
        assert rev.json()["reviewer"] == "张三"
        d.client.post("/api/logout", headers={"X-CSRF-Token": d.token})
        assert d.client.put(f"/api/findings/{key}/review", json={"status": "dismissed"},
                            headers={"X-CSRF-Token": d.token}).status_code == 401
        # the HTML sign-in
        tok = re.search(r'name="csrf_token" value="([^"]+)"', d.page("/login")).group(1)
        r = d.client.post("/login", data={"csrf_token": tok, "username": "张三", "password": "correct horse", "next": "/findings"})
        assert r.status_code == 303 and r.headers["location"] == "/findings"
        assert "审核员：张三" in d.page("/findings")
        r = d.client.post("/login", data={"csrf_token": d.token, "username": "张三", "password": "nope"})
        assert r.status_code == 401
    finally:
        d.close()


def test_failed_sign_ins_slow_that_client_down_without_locking_the_name(tmp_path):
    from fastapi.testclient import TestClient

    from xxgk.web.security import hash_password

    d = Desk(tmp_path / "t.db", auth=True)
    now = [1000.0]
    d.app.state.login_throttle.clock = lambda: now[0]
    try:
        d.store.add_user("王五", hash_password("right password"))
        h = {"X-CSRF-Token": d.token}

        def attempt(password, client=d.client, headers=h):
            return client.post("/api/login", json={"username": "王五", "password": password}, headers=headers)

        for _ in range(3):  # a few free tries
            assert attempt("guess").status_code == 401
        waits = []
        for _ in range(4):  # then each failure doubles the wait
            r = attempt("right password")  # refused, right password or not, until the wait is over
            assert r.status_code == 429 and "秒后再试" in r.json()["detail"]
            waits.append(int(r.headers["Retry-After"]))
            now[0] += waits[-1]
            assert attempt("guess").status_code == 401
        assert waits == [1, 2, 4, 8]
        # another client is not held back: the reviewer can still sign in from elsewhere
        other = TestClient(d.app, client=("10.0.0.9", 4321))
        tok = other.get("/api/session").json()["csrf_token"]
        assert attempt("right password", other, {"X-CSRF-Token": tok}).status_code == 200
        # and this client, once its wait is over
        assert attempt("right password").status_code == 429
        now[0] += 16
        assert attempt("right password").status_code == 200
    finally:
        d.close()


def test_read_only_mode_refuses_every_write(tmp_path):
    d = Desk(tmp_path / "r.db")
    _, text = synth_text(91, break_balance=True)
    job = d.upload([("r.txt", text.encode())])
    d.close()
    ro = Desk(tmp_path / "r.db", read_only=True)
    try:
        rid = job["items"][0]["report_id"]
        key = ro.client.get(f"/api/reports/{rid}/findings").json()[0]["key"]
        h = {"X-CSRF-Token": ro.token}
        assert ro.client.post("/api/uploads", headers=h, files=[("files", ("x.txt", b"x", "text/plain"))]).status_code == 403
        assert ro.client.put(f"/api/findings/{key}/review", json={"status": "confirmed"}, headers=h).status_code == 403
        assert ro.client.post("/review", data={"csrf_token": ro.token, "key": key, "status": "confirmed"}).status_code == 403
        html = ro.page(f"/reports/{rid}")
        assert 'action="/review"' not in html and "只读模式" in html and 'href="/upload"' not in html
        assert ro.client.get("/api/session").json()["read_only"] is True
    finally:
        ro.close()


def test_users_cli_add_list_remove(tmp_path):
    from typer.testing import CliRunner

    from xxgk.cli import app
    from xxgk.store import open_store
    from xxgk.web.security import verify_password

    runner = CliRunner()
    db = str(tmp_path / "u.db")
    r = runner.invoke(app, ["users", "add", "reviewer1", "--db", db, "--password-stdin"], input="s3cret-pass\n")
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["users", "add", "reviewer1", "--db", db, "--password-stdin"], input="another-pass\n").exit_code == 1
    assert runner.invoke(app, ["users", "add", "x", "--db", db, "--password-stdin"], input="short\n").exit_code == 2
    assert runner.invoke(app, ["users", "add", "bad name!", "--db", db, "--password-stdin"], input="long enough\n").exit_code == 2
    r = runner.invoke(app, ["users", "add", "reviewer1", "--db", db, "--password-stdin", "--replace"], input="another-pass\n")
    assert r.exit_code == 0
    assert "reviewer1" in runner.invoke(app, ["users", "list", "--db", db]).output
    with open_store(db) as s:
        h = s.user_hash("reviewer1")
        assert h.startswith("$argon2id$") and "another-pass" not in h
        assert verify_password(h, "another-pass") and not verify_password(h, "s3cret-pass")
    assert runner.invoke(app, ["users", "remove", "reviewer1", "--db", db]).exit_code == 0
    assert runner.invoke(app, ["users", "remove", "reviewer1", "--db", db]).exit_code == 1
    # serve --auth without any account refuses to start
    r = runner.invoke(app, ["serve", "--db", db, "--auth"])
    assert r.exit_code == 2 and "users add" in r.output


def test_openapi_documents_the_api(desk):
    spec = desk.client.get("/openapi.json").json()
    paths = spec["paths"]
    assert "multipart/form-data" in paths["/api/uploads"]["post"]["requestBody"]["content"]
    assert {"/api/reports", "/api/reports/{report_id}", "/api/findings", "/api/findings/{key}/review", "/api/stats",
            "/api/export", "/api/session"} <= set(paths)
    assert not any(p.startswith(("/reports", "/findings", "/upload")) for p in paths)  # pages stay out of the API
