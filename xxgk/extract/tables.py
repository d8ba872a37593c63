"""Read Tables 2, 3 and 4 out of the document's tables into the canonical cells."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..document import Document
from ..report import Value
from ..template import Table, Template
from ..text import cell_value, fold
from .labels import label_index
from .placement import Slot, Token, alternatives, direct, resolve
from . import strays
from .settle import LOW_CONFIDENCE

# Table 4 header words: text cells between the "行政复议" anchor and the numbers
_T4_HEADER = ("行政复议", "行政诉讼", "维持", "纠正", "结果", "审结", "总计", "合计", "起诉", "其他", "复议", "诉讼")


@dataclass
class Occurrence:
    table: str
    rows: tuple[str, ...]
    tokens: list[Token]
    line: int | None
    label_at: int = -1  # index of the label cell in its document row
    width: int = 0  # number of cells in its document row
    padded: bool = False  # its document table may hold padding cells (see Table.padded)
    header: dict[str, int] | None = None  # column id → cell index of its header above, same table
    # a non-number (“1e5”, “十二”) where the row's numbers go, which ended the row: (cells after
    # it in the row, its text) — see strays.py
    stray: tuple[int, str] | None = None


@dataclass
class TableRead:
    values: dict[str, dict[str, dict[str, Value]]]
    found: set[str] = field(default_factory=set)
    notes: list[tuple[str, str, dict]] = field(default_factory=list)


def _cells(doc: Document):
    """Every table cell in document order: (document table index, row index, cell index, cell)."""
    for ti, table in enumerate(doc.tables):
        for ri, row in enumerate(table.rows):
            for ci, cell in enumerate(row.cells):
                yield ti, ri, ci, cell


def _header_keys(tpl: Template) -> dict[str, dict[str, str]]:
    """table key → folded header text → column id, for the tables read by row labels."""
    out: dict[str, dict[str, str]] = {}
    for table in tpl.tables:
        if table.key == "appeals":
            continue
        out[table.key] = {fold(k): c.id for c in table.columns for k in (c.label, *c.keys)}
    return out


def _row_occurrences(doc: Document, tpl: Template) -> list[Occurrence]:
    """Labelled rows of Tables 2 and 3: the numbers after the last label cell of each row."""
    index = label_index(tpl.id)
    header_keys = _header_keys(tpl)
    any_header = frozenset(k for names in header_keys.values() for k in names) | {"信息内容"}
    out: list[Occurrence] = []
    for ti, table in enumerate(doc.tables):
        header: dict[str, dict[str, int]] = {key: {} for key in header_keys}
        for ri, row in enumerate(table.rows):
            cells = row.cells
            if table.rows_known and any(fold(c.text) in any_header for c in cells):
                if _note_header(cells, header_keys, header):
                    continue  # a header row (自然人 … 总计 / 信息内容 本年制发件数 …)
            kinds = [cell_value(c.text) for c in cells]
            label_at, hit, numbers_after = -1, None, False
            for ci, cell in enumerate(cells):
                if cell.spanned:
                    continue
                kind = kinds[ci].kind
                if kind == "text":
                    if numbers_after:
                        break  # text after the numbers: the row ended
                    m = index.match(cell.text)
                    if m is not None:
                        label_at, hit = ci, m
                elif kind == "number" and label_at >= 0:
                    numbers_after = True
            if hit is None:
                continue
            tokens = []
            for ci in range(label_at + 1, len(cells)):
                cell = cells[ci]
                if cell.spanned:
                    continue
                v = kinds[ci]
                if v.kind == "text":
                    rest = [c.text.strip() for c in cells[ci + 1 :] if not c.spanned]
                    while rest and not rest[-1]:
                        rest.pop()
                    stray = (len(rest), cell.text) if index.match(cell.text) is None else None
                    break
                tokens.append(Token(v, cell, (ti, ri, ci)))
            else:
                stray = None
            occ = Occurrence(hit[0], (hit[1],), tokens, cells[label_at].line, label_at, len(cells), table.padded, stray=stray)
            if table.rows_known:
                occ.header = dict(header[hit[0]])
            out.append(occ)
    return out


def _note_header(cells, header_keys, header) -> bool:
    """If the row is a header row (two or more column headers of a table), remember where each
    column's header sits — the latest header row wins — and say so."""
    seen = False
    for key, names in header_keys.items():
        found = {}
        for ci, cell in enumerate(cells):
            col = names.get(fold(cell.text))
            if col is not None:
                found[col] = ci
        if len(found) >= 2 or (found and any(fold(c.text) == "信息内容" for c in cells)):
            header[key].update(found)
            seen = True
    return seen


def _window(occ: Occurrence, table: Table) -> list[int] | None:
    """Cell indices of the headers of the row's columns, if the header above names them all."""
    if not occ.header:
        return None
    cols = table.row(occ.rows[0]).columns
    if any(c not in occ.header for c in cols):
        return None
    window = [occ.header[c] for c in cols]
    return window if window == sorted(set(window)) else None


def _full(o: Occurrence, table: Table) -> bool:
    return sum(t.is_number for t in o.tokens) == len(table.row(o.rows[0]).columns)


def _edge_blank(chosen: list[Token]) -> bool:
    """An empty field before the first or after the last number — where padding also sits.
    (An empty field between two numbers is a cell of the table: padding does not go there.)"""
    numbers = [k for k, t in enumerate(chosen) if t.is_number]
    if not numbers:
        return False
    return any(not t.cell.text.strip() for t in chosen[: numbers[0]] + chosen[numbers[-1] + 1 :])


def _aligned(occ: Occurrence, table: Table, siblings: list[Occurrence]) -> list[Token | None] | None:
    """Read a short row by the column positions of its table's header — only when the table is
    a proper grid: every labelled row as wide as this one, and every complete row's numbers
    standing exactly under its headers (Word exports keep the grid; PDF extraction does not)."""
    window = _window(occ, table)
    if window is None or any(t.is_number and t.pos[2] not in window for t in occ.tokens):
        return None
    others = [o for o in siblings if o is not occ]
    if not others or any(o.width != occ.width for o in others):
        return None
    full = [o for o in others if _full(o, table)]
    if not full or any([t.pos[2] for t in o.tokens if t.is_number] != _window(o, table) for o in full):
        return None
    at = {t.pos[2]: t for t in occ.tokens}
    return [at.get(ci) for ci in window]


def _appeals_occurrence(doc: Document) -> Occurrence | None:
    """Table 4: the run of numbers that follows its header (anchored at 行政复议 … 维持/审结)."""
    cells = list(_cells(doc))
    start = None
    for k, (_, _, _, cell) in enumerate(cells):
        if "复议" not in cell.text and "復議" not in cell.text:
            continue
        f = fold(cell.text)
        if "行政复议" in f and len(f) <= 12:
            # confirm a Table 4 header follows
            ahead = "".join(c.text for *_, c in cells[k : k + 40])
            if "维持" in ahead or "审结" in ahead or "起诉" in ahead:
                start = k
                break
    if start is None:
        return None
    tokens: list[Token] = []
    line = cells[start][3].line
    for ti, ri, ci, cell in cells[start:]:
        if cell.spanned:
            continue
        v = cell_value(cell.text)
        if v.kind == "text":
            f = fold(cell.text)
            if not any(t.is_number for t in tokens) and (len(f) <= 16 or any(w in f for w in _T4_HEADER)):
                tokens = []  # still in the header: padding cells before here are not data
                continue
            break
        tokens.append(Token(v, cell, (ti, ri, ci)))
    rows = ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
    padded = bool(tokens) and doc.tables[tokens[0].pos[0]].padded
    if padded and len({t.pos[:2] for t in tokens}) == 1:
        ti, ri = tokens[0].pos[:2]
        # a row of nothing but the 15 cells: no merged label can have left padding in it
        padded = len(doc.tables[ti].rows[ri].cells) != len(tokens) or len(tokens) != 5 * len(rows)
    return Occurrence("appeals", rows, tokens, line, padded=padded)


def _slots(table: Table, rows: tuple[str, ...]) -> list[Slot]:
    return [(r, c) for r in rows for c in table.row(r).columns]


def _value(tok: Token, status: str | None = None) -> Value:
    v = tok.value
    if status is None:
        status = "read" if v.kind == "number" else "blank"
        if status == "read" and tok.cell.confidence is not None and tok.cell.confidence < LOW_CONFIDENCE:
            status = "doubtful"  # OCR unsure: settled by the identities or flagged (settle.py)
    return Value(
        v.number,
        status,
        tok.cell.text,
        tok.cell.line,
        tok.cell.page,
        tok.pos,
        tok.cell.confidence,
        tok.cell.bbox,
    )


def read_tables(doc: Document, tpl: Template) -> TableRead:
    values = {t.key: {r.id: {c: Value() for c in r.columns} for r in t.rows} for t in tpl.tables}
    result = TableRead(values)
    occurrences = _row_occurrences(doc, tpl)
    appeals = _appeals_occurrence(doc)
    if appeals is not None:
        occurrences.append(appeals)

    by_table: dict[tuple[str, int], list[Occurrence]] = {}
    for o in occurrences:
        if o.tokens:
            by_table.setdefault((o.table, o.tokens[0].pos[0]), []).append(o)

    placed: set[tuple[str, str]] = set()
    pending: list[Occurrence] = []
    for occ in occurrences:
        table = tpl.table(occ.table)
        result.found.add(occ.table)
        slots = _slots(table, occ.rows)
        if not occ.tokens or (not any(t.is_number for t in occ.tokens) and len(occ.tokens) < len(slots)):
            continue  # a label with no cells after it: a header or a label split from its row
        key = (occ.table, occ.rows[0])
        chosen = direct(occ.tokens, len(slots))
        if chosen is not None and occ.padded and _edge_blank(chosen):
            chosen = None  # an empty field at the edge would become a blank: padding or blank? (settled below)
        if chosen is None:
            pending.append(occ)
            continue
        new = {s: _value(tok) for s, tok in zip(slots, chosen)}
        if key in placed:
            _note_duplicate(result, table, occ, values, new)
            continue
        placed.add(key)
        for (r, c), v in new.items():
            values[occ.table][r][c] = v

    for occ in pending:  # placements that need the identities, with the directly read rows known
        table = tpl.table(occ.table)
        slots = _slots(table, occ.rows)
        key = (occ.table, occ.rows[0])
        if key in placed:
            continue
        siblings = by_table.get((occ.table, occ.tokens[0].pos[0]), []) if occ.tokens else []
        aligned = _aligned(occ, table, siblings) if len(occ.rows) == 1 else None
        if aligned is not None:
            placed.add(key)
            for (r, c), tok in zip(slots, aligned):
                values[occ.table][r][c] = _value(tok) if tok is not None else Value(None, "blank", line=occ.line)
            continue
        options = alternatives(occ.tokens, len(slots))
        chosen = None
        if options:
            known = {(r, c): v.value for r, cols in values[occ.table].items() for c, v in cols.items() if v.status == "read"}
            chosen = resolve(table, slots, options, known)
        raw = " ".join(t.cell.text or "□" for t in occ.tokens)
        where = {"table": occ.table, "row": occ.rows[0] if len(occ.rows) == 1 else None, "line": occ.line}
        numbers = sum(1 for t in occ.tokens if t.is_number)
        label = _row_label(table, occ)
        if chosen is None:
            for r, c in slots:
                values[occ.table][r][c] = Value(None, "unplaced", line=occ.line)
            result.notes.append((
                "ROW_UNPLACED",
                f"{table.name}「{label}」读到{numbers}个数、应有{len(slots)}格（{raw}），无法确定各数所在的列，已留空，请对照原件核实",
                where,
            ))
            continue
        placed.add(key)
        for (r, c), (number, tok) in zip(slots, chosen):
            if tok is not None:
                v = _value(tok, "inferred")
            else:
                v = Value(number, "inferred", line=occ.line)
            v.value = number
            values[occ.table][r][c] = v
        result.notes.append((
            "CELL_INFERRED",
            f"{table.name}「{label}」读到{numbers}个数、应有{len(slots)}格（{raw}），按勾稽关系唯一确定为"
            f"{'、'.join(str(n) for n, _ in chosen)}，请对照原件核实",
            where,
        ))
    strays.note(result, tpl, occurrences)
    return result


def _row_label(table: Table, occ: Occurrence) -> str:
    if len(occ.rows) == 1:
        return table.row(occ.rows[0]).label
    return "全部"


def _note_duplicate(result: TableRead, table: Table, occ: Occurrence, values, new) -> None:
    old = {s: values[occ.table][s[0]][s[1]].value for s in new}
    if all(old[s] == v.value for s, v in new.items()):
        return  # the same row printed again (a header repeated after a page break)
    result.notes.append((
        "DUPLICATE_ROW",
        f"{table.name}「{_row_label(table, occ)}」出现两次且数字不同（第{occ.line}行），已采用第一次出现的数字",
        {"table": occ.table, "row": occ.rows[0], "line": occ.line},
    ))
