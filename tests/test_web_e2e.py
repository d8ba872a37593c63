"""End to end in a real headless Chromium (Debian's `chromium`, driven by Playwright's Python API
with executable_path — Playwright never downloads a browser here): a reviewer signs in, uploads a
seed report and a generated one with an accounting error, opens the report, sees the finding and
the flagged cell, reads the cell's source, dismisses the finding, checks the corpus charts and
exports the selection.  Screenshots go to artifacts/web-e2e/.

Locally the test is skipped when chromium or playwright is missing; with CI set it fails instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, seed_path
from .web_support import CI, need, synth_text

need("fastapi", "uvicorn", "argon2", "playwright", "xxgk.store")

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("XXGK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "artifacts" / "web-e2e"

if not Path(CHROMIUM).is_file():
    reason = f"chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    if CI:
        pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _xxgk(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from xxgk.cli import main; main()", *args], **kw)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("e2e") / "corpus.db"
    r = _xxgk("users", "add", "reviewer", "--db", str(db), "--password-stdin", input="e2e-password\n",
              capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    port = _free_port()
    log = open(db.parent / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-c", "from xxgk.cli import main; main()", "serve", "--db", str(db),
                             "--host", "127.0.0.1", "--port", str(port), "--auth"], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/api/session", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("the server did not start: " + (db.parent / "server.log").read_text())
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def test_a_whole_review_in_the_browser(server, browser, tmp_path):
    seed = seed_path("002")
    _, broken = synth_text(7, agency="东湖区青山镇人民政府", year=2024, break_balance=True,
                           narrative_extra='联系方式见<script>alert("xss")</script>。')
    broken_file = tmp_path / "青山镇-2024.txt"
    broken_file.write_text(broken, encoding="utf-8")

    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="zh-CN")
    page = ctx.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    outside: list[str] = []
    page.on("request", lambda req: None if req.url.startswith(server) else outside.append(req.url))

    # sign in
    page.goto(server + "/upload")
    assert "登录" in page.content()
    page.goto(server + "/login?next=/upload")
    page.fill("input[name=username]", "reviewer")
    page.fill("input[name=password]", "e2e-password")
    page.click("form.login button")
    page.wait_for_url(server + "/upload")
    assert page.locator("header .who").inner_text().startswith("审核员：reviewer")

    # upload a seed and the broken report; the script posts to the API and opens the progress page
    page.set_input_files("input[type=file]", [str(seed), str(broken_file)])
    page.click("#upload-form button")
    page.wait_for_url(f"{server}/jobs/*")
    page.wait_for_selector("text=完成：2/2", timeout=60_000)
    page.screenshot(path=str(SHOTS / "01-upload-done.png"), full_page=True)
    rows = page.locator("table.job-items tbody tr")
    assert rows.count() == 2
    assert page.locator("table.job-items").inner_text().count("已入库") == 2

    # the seed: its findings are listed, the blank cells flagged, the quoted prose marked
    page.click(f"table.job-items a:has-text('{seed.name}')")
    page.wait_for_selector("#findings")
    assert page.locator("li.finding code:has-text('BLANK_CELL')").count() >= 1
    assert page.locator("td.v.flag-warning").count() >= 1
    fee = page.locator("li.finding", has=page.locator("code:has-text('FEE_NOT_STATED')"))
    assert fee.count() == 1
    assert page.locator("#s-6 mark").count() >= 1  # the sentence the finding quotes
    page.screenshot(path=str(SHOTS / "02a-seed-report.png"), full_page=True)
    fee.locator("input[name=comment]").fill("第六部分另有附件说明收费情况")
    fee.locator("button.dismiss").click()
    page.wait_for_load_state()
    fee = page.locator("li.finding", has=page.locator("code:has-text('FEE_NOT_STATED')"))
    assert "已驳回" in fee.inner_text()
    page.go_back()
    page.go_back()

    # the broken report: finding listed, its cells flagged
    page.goto(server + "/reports?q=青山镇")
    page.click("table.list a:has-text('东湖区青山镇人民政府')")
    page.wait_for_selector("#findings")
    assert page.locator("li.finding code:has-text('T3_BALANCE')").count() == 1
    flagged = page.locator('td.v.flag-error[data-slot="requests.new_received.natural_person"]')
    assert flagged.count() == 1
    # the <script> in the report is text on the page, and it did not run
    assert 'alert("xss")' in page.locator(".narrative").inner_text()
    assert dialogs == []
    page.screenshot(path=str(SHOTS / "02-report.png"), full_page=True)

    # click the flagged cell: its source line appears
    flagged.click()
    page.wait_for_selector("#source pre.context .cur")
    src = page.locator("#source").inner_text()
    assert "本年新收" in src and "第" in src and "行" in src
    assert "一、本年新收政府信息公开申请数量" in page.locator("#source pre.context .cur").inner_text()
    assert page.locator("li.finding.active").count() >= 2  # the findings about that cell are lit
    page.locator("#t-requests").screenshot(path=str(SHOTS / "03-table3-flagged.png"))
    page.locator(".report-body").screenshot(path=str(SHOTS / "04-cell-source.png"))

    # dismiss the T3_BALANCE finding with a comment
    item = page.locator("li.finding", has=page.locator("code:has-text('T3_BALANCE')"))
    item.locator("input[name=comment]").fill("原件第三列印刷错误，已与报送单位核实")
    item.locator("button.dismiss").click()
    page.wait_for_load_state()
    item = page.locator("li.finding", has=page.locator("code:has-text('T3_BALANCE')"))
    assert "已驳回" in item.inner_text() and "已与报送单位核实" in item.inner_text()
    assert "reviewer" in item.inner_text()
    item.screenshot(path=str(SHOTS / "05-dismissed.png"))

    # the findings list: filter by code and review state
    page.goto(server + "/findings?code=T3_BALANCE&review=dismissed")
    assert page.locator("table.findings-list tbody tr").count() == 1
    page.goto(server + "/findings?severity=error&review=unreviewed")
    assert "T3_BALANCE" not in page.locator("table.findings-list").inner_text()
    page.screenshot(path=str(SHOTS / "06-findings.png"), full_page=True)

    # corpus page with its charts, then export the selection
    page.goto(server + "/corpus")
    assert page.locator("svg.chart").count() == 4
    page.screenshot(path=str(SHOTS / "07-corpus.png"), full_page=True)
    with page.expect_download() as dl:
        page.click(".exports a:has-text('CSV')")
    csv_path = tmp_path / "export.csv"
    dl.value.save_as(csv_path)
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "青山镇" in text and len(text.splitlines()) == 3  # header + the two reports
    with page.expect_download() as dl:
        page.click(".exports a:has-text('XLSX')")
    xlsx = tmp_path / "export.xlsx"
    dl.value.save_as(xlsx)
    assert xlsx.read_bytes()[:2] == b"PK"

    # the agency page
    page.goto(server + "/agency?name=东湖区青山镇人民政府")
    assert "2024年" in page.locator("table.history thead").first.inner_text()
    page.screenshot(path=str(SHOTS / "08-agency.png"), full_page=True)

    assert dialogs == [] and outside == [], outside  # nothing ran, nothing was fetched from elsewhere
    ctx.close()
