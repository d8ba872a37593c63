"""The org tree: which subordinate organs a consolidated (汇总) report covers, read from a CSV
with the columns parent and child (上级 / 下级 accepted too), names as the reports write them.
The corpus matches them to reports like the cross-year rules match names (xxgk.agency)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .agency import agency_key

MAX_BYTES = 8 << 20
MAX_EDGES = 100_000
_PARENT = ("parent", "上级", "上级机关", "汇总机关", "汇总单位")
_CHILD = ("child", "下级", "下级机关", "下级单位")


class TreeError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def read_tree(path: str | Path) -> list[tuple[str, str]]:
    """(parent, child) pairs, each once, in file order; TreeError names every bad line."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise TreeError([f"文件超过 {MAX_BYTES >> 20} MB"])
        raw = p.read_bytes()
    except OSError as exc:
        raise TreeError([f"无法读取（{exc.strerror or exc}）"]) from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TreeError(["不是 UTF-8 或 GBK 编码的 CSV"])
    return parse_tree(text)


def parse_tree(text: str) -> list[tuple[str, str]]:
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise TreeError(["文件是空的"])
    head = [c.strip().lower() for c in rows[0]]
    pi = next((i for i, c in enumerate(head) if c in _PARENT), None)
    ci = next((i for i, c in enumerate(head) if c in _CHILD), None)
    if pi is None or ci is None:
        raise TreeError(["第1行应为表头，含 parent、child 两列（或“上级”“下级”）"])
    problems: list[str] = []
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for n, r in enumerate(rows[1:], 2):
        parent = r[pi].strip() if pi < len(r) else ""
        child = r[ci].strip() if ci < len(r) else ""
        if not parent or not child:
            problems.append(f"第{n}行缺少上级或下级机关名称")
            continue
        pk, ck = agency_key(parent), agency_key(child)
        if not pk or not ck:
            problems.append(f"第{n}行的机关名称无法识别")
            continue
        if pk == ck:
            problems.append(f"第{n}行上级与下级是同一机关（{parent}）")
            continue
        if (pk, ck) in seen:
            continue
        seen.add((pk, ck))
        out.append((parent, child))
        if len(out) > MAX_EDGES:
            raise TreeError([f"组织关系超过 {MAX_EDGES} 条"])
    if problems:
        raise TreeError(problems)
    return out
