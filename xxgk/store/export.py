"""Exports of the corpus: CSV, XLSX, Parquet, JSON Lines; wide or long.

wide  one row per report: the report's fields (REPORT_FIELDS, ending with where the agency and
      the year were stated: agency_source, agency_raw, year_source), then one column per canonical
      cell of either template, named ``table.row.column`` from the canonical ids
      (``requests.granted.total``); a cell the report's template lacks or the report does not
      state is empty (null) — a blank is never written as 0.
long  one row per stored cell: LONG_FIELDS (report, table, row, column, value, status, raw text,
      provenance: line, page, document table/row/cell, confidence).

XLSX headers are Chinese (the template declaration's labels, e.g. 表三·（一）予以公开·总计), with a
second sheet 说明 that maps each header to its column name; Parquet needs pyarrow (extra
``xxgk[parquet]``).  Text that a spreadsheet would take for a formula (``=…``, ``+…``, ``-…``,
``@…``) is neutralised in CSV and XLSX (xxgk.spreadsheet); Parquet and JSON Lines keep it as is.  Every writer streams: memory does not grow with the corpus.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator

from .. import template as T
from ..spreadsheet import csv_safe, xlsx_safe
from .core import ReportSummary, Store
from .rows import cell_ids, cell_label

FORMATS = ("csv", "xlsx", "parquet", "jsonl")
LAYOUTS = ("wide", "long")

# (column name, Chinese header)
REPORT_FIELDS: tuple[tuple[str, str], ...] = (
    ("report_id", "报告编号"),
    ("sha256", "文件SHA256"),
    ("source_path", "文件路径"),
    ("agency", "机关名称"),
    ("agency_key", "机关标准名"),
    ("level", "行政层级"),
    ("kind", "机关类型"),
    ("region", "地区"),
    ("province", "省级"),
    ("prefecture", "地市级"),
    ("county", "县级"),
    ("township", "乡镇街道"),
    ("year", "年度"),
    ("template", "模板"),
    ("title", "标题"),
    ("has_errors", "有错误"),
    ("n_errors", "错误数"),
    ("n_warnings", "警告数"),
    # where the agency and the year were stated (added last: the earlier columns keep their places)
    ("agency_source", "机关名称来源"),
    ("agency_raw", "机关名称原文"),
    ("year_source", "年度来源"),
)
LONG_FIELDS: tuple[tuple[str, str], ...] = (
    ("report_id", "报告编号"),
    ("sha256", "文件SHA256"),
    ("agency", "机关名称"),
    ("year", "年度"),
    ("template", "模板"),
    ("table", "表"),
    ("row", "行"),
    ("column", "列"),
    ("value", "数值"),
    ("status", "状态"),
    ("raw", "原文"),
    ("line", "行号"),
    ("page", "页码"),
    ("doc_table", "文档表格序号"),
    ("doc_row", "文档表格行"),
    ("doc_cell", "文档表格单元格"),
    ("confidence", "识别置信度"),
)
XLSX_MAX_ROWS = 1_048_575  # per sheet, under the header


def wide_columns() -> list[tuple[str, str]]:
    """(name, Chinese header) of every column of a wide export, in order."""
    return list(REPORT_FIELDS) + [(".".join(c), cell_label(*c)) for c in cell_ids()]


def _money_cells() -> set[tuple[str, str, str]]:
    out = set()
    for tpl in T.TEMPLATES.values():
        for table in tpl.tables:
            for row, col in table.cells():
                if col.kind is T.Kind.MONEY:
                    out.add((table.key, row.id, col.id))
    return out


def _report_values(s: ReportSummary) -> list[Any]:
    d = {"report_id": s.id, **{k: getattr(s, k) for k, _ in REPORT_FIELDS if k != "report_id"}}
    return [d[k] for k, _ in REPORT_FIELDS]


@dataclass
class ExportResult:
    path: Path
    format: str
    layout: str
    reports: int = 0
    rows: int = 0


def _wide_rows(store: Store, filters: dict) -> Iterator[list[Any]]:
    ids = cell_ids()
    index = {c: i for i, c in enumerate(ids)}
    width = len(REPORT_FIELDS)
    for s, cells in store.iter_reports(values_only=True, **filters):  # only what a wide row writes
        row: list[Any] = _report_values(s) + [None] * len(ids)
        for c in cells:
            i = index.get((c[0], c[1], c[2]))
            if i is not None:
                row[width + i] = c[3]
        yield row


def _long_rows(store: Store, filters: dict, counter: Callable[[], None]) -> Iterator[list[Any]]:
    order = {c: i for i, c in enumerate(cell_ids())}
    for s, cells in store.iter_reports(**filters):
        counter()
        for c in sorted(cells, key=lambda c: order.get((c[0], c[1], c[2]), len(order))):
            yield [s.id, s.sha256, s.agency, s.year, s.template, *c]


def export(store: Store, path: str | os.PathLike, format: str | None = None, layout: str = "wide", **filters) -> ExportResult:
    """Write the reports matching `filters` (see Store.reports) to `path`.  `format` defaults to
    the file's suffix."""
    path = Path(path)
    format = (format or path.suffix.lstrip(".")).lower()
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    result = ExportResult(path, format, layout)

    def count_report():
        result.reports += 1

    if layout == "wide":
        columns = wide_columns()

        def rows():
            for r in _wide_rows(store, filters):
                result.reports += 1
                yield r
    else:
        columns = list(LONG_FIELDS)

        def rows():
            return _long_rows(store, filters, count_report)

    tmp = path.with_name(path.name + ".part")
    writer = {"csv": _write_csv, "xlsx": _write_xlsx, "parquet": _write_parquet, "jsonl": _write_jsonl}[format]
    try:
        result.rows = writer(tmp, columns, rows(), layout)
        os.replace(tmp, path)  # a reader never sees half a file
    finally:
        if tmp.exists():
            tmp.unlink()
    return result


# ---- writers ------------------------------------------------------------------------------------


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return csv_safe(v)  # text from a report never becomes a formula (see xxgk.spreadsheet)
    return str(v)


def _write_csv(path: Path, columns, rows, layout) -> int:
    n = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel opens Chinese text right
        w = csv.writer(fh)
        w.writerow([name for name, _ in columns])
        for r in rows:
            w.writerow([_text(v) for v in r])
            n += 1
    return n


def json_number(v):
    """A Decimal as a JSON number when a float carries it exactly (always, for these amounts),
    else as a string."""
    if isinstance(v, Decimal):
        f = float(v)
        return f if Decimal(repr(f)) == v else str(v)
    raise TypeError(type(v).__name__)


def _write_jsonl(path: Path, columns, rows, layout) -> int:
    names = [name for name, _ in columns]
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(dict(zip(names, r)), ensure_ascii=False, default=json_number) + "\n")
            n += 1
    return n


def _write_xlsx(path: Path, columns, rows, layout) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    title = "报告" if layout == "wide" else "单元格"
    headers = [label for _, label in columns]
    sheet = None
    in_sheet = n = 0
    part = 0
    for r in rows:
        if sheet is None or in_sheet >= XLSX_MAX_ROWS:
            part += 1
            sheet = wb.create_sheet(title if part == 1 else f"{title}{part}")
            sheet.append(headers)
            in_sheet = 0
        sheet.append([xlsx_safe(sheet, v) if isinstance(v, str) else v for v in r])
        in_sheet += 1
        n += 1
    if sheet is None:
        wb.create_sheet(title).append(headers)
    about = wb.create_sheet("说明")
    about.append(["表头", "列名（规范标识）"])
    for name, label in columns:
        about.append([label, name])
    wb.save(path)
    return n


def _write_parquet(path: Path, columns, rows, layout) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise RuntimeError("导出 Parquet 需要 pyarrow：pip install 'xxgk[parquet]'") from None

    money = {".".join(c) for c in _money_cells()}
    report_types = {
        "report_id": pa.int64(), "year": pa.int64(), "has_errors": pa.bool_(), "n_errors": pa.int64(),
        "n_warnings": pa.int64(), "line": pa.int64(), "page": pa.int64(), "doc_table": pa.int64(),
        "doc_row": pa.int64(), "doc_cell": pa.int64(), "confidence": pa.float64(),
        "value": pa.decimal128(20, 4),
    }
    fields = []
    for name, label in columns:
        if name in report_types:
            t = report_types[name]
        elif name.count(".") == 2:  # a canonical cell
            t = pa.decimal128(20, 4) if name in money else pa.int64()
        else:
            t = pa.string()
        fields.append(pa.field(name, t, metadata={"label": label}))
    schema = pa.schema(fields)
    n = 0
    batch: list[list[Any]] = []
    with pq.ParquetWriter(path, schema) as writer:
        def flush():
            cols = list(zip(*batch))
            arrays = []
            for f, values in zip(schema, cols):
                if pa.types.is_decimal(f.type):
                    values = [None if v is None else Decimal(v) for v in values]
                arrays.append(pa.array(values, type=f.type))
            writer.write_batch(pa.record_batch(arrays, schema=schema))
            batch.clear()

        for r in rows:
            batch.append(r)
            n += 1
            if len(batch) >= 20_000:
                flush()
        if batch:
            flush()
    return n
