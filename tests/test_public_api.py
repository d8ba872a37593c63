"""The documented public Python API (issue 14, item 16): this test uses only `import xxgk`; every
public name has a docstring and type hints and is documented in docs/api.md, whose example runs
and prints what the page shows; the package is typed (py.typed)."""

import inspect
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import xxgk

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
EXAMPLES = ROOT / "examples"


def test_every_public_name_is_documented_typed_and_importable():
    for name in xxgk.__all__:
        obj = getattr(xxgk, name)
        if name.startswith("__") or name == "PARSER_VERSION":
            continue
        assert f"`{name}" in DOC, f"{name} is not in docs/api.md"
        assert inspect.getdoc(obj), f"{name} has no docstring"
        if inspect.isfunction(obj):
            sig = inspect.signature(obj)
            assert sig.return_annotation is not inspect.Signature.empty, name
            for p in sig.parameters.values():
                assert p.annotation is not inspect.Parameter.empty, (name, p.name)
    assert (Path(xxgk.__file__).parent / "py.typed").exists()
    assert "py.typed" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_parse_check_and_read_errors(tmp_path):
    report = xxgk.parse_path(EXAMPLES / "青山镇-2024-制表符.txt")
    assert (report.meta.agency, report.meta.year, report.template) == ("东湖区青山镇人民政府", 2024, "2021")
    assert report.value("requests", "new_received", "total") == 290
    assert isinstance(report, xxgk.Report) and not report.has_errors
    # the same bytes, one cell made inconsistent: exactly the rules that involve it, and select/ignore
    text = (EXAMPLES / "青山镇-2024-制表符.txt").read_text(encoding="utf-8")
    broken = xxgk.parse_bytes(text.encode(), "r.txt")
    broken.tables["requests"]["granted"]["total"].value += 1
    xxgk.check([broken])
    codes = {f.code for f in broken.findings if f.severity is xxgk.Severity.ERROR}
    assert codes == {"T3_ROW_SUM", "T3_RESULT_SUM"}
    xxgk.check([broken], ignore=["T3_"])
    assert not broken.has_errors
    assert {f.code for f in xxgk.parse_path(EXAMPLES / "青山镇-2024-制表符.txt", select=["T3_"]).findings} <= {
        r.code for r in xxgk.rules() if r.code.startswith("T3_")}
    with pytest.raises(xxgk.ReadError) as exc:
        xxgk.parse_path(tmp_path / "none.txt")
    assert str(exc.value) == "文件不存在"
    assert all(isinstance(f, xxgk.Finding) for f in broken.findings)


def test_store_ingest_counts_and_refusal(tmp_path):
    with pytest.raises(xxgk.StoreError):
        xxgk.open_store(tmp_path / "none.db", create=False)
    assert not (tmp_path / "none.db").exists()
    with xxgk.open_store(tmp_path / "c.db") as store:
        assert isinstance(store, xxgk.Store)
        result = xxgk.ingest(store, [EXAMPLES / "rendered"], jobs=1)
        assert isinstance(result, xxgk.IngestResult) and result.failed == 0 and result.stored == 13
        counts = store.counts()
        assert isinstance(counts, xxgk.Counts)
        assert (counts.files, counts.reports) == (13, 4)  # 4 organ-years, each in 3 or 4 formats
        stats = store.stats(by="year")
        assert isinstance(stats, xxgk.Stats)
        assert {g.key: g.reports for g in stats.groups} == {2020: 1, 2023: 1, 2024: 2}
        rep = store.report(store.reports(year=2023)[0].id)
        assert rep.value("requests", "new_received", "total") == xxgk.parse_path(
            EXAMPLES / "rendered" / "西山县云岭镇人民政府-2023-2021模板.txt").value("requests", "new_received", "total")


def test_render_round_trip_and_data_errors(tmp_path):
    source = xxgk.parse_path(EXAMPLES / "rendered" / "西山县云岭镇人民政府-2023-2021模板.txt").to_json()
    data = xxgk.data_from_mapping({"template": "2021", "meta": {"agency": "东湖区测试局", "year": 2024},
                                   **{k: source[k] for k in ("active", "requests", "appeals")}})
    assert isinstance(data, xxgk.ReportData)
    for fmt in ("txt", "html", "md"):
        back = xxgk.parse_bytes(xxgk.render_report(data, fmt), f"r.{fmt}")
        for key in ("active", "requests", "appeals"):
            assert back.to_json()[key] == source[key], (fmt, key)
    fees = {col: v.value for col, v in back.tables["active"]["fees"].items()}
    assert fees and all(isinstance(v, (int, Decimal)) for v in fees.values())  # amounts keep their decimals
    bad = tmp_path / "2024.yaml"
    bad.write_text("template: '2021'\n表三:\n  不存在的行: {总计: 1}\n", encoding="utf-8")
    with pytest.raises(xxgk.DataError) as exc:
        xxgk.load_data(bad)
    assert exc.value.problems


def test_the_documented_example_prints_what_the_page_shows():
    code = re.search(r"```python\n(.*?)```", DOC, re.S).group(1)
    shown = re.search(r"```text\n(.*?)```", DOC, re.S).group(1)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert r.stdout == shown
