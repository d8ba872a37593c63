"""examples/january/ is what scripts/make_january.py writes: the subordinate batch, its review
opinions, the consolidated data file and draft, the published county report and the org tree."""

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("docx")

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("make_january", ROOT / "scripts" / "make_january.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_january_example_is_what_the_script_writes():
    files = _script().build()
    committed = {str(p.relative_to(ROOT)) for p in (ROOT / "examples" / "january").rglob("*") if p.is_file()}
    assert committed == set(files), "examples/january is stale: run scripts/make_january.py"
    for rel, data in files.items():
        assert (ROOT / rel).read_bytes() == data, f"{rel} is stale: run scripts/make_january.py"


def test_the_draft_reads_back_to_the_sums():
    import yaml

    from xxgk import parse_path
    from xxgk.consolidate import cells

    data = yaml.safe_load((ROOT / "examples" / "january" / "汇总.yaml").read_text(encoding="utf-8"))
    assert len(data["consolidated_from"]) == 4
    draft = next((ROOT / "examples" / "january").glob("*汇总报告草稿.docx"))
    got = parse_path(draft).to_json()
    for t, r, c in cells("2021"):
        assert str(got[t][r][c]) == str(data[t][r][c]), (t, r, c)
