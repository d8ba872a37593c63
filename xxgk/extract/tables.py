"""Read Tables 2, 3 and 4 out of the document into the canonical cells.

One reader for every linearisation of a table.  Whatever the input reader produced — rows of
cells from Word or HTML, text rows split on tabs or ``|``, a cell a line, a stream of cells
closed by ``|`` with ``||`` where merged cells were, a label on one line and its numbers on the
next — the cells are read as one stream of tokens in document order: row labels, column
headers, other text, numbers, blank marks and empty slots (see `stream`).  Each row label opens
a run of the value tokens that follow it; the run is then aligned to the row's place in the
printed form (`align`):

1. *grid*: the run holds exactly the slots the printed row has after its label — value slots
   and the empty slots merged cells leave — so every slot is known by position, an empty value
   slot is a blank (provenance ``how: "position"``);
2. *direct*: exactly as many cells, or numbers, as the row has columns (placement.direct);
3. *header*: a short row read by the column positions of its table's header;
4. *identities*: one number too few or too many — every placement is tried and the accounting
   identities keep the one that holds (CELL_INFERRED), or none (ROW_UNPLACED);
5. *cut*: the document stops inside the row — the numbers before the cut are placed in order,
   the rest stay missing (ROW_CUT).

Table 4 is read by position: the run of numbers after its header, or — its header lost — the
first run of numbers after section 四's heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from ..document import Cell, Document
from ..form import grids
from ..report import Value
from ..template import Kind, Table, Template, get
from ..text import cell_value, fold, strip_numbering
from .labels import header_index, label_index
from . import strays
from .placement import Slot, Token, alternatives, direct, resolve
from .settle import LOW_CONFIDENCE

# Table 4 header words: text cells between the "行政复议" anchor and the numbers
_T4_HEADER = ("行政复议", "行政诉讼", "维持", "纠正", "结果", "审结", "总计", "合计", "起诉", "其他", "复议", "诉讼")
_GROUP_MARK = "第二十条"  # the group headings of Table 2: they end a run and a list of sub-rows
_CONTINUATION = 20  # folded characters: a longer unknown text after a label is not its second line
_BARE_YUAN = 100_000  # a bare integer this large in a 万元 column is taken as yuan (UNIT_INFERRED)


@dataclass(slots=True)
class Occurrence:
    table: str
    rows: tuple[str, ...]
    tokens: list[Token]
    line: int | None
    label_at: int = -1  # index of the label cell in its document row
    width: int = 0  # number of cells in its document row
    padded: bool = False  # its document table may hold padding cells (see Table.padded)
    header: dict[str, int] | None = None  # column id → cell index of its header above, same table
    slotted: bool = False  # the table is a stream of every printed slot (merged ones empty)
    part_of: str | None = None  # a sub-row printed under this canonical row (Row.parts)
    label: str = ""  # the label as printed
    rows_known: bool = True
    last: bool = False  # nothing but blank lines follows it in the document: it may be cut
    doc_table: int = -1  # the document table its label sits in
    readings: tuple | None = None  # (_readings cache) the run read against the printed row, two ways
    # a non-number (“1e5”, “十二”) where the row's numbers go, which ended the run: (cells after
    # it in its document row, its text, its (document table, row, cell)) — see strays.py
    stray: tuple[int, str, tuple[int, int, int]] | None = None


@dataclass
class TableRead:
    values: dict[str, dict[str, dict[str, Value]]]
    found: set[str] = field(default_factory=set)
    notes: list[tuple[str, str, dict]] = field(default_factory=list)


# ---- the printed form: what follows each row label -----------------------------------------

@lru_cache(maxsize=None)
def patterns(template_id: str) -> dict[tuple[str, str], tuple[int, int, str]]:
    """(table, row) → (grid width, label column, slots after the label) of the printed form, the
    slots written V (a value cell) or P (covered by a merged cell: empty in any linearisation)."""
    tpl = get(template_id)
    out = {}
    for key, grid in grids(tpl, lambda t, r, c: None).items():
        if key == "appeals":
            continue
        m = grid.matrix()
        owners = grid.owners()
        for ri, row in enumerate(m):
            for ci, cell in enumerate(row):
                if cell is None or cell.role != "label":
                    continue
                r = next((x for x in tpl.table(key).rows if x.label == cell.text), None)
                if r is None:
                    continue
                slots = []
                for c in range(ci + 1, grid.width):
                    orow, ocol = owners[ri][c]
                    owner = m[orow][ocol]
                    slots.append("V" if (orow, ocol) == (ri, c) and owner is not None and owner.role == "value" else "P")
                out[(key, r.id)] = (grid.width, ci, "".join(slots))
    return out


# ---- the token stream ----------------------------------------------------------------------

def _label_before(doc: Document, table) -> Cell | None:
    """A row label printed on its own line just before a table (label on one line, its numbers
    on the next): the text reader leaves such a line out of the table."""
    first = table.first_line
    if not first or first < 2 or doc.format != "text":
        return None
    k = first - 2
    while k >= 0 and not doc.lines[k].text.strip():
        k -= 1
    if k < 0 or doc.lines[k].in_table or first - 2 - k > 1:
        return None
    text = doc.lines[k].text.strip()
    return Cell(text, line=doc.lines[k].no) if len(text) <= 60 else None


_TEXT_VALUE = cell_value("文")  # the one CellValue every text cell shares


class _Text:
    """What a text cell is to the table reader, worked out once per distinct text."""

    __slots__ = ("hit", "core", "header", "mark", "money", "group", "short", "review", "lost")

    def __init__(self, template_id: str, text: str):
        f = fold(text)
        self.lost = _lost_char_number(f)
        self.core = strip_numbering(f)
        self.hit = label_index(template_id).match(text)
        self.header = f in _any_header(template_id)
        self.mark = _GROUP_MARK in f  # 第二十条第（五）项: ends a list of sub-rows
        self.money = f if "元" in f else None
        self.group = _groups(template_id).get(self.core)
        self.short = len(f) <= _CONTINUATION
        self.review = "复议" in f or "復議" in f  # Table 4's header starts at 行政复议


_LOST_CHAR = re.compile(r"^[?\ufffd]+(?=[\d.+-])")


def _lost_char_number(folded: str):
    """`? 0`: a number after the mark of a character the page's encoding lost (`?`, `�`).  Digits
    survive any encoding, so the number is whole; only a lost sign could change it (see
    `_lost_chars`)."""
    m = _LOST_CHAR.match(folded)
    if m is None:
        return None
    v = cell_value(folded[m.end():])
    return v if v.kind == "number" else None


@lru_cache(maxsize=None)
def _any_header(template_id: str) -> frozenset[str]:
    heads = header_index(template_id)
    return frozenset(k for names in heads.exact.values() for k in names) | {"信息内容"}


@lru_cache(maxsize=None)
def _parts(template_id: str) -> dict[str, str]:
    tpl = get(template_id)
    return {fold(p): r.id for t in tpl.tables for r in t.rows for p in r.parts}


_TEXTS: dict[str, dict[str, _Text]] = {}  # template id → text → _Text


def _texts(template_id: str) -> dict[str, _Text]:
    texts = _TEXTS.get(template_id)
    if texts is None or len(texts) > 1 << 15:  # (two templates: as many texts as before in all)
        texts = _TEXTS[template_id] = {}
    return texts


def _text(template_id: str, text: str) -> _Text:
    texts = _texts(template_id)
    t = texts.get(text)
    if t is None:
        t = texts[text] = _Text(template_id, text)
    return t


def stream(doc: Document, tpl: Template, seen: dict | None = None) -> tuple[list[Occurrence], dict[tuple[str, str], str]]:
    """The labelled rows of Tables 2 and 3, and the unit each money column's header states.
    `seen["review"]` is set to the first document table naming 行政复议 (where Table 4 starts)."""
    tid = tpl.id
    heads = header_index(tid)
    parts = _parts(tid)
    parents = set(parts.values())
    texts = _texts(tid)
    units: dict[tuple[str, str], str] = {}
    out: list[Occurrence] = []
    cur: Occurrence | None = None
    cur_row: tuple[int, int] | None = None  # the document row of the current run's label
    parent: str | None = None  # the canonical row whose sub-rows may follow
    parent_occ: Occurrence | None = None
    text_value = _TEXT_VALUE

    def info_of(text: str) -> _Text:
        return texts.get(text) or _text(tid, text)

    for ti, table in enumerate(doc.tables):
        header: dict[str, dict[str, int]] = {key: {} for key in heads.exact}
        parent = None  # sub-rows sit in their row's table
        known = table.rows_known
        slotted = table.slotted
        padded = table.padded
        rows = list(enumerate([row.cells for row in table.rows]))
        pre = _label_before(doc, table)
        if pre is not None and info_of(pre.text).hit is not None:
            rows.insert(0, (-1, [pre]))
        for ri, cells in rows:
            vals = [cell_value(c.text) for c in cells]
            if known:
                for v in vals:
                    if v.kind == "number":
                        break
                else:  # no number in the row: a header row when it names two columns or more
                    if any(v is text_value and info_of(c.text).header for c, v in zip(cells, vals)) and _note_header(
                        [c.text for c in cells], heads, header, units
                    ):  # (自然人 … 总计 / 信息内容 本年制发件数 …)
                        if seen is not None and "review" not in seen and any(info_of(c.text).review for c in cells):
                            seen["review"] = ti
                        if cur is not None:
                            out.append(cur)
                            cur = None
                        continue
            width = len(cells)
            ci = -1
            for cell, v in zip(cells, vals):
                ci += 1
                if cell.spanned:
                    continue
                if v is not text_value:
                    if cur is not None:
                        cur.tokens.append(Token(v, cell, (ti, ri, ci)))
                    continue
                text = cell.text
                info = texts.get(text) or info_of(text)  # the common case without a call
                if info.lost is not None and cur is not None:
                    cur.tokens.append(Token(info.lost, cell, (ti, ri, ci)))
                    if seen is not None:
                        seen["lost"] = True
                    continue
                if info.review and seen is not None and "review" not in seen:
                    seen["review"] = ti
                hit = part = None
                if parent is not None and parts.get(info.core) == parent and not any(
                    t.is_number for t in parent_occ.tokens
                ):  # sub-rows printed in place of a row that has no numbers of its own
                    hit, part = ("active", parent), parent
                if hit is None:
                    hit = info.hit
                if hit is None and info.group is not None and (not known or slotted):
                    if cur is not None:  # a group label: its rows' own labels may be lost
                        out.append(cur)
                    grp = info.group
                    cur = Occurrence(grp[0], grp[1], [], cell.line, ci, width, padded, None, slotted, None,
                                     text.strip(), known, False, ti)
                    continue
                if hit is not None:
                    if cur is not None:
                        out.append(cur)
                    cur = Occurrence(hit[0], (hit[1],), [], cell.line, ci, width, padded,
                                     dict(header[hit[0]]) if known else None, slotted, part, text.strip(), known,
                                     False, ti)
                    cur_row = (ti, ri)
                    if part is None:
                        parent = hit[1] if hit[1] in parents else None
                        parent_occ = cur
                    continue
                if info.mark:
                    parent = None
                if info.money is not None:
                    _note_unit(info.money, heads, units)
                if cur is not None and not known and not cur.tokens and info.short and not info.header and not info.mark:
                    continue  # the label's second line (a narrow cell wrapped)
                if (cur is not None and len(cur.rows) == 1 and not info.header and not info.mark
                        and ((ti, ri) == cur_row or cur.tokens and cur.tokens[-1].pos[:2] == (ti, ri))
                        and strays.stray_text(text)):
                    # a non-number in the row's own numbers (same document row): it ends the run
                    after = sum(1 for c in cells[ci + 1:] if not c.spanned and c.text.strip())
                    cur.stray = (after, text, (ti, ri, ci))
                if cur is not None:
                    out.append(cur)
                    cur = None
            if known and cur is not None and (cur.tokens or sum(1 for c in cells if c.text.strip()) > 3):
                out.append(cur)  # the row ended; a label ending a row of labels takes the next row's numbers
                cur = None
        if cur is not None:
            out.append(cur)
            cur = None
    if out:
        last = out[-1]
        tail = [t for t in last.tokens if t.cell.text.strip()]
        end = tail[-1].cell.line if tail else last.line
        if end is not None and all(not line.text.strip() for line in doc.lines[end:]):
            last.last = True
    return out, units


@lru_cache(maxsize=None)
def _groups(template_id: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Folded label of a printed group whose members are rows (（三）不予公开 …) → (table, its rows)."""
    tpl = get(template_id)
    out = {}
    for table in tpl.tables:
        for g in table.groups:
            rows = tuple(r.id for r in table.rows if r.group == g.id)
            if len(rows) > 1 and table.key == "requests":
                for k in g.keys:
                    out[fold(k)] = (table.key, rows)
    return out


_HEADER_ROWS: dict[tuple, tuple] = {}


def _note_header(texts: list[str], heads, header: dict[str, dict[str, int]], units) -> bool:
    """If the row is a header row (two or more column headers of a table), remember where each
    column's header sits — the latest header row wins — and say so."""
    key = (id(heads), tuple(texts))
    hit = _HEADER_ROWS.get(key)
    if hit is None:
        if len(_HEADER_ROWS) > 4096:
            _HEADER_ROWS.clear()
        info = any(fold(t) == "信息内容" for t in texts)
        found_by = {}
        for table in heads.exact:
            found = heads.columns(table, texts)
            if len(found) >= 2 or (found and info):
                found_by[table] = found
        money: dict = {}
        if found_by:
            for t in texts:
                if "元" in t:
                    _note_unit(fold(t), heads, money)
        hit = _HEADER_ROWS[key] = (found_by, money)
    found_by, money = hit
    for table, found in found_by.items():
        header[table].update(found)
    units.update(money)
    return bool(found_by)


def _note_unit(f: str, heads, units) -> None:
    """A money column's header that states its unit: 采购总金额（万元）, 本年收费金额（单位：元）."""
    for key, col, keys in heads.money:
        if any(k in f for k in keys):
            units[(key, col)] = "万元" if "万元" in f else "元"


# ---- Table 4 -------------------------------------------------------------------------------

def _cells(doc: Document, start_table: int = 0) -> list[tuple[int, int, int, Cell]]:
    """Every table cell in document order: (document table index, row index, cell index, cell)."""
    tables = doc.tables
    return [(ti, ri, ci, cell) for ti in range(start_table, len(tables)) for ri, row in enumerate(tables[ti].rows)
            for ci, cell in enumerate(row.cells)]


_APPEAL_ROWS = ("reconsideration", "litigation_direct", "litigation_after_reconsideration")


def _appeals_occurrence(doc: Document, sections=None, first: int | None = -1) -> Occurrence | None:
    """Table 4: the run of numbers that follows its header (anchored at 行政复议 … 维持/审结),
    or, its header lost, the first run of numbers after section 四's heading."""
    if first == -1:
        first = next((ti for ti, t in enumerate(doc.tables) if any(
            "复议" in c.text or "復議" in c.text for r in t.rows for c in r.cells)), None)
    if first is None:
        return _headerless_appeals(doc, _cells(doc), sections)
    cells = _cells(doc, first)
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
        return _headerless_appeals(doc, cells, sections)
    tokens: list[Token] = []
    numbers = False  # any(t.is_number for t in tokens)
    line = cells[start][3].line
    for k in range(start, len(cells)):
        ti, ri, ci, cell = cells[k]
        if cell.spanned:
            continue
        v = cell_value(cell.text)
        if v.kind == "text":
            f = fold(cell.text)
            if not numbers and (len(f) <= 16 or any(w in f for w in _T4_HEADER)):
                tokens = []  # still in the header: padding cells before here are not data
                continue
            break
        tokens.append(Token(v, cell, (ti, ri, ci)))
        numbers = numbers or v.kind == "number"
    return _appeals(doc, tokens, line)


def _appeals(doc: Document, tokens: list[Token], line) -> Occurrence:
    padded = bool(tokens) and doc.tables[tokens[0].pos[0]].padded
    if padded and len({t.pos[:2] for t in tokens}) == 1:
        ti, ri = tokens[0].pos[:2]
        # a row of nothing but the 15 cells: no merged label can have left padding in it
        padded = len(doc.tables[ti].rows[ri].cells) != len(tokens) or len(tokens) != 5 * len(_APPEAL_ROWS)
    slotted = bool(tokens) and doc.tables[tokens[0].pos[0]].slotted
    return Occurrence("appeals", _APPEAL_ROWS, tokens, line, padded=padded, slotted=slotted)


def _headerless_appeals(doc: Document, cells, sections) -> Occurrence | None:
    """Section 四 with its table header lost: a bare run of 15 numbers right after the heading."""
    if not sections:
        return None
    four = next((s for s in sections if s.number == 4), None)
    if four is None:
        return None
    end = four.end_line
    tokens: list[Token] = []
    line = None
    for ti, ri, ci, cell in cells:
        if cell.line is None or cell.line <= four.line:
            continue
        if cell.line > end:
            break
        v = cell_value(cell.text)
        if v.kind == "text":
            if tokens:
                break
            if len(fold(cell.text)) > 16:
                return None  # prose or another table before any number: not a bare row
            continue
        if cell.spanned:
            continue
        tokens.append(Token(v, cell, (ti, ri, ci)))
        line = line or cell.line
    if sum(t.is_number for t in tokens) != 5 * len(_APPEAL_ROWS):
        return None  # only a complete bare row is read: nothing else says which cell is which
    occ = _appeals(doc, tokens, line)
    occ.label = "（表头缺失）"
    return occ


# ---- values --------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _layout(template_id: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    return tuple((t.key, r.id, tuple(r.columns)) for t in get(template_id).tables for r in t.rows)


@lru_cache(maxsize=None)
def _slots(template_id: str, key: str, rows: tuple[str, ...]) -> tuple[Slot, ...]:
    table = get(template_id).table(key)
    return tuple((r, c) for r in rows for c in table.row(r).columns)


def _value(tok: Token, status: str | None = None, how: str | None = None) -> Value:
    v = tok.value
    cell = tok.cell
    if status is None:
        status = "read" if v.kind == "number" else "blank"
        if status == "read" and cell.confidence is not None and cell.confidence < LOW_CONFIDENCE:
            status = "doubtful"  # OCR unsure: settled by the identities or flagged (settle.py)
    return Value(v.number, status, cell.text, cell.line, cell.page, tok.pos, cell.confidence, cell.bbox, how)


def _faithful(occurrences: list[Occurrence], tpl: Template) -> set[int]:
    """Document tables that are the printed grid itself (a renderer's or Word's text export):
    every labelled row exactly as wide as the form's, its label in the form's label column.
    PDF text pads rows at random; one row that happens to fit proves nothing."""
    pats = patterns(tpl.id)
    good: dict[int, bool] = {}
    for o in occurrences:
        if not o.rows_known or not o.padded or len(o.rows) != 1 or o.part_of:
            continue
        pat = pats.get((o.table, o.rows[0]))
        ok = pat is not None and o.width == pat[0] and o.label_at == pat[1]
        good[o.doc_table] = good.get(o.doc_table, True) and ok
    return {ti for ti, ok in good.items() if ok}


def _exact(occurrences: list[Occurrence], tpl: Template) -> set[int]:
    """Padded document tables (at least three labelled rows) in which every labelled row holds
    exactly as many fields after its label as the row has columns: no row has padding, so an
    empty field at a row's edge is a blank cell too."""
    count: dict[int, int] = {}
    bad: set[int] = set()
    for o in occurrences:
        if not o.padded or len(o.rows) != 1 or o.part_of or not o.tokens:
            continue
        if len(o.tokens) != len(_slots(tpl.id, o.table, o.rows)):
            bad.add(o.doc_table)
        count[o.doc_table] = count.get(o.doc_table, 0) + 1
    return {ti for ti, k in count.items() if k >= 3 and ti not in bad}


def _readings(occ: Occurrence, tpl: Template):
    """The run read against the printed row with merged slots where the form has them, and with
    them at the row's end (where some converters write a merged cell's spare `|`s)."""
    if occ.readings is None:
        occ.readings = (_read_both(occ, tpl),)
    return occ.readings[0]


def _read_both(occ: Occurrence, tpl: Template):
    pat = patterns(tpl.id).get((occ.table, occ.rows[0]))
    if pat is None:
        return None
    width, label_col, slots = pat
    toks = occ.tokens
    if occ.slotted and len(toks) > len(slots) and not any(t.cell.text.strip() for t in toks[len(slots):]):
        toks = toks[: len(slots)]  # the empty slots that open the next printed row
    if len(toks) != len(slots):
        return None
    here = _read_slots(toks, slots)
    n = slots.count("V")
    at_end = _read_slots(toks, "V" * n + "P" * (len(slots) - n)) if "P" in slots else here
    return here, at_end


def _same(a: list[Token], b: list[Token]) -> bool:
    if a == b:  # the same tokens (merged slots at the row's end already)
        return True
    return [(t.value.kind, t.value.number) for t in a] == [(t.value.kind, t.value.number) for t in b]


@lru_cache(maxsize=None)
def _header_rows(template_id: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """The header rows of the printed form that tell the two conventions apart, each as (its
    slots with merged ones in place, its own cells first and the merged slots after)."""
    out = []
    for grid in grids(get(template_id), lambda t, r, c: None).values():
        for row in grid.matrix():
            own = [c for c in row if c is not None]
            if len(own) < 2 or any(c.role not in ("header", "group") for c in own):
                continue
            here = tuple(_norm(c.text) if c is not None else "" for c in row)
            end = tuple(_norm(c.text) for c in own) + ("",) * (grid.width - len(own))
            if here != end:
                out.append((here, end))
    return tuple(out)


@lru_cache(maxsize=None)
def _appeals_spare(template_id: str) -> int:
    """Slots the last header row of Table 4 leaves after its own cells when a converter writes a
    row's merged slots at its end: they stand between the header and the numbers."""
    grid = grids(get(template_id), lambda t, r, c: None)["appeals"]
    heads = [row for row in grid.matrix() if all(c is None or c.role != "value" for c in row)]
    return grid.width - sum(c is not None for c in heads[-1]) if heads else 0


_NORMS: dict[str, str] = {}


def _norm(text: str) -> str:
    """A header's words only (no numbering, brackets, punctuation or spaces); `#` for a cell that
    holds something else (a number, a mark)."""
    if text.isascii():
        return "#" if text.strip() else ""
    out = _NORMS.get(text)
    if out is None:
        if len(_NORMS) > 65536:
            _NORMS.clear()
        out = "".join(ch for ch in fold(text) if "\u4e00" <= ch <= "\u9fff") or "#"
        _NORMS[text] = out
    return out


def _fits(cells, printed: tuple[str, ...]) -> bool:
    """Cells as found against a printed header row: the same empty slots, each text the printed
    header or a cut-short form of it."""
    if len(cells) != len(printed):
        return False
    for got, want in zip(cells, printed):
        if (not got) != (not want):
            return False
        if got != want and not (len(got) >= 2 and want.startswith(got)):
            return False
    return True


def _found(cells: list[str], at: dict[str, list[int]], printed: tuple[str, ...]) -> bool:
    """The printed row occurs somewhere in the stream of cells (`at`: text → its positions)."""
    f = next(k for k, t in enumerate(printed) if t)
    anchor, n = printed[f], len(printed)
    for text, places in at.items():
        if text != anchor and not (len(text) >= 2 and anchor.startswith(text)):
            continue
        for k in places:
            if f <= k <= len(cells) - n + f and _fits(cells[k - f : k - f + n], printed):
                return True
    return False


def _header_votes(doc: Document, tpl: Template, votes: dict[int, set[str]], tables: set[int]) -> None:
    """Header rows in a slot stream show where its converter writes merged slots: in place, or
    after each row's own cells (`申请人情况 | ||||||||` right after the note cell)."""
    shapes = _header_rows(tpl.id)
    for ti in tables:
        table = doc.tables[ti]
        if not table.slotted:
            continue
        cells = [_norm(c.text) for row in table.rows for c in row.cells]
        at: dict[str, list[int]] = {}
        for k, text in enumerate(cells):
            if text and text != "#":
                at.setdefault(text, []).append(k)
        for here, end in shapes:
            a, b = _found(cells, at, here), _found(cells, at, end)
            if a != b:
                votes.setdefault(ti, set()).add("here" if a else "end")


def _conventions(occurrences: list[Occurrence], tpl: Template, doc: Document | None = None,
                 also: int | None = None) -> dict[int, str]:
    """Per slot stream, where its merged slots sit — decided by the rows only one way fits, and,
    in a stream where that matters (a row both ways fit, reading differently; `also`), by its
    header rows."""
    votes: dict[int, set[str]] = {}
    undecided: set[int] = set() if also is None else {also}
    for o in occurrences:
        if not (o.slotted or o.padded and o.rows_known) or len(o.rows) != 1 or o.part_of or o.table == "appeals":
            continue
        r = _readings(o, tpl)
        if r is None:
            continue
        here, at_end = r
        if here is not None and at_end is None:
            votes.setdefault(o.doc_table, set()).add("here")
        elif at_end is not None and here is None:
            votes.setdefault(o.doc_table, set()).add("end")
        elif here is not None and o.slotted and here is not at_end and not _same(here, at_end):
            undecided.add(o.doc_table)
    if doc is not None and undecided:
        _header_votes(doc, tpl, votes, undecided)
    return {ti: v.pop() for ti, v in votes.items() if len(v) == 1}


def _by_grid(occ: Occurrence, tpl: Template, faithful: set[int], conventions: dict[int, str]) -> list[Token] | None:
    """The run read slot by slot against the printed row — when the run is the printed row:
    its table is a stream of every slot, or a faithful copy of the printed grid.  When the merged
    slots could sit in place or at the row's end and the readings differ, the other rows of the
    stream decide; if they cannot, position does not decide."""
    if len(occ.rows) != 1 or occ.part_of or not (occ.slotted or occ.doc_table in faithful):
        return None
    r = _readings(occ, tpl)
    if r is None:
        return None
    here, at_end = r
    if here is None:
        return at_end  # a number where the form has a merged slot: the spare slots are at the end
    if at_end is not None and not _same(here, at_end):
        way = conventions.get(occ.doc_table, None if occ.slotted else "here")
        return here if way == "here" else at_end if way == "end" else None
    return here


def _read_slots(toks: list[Token], slots: str) -> list[Token] | None:
    out = []
    for t, s in zip(toks, slots):
        if s == "P":
            if t.cell.text.strip():
                return None  # a number where the form has a merged cell: not this grid
        elif t.value.kind == "text":
            return None
        else:
            out.append(t)
    return out


def _full(o: Occurrence, table: Table) -> bool:
    return sum(t.is_number for t in o.tokens) == len(table.row(o.rows[0]).columns)


def _edge_blank(chosen: list[Token]) -> bool:
    """An empty field before the first or after the last number — where padding also sits.
    (An empty field between two numbers is a cell of the table: padding does not go there.)"""
    numbers = [k for k, t in enumerate(chosen) if t.is_number]
    if not numbers:
        return False
    return any(not t.cell.text.strip() for t in chosen[: numbers[0]] + chosen[numbers[-1] + 1 :])


def _window(occ: Occurrence, table: Table) -> list[int] | None:
    """Cell indices of the headers of the row's columns, if the header above names them all."""
    if not occ.header:
        return None
    cols = table.row(occ.rows[0]).columns
    if any(c not in occ.header for c in cols):
        return None
    window = [occ.header[c] for c in cols]
    return window if window == sorted(set(window)) else None


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


def read_tables(doc: Document, tpl: Template, sections=None) -> TableRead:
    # cells are filled as they are decided; those never decided become Value() at the end
    values: dict[str, dict[str, dict[str, Value]]] = {t.key: {r.id: {} for r in t.rows} for t in tpl.tables}
    result = TableRead(values)
    tables = {t.key: t for t in tpl.tables}
    seen: dict = {}
    occurrences, units = stream(doc, tpl, seen)
    subrows = [o for o in occurrences if o.part_of]
    parents_of = {o.part_of for o in subrows}
    if subrows:
        occurrences = [o for o in occurrences if not o.part_of]
    appeals = _appeals_occurrence(doc, sections, seen.get("review"))
    if appeals is not None:
        occurrences.append(appeals)

    by_table: dict[tuple[str, int], list[Occurrence]] = {}
    for o in occurrences:
        if o.tokens:
            by_table.setdefault((o.table, o.tokens[0].pos[0]), []).append(o)

    faithful = _faithful(occurrences, tpl)
    exact = _exact(occurrences, tpl)
    # Table 4 after a header whose last row's merged slots may have been written after it
    spare = _appeals_spare(tpl.id) if appeals is not None and appeals.slotted else 0
    spare_before = bool(spare) and len(appeals.tokens) > spare and not any(t.cell.text.strip() for t in appeals.tokens[:spare])
    conventions = _conventions(occurrences, tpl, doc, appeals.tokens[0].pos[0] if spare_before else None)
    if spare_before and conventions.get(appeals.tokens[0].pos[0]) == "end":
        appeals.tokens = appeals.tokens[spare:]
    placed: set[tuple[str, str]] = set()
    pending: list[Occurrence] = []
    for occ in occurrences:
        table = tables[occ.table]
        result.found.add(occ.table)
        slots = _slots(tpl.id, occ.table, occ.rows)
        if not occ.tokens or (len(occ.tokens) < len(slots) and not any(t.is_number for t in occ.tokens)):
            continue  # a label with no cells after it: a header or a label split from its row
        if not occ.rows_known and _text(tpl.id, occ.label).header and not any(t.cell.text.strip() for t in occ.tokens):
            continue  # a column header that is also a row's name (总计) before the slots of its row
        key = (occ.table, occ.rows[0])
        how = None
        if key[1] in parents_of and not any(t.is_number for t in occ.tokens):
            continue  # a row printed as a heading over its sub-rows: summed from them below
        if len(occ.rows) > 1 and occ.table != "appeals":
            _by_order(occ, table, slots, values, placed, result)
            continue
        chosen = _by_grid(occ, tpl, faithful, conventions)
        if chosen is not None:
            how = "position"
        else:
            chosen = direct(occ.tokens, len(slots))
            if chosen is not None and occ.padded and _edge_blank(chosen):
                if (occ.slotted or occ.doc_table in exact) and len(chosen) == len(occ.tokens):
                    how = "position"  # every row of its table has exactly its cells: no padding anywhere
                else:
                    chosen = None  # an empty field at the edge would become a blank: padding or blank? (settled below)
        if chosen is None:
            pending.append(occ)
            continue
        if key in placed:
            new = {s: _value(tok) for s, tok in zip(slots, chosen)}
            _note_duplicate(result, table, occ, values, new)
            continue
        placed.add(key)
        cells = values[occ.table]
        for (r, c), tok in zip(slots, chosen):  # (_value, inlined: the loop over every cell read)
            cell = tok.cell
            conf = cell.confidence
            if tok.is_number:
                status = "doubtful" if conf is not None and conf < LOW_CONFIDENCE else "read"
                cells[r][c] = Value(tok.value.number, status, cell.text, cell.line, cell.page, tok.pos, conf, cell.bbox, None)
            else:
                cells[r][c] = Value(tok.value.number, "blank", cell.text, cell.line, cell.page, tok.pos, conf, cell.bbox, how)

    for occ in pending:  # placements that need the identities, with the directly read rows known
        table = tables[occ.table]
        slots = _slots(tpl.id, occ.table, occ.rows)
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
        raw = " ".join(t.cell.text or "□" for t in occ.tokens)
        where = {"table": occ.table, "row": occ.rows[0] if len(occ.rows) == 1 else None, "line": occ.line}
        label = _row_label(table, occ)
        if occ.last and _cut(occ, slots, values, result, table, label, where, occurrences, tpl):
            placed.add(key)
            continue
        options = alternatives(occ.tokens, len(slots))
        chosen = None
        if options:
            known = {(r, c): v.value for r, cols in values[occ.table].items() for c, v in cols.items() if v.status == "read"}
            chosen = resolve(table, slots, options, known)
        numbers = sum(1 for t in occ.tokens if t.is_number)
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
    if subrows:
        _sum_parts(tpl, subrows, values, placed, result)
    _money(tpl, values, units, result)
    if seen.get("lost"):
        _lost_chars(tpl, values, result)
    for key, row_id, cols in _layout(tpl.id):
        got = values[key][row_id]
        if tuple(got) != cols:
            values[key][row_id] = {c: got.get(c) or Value() for c in cols}
    strays.note(result, tpl, occurrences)
    return result


def _by_order(occ: Occurrence, table: Table, slots, values, placed, result: TableRead) -> None:
    """A group label followed by the numbers of all its rows, the rows' own labels lost: placed in
    the printed order when the count is exact (and none of its rows was read by label)."""
    if any((occ.table, r) in placed for r in occ.rows):
        return
    toks = [t for t in occ.tokens if t.cell.text.strip()]
    same = len(toks) > len(slots) and all(t.is_number for t in toks) and len({t.value.number for t in toks}) == 1
    if len(toks) != len(slots) and not same:
        return  # (more cells than slots, all the same number: every alignment reads the same)
    for r in occ.rows:
        placed.add((occ.table, r))
    for (r, c), tok in zip(slots, toks):
        values[occ.table][r][c] = _value(tok, how="order")
    result.notes.append((
        "ROWS_BY_ORDER",
        f"{table.name}「{occ.label}」下各行的名称缺失，{len(toks)}个数按表格固定的行序依次读入，请对照原件核实",
        {"table": occ.table, "row": occ.rows[0], "rows": list(occ.rows), "line": occ.line},
    ))


def _cut(occ: Occurrence, slots, values, result: TableRead, table: Table, label: str, where,
         occurrences: list[Occurrence], tpl: Template) -> bool:
    """The document stops inside this row: the numbers before the cut, in order; the rest missing."""
    if occ.padded and not occ.slotted and not _leading(occ, occurrences, tpl):
        return False  # text rows split on tabs or |: PDF text drops and pads cells, order proves nothing
    toks = list(occ.tokens)
    while toks and not toks[-1].cell.text.strip():
        toks.pop()
    if not toks or len(toks) >= len(slots) or any(not t.cell.text.strip() for t in toks):
        return False  # (an empty field may be padding or a merged slot: then order does not place them)
    for (r, c), tok in zip(slots, toks):
        values[occ.table][r][c] = _value(tok, how="cut")
    result.notes.append((
        "ROW_CUT",
        f"{table.name}「{label}」只读到前{len(toks)}格，文档在此行中断，其余{len(slots) - len(toks)}格缺失，请对照原件核实",
        where,
    ))
    return True


def _leading(occ: Occurrence, occurrences: list[Occurrence], tpl: Template) -> bool:
    """In the document table of `occ` every other labelled row (at least three) holds its cells
    right after its label — as many non-empty fields as the row has columns, then nothing but
    empty fields: the table neither drops nor pads cells inside its rows, so a row the document
    cuts holds its first cells."""
    rows = 0
    for o in occurrences:
        if o is occ or o.doc_table != occ.doc_table or len(o.rows) != 1 or o.part_of or not o.tokens:
            continue
        n = len(_slots(tpl.id, o.table, o.rows))
        toks = o.tokens
        if len(toks) < n or not all(t.cell.text.strip() for t in toks[:n]) or any(t.cell.text.strip() for t in toks[n:]):
            return False
        rows += 1
    return rows >= 3


def _sum_parts(tpl: Template, subrows: list[Occurrence], values, placed, result: TableRead) -> None:
    """Sub-rows printed in place of a canonical row (其他对外管理服务事项 → 行政检查, 行政确认, …):
    when the row itself carries no numbers, its cells are the sums of theirs."""
    by_parent: dict[str, list[Occurrence]] = {}
    for o in subrows:
        by_parent.setdefault(o.part_of, []).append(o)
    for parent, occs in by_parent.items():
        table = next(t for t in tpl.tables if parent in t._rows)
        if (table.key, parent) in placed:
            continue  # the row has its own numbers: the sub-rows only detail them
        cols = table.row(parent).columns
        read = []
        for o in occs:
            chosen = direct(o.tokens, len(cols))
            if chosen is None or not any(t.is_number for t in chosen):
                read = None
                break
            read.append((o, chosen))
        labels = "、".join(o.label for o in occs)
        where = {"table": table.key, "row": parent, "line": occs[0].line}
        row = table.row(parent)
        if not read:
            for c in cols:
                values[table.key][parent][c] = Value(None, "unplaced", line=occs[0].line)
            result.notes.append((
                "ROW_UNPLACED",
                f"{table.name}「{row.label}」分列为子项（{labels}），有子项的数字无法逐格确定，已留空，请对照原件核实",
                where,
            ))
            continue
        placed.add((table.key, parent))
        for k, c in enumerate(cols):
            toks = [chosen[k] for _, chosen in read]
            nums = [t.value.number for t in toks if t.is_number]
            raw = "+".join(t.cell.text or "□" for t in toks)
            values[table.key][parent][c] = Value(
                sum(nums) if nums else None, "read" if nums else "blank", raw, occs[0].line, how="sum"
            )
        result.notes.append((
            "SUBROWS_SUMMED",
            f"{table.name}「{row.label}」未单列数字，按其子项（{labels}）逐列相加得出，请对照原件核实",
            where,
        ))


_WAN = Decimal(10000)


def _money(tpl: Template, values, units, result: TableRead) -> None:
    """Amounts in the column's declared unit: 240万元 in a yuan column, 15000000 in a 万元 column.
    The raw text stays in the provenance; a unit taken from a header is noted, a guessed one flagged."""
    for table in tpl.tables:
        for col in table.columns:
            if not col.unit:
                continue
            for row in table.rows:
                if col.id not in row.columns:
                    continue
                v = values[table.key][row.id].get(col.id)
                if v is None or v.value is None or v.raw is None:
                    continue
                raw = fold(v.raw)
                own = "万元" if raw.endswith("万元") else "元" if raw.endswith("元") else None
                stated = own or units.get((table.key, col.id))
                guessed = False
                if own is None and (stated or col.unit) == "万元" and isinstance(v.value, int) and v.value >= _BARE_YUAN:
                    stated, guessed = "元", True  # 15000000 under a 万元 header: yuan, by its size
                if stated is None or stated == col.unit:
                    continue
                number = Decimal(v.value)
                number = number * _WAN if stated == "万元" else number / _WAN
                number = int(number) if number == number.to_integral_value() else number.normalize()
                where = {"table": table.key, "row": row.id, "column": col.id, "line": v.line}
                name = f"{table.name}「{row.name}」{col.label}"
                if guessed:
                    v.how = "unit-guessed"
                    result.notes.append((
                        "UNIT_INFERRED",
                        f"{name}填写为“{v.raw}”，按{col.unit}计数额过大，推定单位为元，折合{number}{col.unit}，请对照原件核实",
                        where,
                    ))
                else:
                    v.how = "unit"
                    result.notes.append((
                        "UNIT_CONVERTED",
                        f"{name}填写为“{v.raw}”（单位{stated}），已折合为{number}{col.unit}",
                        where,
                    ))
                v.value = number


def _lost_chars(tpl: Template, values, result: TableRead) -> None:
    """Numbers read after a lost character (`? 0`): noted; in a signed column (本年增/减) the lost
    character may have been the sign, so a number other than 0 is left null with a warning."""
    for table in tpl.tables:
        for row in table.rows:
            for col in row.columns:
                v = values[table.key][row.id].get(col)
                if v is None or v.value is None or v.raw is None or _LOST_CHAR.match(fold(v.raw)) is None:
                    continue
                where = {"table": table.key, "row": row.id, "column": col, "line": v.line}
                name = f"{table.name}「{row.name}」{table.column(col).label}"
                v.how = "lost-char"
                if table.column(col).kind is Kind.SIGNED and v.value != 0:
                    result.notes.append((
                        "CELL_SIGN_LOST",
                        f"{name}原文为“{v.raw}”，数字前的字符在转换中丢失，可能是正负号，无法确定，已留空，请对照原件核实",
                        where,
                    ))
                    v.value, v.status = None, "doubtful"
                    continue
                result.notes.append((
                    "CELL_CHAR_LOST",
                    f"{name}原文为“{v.raw}”，数字前有一个在转换中丢失的字符，按{v.value}读入，请对照原件核实",
                    where,
                ))


def _row_label(table: Table, occ: Occurrence) -> str:
    if len(occ.rows) == 1:
        return table.row(occ.rows[0]).label
    return "全部"


def _note_duplicate(result: TableRead, table: Table, occ: Occurrence, values, new) -> None:
    old = {s: getattr(values[occ.table][s[0]].get(s[1]), "value", None) for s in new}
    if all(old[s] == v.value for s, v in new.items()):
        return  # the same row printed again (a header repeated after a page break)
    result.notes.append((
        "DUPLICATE_ROW",
        f"{table.name}「{_row_label(table, occ)}」出现两次且数字不同（第{occ.line}行），已采用第一次出现的数字",
        {"table": occ.table, "row": occ.rows[0], "line": occ.line},
    ))
