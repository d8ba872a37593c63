"""The rendered examples in examples/rendered/ are what scripts/make_examples.py writes, and every
form of one example (txt, html, docx, and the PDF) reads to the same numbers without errors."""

import importlib.util
from pathlib import Path

import pytest

from xxgk import parse_path
from xxgk.render import render

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("make_examples", ROOT / "scripts" / "make_examples.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_examples_match_the_script_and_check_clean():
    script = _script()
    reports: list = []
    for k, (stem, rd) in enumerate(script.build(reports)):
        for fmt in ("txt", "html", "docx"):
            path = ROOT / "examples" / "rendered" / f"{stem}.{fmt}"
            assert path.read_bytes() == render(rd, fmt), f"{path.name} is stale: run scripts/make_examples.py"
        forms = sorted((ROOT / "examples" / "rendered").glob(f"{stem}.*"))
        assert [p.suffix for p in forms] == [".docx", ".html", *([".pdf"] if k == script.PDF_EXAMPLE else []), ".txt"]
        for path in forms:
            rep = parse_path(path)
            assert not rep.has_errors, path.name
            assert {t: rep.to_json()[t] for t in ("active", "requests", "appeals")} == rd.canonical(), path.name


def test_committed_pdf_example_is_what_the_fixture_writer_makes():
    pdfs = pytest.importorskip("xxgk.synth.pdfs")
    script = _script()
    reports: list = []
    stem, _ = script.build(reports)[script.PDF_EXAMPLE]
    assert (ROOT / "examples" / "rendered" / f"{stem}.pdf").read_bytes() == pdfs.write_pdf(reports[script.PDF_EXAMPLE])
