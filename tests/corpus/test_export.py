"""Exports hold exactly the stored values: every format and layout read back and compared."""

from __future__ import annotations

import csv
import json
import random
from decimal import Decimal

import pytest

from xxgk import parse_bytes
from xxgk.store.export import LONG_FIELDS, REPORT_FIELDS, export, wide_columns
from xxgk.synth import random_report
from xxgk.synth.layouts import LAYOUTS, write


@pytest.fixture
def filled(store):
    rng = random.Random(99)
    for i in range(12):
        template = "2021" if i % 3 else "2019"
        year = 2022 if template == "2021" else 2020
        rep = random_report(rng, template, year, zero_share=0.3)
        if template == "2021":
            rep.values["active"]["fees"]["amount_wan_yuan"] = Decimal(f"{i}.{i + 10}")
        text = write(rep, LAYOUTS[i % len(LAYOUTS)], random.Random(i))
        report = parse_bytes(text.encode(), f"e{i}.txt", path=f"/in/e{i}.txt")
        if i == 4:  # a blank cell: stays empty, never 0
            v = report.tables["requests"]["granted"]["research"]
            v.value, v.status, v.raw = None, "blank", "—"
        store.add(report, cross_year=False)
    return store


def stored_wide(store):
    """report id → {column name: value} straight from the store."""
    out = {}
    for s, cells in store.iter_reports():
        row = {"report_id": s.id, **{k: getattr(s, k) for k, _ in REPORT_FIELDS if k != "report_id"}}
        row.update({f"{t}.{r}.{c}": v for t, r, c, v, *_ in cells})
        out[s.id] = row
    return out


def stored_long(store):
    return {(s.id, c[0], c[1], c[2]): c for s, cells in store.iter_reports() for c in cells}


def _num(v):
    """A value as a reader gives it back (CSV text, JSON/XLSX int or float, Parquet int or
    Decimal) → int, exact Decimal or None."""
    if v in ("", None):
        return None
    if isinstance(v, (int, Decimal)):
        return v
    d = Decimal(repr(v) if isinstance(v, float) else v)
    return int(d) if d == d.to_integral_value() else d


def compare_wide(rows: list[dict], store):
    want = stored_wide(store)
    assert len(rows) == len(want)
    names = [n for n, _ in wide_columns()]
    for row in rows:
        assert list(row) == names
        rid = int(row["report_id"])
        w = want[rid]
        for name in names:
            if name.count(".") == 2:
                got = _num(row[name])
                assert got == w.get(name), (rid, name, row[name], w.get(name))
                assert (got is None) == (w.get(name) is None)
        assert row["sha256"] == w["sha256"] and str(row["agency"] or "") == str(w["agency"] or "")
        # where the agency and the year were stated: the stored sources, after the counts
        for name in ("agency_source", "agency_raw", "year_source"):
            assert str(row[name] or "") == str(w[name] or ""), (rid, name, row[name], w[name])


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx", "parquet"])
def test_wide(filled, tmp_path, fmt):
    path = tmp_path / f"wide.{fmt}"
    res = export(filled, path, fmt, "wide")
    assert (res.reports, res.rows) == (12, 12)
    names = [n for n, _ in wide_columns()]
    if fmt == "csv":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        header_of = {label: name for label, name in wb["说明"].iter_rows(min_row=2, values_only=True)}
        data = list(wb["报告"].iter_rows(values_only=True))
        assert data[0][:3] == ("报告编号", "文件SHA256", "文件路径") and "表三·（一）予以公开·总计" in data[0]
        assert data[0][len(REPORT_FIELDS) - 3:len(REPORT_FIELDS)] == ("机关名称来源", "机关名称原文", "年度来源")
        width = len(data[0])  # a read-only sheet drops a row's trailing empty cells
        rows = [dict(zip([header_of[h] for h in data[0]], tuple(r) + (None,) * (width - len(r)))) for r in data[1:]]
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        assert table.schema.field("active.fees.amount_wan_yuan").type.id == __import__("pyarrow").decimal128(20, 4).id
        assert table.schema.field("requests.granted.total").metadata[b"label"].decode() == "表三·（一）予以公开·总计"
        rows = [{n: r[n] for n in names} for r in table.to_pylist()]
    compare_wide(rows, filled)
    assert names[len(REPORT_FIELDS) - 4:len(REPORT_FIELDS)] == ["n_warnings", "agency_source", "agency_raw", "year_source"]
    assert {r["agency_source"] for r in rows} == {"title"} and {r["year_source"] for r in rows} == {"title"}
    blank = [r for r in rows if str(r["source_path"]).endswith("e4.txt")][0]
    assert blank["requests.granted.research"] in ("", None)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx", "parquet"])
def test_long(filled, tmp_path, fmt):
    path = tmp_path / f"long.{fmt}"
    res = export(filled, path, fmt, "long")
    want = stored_long(filled)
    assert res.rows == len(want) and res.reports == 12
    names = [n for n, _ in LONG_FIELDS]
    if fmt == "csv":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        data = list(load_workbook(path, read_only=True)["单元格"].iter_rows(values_only=True))
        assert data[0] == tuple(label for _, label in LONG_FIELDS)
        rows = [dict(zip(names, tuple(r) + (None,) * (len(names) - len(r)))) for r in data[1:]]
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
    assert len(rows) == len(want)
    for row in rows:
        key = (int(row["report_id"]), row["table"], row["row"], row["column"])
        cell = want[key]
        got = _num(row["value"])
        assert got == cell[3] and (got is None) == (cell[3] is None), key
        assert row["status"] == cell[4]
        assert (row["raw"] or None) == cell[5]
        assert _num(row["line"]) == cell[6]


def test_export_filters_and_bad_format(filled, tmp_path):
    res = export(filled, tmp_path / "y.csv", layout="wide", year=2020)
    assert res.reports == 4
    with pytest.raises(ValueError):
        export(filled, tmp_path / "x.pdf")
    with pytest.raises(ValueError):
        export(filled, tmp_path / "x.csv", layout="tall")
    assert not (tmp_path / "x.csv").exists()


def test_values_only_fetch_is_the_numbers_of_the_full_fetch(filled):
    """The wide export reads only (table, row, column, value) of cells holding a number; that
    must be exactly the non-blank part of the full fetch, report by report."""
    full = {s.id: {c[:3]: c[3] for c in cells if c[3] is not None} for s, cells in filled.iter_reports()}
    slim = {s.id: {c[:3]: c[3] for c in cells} for s, cells in filled.iter_reports(values_only=True)}
    assert slim == full
    assert all(len(c) == 4 for _, cells in filled.iter_reports(values_only=True) for c in cells)
    assert any(v is None for _, cells in filled.iter_reports() for c in cells for v in [c[3]])  # the blank exists
