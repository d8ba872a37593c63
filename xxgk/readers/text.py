"""Plain text → Document.

Real reports reach us as text copied or extracted from Word, PDF and web pages, and the tables
come in several shapes, often mixed in one file:

* ``tsv``            one table row per line, cells separated by tabs (Word → text, PDF → text);
* ``pipe``           one row per line, cells separated by ``|`` (web page → text, Markdown);
* ``tab-cell``       one cell per line, each cell's first line indented by one tab, a cell's
                     further lines not indented, rows separated by blank lines;
* ``cell-per-line``  one cell per line (usually with blank lines between), no row boundaries.

The reader finds the runs of lines that form tables, cuts them into cells, and hands the
extractor rows of cells with their line numbers.  It does not interpret labels or numbers beyond
telling a number from text.
"""

from __future__ import annotations

import re

from ..document import Cell, Document, Line, Row, Table
from ..text import cell_value, fold, is_value_text, to_simplified

_MAX_CELL = 60  # folded characters: longer lines are prose, not table cells
_SENTENCE_END = ("。", "；", ";")
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,2}|\d{1,2})\s*[、.．]\s*\S")
_PIPE_SEPARATOR = re.compile(r"^[\s|:\-—+]+$")
_FURNITURE = re.compile(
    r"^(?:打印(?:文章|本页|此页)?|关闭(?:窗口|本页)?|分享到[:：]?.*|【?字体[:：].*|返回顶部|\[bookmark:[^\]]*\]\s*"
    r"|[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3}"
    r"|\.?/?t\d{8}_\d+\w*\.s?html?)$"
)


# a table row a PDF flip-book or a copied web table left separated by spaces:
# "四、结转下年度继续办理 0 0 0 0 0 0 0", or a bare row "0 0 0 … 0"
_SPACED_NUMBER = re.compile(r"^(?:[-+]|--|增加?|减少?)?\d{1,12}(?:,\d{3})*(?:\.\d+)?$")


def _spaced(raw: str) -> str | None:
    """The line as tab-separated cells when it is a label and/or a run of space-separated numbers."""
    if "\t" in raw or "|" in raw or len(raw) > 200:
        return None
    words = raw.split()
    k = len(words)
    while k > 0 and _SPACED_NUMBER.match(words[k - 1]):
        k -= 1
    nums, label = words[k:], " ".join(words[:k])
    if len(nums) < (3 if label else 5) or len(label) > 40 or label[-1:].isdigit():
        return None
    return "\t".join(([label] if label else []) + nums)


# the first characters a furniture line can start with (a cheap test before the regex)
_FURNITURE_FIRST = frozenset("打关分【字返[-—–第0123456789./t")


def _kind(raw: str) -> str:
    """Classify one raw line: blank, tsv, pipe, tabcell, cell (short) or prose."""
    if not raw.strip():
        # a lone tab is an empty cell of the tab-cell layout, not a blank line
        if raw.count("\t") >= 2:
            return "tsv"  # a table row whose every cell is empty (a draft's blank row)
        return "tabcell" if raw.rstrip(" \u3000") == "\t" else "blank"
    if "\t" in raw:
        body = raw.lstrip("\t")
        if "\t" in body.rstrip("\t") or (raw.count("\t") >= 2 and body.strip()):
            return "tsv"
        if raw.startswith("\t") and raw.count("\t") == 1:
            return "tabcell"
        return "tsv"
    if raw.count("|") >= 2:
        if not _PIPE_SEPARATOR.match(raw):
            return "pipe"
        if "-" in raw or "| |" in raw or "|  |" in raw:
            return "pipe"  # a Markdown separator |---|, or a row of empty cells |  |  |
        # (only |s — `||`, `|||` — is a line of merged slots in a stream of cells)
    stripped = raw.strip()
    if stripped.endswith("|") and len(stripped) <= 4 * _MAX_CELL:
        return "cell"  # a cell closed by | (web page → text), however long its note in brackets
    if len(stripped) > 3 * _MAX_CELL or stripped.endswith(_SENTENCE_END):
        return "prose"
    if len(stripped) <= _MAX_CELL or len(fold(stripped)) <= _MAX_CELL:
        return "cell"
    return "prose"


def _classify(orig: str) -> tuple[str, str, str]:
    """One raw line → (its kind, its text as a Line keeps it, the line the table builders cut)."""
    raw = orig
    if raw.startswith("[bookmark:"):
        raw = _BOOKMARK.sub("", raw)
    # _kind, inlined for the common kinds
    if raw[:1] == "\t" and raw.find("\t", 1) < 0:  # one leading tab: _kind's tab-cell case, inlined
        kind = "tabcell" if raw[1:].strip() or raw.rstrip(" \u3000") == "\t" else "blank"
    elif "\t" in raw or "|" in raw:
        kind = _kind(raw)
        if kind == "cell" and len(raw) <= 80:
            stripped = raw.strip()
            if stripped[0] in _FURNITURE_FIRST and _FURNITURE.match(stripped):
                kind = "furniture"
    else:
        stripped = raw.strip()
        if not stripped:
            kind = "blank"
        elif len(stripped) > 3 * _MAX_CELL or stripped.endswith(_SENTENCE_END):
            kind = "prose"
        elif len(stripped) <= _MAX_CELL or len(fold(stripped)) <= _MAX_CELL:
            kind = "cell"
            if len(raw) <= 80 and stripped[0] in _FURNITURE_FIRST and _FURNITURE.match(stripped):
                kind = "furniture"
        else:
            kind = "prose"
    text = raw.rstrip(" \t\u3000") if kind != "tsv" else raw.rstrip()
    if (kind == "cell" or kind == "prose") and raw.rstrip()[-1:].isdigit() and " " in raw.strip():
        cells = _spaced(raw)  # a row left separated by spaces: its cells
        if cells is not None:
            return "tsv", text, cells
    return kind, text, orig


_BOOKMARK = re.compile(r"^\s*\[bookmark:[^\]]*\]\s*")
# raw line → _classify(raw): the same short lines (row labels, headers, numbers, blank lines)
# recur in every report of a batch, so each is classified once.  Only short lines are kept, and
# a bounded number of them: the memory a long-running process gives these caches stays small.
_CLASSIFIED: dict[str, tuple[str, str, str]] = {}
_MEMO_LINE = 100  # characters: a longer line (prose) seldom recurs
_MEMO_MAX = 1 << 13  # entries per cache; a full cache starts afresh


def _classified(raw: str) -> tuple[str, str, str]:
    hit = _CLASSIFIED.get(raw)
    if hit is None:
        hit = _classify(raw)
        if len(raw) <= _MEMO_LINE:
            if len(_CLASSIFIED) >= _MEMO_MAX:
                _CLASSIFIED.clear()
            _CLASSIFIED[raw] = hit
    return hit


def read_text(text: str, *, encoding: str | None = None) -> Document:
    text = to_simplified(text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\u2028", "\n"))
    got = list(map(_classified, text.split("\n")))
    kinds = [g[0] for g in got]
    lines = list(map(Line, range(1, len(got) + 1), [g[1] for g in got]))
    raw_lines = [g[2] for g in got]

    doc = Document(lines=lines, format="text", encoding=encoding)
    layouts: set[str] = set()
    i, n = 0, len(raw_lines)
    while i < n:
        k = kinds[i]
        if k == "pipe" or (k == "cell" and ("|" in raw_lines[i] or _before_pipe(raw_lines, kinds, i))):
            j = _pipe_run(raw_lines, kinds, i)
            if _is_stream(raw_lines, kinds, i, j):
                doc.tables.append(_pipe_stream(raw_lines, kinds, i, j))
                layouts.add("pipe-cells")
            elif k == "pipe":
                j = _tsv_run(kinds, i, k)
                doc.tables.append(_delimited_table(raw_lines, i, j, "|"))
                layouts.add(k)
            else:
                i += 1
                continue
        elif k == "tsv":
            j = _tsv_run(kinds, i, k)
            doc.tables.append(_delimited_table(raw_lines, i, j, "\t"))
            layouts.add(k)
        elif k == "tabcell":
            j = _tabcell_run(raw_lines, kinds, i)
            doc.tables.append(_tabcell_table(raw_lines, kinds, i, j))
            layouts.add("tab-cell")
        elif k == "cell":
            j, end = _cell_run(raw_lines, kinds, i)
            if j is None:
                # no run starting later inside this one can qualify either (it holds fewer
                # cells and values): go on after it, not at the next line
                i = max(end, i + 1)
                continue
            doc.tables.append(_cell_table(raw_lines, kinds, i, j))
            layouts.add("cell-per-line")
        else:
            i += 1
            continue
        for line in lines[i:j]:
            line.in_table = True
        i = j
    doc.layout = "+".join(sorted(layouts)) if layouts else None
    return doc


def _tsv_run(kinds: list[str], i: int, kind: str) -> int:
    """End (exclusive) of a run of delimited rows; blank lines and furniture may sit inside."""
    j = i
    last = i
    while j < len(kinds) and kinds[j] in (kind, "blank", "furniture", "tabcell" if kind == "tsv" else kind):
        if kinds[j] in (kind, "tabcell"):
            last = j
        j += 1
    return last + 1


def _piped(raw: str, kind: str) -> bool:
    return "|" in raw and kind in ("pipe", "cell")


def _before_pipe(raw: list[str], kinds: list[str], i: int) -> bool:
    """A cell whose closing `|` stands alone on the next line."""
    nxt = i + 1
    return nxt < len(kinds) and kinds[nxt] == "cell" and raw[nxt].strip().startswith("|")


def _pipe_run(raw: list[str], kinds: list[str], i: int) -> int:
    """End (exclusive) of a run of lines holding `|`; blank lines, furniture and a short line
    between two such lines (a cell whose `|` went to the next line) may sit inside."""
    j, last, n = i, i, len(kinds)
    while j < n:
        k = kinds[j]
        if (k == "pipe" or k == "cell") and "|" in raw[j]:  # (_piped)
            last = j
        elif k == "blank" or k == "furniture":
            pass
        elif k == "cell":
            nxt = j + 1
            if nxt >= n:
                last = j  # the page stops inside the cell: keep what it holds
            elif not _piped(raw[nxt], kinds[nxt]) or not raw[nxt].lstrip().startswith("|"):
                break  # a cell awaiting its closing | is followed by a line that starts with one
        else:
            break
        j += 1
    return last + 1


def _is_stream(raw: list[str], kinds: list[str], i: int, j: int) -> bool:
    """A run is a cell stream (rather than rows of `| a | b |`) when some line holds a single
    cell and its `|`, only `|`s, or a cell with no `|` at all."""
    if not any(kinds[no] == "cell" and "|" in raw[no] for no in range(i, j)):
        return False
    block = "\n".join(raw[i:j])
    return block.count("|") >= 4 and _has_digit(block)


_ASCII_DIGIT = re.compile("[0-9]")


def _has_digit(text: str) -> bool:
    """any(ch.isdigit() for ch in text), deciding the common case in one scan."""
    return _ASCII_DIGIT.search(text) is not None or (not text.isascii() and any(ch.isdigit() for ch in text))


_OPENED_ROW = re.compile(r"^\|\s*[^|\s]")


def _opened(raw: list[str], kinds: list[str], i: int, j: int) -> bool:
    """Rows open with `|`: a line starts `| cell`, or a line holding only `|` is followed by an
    indented cell line (`| ⏎ 规章  | ⏎ 0  | `).  Otherwise every `|` closes a cell (`|||` = three)."""
    for no in range(i, j):
        line = raw[no]
        if not line.startswith("|"):
            continue
        if _OPENED_ROW.match(line):
            return True
        if line.strip() == "|":
            nxt = no + 1
            while nxt < j and kinds[nxt] == "blank":
                nxt += 1
            if nxt < j and raw[nxt][:1].isspace() and raw[nxt].strip().strip("|"):
                return True
    return False


def _pipe_stream(raw: list[str], kinds: list[str], i: int, j: int) -> Table:
    """Cells each closed by `|`, in any line breaking: `规章 |`, `0 |`, `|||` (three merged
    slots), `行政规范性文件` then `|` on the next line.  When the run's first line starts with `|`
    every row opens with one (`| 规章 | 0 |`, or `|` alone on a line with the cells below it)."""
    openers = _opened(raw, kinds, i, j)
    rows: list[Row] = []
    cells: list[Cell] = []
    text, start = "", None
    for no in range(i, j):
        k = kinds[no]
        if k == "blank" or k == "furniture":
            continue
        line = raw[no]
        cut = _PIPE_CUTS.get(line) or _pipe_cut(line)
        if cut is _SEPARATOR:
            continue  # a Markdown separator |---|---|
        closed, tail = cut
        if openers and not text and line.startswith("|"):  # (an indented "  |" closes an empty cell)
            if cells:
                rows.append(Row(cells))
                cells = []
            closed = closed[1:]  # (the opening | is dropped: what stood before it is empty)
        if closed:
            if text:
                cells.append(Cell(text + closed[0], start))
                text, start = "", None
                closed = closed[1:]
            ln = no + 1
            for part in closed:
                cells.append(Cell(part, ln))
        if tail:
            if not text:
                start = no + 1
            text += tail
    if text:
        cells.append(Cell(text, start))
    if cells:
        rows.append(Row(cells))
    if not openers:  # no row boundaries: a text cell after a value or an empty slot starts a row
        rows = _group_rows([c for r in rows for c in r.cells])
    return Table(rows, first_line=i + 1, last_line=j, rows_known=openers, padded=True, slotted=True)


_SEPARATOR = ((), "")
# raw line → _pipe_cut(line): how a line of a stream of cells cuts, worked out once per distinct line
_PIPE_CUTS: dict[str, tuple[tuple[str, ...], str]] = {}


def _pipe_cut(line: str) -> tuple[tuple[str, ...], str]:
    """(the cells its `|`s close, the text after its last `|`), stripped; _SEPARATOR for a
    Markdown separator line."""
    s = line.strip()
    if s.count("-") >= 3 and not s.strip("|:- "):
        cut = _SEPARATOR
    else:
        parts = [part.strip() for part in s.split("|")]
        cut = (tuple(parts[:-1]), parts[-1])
    if len(line) <= _MEMO_LINE:
        if len(_PIPE_CUTS) >= _MEMO_MAX:
            _PIPE_CUTS.clear()
        _PIPE_CUTS[line] = cut
    return cut


def _group_rows(cells: list[Cell]) -> list[Row]:
    rows: list[Row] = []
    current: list[Cell] = []
    after_value = False
    for cell in cells:
        value = is_value_text(cell.text)
        if not value and after_value and current:
            rows.append(Row(current))
            current = []
        current.append(cell)
        after_value = value
    if current:
        rows.append(Row(current))
    return rows


def _delimited_table(raw: list[str], i: int, j: int, sep: str) -> Table:
    rows = []
    cuts = _DELIMITED_CUTS[sep]
    for no in range(i, j):
        line = raw[no]
        parts = cuts.get(line)
        if parts is None:
            parts = _delimited_cut(line, sep)
        if parts:
            ln = no + 1
            rows.append(Row([Cell(p, ln) for p in parts]))
    return Table(rows, first_line=i + 1, last_line=j, padded=True)


# separator → raw line → its cells (stripped), or () for a line that is no row
_DELIMITED_CUTS: dict[str, dict[str, tuple[str, ...]]] = {"|": {}, "\t": {}}


def _delimited_cut(line: str, sep: str) -> tuple[str, ...]:
    """The cells of one delimited line (stripped), or () when the line is no row of the table."""
    if sep not in line and (not line.strip() or _FURNITURE.match(line.strip())):
        parts = ()  # ("—\t6\t—" is a row with two blanks, not a page number)
    elif sep == "|":
        if "-" in line and _PIPE_SEPARATOR.match(line):
            parts = ()
        else:
            body = line.strip()
            if body.startswith("|"):
                body = body[1:]
            if body.endswith("|"):
                body = body[:-1]
            parts = tuple(p.strip() for p in body.split("|"))
    else:
        parts = tuple(p.strip() for p in line.split("\t"))
    cuts = _DELIMITED_CUTS[sep]
    if len(line) <= 4 * _MEMO_LINE:  # (a table row: a label and a dozen numbers)
        if len(cuts) >= _MEMO_MAX:
            cuts.clear()
        cuts[line] = parts
    return parts


def _continuation(raw: str, kind: str) -> bool:
    """A non-indented line inside a tab-cell table that continues or starts a cell."""
    if kind != "cell":
        return False
    if _HEADING.match(raw) and len(fold(raw)) > 8:
        return False  # a section heading ends the table
    return len(fold(raw)) <= _MAX_CELL


def _tabcell_run(raw: list[str], kinds: list[str], i: int) -> int:
    j = i
    last = i
    while j < len(kinds):
        k = kinds[j]
        if k == "tabcell":
            last = j
        elif k in ("blank", "furniture"):
            pass
        elif _continuation(raw[j], k):
            last = j
        else:
            break
        j += 1
    return last + 1


def _tabcell_table(raw: list[str], kinds: list[str], i: int, j: int) -> Table:
    rows: list[Row] = []
    cells: list[Cell] = []
    prev_blank = True
    for no in range(i, j):
        k = kinds[no]
        if k in ("blank", "furniture"):
            if cells:
                rows.append(Row(cells))
                cells = []
            prev_blank = True
            continue
        text = raw[no].strip()
        if k == "tabcell" or prev_blank or not cells:
            cells.append(Cell(text, no + 1))
        else:  # a cell's further line: Chinese text joins without a space
            cells[-1].text += text
        prev_blank = False
    if cells:
        rows.append(Row(cells))
    return Table(rows, first_line=i + 1, last_line=j)


def _cell_run(raw: list[str], kinds: list[str], i: int) -> tuple[int | None, int]:
    """A run of short lines that holds numbers is a table given one cell per line: (its end, or
    None when the run is no table, and where the run of short lines ends)."""
    j = i
    last = i
    cells = values = 0
    n = len(kinds)
    while j < n:
        k = kinds[j]
        if k == "cell":
            line = raw[j]
            if "|" in line or _before_pipe(raw, kinds, j):
                break  # cells closed by | start here: a stream of their own
            cells += 1
            last = j
            if cell_value(line).kind != "text" and line.strip():  # (is_value_text)
                values += 1
        elif k != "blank" and k != "furniture":
            break
        j += 1
    if cells >= 6 and values >= 3:
        return last + 1, j
    return None, j


# a number written otherwise (“1e5”, “十二”, “1,2”): not a value, but not a label starting a row
# either — it stays in the row, where the extractor reports it (CELL_NOT_NUMBER)
_NUMBER_LIKE = re.compile(
    r"^[0-9０-９零〇○一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟.,，．eE+\-]{1,20}(?:件|个|条|项|次|人|份|万元|元)?$"
)


def _dense(kinds: list[str], i: int, j: int) -> bool:
    """Cells on consecutive lines, a blank line only now and then: the page wrote every cell of
    the table as a line, an empty cell as an empty line (`1`, five empty lines, `1`)."""
    adjacent = gaps = 0
    seen = gap = False
    for k in kinds[i:j]:
        if k == "cell":
            if seen:
                if gap:
                    gaps += 1
                else:
                    adjacent += 1
            seen, gap = True, False
        elif k == "blank":
            gap = True
    return gaps > 0 and adjacent >= 8 and gaps * 4 <= adjacent


def _cell_table(raw: list[str], kinds: list[str], i: int, j: int) -> Table:
    """Group the cells into rows: a text cell that follows a value starts a new row.  In a dense
    run (see `_dense`) each blank line is an empty cell."""
    rows: list[Row] = []
    cells: list[Cell] = []
    after_value = False
    dense = "blank" in kinds[i:j] and _dense(kinds, i, j)
    for no in range(i, j):
        if kinds[no] != "cell":
            if dense and kinds[no] == "blank":
                cells.append(Cell("", line=no + 1))
                after_value = True
            continue
        text = raw[no].strip()
        value = is_value_text(text) or (after_value and _NUMBER_LIKE.match(text) is not None)
        if not value and after_value and cells:
            rows.append(Row(cells))
            cells = []
        cells.append(Cell(text, no + 1))
        after_value = value
    if cells:
        rows.append(Row(cells))
    return Table(rows, first_line=i + 1, last_line=j, rows_known=False)
