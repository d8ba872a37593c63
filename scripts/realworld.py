#!/usr/bin/env python3
"""Score xxgk on the real-world study set (issue 11).

The study set is a folder of page texts kept OUTSIDE the repository (stored web pages may not be
copied here) plus hand-checked labels committed in realworld/labels/*.yaml.  Each label names the
page's address, how it was found, the sha256 of its text, the agency, the year, the template, the
quirks it shows, and the value of every table cell visible in the text (null = blank cell).

    python scripts/realworld.py [--pages DIR] [--labels DIR] [--only ID] [--show-wrong] [--json]

xxgk is imported normally, so another worktree's interpreter scores ITS code against these labels:
    /work/wt/NAME/.venv/bin/python /work/wt/realworld/scripts/realworld.py \\
        --labels /work/wt/realworld/realworld/labels

See docs/real-world.md for how to re-collect the pages folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

import xxgk

DEFAULT_PAGES = "/work/realworld/pages"
DEFAULT_LABELS = Path(__file__).resolve().parent.parent / "realworld" / "labels"


# --------------------------------------------------------------------------- labels and pages


def load_labels(folder: Path) -> list[dict[str, Any]]:
    out = []
    for p in sorted(folder.glob("*.yaml")):
        lab = yaml.safe_load(p.read_text(encoding="utf-8"))
        lab.setdefault("id", p.stem)
        lab.setdefault("cells", {})
        lab.setdefault("quirks", [])
        lab.setdefault("agency_alt", [])
        out.append(lab)
    return out


def page_path(pages: Path, pid: str) -> Path:
    return pages / f"{pid}.txt"


# --------------------------------------------------------------------------- comparisons


def _num(v: Any) -> Decimal | None:
    if v is None:
        return None
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def same_value(expected: Any, got: Any) -> bool:
    """Blank (None) only equals blank; numbers compare by value (2 == 2.0, '477.35' == 477.35)."""
    if expected is None or got is None:
        return expected is None and got is None
    a, b = _num(expected), _num(got)
    return a is not None and b is not None and a == b


_SPACE = re.compile(r"\s+")


def norm_name(s: str | None) -> str:
    if not s:
        return ""
    return _SPACE.sub("", unicodedata.normalize("NFKC", s))


def agency_ok(label: dict[str, Any], got: str | None) -> bool:
    want = label.get("agency")
    if want is None:
        return not got  # nothing names it: the right answer is no name (with a finding), never a wrong one
    accepted = {norm_name(want)} | {norm_name(a) for a in label.get("agency_alt") or []}
    return norm_name(got) in accepted


def finding_covers(where: dict[str, Any], cell: str) -> bool:
    """Whether a finding's `where` names this cell (table, and row/column when it gives them)."""
    table, row, col = cell.split(".")
    if where.get("table") != table:
        return False
    rows = where.get("rows") or ([where["row"]] if where.get("row") else None)
    if rows and row not in rows:
        return False
    cols = where.get("columns") or ([where["column"]] if where.get("column") else None)
    if cols and col not in cols:
        return False
    return True


def is_agency_finding(code: str, where: dict[str, Any]) -> bool:
    """A finding about the agency: its code names it, or its `where` points at the agency field."""
    return "AGENCY" in code.upper() or where.get("field") == "agency" or "agency" in where


# --------------------------------------------------------------------------- scoring


@dataclass
class Wrong:
    cell: str
    expected: Any
    got: Any
    flagged: bool
    codes: list[str]


@dataclass
class DocScore:
    id: str
    quirks: list[str]
    visible: int = 0
    right: int = 0
    agency_ok: bool = False
    year_ok: bool = False
    agency_flagged: bool = False  # some finding speaks about the agency (code or where)
    agency_want: str | None = None
    agency_got: str | None = None
    year_want: int | None = None
    year_got: int | None = None
    wrong: list[Wrong] = field(default_factory=list)
    error: str | None = None
    sha_ok: bool = True

    @property
    def fully_right(self) -> bool:
        return self.error is None and self.agency_ok and self.year_ok and self.right == self.visible

    @property
    def unflagged(self) -> int:
        return sum(1 for w in self.wrong if not w.flagged)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "quirks": self.quirks,
            "visible": self.visible,
            "right": self.right,
            "agency_ok": self.agency_ok,
            "agency": {"want": self.agency_want, "got": self.agency_got, "flagged": self.agency_flagged},
            "year_ok": self.year_ok,
            "year": {"want": self.year_want, "got": self.year_got},
            "fully_right": self.fully_right,
            "sha256_ok": self.sha_ok,
            "error": self.error,
            "wrong": [w.__dict__ for w in self.wrong],
        }


def _cell_value(report, cell: str):
    table, row, col = cell.split(".")
    v = report.tables.get(table, {}).get(row, {}).get(col)
    return None if v is None else v.value


def score_one(label: dict[str, Any], data: bytes) -> DocScore:
    cells: dict[str, Any] = label.get("cells") or {}
    ds = DocScore(id=label["id"], quirks=list(label.get("quirks") or []), visible=len(cells))
    ds.agency_want, ds.year_want = label.get("agency"), label.get("year")
    if label.get("sha256"):
        ds.sha_ok = hashlib.sha256(data).hexdigest() == label["sha256"]
    try:
        # a neutral name: the page file's name must not tell the parser the agency or the year
        report = xxgk.parse_bytes(data, "page.txt")
    except Exception as exc:  # noqa: BLE001 - a crash is scored as a wholly wrong document
        ds.error = f"{type(exc).__name__}: {exc}"
        ds.wrong = [Wrong(c, v, None, False, []) for c, v in cells.items()]
        return ds
    ds.agency_got, ds.year_got = report.meta.agency, report.meta.year
    ds.agency_ok = agency_ok(label, report.meta.agency)
    ds.year_ok = label.get("year") == report.meta.year
    findings = [(f.code, f.where or {}) for f in report.findings]
    ds.agency_flagged = any(is_agency_finding(code, where) for code, where in findings)
    label_tpl = label.get("template")
    for cell, want in cells.items():
        got = _cell_value(report, cell) if (label_tpl is None or report.template == label_tpl) else None
        wrong_template = label_tpl is not None and report.template != label_tpl
        if not wrong_template and same_value(want, got):
            ds.right += 1
            continue
        codes = [code for code, where in findings if finding_covers(where, cell)]
        if wrong_template:
            got = f"<template {report.template}>"
        ds.wrong.append(Wrong(cell, want, got, bool(codes), codes))
    return ds


def pct(a: int, b: int) -> float:
    return round(100.0 * a / b, 1) if b else 0.0


def summarize(scores: list[DocScore]) -> dict[str, Any]:
    visible = sum(s.visible for s in scores)
    right = sum(s.right for s in scores)
    out: dict[str, Any] = {
        "documents": len(scores),
        "cells_visible": visible,
        "cells_right": right,
        "cells_right_pct": pct(right, visible),
        "documents_fully_right": sum(s.fully_right for s in scores),
        "documents_fully_right_pct": pct(sum(s.fully_right for s in scores), len(scores)),
        "agency_right": sum(s.agency_ok for s in scores),
        "agency_wrong_without_finding": sum(1 for s in scores if not s.agency_ok and not s.agency_flagged),
        "year_right": sum(s.year_ok for s in scores),
        "wrong_values": sum(len(s.wrong) for s in scores),
        "wrong_without_finding": sum(s.unflagged for s in scores),
        "errors": sum(1 for s in scores if s.error),
        "sha256_mismatch": [s.id for s in scores if not s.sha_ok],
    }
    quirks: dict[str, dict[str, Any]] = {}
    for s in scores:
        for q in s.quirks:
            d = quirks.setdefault(q, {"documents": 0, "fully_right": 0, "cells_visible": 0, "cells_right": 0})
            d["documents"] += 1
            d["fully_right"] += s.fully_right
            d["cells_visible"] += s.visible
            d["cells_right"] += s.right
    for d in quirks.values():
        d["cells_right_pct"] = pct(d["cells_right"], d["cells_visible"])
        d["fully_right_pct"] = pct(d["fully_right"], d["documents"])
    out["quirks"] = dict(sorted(quirks.items(), key=lambda kv: (-kv[1]["documents"], kv[0])))
    return out


# --------------------------------------------------------------------------- output


def print_text(scores: list[DocScore], summary: dict[str, Any], show_wrong: bool, out=sys.stdout) -> None:
    w = out.write
    for s in scores:
        flags = []
        if not s.agency_ok:
            flags.append(f"agency {s.agency_got!r}≠{s.agency_want!r}" + (" [flagged]" if s.agency_flagged else " [NO FINDING]"))
        if not s.year_ok:
            flags.append(f"year {s.year_got}≠{s.year_want}")
        if s.error:
            flags.append(f"ERROR {s.error}")
        if not s.sha_ok:
            flags.append("page text differs from the label's sha256")
        mark = "OK " if s.fully_right else "-- "
        w(
            f"{mark}{s.id}  cells {s.right}/{s.visible}  agency {'ok' if s.agency_ok else 'NO'}  "
            f"year {'ok' if s.year_ok else 'NO'}  wrong {len(s.wrong)} (unflagged {s.unflagged})"
            + (("  " + "; ".join(flags)) if flags else "")
            + "\n"
        )
        if show_wrong:
            for x in s.wrong:
                tag = "flagged " + ",".join(sorted(set(x.codes))) if x.flagged else "NO FINDING"
                w(f"      {x.cell}: want {x.expected!r} got {x.got!r}  [{tag}]\n")
    S = summary
    w("\n")
    w(f"documents             {S['documents']}\n")
    w(f"visible cells right   {S['cells_right']}/{S['cells_visible']} = {S['cells_right_pct']}%\n")
    w(f"documents fully right {S['documents_fully_right']}/{S['documents']} = {S['documents_fully_right_pct']}%\n")
    w(f"agency right          {S['agency_right']}/{S['documents']} (wrong without a finding: {S['agency_wrong_without_finding']})\n")
    w(f"year right            {S['year_right']}/{S['documents']}\n")
    w(f"wrong values          {S['wrong_values']} (without a finding: {S['wrong_without_finding']})\n")
    if S["errors"]:
        w(f"parse errors          {S['errors']}\n")
    if S["sha256_mismatch"]:
        w(f"sha256 mismatch       {', '.join(S['sha256_mismatch'])}\n")
    w("\nquirk                         docs  fully right   cells right\n")
    for q, d in S["quirks"].items():
        w(
            f"{q:<28} {d['documents']:>5}  {d['fully_right']:>4} {d['fully_right_pct']:>5}%  "
            f"{d['cells_right']:>5}/{d['cells_visible']:<5} {d['cells_right_pct']:>5}%\n"
        )


def study_stats(labels: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts over the labels: template, level, province, Traditional, excerpt kind, quirks, cells."""
    from collections import Counter

    def count(key):
        return dict(Counter(str(lab.get(key)) for lab in labels).most_common())

    quirks = Counter(q for lab in labels for q in lab.get("quirks") or [])
    return {
        "documents": len(labels),
        "with_cells": sum(1 for lab in labels if lab.get("cells")),
        "cells": sum(len(lab.get("cells") or {}) for lab in labels),
        "blank_cells": sum(1 for lab in labels for v in (lab.get("cells") or {}).values() if v is None),
        "template": count("template"),
        "level": count("level"),
        "province": count("province"),
        "traditional": count("traditional"),
        "excerpt": count("excerpt"),
        "year": dict(sorted(Counter(str(lab.get("year")) for lab in labels).items())),
        "agency_null": sum(1 for lab in labels if lab.get("agency") is None),
        "quirks": dict(quirks.most_common()),
    }


def print_stats(labels: list[dict[str, Any]], out=sys.stdout) -> None:
    st = study_stats(labels)
    for k, v in st.items():
        out.write(f"{k}: {json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score xxgk on the real-world study set")
    ap.add_argument("--pages", default=os.environ.get("XXGK_REALWORLD") or DEFAULT_PAGES)
    ap.add_argument("--labels", default=str(DEFAULT_LABELS))
    ap.add_argument("--only", action="append", help="score only this id (prefix match; repeatable)")
    ap.add_argument("--show-wrong", action="store_true", help="list every wrong value")
    ap.add_argument("--json", action="store_true", help="machine output")
    ap.add_argument("--stats", action="store_true", help="describe the study set from the labels alone (no parsing)")
    a = ap.parse_args(argv)
    pages, labels_dir = Path(a.pages), Path(a.labels)
    if not pages.is_dir():
        print(f"找不到实测页面目录 {pages}：请按 docs/real-world.md 重新收集，或用 --pages / XXGK_REALWORLD 指定", file=sys.stderr)
        return 2
    if not labels_dir.is_dir():
        print(f"找不到标注目录 {labels_dir}", file=sys.stderr)
        return 2
    labels = load_labels(labels_dir)
    if a.stats:
        print_stats(labels)
        return 0
    if a.only:
        labels = [lab for lab in labels if any(str(lab["id"]).startswith(o) for o in a.only)]
    scores, missing = [], []
    for lab in labels:
        p = page_path(pages, lab["id"])
        if not p.is_file():
            missing.append(lab["id"])
            continue
        scores.append(score_one(lab, p.read_bytes()))
    summary = summarize(scores)
    summary["pages_missing"] = missing
    if a.json:
        print(json.dumps({"summary": summary, "documents": [s.to_json() for s in scores]}, ensure_ascii=False, default=str))
    else:
        print_text(scores, summary, a.show_wrong)
        if missing:
            print(f"\n{len(missing)} labelled page(s) missing from {pages}: {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
