#!/usr/bin/env python3
"""Fuzz the readers: mutated inputs of every format, each run through the whole pipeline
(read → extract → check) in a worker process with time and memory limits.

    python scripts/fuzz.py -n 10000 --seed 1 --workers 2 --out fuzz-out

Seeds are synthetic reports (`xxgk.synth`: text layouts, HTML, DOCX, PDF, PNG/JPEG/TIFF, zip
batches) — no real pages.  Mutations: byte flips, truncation, inserted and repeated bytes,
damaged zip members and deflate streams, bad zip headers, zip bombs, huge spans, huge numbers,
control characters, deep nesting, entity expansion, many tables/rows/pages/lines.

Every input ends as one of
  clean    the pipeline returned a report
  refused  a ReadError: one clear line saying why (the message is kept)
  crash    any other exception, or the worker died (traceback kept)
  hang     not done within --timeout seconds (the worker is killed)
  memory   MemoryError, or the worker's peak RSS passed --mem MB
and crash/hang/memory inputs are written to OUT/<outcome>/ with a .info saying what happened, so
`python scripts/fuzz.py --replay FILE` (or `xxgk parse FILE`) reproduces one.

Workers are long-lived (each parses many inputs); one is restarted after a crash or a limit,
and after --recycle inputs so that its peak memory keeps meaning something.  The exit status is 1
when any input crashed, hung or ran out of memory.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import resource
import signal
import sys
import time
import traceback
from collections import Counter, defaultdict
from multiprocessing.connection import wait
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MAX_INPUT = 20 * 1000 * 1000
OUTCOMES = ("clean", "refused", "crash", "hang", "memory")
EXT = {"text": "txt", "html": "html", "docx": "docx", "pdf": "pdf", "png": "png", "jpeg": "jpg", "tiff": "tif", "zip": "zip"}


# ---- seeds -------------------------------------------------------------------------------------


def make_seeds(seed: int, per_format: int = 3) -> dict[str, list[bytes]]:
    """Synthetic inputs of every format (built once per run, in the parent)."""
    from xxgk import synth
    from xxgk.synth import layouts, webdocs

    rng = random.Random(seed)
    out: dict[str, list[bytes]] = defaultdict(list)
    reps = [synth.random_report(rng.randrange(1 << 30)) for _ in range(per_format)]
    for k, rep in enumerate(reps):
        for layout in ("tsv", "pipe", "tab-cell", "cells", "pdf"):
            out["text"].append(layouts.encode(layouts.write(rep, layout, k), rng.choice(["utf-8", "gb18030", "utf-8-sig"])))
        out["html"].append(webdocs.to_html(rep, k, layout_table=k % 2 == 1, p_in_cells=k % 2 == 0))
        out["docx"].append(webdocs.to_docx(rep, k))
        out["docx"].append(webdocs.to_docx_altchunk(rep, k))
    try:
        from xxgk.synth import pdfs

        for rep in reps:
            pdf = pdfs.write_pdf(rep, pdfs.random_style(rng))
            out["pdf"].append(pdf)
        page = pdfs.render_pages(out["pdf"][0], dpi=60)[0]
        crop = page.crop((0, 0, page.width, page.height // 6))  # a few lines: OCR stays quick
        for fmt in ("png", "jpeg", "tiff"):
            out[fmt].append(pdfs.image_bytes(crop, fmt.upper()))
    except ImportError:  # the test extra (reportlab) or Pillow missing: the other formats still run
        pass
    import io
    import zipfile

    for k in range(per_format):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, body in (("报告/a.txt", out["text"][k]), ("报告/b.html", out["html"][k]), ("c.docx", out["docx"][k])):
                member = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                member.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(member, body)
        out["zip"].append(buf.getvalue())
    return dict(out)


# ---- mutations ---------------------------------------------------------------------------------


def _flip(d: bytes, rng) -> bytes:
    _TAGS.append("flip")
    b = bytearray(d)
    for _ in range(rng.choice([1, 2, 4, 16, 64])):
        if b:
            k = rng.randrange(len(b))
            b[k] ^= 1 << rng.randrange(8) if rng.random() < 0.5 else rng.randrange(1, 256)
    return bytes(b)


def _truncate(d: bytes, rng) -> bytes:
    _TAGS.append("truncate")
    return d[: rng.randrange(len(d) + 1)]


def _insert(d: bytes, rng) -> bytes:
    _TAGS.append("insert")
    k = rng.randrange(len(d) + 1)
    junk = bytes(rng.randrange(256) for _ in range(rng.choice([1, 8, 100, 1000])))
    return d[:k] + junk + d[k:]


def _repeat(d: bytes, rng) -> bytes:
    """A slice of the input repeated many times (many rows, tables, lines, pages of content)."""
    _TAGS.append("repeat")
    if len(d) < 2:
        return d * 1000
    a = rng.randrange(len(d) - 1)
    b = min(len(d), a + rng.choice([16, 200, 2000]))
    times = rng.choice([10, 1000, 20000])
    times = min(times, max(1, 8_000_000 // max(1, b - a)))
    return d[:a] + d[a:b] * times + d[b:]


def _huge_number(d: bytes, rng) -> bytes:
    _TAGS.append("huge_number")
    from xxgk.synth import hostile

    return hostile.huge_number(d, rng, rng.choice([16, 30, 4301, 50_000]))


def _controls(d: bytes, rng) -> bytes:
    _TAGS.append("controls")
    from xxgk.synth import hostile

    return hostile.control_chars(d, rng, rng.choice([1, 20, 500]))


def _long_line(d: bytes, rng) -> bytes:
    _TAGS.append("long_line")
    return d.replace(b"\n", b" ").replace(b"\r", b" ") * rng.choice([1, 50, 400])


_TAGS: list[str] = []  # what the mutations of the current input did (for the summary)
GENERIC = (_flip, _truncate, _insert, _repeat)


def _text_mutations():
    return GENERIC + (_huge_number, _controls, _long_line)


def _html(d: bytes, rng) -> bytes:
    from xxgk.synth import hostile

    kind = rng.randrange(8)
    _TAGS.append(['huge-span', 'deep-nesting', 'entities', 'many-rows', 'many-tables', 'span-grid', 'bad-charset', 'text'][kind])
    if kind == 0:  # huge spans
        import re

        big = str(rng.choice([1001, 65535, 10**8, 10**30])).encode()
        return re.sub(rb"<td", b'<td colspan="' + big + b'" rowspan="' + big + b'"', d, count=rng.choice([1, 5, 50]))
    if kind == 1:  # deep nesting
        depth = rng.choice([300, 5000, 100_000])
        return d.replace(b"<body>", b"<body>" + b"<div><span>" * depth, 1)
    if kind == 2:
        return hostile.with_entities(d)
    if kind == 3:
        return hostile.html_table(rows=rng.choice([10, 5001, 40000]), cols=rng.choice([2, 30]))
    if kind == 4:
        return hostile.html_table(rows=2, tables=rng.choice([10, 2001, 30000]))
    if kind == 5:
        return hostile.html_table(rows=rng.choice([50, 500, 4000]), cols=3, colspan=1000, rowspan=100000)
    if kind == 6:  # a charset that lies
        return d.replace(b"utf-8", rng.choice([b"gbk", b"utf-16", b"x-nonsense", b"utf-7"]), 1)
    return rng.choice(_text_mutations())(d, rng)


def _docx(d: bytes, rng) -> bytes:
    from xxgk.synth import hostile

    kind = rng.randrange(12)
    _TAGS.append(['grid-span', 'deep-nesting', 'entities', 'damaged-deflate', 'zip-headers', 'huge-number', 'controls', 'vmerge-rows', 'numbering', 'xml-flip', 'missing-part', 'generic'][kind])
    try:
        if kind == 0:
            return hostile.docx_grid_span(d, rng.choice([50, 1001, 10**8, 10**20]), rng.choice([1, 5, 100]))
        if kind == 1:
            return hostile.docx_nested(d, rng.choice([100, 300, 5000]))
        if kind == 2:
            return hostile.docx_xml(d, hostile.with_entities)
        if kind == 3:
            return hostile.damage_deflate(d, rng.choice(["word/document.xml", "word/numbering.xml", "word/styles.xml", "[Content_Types].xml"]), rng)
        if kind == 4:
            return hostile.zip_headers(d, version=rng.choice([63, 99, 255]), method=rng.choice([None, 1, 6, 12, 14, 99]),
                                       flags=rng.choice([None, 1, 8, 0x41]))
        if kind == 5:
            return hostile.docx_xml(d, lambda x: hostile.huge_number(x, rng, rng.choice([4301, 50_000])))
        if kind == 6:
            return hostile.docx_xml(d, lambda x: hostile.control_chars(x, rng, 50))
        if kind == 7:  # a row repeated many times, vMerge storms
            import re

            def rows(x: bytes) -> bytes:
                m = re.search(rb"<w:tr[ >].*?</w:tr>", x, re.S)
                if not m:
                    return x
                tr = m.group(0).replace(b"<w:tcPr>", b'<w:tcPr><w:vMerge/>')
                return x[: m.end()] + tr * rng.choice([100, 6000, 30000]) + x[m.end():]

            return hostile.docx_xml(d, rows)
        if kind == 8:  # numbering: huge starts and label texts
            return hostile.docx_xml(d, lambda x: x.replace(b'w:val="1"', b'w:val="' + b"9" * rng.choice([10, 5000]) + b'"'), "word/numbering.xml")
        if kind == 9:
            return hostile.docx_xml(d, lambda x: _flip(x, rng))
        if kind == 10:
            return hostile.rezip(d, lambda n, b: None if n == rng.choice(["word/document.xml", "_rels/.rels", "word/_rels/document.xml.rels"]) else b)
    except Exception:  # a mutation that cannot apply to this seed: a generic one instead
        pass
    return rng.choice(GENERIC)(d, rng)


def _pdf(d: bytes, rng) -> bytes:
    from xxgk.synth import hostile

    kind = rng.randrange(8)
    _TAGS.append(['ruling-lines', 'grid-path', 'many-pages', 'huge-page', 'many-glyphs', 'generic', 'generic', 'generic'][kind])
    if kind == 0:
        return hostile.pdf_rules(rng.choice([100, 1999, 5000, 40_000]), rng.randrange(1000))
    if kind == 1:
        return hostile.pdf_grid_path(rng.choice([500, 5000, 100_000]))
    if kind == 2:
        return hostile.pdf_pages(rng.choice([2, 499, 501, 2000]))
    if kind == 3:  # a huge page without text (goes to the scanned-page path)
        return hostile.raw_pdf([b"0 0 m 10 10 l S"], size=(14400, 14400))
    if kind == 4:  # a page of very many glyphs
        line = "1 2 3 4 5 6 7 8 9 " * 20
        return hostile.raw_pdf([hostile.pdf_text([line] * rng.choice([50, 400]), y0=830)] * rng.choice([1, 20]))
    return rng.choice(GENERIC + (_controls,))(d, rng)


def _image(d: bytes, rng) -> bytes:
    import struct

    kind = rng.randrange(4)
    _TAGS.append(['png-size', 'jpeg-size', 'generic', 'generic'][kind])
    if kind == 0 and d.startswith(b"\x89PNG"):  # IHDR claims a huge size
        w, h = rng.choice([(100000, 100000), (65535, 1), (1, 65535), (9000, 9000)])
        return d[:16] + struct.pack(">II", w, h) + d[24:]
    if kind == 1 and d.startswith(b"\x89PNG") is False and d[:2] == b"\xff\xd8":  # JPEG SOF size
        i = d.find(b"\xff\xc0")
        if i > 0:
            return d[: i + 5] + struct.pack(">HH", 65000, 65000) + d[i + 9:]
    return rng.choice(GENERIC)(d, rng)


def _zip(d: bytes, rng) -> bytes:
    import io
    import zipfile

    from xxgk.synth import hostile

    kind = rng.randrange(7)
    _TAGS.append(['damaged-deflate', 'zip-headers', 'bomb', 'nested', 'member', 'generic', 'generic'][kind])
    try:
        if kind == 0:
            return hostile.damage_deflate(d, rng.choice(["报告/a.txt", "报告/b.html", "c.docx"]), rng)
        if kind == 1:
            return hostile.zip_headers(d, version=rng.choice([63, 99]), method=rng.choice([None, 12, 14, 99]), flags=rng.choice([None, 1]))
        if kind == 2:
            return BOMB
        if kind == 3:  # nested archives
            inner = d
            for _ in range(rng.choice([2, 5])):
                buf = io.BytesIO()
                with zipfile.ZipFile(buf, "w") as z:
                    z.writestr(zipfile.ZipInfo("inner.zip", date_time=(2024, 1, 1, 0, 0, 0)), inner)
                inner = buf.getvalue()
            return inner
        if kind == 4:  # a member mutated as its own format
            return hostile.rezip(d, lambda n, b: _docx(b, rng) if n.endswith(".docx") else _html(b, rng) if n.endswith(".html") else _text(b, rng))
    except Exception:
        pass
    return rng.choice(GENERIC)(d, rng)


def _text(d: bytes, rng) -> bytes:
    return rng.choice(_text_mutations())(d, rng)


# images are read by OCR (seconds a page on a shared machine): fewer of them
WEIGHT = {"text": 2.0, "html": 2.0, "docx": 2.0, "pdf": 2.0, "zip": 1.0, "png": 0.3, "jpeg": 0.3, "tiff": 0.3}
OCR_FORMATS = ("png", "jpeg", "tiff")
MUTATE = {"text": _text, "html": _html, "docx": _docx, "pdf": _pdf, "png": _image, "jpeg": _image, "tiff": _image, "zip": _zip}
BOMB = b""


def make_input(seeds: dict[str, list[bytes]], seed: int, i: int) -> tuple[str, str, bytes]:
    """Input number i of the run: (format, mutation name, bytes) — the same for the same seed."""
    rng = random.Random(seed * 1_000_003 + i)
    formats = sorted(seeds)
    fmt = rng.choices(formats, [WEIGHT.get(f, 1.0) for f in formats])[0]
    data = rng.choice(seeds[fmt])
    _TAGS.clear()
    for _ in range(rng.choice([1, 1, 1, 2])):
        data = MUTATE[fmt](data, rng)
    if len(data) > MAX_INPUT:
        data = data[:MAX_INPUT]  # the goal is about inputs under 20 MB
        _TAGS.append("cut")
    return fmt, "+".join(_TAGS), data


# ---- running one input ---------------------------------------------------------------------------


def run_one(fmt: str, data: bytes) -> tuple[str, str]:
    """(outcome, detail) for one input, in this process."""
    from xxgk.pipeline import parse_bytes
    from xxgk.readers import ReadError

    name = f"input.{EXT[fmt]}"
    try:
        if fmt == "zip":
            return _run_zip(data)
        parse_bytes(data, name)
        return "clean", ""
    except ReadError as exc:
        msg = str(exc)
        if "\n" in msg or not msg.strip():
            return "crash", f"ReadError without a one-line message: {msg!r}"
        return "refused", msg
    except MemoryError:
        return "memory", "MemoryError"
    except RecursionError:
        return "crash", traceback.format_exc(limit=-8)
    except Exception:
        return "crash", traceback.format_exc(limit=-8)


def _run_zip(data: bytes) -> tuple[str, str]:
    """A zip batch as `xxgk check` takes it: every member walked and parsed (a member's ReadError
    is that member's refusal; the batch is clean when the walk finished)."""
    import tempfile

    from xxgk.cli.report_cmds import _check_item
    from xxgk.inputs import Reader, walk

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.zip"
        path.write_bytes(data)
        reader = Reader()
        refused = []
        try:
            for item in walk([path]):
                out = _check_item(item, [], [], reader)
                if isinstance(out, str):
                    if out.startswith("内部错误"):
                        return "crash", out
                    refused.append(out)
        finally:
            reader.close()
    return ("refused", refused[0]) if refused else ("clean", "")


def _cpu() -> float:
    """CPU seconds of this process (all its threads) so far."""
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def _proc_cpu(pid: int) -> float | None:
    """CPU seconds another process has used so far (Linux /proc), None when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _worker(conn, mem_mb: int, hard_mb: int) -> None:
    os.environ.setdefault("XXGK_OCR_THREADS", "1")
    try:
        os.nice(5)
    except OSError:
        pass
    soft = hard_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (soft, soft))
    import xxgk.pipeline  # noqa: F401  (warm)

    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        idx, fmt, data = job
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t, c = time.perf_counter(), _cpu()
        outcome, detail = run_one(fmt, data)
        secs, cpu = time.perf_counter() - t, _cpu() - c
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB (Linux)
        if outcome in ("clean", "refused") and peak > mem_mb * 1024:
            outcome, detail = "memory", f"peak RSS {peak // 1024} MB"
        conn.send((idx, outcome, detail, secs, peak // 1024, peak > before, cpu))


class Pool:
    """Worker processes, each with its own pipe; a worker is replaced after a crash, a limit or
    --recycle inputs."""

    def __init__(self, n: int, mem_mb: int, hard_mb: int, recycle: int):
        # workers fork from a small server process, not from this one (which holds the seeds and
        # the inputs): their peak RSS is then their own
        self.ctx = mp.get_context("forkserver")
        self.ctx.set_forkserver_preload(["xxgk.pipeline", "xxgk.readers.docx", "xxgk.readers.html", "lxml.html", "pypdfium2"])
        self.mem_mb, self.hard_mb, self.recycle = mem_mb, hard_mb, recycle
        self.slots = [self._start() for _ in range(n)]

    def _start(self) -> dict:
        parent, child = self.ctx.Pipe()
        p = self.ctx.Process(target=_worker, args=(child, self.mem_mb, self.hard_mb), daemon=True)
        p.start()
        child.close()
        return {"proc": p, "conn": parent, "job": None, "t0": 0.0, "done": 0}

    def replace(self, k: int) -> None:
        slot = self.slots[k]
        if slot["proc"].is_alive():
            os.kill(slot["proc"].pid, signal.SIGKILL)
        slot["proc"].join()
        slot["conn"].close()
        self.slots[k] = self._start()

    def close(self) -> None:
        for k, slot in enumerate(self.slots):
            try:
                slot["conn"].send(None)
            except (BrokenPipeError, OSError):
                pass
        for slot in self.slots:
            slot["proc"].join(5)
            if slot["proc"].is_alive():
                os.kill(slot["proc"].pid, signal.SIGKILL)
                slot["proc"].join()


def fuzz(n: int, seed: int, workers: int, timeout: float, mem_mb: int, hard_mb: int, out: Path | None,
         recycle: int = 200, progress: bool = True, formats: list[str] | None = None, ocr_timeout: float = 60.0) -> dict:
    global BOMB
    from xxgk.synth import hostile

    seeds = make_seeds(seed)
    if formats:
        seeds = {k: v for k, v in seeds.items() if k in formats}
    BOMB = hostile.zip_bomb("bomb.txt")
    pool = Pool(workers, mem_mb, hard_mb, recycle)
    results: list[dict] = []
    pending = iter(range(n))
    inputs: dict[int, tuple[str, str, bytes]] = {}
    started = time.time()
    finished = 0

    def feed(k: int) -> bool:
        idx = next(pending, None)
        if idx is None:
            return False
        fmt, mut, data = make_input(seeds, seed, idx)
        inputs[idx] = (fmt, mut, data)
        slot = pool.slots[k]
        try:
            slot["conn"].send((idx, fmt, data))
        except (BrokenPipeError, OSError):
            pool.replace(k)
            slot = pool.slots[k]
            slot["conn"].send((idx, fmt, data))
        slot["job"], slot["t0"], slot["cpu0"] = idx, time.perf_counter(), _proc_cpu(slot["proc"].pid)
        return True

    def record(idx: int, outcome: str, detail: str, secs: float, peak: int | None, new_peak: bool,
               cpu: float | None = None) -> None:
        nonlocal finished
        fmt, mut, data = inputs.pop(idx)
        results.append({"i": idx, "format": fmt, "mutation": mut, "size": len(data), "outcome": outcome,
                        "detail": detail[:2000], "secs": round(secs, 3), "peak_mb": peak if new_peak else None,
                        "cpu": None if cpu is None else round(cpu, 3)})
        finished += 1
        if out is not None and outcome in ("crash", "hang", "memory"):
            folder = out / outcome
            folder.mkdir(parents=True, exist_ok=True)
            stem = f"{idx:06d}-{fmt}-{mut}"
            (folder / f"{stem}.{EXT[fmt]}").write_bytes(data)
            cpu_text = "" if cpu is None else f" ({cpu:.2f}s CPU)"
            (folder / f"{stem}.info").write_text(f"seed {seed} input {idx} format {fmt} mutation {mut}\n{secs:.2f}s{cpu_text}\n{detail}\n", encoding="utf-8")
        if progress and finished % 100 == 0:
            c = Counter(r["outcome"] for r in results)
            print(f"[{finished}/{n}] {time.time() - started:.0f}s " + " ".join(f"{o}={c[o]}" for o in OUTCOMES), file=sys.stderr, flush=True)

    try:
        for k in range(len(pool.slots)):
            feed(k)
        while any(s["job"] is not None for s in pool.slots):
            busy = {s["conn"]: k for k, s in enumerate(pool.slots) if s["job"] is not None}
            ready = wait(list(busy), timeout=0.2)
            for conn in ready:
                k = busy[conn]
                slot = pool.slots[k]
                idx = slot["job"]
                try:
                    got = conn.recv()
                except (EOFError, OSError):
                    slot["proc"].join(1)
                    code = slot["proc"].exitcode
                    secs = time.perf_counter() - slot["t0"]
                    what = "memory" if code in (-signal.SIGKILL,) else "crash"
                    record(idx, what, f"worker died (exit code {code})", secs, None, False)
                    slot["job"] = None
                    pool.replace(k)
                    feed(k)
                    continue
                record(*got)
                slot["job"] = None
                slot["done"] += 1
                if got[1] in ("crash", "memory") or slot["done"] >= recycle or (got[4] or 0) > mem_mb * 0.6:
                    pool.replace(k)
                feed(k)
            now = time.perf_counter()
            for k, slot in enumerate(pool.slots):
                limit = ocr_timeout if slot["job"] is not None and inputs[slot["job"]][0] in OCR_FORMATS else timeout
                if slot["job"] is not None and now - slot["t0"] > limit:
                    c1 = _proc_cpu(slot["proc"].pid)
                    cpu = c1 - slot["cpu0"] if c1 is not None and slot.get("cpu0") is not None else None
                    record(slot["job"], "hang", f"no result within {limit:.0f}s" + ("" if cpu is None else f" ({cpu:.1f}s CPU)"),
                           now - slot["t0"], None, False, cpu)
                    slot["job"] = None
                    pool.replace(k)
                    feed(k)
    finally:
        pool.close()
    results.sort(key=lambda r: r["i"])
    return {"inputs": len(results), "seed": seed, "wall": round(time.time() - started, 1), "results": results}


def summary(run: dict) -> str:
    results = run["results"]
    lines = [f"{run['inputs']} inputs, seed {run['seed']}, {run['wall']} s wall"]
    by = defaultdict(Counter)
    for r in results:
        by[r["format"]][r["outcome"]] += 1
    head = f"{'format':8}" + "".join(f"{o:>9}" for o in OUTCOMES) + f"{'total':>9}"
    lines += [head, "-" * len(head)]
    total = Counter()
    for fmt in sorted(by):
        total.update(by[fmt])
        lines.append(f"{fmt:8}" + "".join(f"{by[fmt][o]:>9}" for o in OUTCOMES) + f"{sum(by[fmt].values()):>9}")
    lines.append(f"{'all':8}" + "".join(f"{total[o]:>9}" for o in OUTCOMES) + f"{sum(total.values()):>9}")
    lines.append("slowest:")
    for r in sorted(results, key=lambda r: -r["secs"])[:5]:
        lines.append(f"  {r['secs']:7.2f}s  #{r['i']} {r['format']}/{r['mutation']} {r['size']} bytes → {r['outcome']} {r['detail'][:70]!r}")
    cpu = [r for r in results if r.get("cpu") is not None]
    if cpu:  # on a loaded machine the wall time measures the machine too: the CPU time is the input's own
        lines.append("most CPU time (the worker process, all its threads):")
        for r in sorted(cpu, key=lambda r: -r["cpu"])[:5]:
            lines.append(f"  {r['cpu']:7.2f}s CPU ({r['secs']:.2f}s wall)  #{r['i']} {r['format']}/{r['mutation']} {r['size']} bytes → {r['outcome']}")
    lines.append(f"over 10 s: {sum(r['secs'] > 10 for r in results)} wall, {sum((r.get('cpu') or 0) > 10 for r in results)} CPU")
    plain = [r for r in results if r["format"] not in OCR_FORMATS]
    if plain:
        r = max(plain, key=lambda r: r["secs"])
        lines.append(f"slowest without images (OCR): {r['secs']:.2f}s ({r.get('cpu') or 0:.2f}s CPU) #{r['i']} {r['format']}/{r['mutation']} → {r['outcome']}")
    lines.append("slowest per format (wall):")
    for fmt in sorted(by):
        r = max((r for r in results if r["format"] == fmt), key=lambda r: r["secs"])
        lines.append(f"  {fmt:6} {r['secs']:7.2f}s ({r.get('cpu') or 0:.2f}s CPU) #{r['i']} {r['mutation']} → {r['outcome']}")
    lines.append("largest peak memory (worker RSS when the input raised it):")
    for r in sorted((r for r in results if r["peak_mb"]), key=lambda r: -r["peak_mb"])[:5]:
        lines.append(f"  {r['peak_mb']:7d} MB #{r['i']} {r['format']}/{r['mutation']} {r['size']} bytes → {r['outcome']}")
    bad = [r for r in results if r["outcome"] in ("crash", "hang", "memory")]
    for r in bad[:10]:
        lines.append(f"{r['outcome'].upper()} #{r['i']} {r['format']}/{r['mutation']}: {r['detail'].strip().splitlines()[-1][:160] if r['detail'].strip() else ''}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=1000, help="inputs to run")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per input")
    ap.add_argument("--ocr-timeout", type=float, default=60.0, help="seconds per image input (read by OCR)")
    ap.add_argument("--mem", type=int, default=500, help="MB of peak RSS per input")
    ap.add_argument("--hard-mem", type=int, default=2500, help="MB of address space per worker (RLIMIT_AS)")
    ap.add_argument("--recycle", type=int, default=200, help="inputs per worker before it is replaced")
    ap.add_argument("--formats", help="comma-separated formats to fuzz (default: all)")
    ap.add_argument("--out", type=Path, default=Path("fuzz-out"), help="folder for failing inputs and results.json")
    ap.add_argument("--replay", type=Path, help="run a saved input (or every input under a folder) in this process and print the outcome")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.replay:  # one saved input, or every input of a run's folder (OUT/crash, OUT/hang, …)
        files = sorted(p for p in args.replay.rglob("*") if p.is_file() and p.suffix != ".info" and p.name != "results.json") \
            if args.replay.is_dir() else [args.replay]
        failed = 0
        for path in files:
            fmt = next((f for f, e in EXT.items() if path.suffix == "." + e), "text")
            t, c = time.perf_counter(), _cpu()
            outcome, detail = run_one(fmt, path.read_bytes())
            failed += outcome not in ("clean", "refused")
            print(f"{outcome} {time.perf_counter() - t:.2f}s ({_cpu() - c:.2f}s CPU) {path.name}\n{detail}".rstrip())
        return 1 if failed else 0
    run = fuzz(args.n, args.seed, args.workers, args.timeout, args.mem, args.hard_mem, args.out, args.recycle,
               progress=not args.quiet, formats=args.formats.split(",") if args.formats else None,
               ocr_timeout=args.ocr_timeout)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
    print(summary(run))
    return 1 if any(r["outcome"] in ("crash", "hang", "memory") for r in run["results"]) else 0


if __name__ == "__main__":
    sys.exit(main())
