"""How responsive the desk stays while it parses a hostile upload (issue 13, item 7).

Starts `xxgk serve` on a fresh database, measures GET latency (/api/reports and /) for a few
seconds, then uploads a hostile file (HTML with 100,000 table rows: seconds of CPU in the
reader) followed at once by a small good report, and keeps measuring until both are done.
Prints GET p50/p95/max before and during, how long the good upload waited, and the server's
peak RSS (with its children).

    python scripts/bench_desk.py                      # this checkout
    python scripts/bench_desk.py --code /work/main    # another checkout's code, same Python
    python scripts/bench_desk.py -- --parse-timeout 5 # extra `xxgk serve` options
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, headers=None) -> tuple[float, bytes, dict]:
    t = time.monotonic()
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=120) as r:
        body = r.read()
        return time.monotonic() - t, body, dict(r.headers)


def post_files(url: str, files: list[tuple[str, bytes]], token: str, cookie: str) -> dict:
    boundary = uuid.uuid4().hex
    parts = []
    for name, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRF-Token": token, "Cookie": cookie})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def rss_tree_kb(pid: int) -> int:
    """RSS of a process and its descendants (kB)."""
    kids: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
                kids.setdefault(ppid, []).append(int(d.name))
                for line in (d / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss[int(d.name)] = int(line.split()[1])
            except (OSError, ValueError):
                pass
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += kids.get(p, [])
    return total


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--code", help="checkout whose xxgk the server runs (PYTHONPATH)")
    ap.add_argument("--rows", type=int, default=100_000, help="table rows of the hostile HTML")
    ap.add_argument("--line", type=int, default=0, metavar="MB",
                    help="upload instead a text file of one line of this many MB (numbers and words)")
    ap.add_argument("serve_args", nargs="*", help="extra options of xxgk serve (after --)")
    a = ap.parse_args()

    rows = "".join(f"<tr><td>{i}</td><td>x</td></tr>" for i in range(a.rows))
    hostile = f"<html><body><table>{rows}</table></body></html>".encode()
    name = "hostile.html"
    if a.line:
        unit = "本年新收申请 12 件 办结 3 件 ".encode()
        hostile = unit * (a.line * (1 << 20) // len(unit))
        name = "hostile.txt"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.web_support import synth_text

    _, good = synth_text(7, agency="青原区富田镇人民政府", year=2024)

    tmp = Path(tempfile.mkdtemp(prefix="xxgk-bench-desk-"))
    port = free_port()
    env = dict(os.environ)
    if a.code:
        env["PYTHONPATH"] = a.code
    server = subprocess.Popen([sys.executable, "-c", "from xxgk.cli import main; main()", "serve", "--db",
                               str(tmp / "c.db"), "--port", str(port), *a.serve_args],
                              env=env, cwd=tmp,  # not this checkout: `python -c` puts the cwd first
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                get(base + "/api/session")
                break
            except OSError:
                time.sleep(0.1)
        _, body, headers = get(base + "/api/session")
        token = json.loads(body)["csrf_token"]
        cookie = headers["set-cookie"].split(";", 1)[0]
        auth = {"Cookie": cookie}

        def sample(seconds: float | None, until=None) -> list[float]:
            out, t0 = [], time.monotonic()
            while (seconds is None or time.monotonic() - t0 < seconds) and (until is None or not until()):
                out.append(get(base + "/api/reports", auth)[0])
                out.append(get(base + "/", {**auth, "Accept": "text/html"})[0])
                time.sleep(0.05)
            return out

        before = sample(3.0)
        peak = [0]
        done = threading.Event()

        def watch_rss():
            while not done.is_set():
                peak[0] = max(peak[0], rss_tree_kb(server.pid))
                time.sleep(0.1)

        threading.Thread(target=watch_rss, daemon=True).start()
        t0 = time.monotonic()
        j1 = post_files(base + "/api/uploads", [(name, hostile)], token, cookie)
        j2 = post_files(base + "/api/uploads", [("good.txt", good.encode())], token, cookie)
        posted = time.monotonic() - t0

        def finished(job_id):
            return json.loads(get(f"{base}/api/jobs/{job_id}", auth)[1])

        good_done: list[float] = []

        def both_done():
            s2 = finished(j2["id"])
            if s2["finished"] and not good_done:
                good_done.append(time.monotonic() - t0)
            return finished(j1["id"])["finished"] and s2["finished"]

        during = sample(None, both_done)
        done.set()
        hostile_item = finished(j1["id"])["items"][0]
        code = subprocess.run([sys.executable, "-c", "import xxgk; print(xxgk.__file__)"], env=env, cwd=tmp,
                              capture_output=True, text=True).stdout.strip()
        print(json.dumps({
            "code": code, "serve_args": a.serve_args,
            "hostile_bytes": len(hostile), "posting_both_s": round(posted, 2),
            "get_before_p50_s": round(pct(before, 0.5), 3), "get_before_p95_s": round(pct(before, 0.95), 3),
            "get_during_p50_s": round(pct(during, 0.5), 3), "get_during_p95_s": round(pct(during, 0.95), 3),
            "get_during_max_s": round(max(during), 3), "gets_during": len(during),
            "good_upload_done_after_s": round(good_done[0], 2) if good_done else None,
            "hostile_done_after_s": round(time.monotonic() - t0, 2),
            "hostile_status": hostile_item["status"], "hostile_message": hostile_item["message"],
            "peak_rss_mb_with_children": peak[0] // 1024,
        }, ensure_ascii=False, indent=1))
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
