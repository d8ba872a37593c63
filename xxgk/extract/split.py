"""Table cells that were run together: a row label followed by its cells with nothing between
them (``一、本年新收政府信息公开申请数量801000081``, ``行政规范性文件77132470``), as crawled
collections keep a page's text.  Each run of digits is split under the template, and a cell is
decided only when every consistent split agrees on it.

What a split must satisfy:

* the row's cell count; no leading zeros (except ``0``); a decimal point only in a money column,
  a sign only in a signed one; ``/``, ``—``, ``-``, ``无`` are blank cells; at most `MAX_CELL`
  characters per cell; a run broken by white space must be broken into exactly its cells (cells
  printed apart but too few were lost, not joined: never split further);
* the row identities (Table 3: ``total`` = the six applicant columns; Table 4: each block's
  ``total`` = its four outcomes) — enumerated per row (`splits`);
* the column identities of Table 3 (balance, result sum) tying every row together — solved for
  the whole table at once (`solve`: generalised arc consistency over the rows' candidate splits,
  then a search for a solution through each remaining candidate).

Numbers stated in the prose (``共收到申请81件``) and, when reports are checked together, the same
agency's previous year only *confirm*: they are applied after the identities, and ignored when
they contradict every split.  Table 2 has no identity inside the report: its rows are decided
only when the digits allow a single split.

Bounded: per row at most `ROW_NODES` search steps, per table `TABLE_NODES` and `TABLE_SECONDS`;
past them the cells not yet proven stay null and are flagged.

Interface: `apply(doc, tpl, report)` (the extractor's hook), `row_alternatives(...)` (what the
cross-year rules use for a row whose cells were left ambiguous), `confirm(prev, cur)` (cross-year
confirmation of ambiguous rows).
"""

from __future__ import annotations

import bisect
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from ..limits import MAX_NUMBER_DIGITS
from ..template import Kind, Table, Template
from ..text import fold, nfkc

MAX_CELL = 12  # characters of one cell (a count has at most 9 digits, money 12 with its decimals)
ROW_NODES = 20_000  # search steps enumerating the splits of one run
ENUM_NODES = 60_000  # search steps enumerating the splits of all runs of one table
MAX_CANDIDATES = 400  # splits kept per run; past it the row is left unsolved
TABLE_NODES = 40_000  # search steps solving one table
TABLE_SECONDS = 0.3  # wall time solving one table
SET_CAP = 4_000  # partial sums kept per identity instance while propagating
MAX_RUNS = 2_000  # digit runs looked at per document
LABEL_TAIL = 40  # characters between a row label's key phrase and its digits
SHOWN = 6  # alternatives named in a message

# digits, decimal points, signs and blank marks (无 too, but not the first character of the labels
# 无法提供, 无正当理由…); a run must hold a digit
_RUN = re.compile(r"(?:[0-9/—–\-+.]|无(?!法|正当))+")
_BLANK = frozenset({"/", "-", "—", "–", "——", "－", "无"})
_PROSE_AFTER = frozenset("件条个项次人份年月日号元万%岁名家户起宗批篇期")
_TAIL_STOP = re.compile(r"[。;；:：!?！？\d]")
_T4_HEAD = ("总计", "合计", "审结", "结果", "起诉", "其他", "维持", "纠正")

Number = int | Decimal


class _Overflow(Exception):
    pass


# ---- the runs in the text -------------------------------------------------------------------

@dataclass
class Run:
    """A run of digits where the cells of `rows` should be."""

    table: str
    rows: tuple[str, ...]  # one row; Table 4: its three blocks, one run
    text: str  # without white space
    breaks: tuple[int, ...]  # offsets in `text` where white space separated two characters
    line: int | None

    @property
    def raw(self) -> str:
        out, last = [], 0
        for b in self.breaks:
            out.append(self.text[last:b])
            last = b
        out.append(self.text[last:])
        return " ".join(out)


@dataclass
class _Flat:
    text: str  # NFKC, white space removed
    breaks: list[int]  # offsets where white space was
    line_starts: list[int]  # offset of each line's first character
    line_nos: list[int]

    def line(self, pos: int) -> int | None:
        k = bisect.bisect_right(self.line_starts, pos) - 1
        return self.line_nos[k] if k >= 0 else None


def _flatten(lines) -> _Flat:
    parts: list[str] = []
    breaks: list[int] = []
    starts: list[int] = []
    nos: list[int] = []
    n = 0
    for line in lines:
        text = line.text
        if not text.strip():
            continue
        s = nfkc(text)
        starts.append(n)
        nos.append(line.no)
        if n:
            breaks.append(n)
        for k, piece in enumerate(s.split()):
            if k:
                breaks.append(n)
            parts.append(piece)
            n += len(piece)
    return _Flat("".join(parts), breaks, starts, nos)


@lru_cache(maxsize=None)
def _keys(template_id: str):
    """(regex of every row key phrase of Tables 2 and 3, phrase → (table, row, exact-only))."""
    from ..template import get

    tpl = get(template_id)
    owner: dict[str, tuple[str, str, bool]] = {}
    for table in tpl.tables:
        if table.key == "appeals":
            continue
        for row in table.rows:
            label = re.sub(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d\.)", "", fold(row.label))
            for k in (label, *row.keys):  # a two-character label (规章, 总计) must touch its digits
                owner.setdefault(fold(k), (table.key, row.id, len(fold(k)) <= 2))
            for e in row.exact:  # 其他, 总计: only right before the digits
                owner.setdefault(fold(e), (table.key, row.id, True))
    phrases = sorted(owner, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in phrases)), owner


@lru_cache(maxsize=None)
def _headers(template_id: str) -> dict[str, tuple[str, ...]]:
    """table key → header phrases that only the table's own header prints (long column labels),
    where its rows start: a row label in the prose before them is not a row."""
    from ..template import get

    out = {}
    for table in get(template_id).tables:
        if table.key == "appeals":
            continue
        keys = {fold(k) for r in table.rows for k in r.keys}
        phrases = [fold(c.label) for c in table.columns] + [fold(a) for a in table.anchors]
        out[table.key] = tuple(p for p in dict.fromkeys(phrases) if len(p) >= 5 and p not in keys)
    return out


def _strip_numbering(flat: str, start: int, end: int) -> tuple[int, bool]:
    """The end of a run once the next label's numbering glued to it (``…00002.其他法律``,
    ``…04、政府信息``) is cut off; and whether something was cut."""
    nxt = flat[end : end + 1]
    if flat[end - 1] == "." and end - 2 >= start and flat[end - 2].isdigit() and not nxt.isdigit():
        return end - 2, True
    if nxt == "、" and flat[end - 1].isdigit():
        return end - 1, True
    return end, False


def find_runs(lines, tpl: Template, wanted: set[tuple[str, str]]) -> list[Run]:
    """The runs of the wanted rows (table, row) — Table 4 as ("appeals", "*") — in the text."""
    flat = _flatten(lines)
    text = flat.text
    regex, owner = _keys(tpl.id)
    found: dict[tuple[str, str], Run] = {}
    appeals = tpl.table("appeals")
    want_t4 = ("appeals", "*") in wanted
    starts = {}
    for key, phrases in _headers(tpl.id).items():
        at = [text.find(p) for p in phrases]
        at = [a for a in at if a >= 0]
        starts[key] = min(at) if at else 0
    for k, m in enumerate(_RUN.finditer(text)):
        if k >= MAX_RUNS:
            break
        start, end = m.span()
        end, cut = _strip_numbering(text, start, end)
        body = text[start:end]
        if not any(ch.isdigit() for ch in body):
            continue
        if not cut and text[end : end + 1] in _PROSE_AFTER:
            continue  # 3件, 2023年: prose
        if text[start - 1 : start] in ("第", "共", "约", "近"):
            continue
        if _t4_header(text[max(0, start - 160) : start]):
            if want_t4 and ("appeals", "*") not in found and len(body) >= 5 * len(appeals.rows):
                found[("appeals", "*")] = _run(flat, "appeals", tuple(r.id for r in appeals.rows), start, end)
            continue
        hit = _label_before(text[max(0, start - 90) : start], regex, owner)
        if hit is not None and hit in wanted and hit not in found and start >= starts.get(hit[0], 0):
            found[hit] = _run(flat, hit[0], (hit[1],), start, end)
    return list(found.values())


def _run(flat: _Flat, table: str, rows: tuple[str, ...], start: int, end: int) -> Run:
    lo = bisect.bisect_right(flat.breaks, start)
    hi = bisect.bisect_left(flat.breaks, end)
    return Run(table, rows, flat.text[start:end], tuple(b - start for b in flat.breaks[lo:hi]), flat.line(start))


def _label_before(before: str, regex: re.Pattern, owner: dict) -> tuple[str, str] | None:
    """The row whose label ends just before a run: the last key phrase followed by a short
    label tail without digits or sentence punctuation (an exact-only label: no tail at all)."""
    hits = list(regex.finditer(before))
    for m in reversed(hits):
        tail = before[m.end() :]
        table, row, exact_only = owner[m.group(0)]
        if exact_only and tail:
            continue
        if len(tail) > LABEL_TAIL or _TAIL_STOP.search(tail):
            return None
        return table, row
    return None


def _t4_header(before: str) -> bool:
    """Table 4's header ends just before the run: 行政复议 … 维持/审结 … 总计<run>."""
    at = before.rfind("行政复议")
    if at < 0:
        return False
    head = before[at:]
    if "维持" not in head and "审结" not in head:
        return False
    return any(head.endswith(w) for w in _T4_HEAD)


# ---- the splits of one run ------------------------------------------------------------------

@dataclass(frozen=True)
class Shape:
    """What a run must split into: one kind per cell, and the row identities (sum index → part
    indices, every part before its sum)."""

    kinds: tuple[Kind, ...]
    sums: tuple[tuple[int, tuple[int, ...]], ...]


_COUNT = re.compile(r"0|[1-9]\d{0,8}")
_SIGNED = re.compile(r"[+-]?(?:0|[1-9]\d{0,8})")
_MONEY = re.compile(r"(?:0|[1-9]\d{0,10})(?:\.\d{1,4})?")
_INVALID = object()


def _cell(s: str, kind: Kind):
    if s in _BLANK:
        return None
    if kind is Kind.MONEY:
        if _MONEY.fullmatch(s):
            return Decimal(s) if "." in s else int(s)
        return _INVALID
    if (_SIGNED if kind is Kind.SIGNED else _COUNT).fullmatch(s):
        return int(s)
    return _INVALID


def splits(text: str, breaks: tuple[int, ...], shape: Shape, nodes: int = ROW_NODES, used: list | None = None) -> list[tuple] | None:
    """Every split of `text` into the cells of `shape` (None when the search passed `nodes`
    steps or `MAX_CANDIDATES` splits: the run is left unsolved).

    A sum whose parts are all read is not searched for: it must be the digits of their sum.  A
    sum in the last cell (Table 3's 总计) is taken first, each possible suffix in turn; its parts
    are then searched under its value (none longer than it, the last one what is left)."""
    n, size = len(shape.kinds), len(text)
    if size < n or size > n * MAX_CELL:
        return []
    if breaks and len(breaks) + 1 != n:
        return []  # separated by white space, but not into its cells: cells were lost, not joined
    brk = set(breaks)
    sums = dict(shape.sums)
    out: list[tuple] = []
    steps = [0]
    last = n - 1
    capped = sums.get(last) if last in sums and all(p < last for p in sums[last]) and n > 1 else None
    capped_set = frozenset(capped or ())
    final_part = max(capped) if capped else -1

    def search(end: int, cap, cells: list) -> None:
        """Cells 0.. up to (not including) the last one when `end` < size, over text[:end]."""
        stop = n if end == size else last
        bound = [MAX_CELL] * n
        if cap is not None:
            width = len(str(cap))
            for p in capped_set:
                bound[p] = width
        maxrest = [0] * (stop + 1)
        for k in range(stop - 1, -1, -1):
            maxrest[k] = maxrest[k + 1] + bound[k]
        dead: set = set()  # states (offset, cell, open partial sums) known to lead nowhere

        def rec(i: int, k: int, acc: int) -> None:
            steps[0] += 1
            if steps[0] > nodes or len(out) > MAX_CANDIDATES:
                raise _Overflow
            if k == stop:
                if i == end:
                    out.append(tuple(cells))
                return
            room = end - i
            if room < stop - k or room > maxrest[k]:
                return
            state = (i, k, acc, tuple(_partial(cells, ps, k) for s_, ps in shape.sums if s_ >= k and s_ != last))
            if state in dead:
                return
            before = len(out)
            _step(i, k, acc)
            if len(out) == before:
                dead.add(state)

        def _step(i: int, k: int, acc: int) -> None:
            parts = sums.get(k)
            if parts is not None and k != last and all(cells[j] is not None for j in parts):
                want = str(sum(cells[j] for j in parts))  # a sum after its parts: no choice
                j = i + len(want)
                if text.startswith(want, i) and not any(b in brk for b in range(i + 1, j)):
                    cells[k] = int(want)
                    rec(j, k + 1, acc)
                if text[i] in _BLANK:
                    cells[k] = None
                    rec(i + 1, k + 1, acc)
                return
            if cap is not None and acc is not None and k == final_part:
                want = cap - acc  # the last part of the capped sum is what is left
                w = str(want)
                j = i + len(w)
                if want >= 0 and text.startswith(w, i) and not any(b in brk for b in range(i + 1, j)):
                    cells[k] = want
                    rec(j, k + 1, acc + want)
                if text[i] in _BLANK:
                    cells[k] = None
                    rec(i + 1, k + 1, None)
                return
            kind = shape.kinds[k]
            in_cap = cap is not None and k in capped_set
            for j in range(i + 1, min(end - (stop - k - 1), i + bound[k]) + 1):
                if j - 1 > i and (j - 1) in brk:
                    break  # a cell never spans white space
                v = _cell(text[i:j], kind)
                if v is _INVALID:
                    if text[i] == "0" and kind is not Kind.MONEY:
                        break
                    continue
                if in_cap and v is not None and acc is not None and acc + v > cap:
                    break  # longer cells only grow
                cells[k] = v
                if in_cap:  # a blank part: the sum no longer ties the parts
                    rec(j, k + 1, None if v is None or acc is None else acc + v)
                else:
                    rec(j, k + 1, acc)

        rec(0, 0, 0)

    try:
        if capped is None:
            search(size, None, [None] * n)
        else:
            for t in range(1, min(MAX_CELL, size - last) + 1):
                start = size - t
                if any(b in brk for b in range(start + 1, size)):
                    break
                v = _cell(text[start:], shape.kinds[last])
                if v is _INVALID:
                    continue
                cells = [None] * n
                cells[last] = v
                before = len(out)
                search(start, v, cells)
                if v is None:  # a blank total: the parts are not tied to it
                    continue
                out[before:] = [c for c in out[before:] if None in (c[p] for p in capped) or sum(c[p] for p in capped) == v]
    except _Overflow:
        return None
    finally:
        if used is not None:
            used[0] += steps[0]
    return out


def _partial(cells: list, parts: tuple[int, ...], k: int):
    placed = [cells[p] for p in parts if p < k]
    if not placed:
        return 0
    return None if None in placed else sum(placed)


def shape_of(table: Table, rows: tuple[str, ...]) -> tuple[Shape, list[tuple[str, str]]]:
    slots = [(r, c) for r in rows for c in table.row(r).columns]
    kinds = tuple(table.column(c).kind for _, c in slots)
    sums = []
    for ident in table.identities:
        if ident.axis != "row" or len(ident.left) != 1:
            continue
        for r in rows:
            cols = table.row(r).columns
            if not (set(ident.left) | set(ident.right)) <= set(cols):
                continue
            at = {c: slots.index((r, c)) for c in cols}
            total, parts = at[ident.left[0]], tuple(at[c] for c in ident.right)
            if all(p < total for p in parts):
                sums.append((total, parts))
    return Shape(kinds, tuple(sums)), slots


def row_alternatives(template_id: str, table_key: str, row: str, raw: str | None) -> list[dict] | None:
    """Every split of a row's printed digit run (`raw`, white space as printed), each as
    {column: value}: what a row left ambiguous may hold.  None when unknown (no run, too many)."""
    from ..template import get

    if not raw:
        return None
    table = get(template_id).table(table_key)
    rows = tuple(r.id for r in table.rows) if table_key == "appeals" else (row,)
    pieces = raw.split()
    text = "".join(pieces)
    breaks, n = [], 0
    for p in pieces[:-1]:
        n += len(p)
        breaks.append(n)
    shape, slots = shape_of(table, rows)
    found = splits(text, tuple(breaks), shape)
    if found is None:
        return None
    return [{c: v for (r, c), v in zip(slots, cand) if r == row} for cand in found]


# ---- solving a table ------------------------------------------------------------------------

@dataclass
class Instance:
    """Σ sign × cell = const over (variable, cell index, sign) terms."""

    terms: dict[int, tuple[tuple[int, int], ...]]  # variable → ((cell index, sign), ...)
    const: Number = 0
    what: str = ""  # a confirming instance: where it came from (Chinese), else ""


def _contribution(terms, cand):
    s = 0
    for idx, sign in terms:
        v = cand[idx]
        if v is None:
            return None
        s += sign * v
    return s


class _Budget:
    def __init__(self, nodes: int, seconds: float):
        self.nodes, self.deadline = nodes, time.monotonic() + seconds
        self.out = False

    def step(self) -> None:
        self.nodes -= 1
        if self.nodes <= 0 or (self.nodes % 256 == 0 and time.monotonic() > self.deadline):
            self.out = True
            raise _Overflow


def _usable(instances: list[Instance], doms: dict[int, list[tuple]]) -> list[Instance]:
    """The instances every candidate of every variable can be evaluated in (no blank operand)."""
    out = []
    for inst in instances:
        if all(v in doms and all(_contribution(t, c) is not None for c in doms[v]) for v, t in inst.terms.items()):
            out.append(inst)
    return out


def _gac(doms: dict[int, list[tuple]], instances: list[Instance], budget: _Budget) -> dict[int, list[tuple]] | None:
    """Remove every candidate no choice of the others can complete, instance by instance, to a
    fixed point.  None when a variable is left with no candidate."""
    doms = dict(doms)
    changed = True
    while changed:
        changed = False
        for inst in instances:
            budget.step()
            vs = list(inst.terms)
            vals = [{_contribution(inst.terms[v], c) for c in doms[v]} for v in vs]
            fwd = [{0}]
            for xs in vals:
                nxt = {s + x for s in fwd[-1] for x in xs}
                if len(nxt) > SET_CAP:
                    break
                fwd.append(nxt)
            else:
                need = [set() for _ in vs] + [{inst.const}]
                for k in range(len(vs) - 1, -1, -1):
                    need[k] = {r - x for r in need[k + 1] for x in vals[k]}
                    if len(need[k]) > SET_CAP:
                        need = None
                        break
                if need is None:
                    continue
                for k, v in enumerate(vs):
                    ok = {x for x in vals[k] if any(s + x in need[k + 1] for s in fwd[k])}
                    if ok != vals[k]:
                        keep = [c for c in doms[v] if _contribution(inst.terms[v], c) in ok]
                        if not keep:
                            return None
                        doms[v] = keep
                        vals[k] = ok
                        changed = True
    return doms


def _find(doms, instances, budget) -> dict[int, tuple] | None:
    budget.step()
    doms = _gac(doms, instances, budget)
    if doms is None:
        return None
    open_ = [v for v, d in doms.items() if len(d) > 1]
    if not open_:
        return {v: d[0] for v, d in doms.items()}
    v = min(open_, key=lambda x: len(doms[x]))
    for c in doms[v]:
        trial = dict(doms)
        trial[v] = [c]
        sol = _find(trial, instances, budget)
        if sol is not None:
            return sol
    return None


def solve(doms: dict[int, list[tuple]], instances: list[Instance], budget: _Budget) -> tuple[dict[int, list[tuple]] | None, bool]:
    """The candidates of each variable that some solution uses (None: no solution), and whether
    that is exact (False: the budget ran out; the candidates are then a superset)."""
    tied = {v for inst in instances for v in inst.terms}
    free = {v: d for v, d in doms.items() if v not in tied}
    part = {v: d for v, d in doms.items() if v in tied}
    try:
        part = _gac(part, instances, budget)
    except _Overflow:
        return dict(doms), False
    if part is None:
        return None, True
    supported: dict[int, set[tuple]] = {v: set() for v in part}
    try:
        for v in sorted(part, key=lambda x: len(part[x])):
            for c in list(part[v]):
                if c in supported[v] or c not in part[v]:
                    continue
                trial = dict(part)
                trial[v] = [c]
                sol = _find(trial, instances, budget)
                if sol is None:
                    part[v] = [x for x in part[v] if x != c]
                    if not part[v]:
                        return None, True
                    reduced = _gac(part, instances, budget)
                    if reduced is None:
                        return None, True
                    part = reduced
                else:
                    for u, x in sol.items():
                        supported[u].add(x)
    except _Overflow:
        return {**free, **part}, False
    return {**free, **{v: [c for c in part[v] if c in supported[v]] for v in part}}, True


# ---- the hook -------------------------------------------------------------------------------

@dataclass
class _Var:
    table: Table
    rows: tuple[str, ...]
    slots: list[tuple[str, str]]
    run: Run | None  # None: the row as the reader read it
    cands: list[tuple] | None  # None: unsolved (too many splits)
    index: dict[tuple[str, str], int] = field(default_factory=dict)


_LOST = frozenset(("missing", "unplaced"))


def apply(doc, tpl: Template, report) -> None:
    """Fill the cells the reader could not find from run-together digits, where they are
    decided; flag the rest.  Does nothing when every row was found (the usual case)."""
    wanted: set[tuple[str, str]] = set()
    unplaced: set[tuple[str, str]] = set()  # rows a table reader found but could not place (ROW_UNPLACED)
    for table in tpl.tables:
        cells = report.tables[table.key]
        rows = [cells[r.id] for r in table.rows]
        if all(rows) and not _LOST.intersection([v.status for cols in rows for v in cols.values()]):
            continue  # the common case: a cell of every row was read (or is blank)
        missing = [r.id for r in table.rows if all(v.status in ("missing", "unplaced") for v in cells[r.id].values())]
        stuck = {r for r in missing if all(v.status == "unplaced" for v in cells[r].values())}
        if table.key == "appeals":
            if len(missing) == len(table.rows):
                wanted.add(("appeals", "*"))
                if stuck:
                    unplaced.add(("appeals", "*"))
        else:
            wanted.update((table.key, r) for r in missing)
            unplaced.update((table.key, r) for r in stuck)
    if not wanted:
        return
    runs = find_runs(doc.lines, tpl, wanted)
    # a row the table reader could not place is taken only when its digits are one run: cells
    # printed apart but too few were lost (ROW_UNPLACED says so), not joined
    runs = [r for r in runs if not (r.breaks and (r.table, "*" if r.table == "appeals" else r.rows[0]) in unplaced)]
    if not runs:
        return
    by_table: dict[str, list[Run]] = {}
    for run in runs:
        by_table.setdefault(run.table, []).append(run)
    for key, table_runs in by_table.items():
        keys = {(key, "*" if key == "appeals" else run.rows[0]) for run in table_runs}
        # a single run unbroken by white space and longer than any one number may be (limits.py)
        # is joined cells, wherever it stands: no reader can have read it as a value
        joined = any(not r.breaks and sum(ch.isdigit() for ch in r.text) > MAX_NUMBER_DIGITS for r in table_runs)
        if key != "appeals" and len(table_runs) < 2 and not keys & unplaced and not joined:
            continue  # one label followed by digits is more likely prose than a run-together table
        _solve_table(tpl.table(key), table_runs, report)
        # a row the table reader could not place, split here: its CELL_* findings replace ROW_UNPLACED
        done = {r for run in table_runs for r in run.rows}
        report.notes = [n for n in report.notes
                        if not (n[0] == "ROW_UNPLACED" and n[2].get("table") == key and (n[2].get("row") in done or n[2].get("row") is None))]


def _vars(table: Table, runs: list[Run], report) -> list[_Var]:
    out: list[_Var] = []
    used = [0]  # enumeration steps of the table so far (ENUM_NODES; past them, rows are left unsolved)
    by_rows = {run.rows: run for run in runs}
    cells = report.tables[table.key]
    rows = [(r.id,) for r in table.rows] if table.key != "appeals" else [tuple(r.id for r in table.rows)]
    for rs in rows:
        shape, slots = shape_of(table, rs)
        run = by_rows.get(rs)
        if run is not None:
            left = min(ROW_NODES, ENUM_NODES - used[0])
            out.append(_Var(table, rs, slots, run, splits(run.text, run.breaks, shape, left, used) if left > 0 else None))
            continue
        values = [cells[r][c] for r, c in slots]
        if all(v.status in ("read", "inferred", "blank") for v in values):
            out.append(_Var(table, rs, slots, None, [tuple(v.value for v in values)]))
    for v in out:
        v.index = {s: k for k, s in enumerate(v.slots)}
    return out


def _instances(table: Table, vars_: list[_Var]) -> list[Instance]:
    where = {s: (k, v.index[s]) for k, v in enumerate(vars_) if v.cands for s in v.slots}
    out = []
    for ident in table.identities:
        if ident.axis != "column":
            continue
        for col in table.columns:
            terms: dict[int, list[tuple[int, int]]] = {}
            ok = True
            for sign, rows in ((1, ident.left), (-1, ident.right)):
                for r in rows:
                    at = where.get((r, col.id))
                    if at is None:
                        ok = False
                        break
                    terms.setdefault(at[0], []).append((at[1], sign))
            if ok:
                out.append(Instance({v: tuple(t) for v, t in terms.items()}))
    return out


def _claims(table: Table, vars_: list[_Var], report) -> list[Instance]:
    """The prose's restatements of this table's cells, as confirming instances."""
    where = {s: (k, v.index[s]) for k, v in enumerate(vars_) if v.cands for s in v.slots}
    out = []
    for claim in getattr(report, "claims", ()) or ():
        if not claim.cells or any(t != table.key for t, _, _ in claim.cells):
            continue
        terms: dict[int, list[tuple[int, int]]] = {}
        for _, r, c in claim.cells:
            at = where.get((r, c))
            if at is None:
                break
            terms.setdefault(at[0], []).append((at[1], 1))
        else:
            out.append(Instance({v: tuple(t) for v, t in terms.items()}, claim.value, f"正文“{_short(claim.sentence)}”"))
    return out


def _short(s: str, n: int = 24) -> str:
    s = s.strip()
    return s if len(s) <= n else s[: n - 1] + "…"


def _solve_table(table: Table, runs: list[Run], report) -> None:
    from ..report import Value

    vars_ = _vars(table, runs, report)
    # a run with no split at all (unreadable, or its own row does not add up) ties nothing: left
    # out of the identities rather than making the whole table inconsistent
    doms = {k: v.cands for k, v in enumerate(vars_) if v.cands}
    base = _instances(table, vars_)
    budget = _Budget(TABLE_NODES, TABLE_SECONDS)
    usable = _usable(base, doms)
    supports, exact = solve(doms, usable, budget)
    consistent = supports is not None
    basis: dict[int, str] = {}
    if not consistent:
        supports, exact = dict(doms), True  # no split satisfies the identities: nothing is proven by them
    confirmers = _usable(_claims(table, vars_, report), supports) if consistent else []
    if confirmers and any(len(supports[k]) > 1 for k in supports):
        narrowed, exact2 = solve(supports, usable + confirmers, _Budget(TABLE_NODES, TABLE_SECONDS))
        if narrowed is not None:
            for k in supports:
                if len(narrowed[k]) < len(supports[k]):
                    basis[k] = "、".join(dict.fromkeys(c.what for c in confirmers if k in c.terms)) or "正文所述数字"
            supports, exact = narrowed, exact and exact2
    report.found_tables.add(table.key)
    decided = ambiguous = 0
    for k, var in enumerate(vars_):
        if var.run is None:
            continue
        cands = supports.get(k) if var.cands is not None else None
        if var.cands is not None and (not consistent or not cands):
            # the identities fail (the printed table does not add up): only a run the cell count
            # alone splits one way is read — the accounting checks then report the error
            shape, _ = shape_of(table, var.rows)
            alone = splits(var.run.text, var.run.breaks, Shape(shape.kinds, ()), 3_000)
            if alone is not None and len(alone) == 1:
                cands = alone
            elif cands and len(cands) == 1:
                cands = cands + [None]  # not proven: listed, never decided
        for r in var.rows:
            slots = [(i, c) for i, (rr, c) in enumerate(var.slots) if rr == r]
            open_cols, alts = [], []
            for i, c in slots:
                values = {cand[i] if cand is not None else _INVALID for cand in cands} if cands else set()
                if len(values) == 1:
                    (value,) = values
                    report.tables[table.key][r][c] = Value(value, "split" if value is not None else "blank", var.run.raw, var.run.line)
                    decided += 1
                else:
                    report.tables[table.key][r][c] = Value(None, "ambiguous", var.run.raw, var.run.line)
                    open_cols.append(c)
                    ambiguous += 1
            if open_cols:
                if cands:
                    alts = sorted({tuple(cand[i] for i, _ in slots) for cand in cands if cand is not None}, key=_order)
                report.notes.append(("CELL_AMBIGUOUS", _message(table, r, var, slots, open_cols, alts, cands, consistent, exact),
                                     {"table": table.key, "row": r, "columns": open_cols, "line": var.run.line, "raw": var.run.raw,
                                      "alternatives": [[_plain(x) for x in a] for a in alts[:20]] if consistent else []}))
            elif k in basis:
                report.notes.append(("CELL_SPLIT", f"{table.name}「{table.row(r).name}」连写数字“{var.run.raw}”按{basis[k]}确定拆分", {"table": table.key, "row": r, "line": var.run.line}))
    shown = f"，{ambiguous}格有多种拆法已留空" if ambiguous else ""
    report.notes.append(("CELL_SPLIT", f"{table.name}的数字在原文中连写、无分隔，已按各行格数和勾稽关系拆分：确定{decided}格{shown}，请对照原件核实",
                         {"table": table.key}))


def _order(alt):
    """Plausible splits first: real cells are mostly small, so by the largest cell."""
    vals = tuple(-1 if x is None else x for x in alt)
    return (max(vals), vals)


def _plain(x):
    if isinstance(x, Decimal):
        return str(x)
    return x


def _fmt(alt) -> str:
    return "|".join("空" if x is None else str(x) for x in alt)


def _message(table: Table, row: str, var: _Var, slots, open_cols, alts, cands, consistent: bool, exact: bool) -> str:
    name = f"{table.name}「{table.row(row).name}」"
    cols = "、".join(table.column(c).label for c in open_cols)
    raw = var.run.raw
    if var.cands is None:
        why = "可能的拆法过多，超出计算上限"
    elif not var.cands:
        why = f"按应有的{len(var.slots)}格无法拆分（格数、前导零或勾稽关系不符）"
    elif not consistent:
        why = f"按勾稽关系无一致的拆法（原表可能有计算错误或漏格），可拆为{len(alts)}种：{'、'.join(_fmt(a) for a in alts[:SHOWN])}{'等' if len(alts) > SHOWN else ''}"
    else:
        why = f"可拆为{len(alts)}种{'（计算已达上限，未能全部排除）' if not exact else ''}：{'、'.join(_fmt(a) for a in alts[:SHOWN])}{'等' if len(alts) > SHOWN else ''}"
        if table.key == "active":
            why += "（表二在本报告内没有勾稽关系可以核对）"
    return f"{name}连写数字“{raw}”{why}，{cols}无法确定，已留空，请对照原件核实"


# ---- across years ---------------------------------------------------------------------------

def ambiguous_rows(report, table: str) -> dict[str, list[dict]]:
    """row → the jointly consistent alternatives ({column: value}) of the rows of `table` left
    ambiguous, from the CELL_AMBIGUOUS notes of the report (a report just parsed)."""
    out: dict[str, list[dict]] = {}
    items = [(c, w) for c, _, w in report.notes]
    spec = report.spec.table(table)
    for code, where in items:
        if code != "CELL_AMBIGUOUS" or where.get("table") != table or where.get("row") in out:
            continue
        alts = where.get("alternatives") or []
        cols = spec.row(where["row"]).columns
        if alts and all(len(a) == len(cols) for a in alts):
            out[where["row"]] = [dict(zip(cols, (Decimal(x) if isinstance(x, str) else x for x in a))) for a in alts]
    return out


def confirm(prev, cur) -> bool:
    """Decide rows of `cur` left ambiguous that exactly one alternative fits with `prev`, the same
    agency's previous year: 上年结转 = last year's 结转下年度, and (2021 template) 现行有效 = last
    year's + 本年制发 − 本年废止.  Returns whether anything changed."""
    from ..report import Value

    changed = False
    checks = []
    if "requests" in prev.found_tables:
        before = prev.tables["requests"].get("carried_forward") or {}
        if before and all(v.value is not None for v in before.values()):
            checks.append(("requests", "carried_over", lambda alt: all(alt.get(c) == v.value for c, v in before.items()),
                           "上年报告“结转下年度继续办理”"))
    if prev.template == cur.template == "2021" and "active" in prev.found_tables:
        for row in ("regulations", "normative_documents"):
            last = (prev.tables["active"].get(row) or {}).get("in_force")
            if last is not None and last.value is not None:
                checks.append(("active", row, lambda alt, L=last.value: None not in (alt.get("issued"), alt.get("repealed"), alt.get("in_force"))
                               and alt["in_force"] == L + alt["issued"] - alt["repealed"], "上年现行有效件数"))
    for table, row, fits, what in checks:
        alts = ambiguous_rows(cur, table).get(row)
        if not alts:
            continue
        good = [a for a in alts if fits(a)]
        if len(good) != 1:
            continue
        cells = cur.tables[table][row]
        raw = next((v.raw for v in cells.values() if v.raw), None)
        line = next((v.line for v in cells.values() if v.line), None)
        for c, v in good[0].items():
            cells[c] = Value(v, "split", raw, line)
        cur.notes = [n for n in cur.notes if not (n[0] == "CELL_AMBIGUOUS" and n[2].get("table") == table and n[2].get("row") == row)]
        spec = cur.spec.table(table)
        cur.notes.append(("CELL_SPLIT", f"{spec.name}「{spec.row(row).name}」连写数字“{raw}”按{prev.meta.year}年{what}确定拆分",
                          {"table": table, "row": row, "line": line}))
        changed = True
    return changed
