"""The accounting identities (勾稽关系) of Tables 3 and 4, and the value rules."""

from __future__ import annotations

from decimal import Decimal

from ..report import Report, Severity
from ..template import Kind
from .registry import finding, rule


def _identity(report: Report, code: str):
    """Evaluate every instance of the identities named `code` in the report's template."""
    skipped: dict[str, list[str]] = {}
    for table in report.spec.tables:
        if table.key not in report.found_tables:
            continue
        cells = report.tables[table.key]
        for ident in table.identities:
            if ident.code != code:
                continue
            if ident.axis == "column":
                for col in table.columns:
                    left = [cells[r][col.id].value for r in ident.left]
                    right = [cells[r][col.id].value for r in ident.right]
                    if _holds(left, right):
                        continue
                    if None in left or None in right:
                        skipped.setdefault(table.name, []).append(f"{col.label}列")
                        continue
                    names = [table.row(r).name for r in ident.left + ident.right]
                    bad = _message(names, left, right, f"{table.name} {col.label}列")
                    yield finding(code, bad, table=table.key, column=col.id, rows=list(ident.left + ident.right))
            else:
                for row in _rows_of(table, ident):
                    left = [cells[row.id][c].value for c in ident.left]
                    right = [cells[row.id][c].value for c in ident.right]
                    if _holds(left, right):
                        continue
                    if None in left or None in right:
                        skipped.setdefault(table.name, []).append(f"「{row.name}」")
                        continue
                    names = [table.column(c).label for c in ident.left + ident.right]
                    bad = _message(names, left, right, f"{table.name}「{row.name}」")
                    yield finding(code, bad, table=table.key, row=row.id, columns=list(ident.left + ident.right))
    for name, where in skipped.items():
        shown = "、".join(where[:6]) + (f"等{len(where)}处" if len(where) > 6 else "")
        yield finding("NOT_EVALUATED", f"{name}{shown}因有空格，未能核对{code}（{_DESC[code]}）", rule=code)


_ROWS_OF: dict[tuple[int, int], tuple] = {}


def _rows_of(table, ident) -> list:
    """The rows a row-wise identity applies to (those with every column it names), worked out
    once per template table.  The cache keeps the table and identity alive, so their ids are
    never reused for other objects."""
    key = (id(table), id(ident))
    hit = _ROWS_OF.get(key)
    if hit is None:
        need = set(ident.left) | set(ident.right)
        hit = _ROWS_OF[key] = (table, ident, [row for row in table.rows if need <= set(row.columns)])
    return hit[2]


def _holds(left: list, right: list) -> bool:
    """Both sides known and equal."""
    try:
        return sum(left) == sum(right)
    except TypeError:  # a blank operand
        return False


def _message(names: list[str], left: list, right: list, scope: str) -> str:
    """Why the identity fails: the two sides with their terms, and the difference."""
    ls, rs = sum(left), sum(right)
    lnames, rnames = names[: len(left)], names[len(left) :]
    if len(right) > 4:  # a long sum: name the total, not every term
        terms = [f"{n}{v}" for n, v in zip(rnames, right) if v]
        parts = "＋".join(terms) if terms and len(terms) <= 6 else f"共{rs}"
        return f"{scope}：{lnames[0]}{ls} ≠ 各项之和{rs}（{parts}），差{ls - rs}"
    lhs = " + ".join(f"{n}{v}" for n, v in zip(lnames, left))
    rhs = " + ".join(f"{n}{v}" for n, v in zip(rnames, right))
    return f"{scope}：{lhs} ≠ {rhs}，差{ls - rs}"


_DESC: dict[str, str] = {}


def _register_identity(code: str, description: str):
    _DESC[code] = description

    def check(report: Report):
        yield from _identity(report, code)

    check.__name__ = f"identity_{code.lower()}"
    check.__doc__ = description
    return rule(code, Severity.ERROR, description)(check)


# one rule per identity code declared by the templates (the descriptions come from there too)
def _declare_identities():
    from ..template import TEMPLATES

    seen = {}
    for tpl in TEMPLATES.values():
        for table in tpl.tables:
            for ident in table.identities:
                seen.setdefault(ident.code, ident.description)
    for code, desc in seen.items():
        _register_identity(code, desc)


_declare_identities()


@rule("NOT_EVALUATED", Severity.INFO, "某项勾稽关系因空格未能核对（空格本身另有 BLANK_CELL）")
def not_evaluated(report: Report):
    return ()  # emitted by the identity rules themselves, under this code


def _values(report: Report):
    """(table spec, row spec, column spec, Value) for every cell holding a number."""
    for table in report.spec.tables:
        cells = report.tables[table.key]
        for row in table.rows:
            for c, v in cells[row.id].items():
                if v.value is not None:
                    yield table, row, c, v


def _numbers(table, cells) -> list:
    """The numbers in the rows of a table (blank and unknown cells left out)."""
    return [x for row in table.rows for v in cells[row.id].values() if (x := v.value) is not None]


@rule("NEGATIVE_VALUE", Severity.ERROR, "计数为负数（2019年模板的“本年增/减”列除外）")
def negative_value(report: Report):
    for table in report.spec.tables:
        cells = report.tables[table.key]
        numbers = _numbers(table, cells)
        if not numbers or min(numbers) >= 0:
            continue  # the common case, decided in one pass
        for row in table.rows:
            for c, v in cells[row.id].items():
                x = v.value
                if x is not None and x < 0 and table.column(c).kind is not Kind.SIGNED:
                    yield finding(
                        "NEGATIVE_VALUE",
                        f"{table.name}「{row.name}」{table.column(c).label}为负数{v.value}",
                        table=table.key, row=row.id, column=c, line=v.line,
                    )


@rule("NON_INTEGER", Severity.ERROR, "件数、数量等计数出现小数")
def non_integer(report: Report):
    for table in report.spec.tables:
        cells = report.tables[table.key]
        if {type(x) for x in _numbers(table, cells)} <= {int}:
            continue  # the common case: whole counts only
        for row in table.rows:
            for c, v in cells[row.id].items():
                x = v.value
                if type(x) is int or x is None:  # the common case
                    continue
                if isinstance(x, Decimal) and x != x.to_integral_value() and table.column(c).kind is not Kind.MONEY:
                    yield finding(
                        "NON_INTEGER",
                        f"{table.name}「{row.name}」{table.column(c).label}应为整数，却是{v.value}",
                        table=table.key, row=row.id, column=c, line=v.line,
                    )
