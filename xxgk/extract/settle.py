"""Numbers recognised with low OCR confidence: confirm or settle them with the accounting
identities, or leave them flagged — never accept them silently.

A cell read with confidence below `LOW_CONFIDENCE` is "doubtful" (see `tables._value`).  For each
doubtful cell, every identity instance that names it and whose other operands are all trusted
numbers determines its value.  When those instances agree:

* the determined value equals the reading → confirmed: status "read", an OCR_SETTLED note;
* it differs from the reading in one character (a misread digit: same length, or the reading is
  not a number of that length) → settled: the determined value, status "inferred", OCR_SETTLED;
* otherwise (the identities contradict a plausible reading, or nothing determines it) the cell
  stays "doubtful" with its reading, and an OCR_LOW_CONFIDENCE note asks for a look at the scan.

Settling runs to a fixed point: a settled cell becomes a trusted operand for the next one, so
two doubtful cells of one identity are only settled when another identity pins one of them.
"""

from __future__ import annotations

from ..report import Report, Value
from ..template import Table, Template

LOW_CONFIDENCE = 0.90  # a recognised number below this confidence is doubtful
TRUSTED = ("read", "inferred")


def _instances(table: Table):
    """Every (left slots, right slots) of the table's identities."""
    for ident in table.identities:
        if ident.axis == "column":
            for col in table.columns:
                yield [(r, col.id) for r in ident.left], [(r, col.id) for r in ident.right]
        else:
            for row in table.rows:
                if (set(ident.left) | set(ident.right)) <= set(row.columns):
                    yield [(row.id, c) for c in ident.left], [(row.id, c) for c in ident.right]


def _determined(cells: dict[str, dict[str, Value]], slot, instances) -> set:
    out = set()
    for left, right in instances:
        if slot not in left and slot not in right:
            continue
        others = [s for s in left + right if s != slot]
        if any(cells[r][c].status not in TRUSTED or cells[r][c].value is None for r, c in others):
            continue
        lsum = sum(cells[r][c].value for r, c in left if (r, c) != slot)
        rsum = sum(cells[r][c].value for r, c in right if (r, c) != slot)
        out.add(rsum - lsum if slot in left else lsum - rsum)
    return out


def _digits(raw: str | None) -> str:
    return "".join(ch for ch in (raw or "") if not ch.isspace())


def compatible(raw: str | None, value) -> bool:
    """Could the recogniser have read `value` as `raw`?  One character misread, none lost or added."""
    got, want = _digits(raw), str(value)
    return len(got) == len(want) and sum(a != b for a, b in zip(got, want)) <= 1


def settle(report: Report, tpl: Template) -> None:
    for table in tpl.tables:
        cells = report.tables[table.key]
        if "doubtful" not in [v.status for cols in cells.values() for v in cols.values()]:
            continue  # the common case: not OCR, or OCR sure of every number
        instances = list(_instances(table))
        changed = True
        while changed:
            changed = False
            for row, cols in cells.items():
                for col, v in cols.items():
                    if v.status != "doubtful":
                        continue
                    values = _determined(cells, (row, col), instances)
                    if len(values) != 1:
                        continue
                    (want,) = values
                    if want < 0 and table.column(col).kind.value == "count":
                        continue
                    where = _where(table, row, col, v)
                    name = _name(table, row, col)
                    conf = f"{v.confidence:.0%}" if v.confidence is not None else "低"
                    if v.value == want:
                        v.status = "read"
                        report.notes.append(("OCR_SETTLED", f"{name}识别为{v.raw}（置信度{conf}），与勾稽关系一致，已确认", where))
                    elif compatible(v.raw, want):
                        v.value, v.status = want, "inferred"
                        report.notes.append((
                            "OCR_SETTLED",
                            f"{name}识别为{v.raw}（置信度{conf}），按勾稽关系应为{want}，已采用{want}，请对照扫描件核实",
                            where,
                        ))
                    else:
                        continue
                    changed = True
        for row, cols in cells.items():
            for col, v in cols.items():
                if v.status == "doubtful":
                    conf = f"{v.confidence:.0%}" if v.confidence is not None else "低"
                    report.notes.append((
                        "OCR_LOW_CONFIDENCE",
                        f"{_name(table, row, col)}识别为“{v.raw}”，置信度{conf}，勾稽关系无法确认，请对照扫描件核实",
                        _where(table, row, col, v),
                    ))


def _name(table: Table, row: str, col: str) -> str:
    r = table.row(row)
    return f"{table.name}「{r.name}」{table.column(col).label}"


def _where(table: Table, row: str, col: str, v: Value) -> dict:
    return {"table": table.key, "row": row, "column": col, "page": v.page, "line": v.line, "confidence": v.confidence}
