"""The document to render, as a list of blocks: title, preamble, the six sections with the
author's prose, and the three tables as grids of the national form.

Where the data has no prose for a narrative section, a factual skeleton is written from the
numbers only, with what the author must add marked 【待补充：…】 (the DRAFT_PLACEHOLDER check
finds the mark).  Nothing is invented: every number comes from the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..form import Grid, grids
from .data import ReportData

PLACEHOLDER = "【待补充："
_CN = "一二三四五六"


def todo(what: str) -> str:
    return f"{PLACEHOLDER}{what}】"


@dataclass
class Block:
    kind: str  # "title" | "para" | "heading" | "table"
    text: str = ""
    grid: Grid | None = None
    number: int = 0  # table number (2, 3, 4) of a table block


def heading(number: int, title: str) -> str:
    return f"{_CN[number - 1]}、{title}"


def preamble(rd: ReportData) -> str:
    year = rd.year if rd.year is not None else "【待补充：年度】"
    return (
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》"
        f"要求编制。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    )


def _n(v) -> str | None:
    return None if v is None else str(v)


def _sentence(parts: list[tuple[str, object]], sep: str = "，") -> str:
    """Join 'label N件' parts, leaving out those whose number is blank."""
    return sep.join(f"{label}{v}件" for label, v in parts if v is not None)


def skeleton_overview(rd: ReportData) -> str:
    v = rd.values
    req, app = v["requests"], v["appeals"]
    lines = [
        f"{rd.year if rd.year is not None else todo('年度')}年，{rd.agency or '本机关'}{todo('本年度政府信息公开工作的总体情况')}",
    ]
    # (一) 主动公开 — Table 2
    act = v["active"]
    if rd.template == "2021":
        facts = _sentence([
            ("本年制发规章", act["regulations"]["issued"]),
            ("行政规范性文件", act["normative_documents"]["issued"]),
        ], "、")
        force = _sentence([
            ("现行有效规章", act["regulations"]["in_force"]),
            ("行政规范性文件", act["normative_documents"]["in_force"]),
        ], "、")
        stated = "，".join(x for x in (facts, force) if x)
    else:
        stated = _sentence([
            ("本年新公开规章", act["regulations"]["new_published"]),
            ("规范性文件", act["normative_documents"]["new_published"]),
        ], "、")
    lines.append(f"（一）主动公开。{stated + '。' if stated else ''}{todo('主动公开的主要内容、渠道和成效')}")
    # (二) 依申请公开 — Table 3 totals
    t = {r: req[r]["total"] for r in req}
    results = [
        ("予以公开", t["granted"]),
        ("部分公开", t["partially_granted"]),
        ("不予公开", _sum(t, [r for r in t if r.startswith("withheld_")])),
        ("无法提供", _sum(t, [r for r in t if r.startswith("unavailable_")])),
        ("不予处理", _sum(t, [r for r in t if r.startswith("rejected_")])),
        ("其他处理", _sum(t, [r for r in t if r == "other" or r.startswith("other_")])),
    ]
    first = _sentence([("本年度共收到政府信息公开申请", t["new_received"]), ("上年结转", t["carried_over"])])
    done = _sentence([("全年办结", t["total_processed"])] + results)
    fwd = _sentence([("结转下年度继续办理", t["carried_forward"])])
    facts = "；".join(x for x in (first, done, fwd) if x)
    lines.append(f"（二）依申请公开。{facts + '。' if facts else ''}{todo('依申请公开工作的办理机制和答复质量')}")
    lines.append(f"（三）政府信息管理。{todo('政府信息管理工作情况')}")
    lines.append(f"（四）平台建设。{todo('政府信息公开平台建设情况')}")
    lit = _sum({"a": app["litigation_direct"]["total"], "b": app["litigation_after_reconsideration"]["total"]}, ["a", "b"])
    sup = _sentence([("因政府信息公开被申请行政复议", app["reconsideration"]["total"]), ("被提起行政诉讼", lit)])
    lines.append(f"（五）监督保障。{sup + '。' if sup else ''}{todo('监督保障工作情况')}")
    return "\n".join(lines)


def _sum(values: dict, keys: list[str]):
    xs = [values[k] for k in keys]
    return None if any(x is None for x in xs) else sum(xs)


SKELETONS = {
    1: skeleton_overview,
    5: lambda rd: todo("本年度政府信息公开工作存在的主要问题及改进情况"),
    6: lambda rd: todo("依据《政府信息公开信息处理费管理办法》说明本年度是否收取信息处理费及金额，以及其他需要报告的事项"),
}


def section_text(rd: ReportData, number: int) -> str:
    if rd.sections.get(number, "").strip():
        return rd.sections[number]
    make = SKELETONS.get(number)
    return make(rd) if make else ""


def blocks(rd: ReportData) -> list[Block]:
    tpl = rd.spec
    tables = grids(tpl, rd.get)
    out = [Block("title", rd.display_title()), Block("para", preamble(rd))]
    for sec in tpl.sections:
        out.append(Block("heading", heading(sec.number, sec.title)))
        text = section_text(rd, sec.number)
        out += [Block("para", p) for p in text.split("\n") if p.strip()]
        if sec.table:
            out.append(Block("table", grid=tables[sec.table], number=tpl.table(sec.table).number))
    return out


def is_draft(rd: ReportData) -> bool:
    return any(PLACEHOLDER in b.text for b in blocks(rd))
