"""Median CPU time per document, by input format: read (bytes → Document) and parse (read +
extract + check), over N generated reports written in each format; the parse's wall time (with
child processes: LibreOffice for .doc); per page where the format has pages.  A format is one entry in FORMATS.  Usage: python scripts/bench_formats.py [N] [FORMAT...]"""

from __future__ import annotations

import random
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Callable

from xxgk import parse_bytes
from xxgk.readers import read_bytes
from xxgk.synth import SynthReport, random_report
from xxgk.synth.layouts import write
from xxgk.synth.webdocs import to_docx, to_docx_altchunk, to_html


@dataclass
class Format:
    name: str  # file name handed to the reader (the extension only breaks ties)
    make: Callable[[SynthReport, random.Random], bytes]
    default: bool = True  # measured when no format is named on the command line


def _legacy_doc(rep: SynthReport, rng: random.Random) -> bytes:
    """The DOCX fixture saved as Word 97 by LibreOffice (reading it converts it back: seconds)."""
    import subprocess
    import tempfile
    from pathlib import Path

    from xxgk.readers.legacy import soffice

    exe = soffice()
    if exe is None:
        raise SystemExit("doc: LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "r.docx"
        src.write_bytes(to_docx(rep, rng))
        subprocess.run([exe, f"-env:UserInstallation={Path(tmp, 'p').as_uri()}", "--headless", "--convert-to", "doc",
                        "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=180)
        return (Path(tmp) / "r.doc").read_bytes()


FORMATS: dict[str, Format] = {
    "text": Format("r.txt", lambda rep, rng: write(rep, "tsv", rng).encode("utf-8")),
    "html": Format("r.html", lambda rep, rng: to_html(rep, rng, p_in_cells=True, nbsp=True)),
    "html-gbk-layout": Format("r.html", lambda rep, rng: to_html(rep, rng, encoding="gbk", declare=False,
                                                                  layout_table=True, split=True)),
    "docx": Format("r.docx", lambda rep, rng: to_docx(rep, rng)),
    "docx-textbox-split": Format("r.docx", lambda rep, rng: to_docx(rep, rng, textbox=True, nested=True, split=True)),
    "docx-altchunk": Format("r.docx", lambda rep, rng: to_docx_altchunk(rep, rng)),
    "doc": Format("r.doc", _legacy_doc, default=False),  # python scripts/bench_formats.py 5 doc
}


def cpu(fn, *args) -> tuple[float, float, object]:
    """CPU time of this process (other work on the machine does not count) and wall time (which
    includes child processes such as LibreOffice)."""
    t, w = time.process_time(), time.perf_counter()
    out = fn(*args)
    return time.process_time() - t, time.perf_counter() - w, out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    chosen = sys.argv[2:] or [key for key, fmt in FORMATS.items() if fmt.default]
    rng = random.Random(2024)
    reports = [random_report(rng, zero_share=0.05) for _ in range(n)]
    for key in chosen:
        fmt = FORMATS[key]
        docs = [fmt.make(rep, random.Random(i)) for i, rep in enumerate(reports)]
        parse_bytes(docs[0], fmt.name)  # warm up: imports, caches
        reads, parses, walls, per_page, sizes = [], [], [], [], []
        for data in docs:
            t_read, _, doc = cpu(read_bytes, data, fmt.name)
            t_parse, wall, _ = cpu(parse_bytes, data, fmt.name)
            reads.append(t_read)
            parses.append(t_parse)
            walls.append(wall)
            sizes.append(len(data))
            if doc.pages:
                per_page.append(t_parse / doc.pages)
        line = (f"{key:20s} read {statistics.median(reads) * 1000:7.2f} ms   parse {statistics.median(parses) * 1000:7.2f} ms"
                f"   p95 {sorted(parses)[int(len(parses) * 0.95)] * 1000:7.2f} ms   wall {statistics.median(walls) * 1000:7.1f} ms"
                f"   size {statistics.median(sizes) / 1024:6.1f} KB")
        if per_page:
            line += f"   {statistics.median(per_page) * 1000:.2f} ms/page"
        print(line)


if __name__ == "__main__":
    main()
