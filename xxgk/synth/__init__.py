"""Synthetic reports for tests, benchmarks and examples: fictional agencies, random numbers that
satisfy every accounting identity of the template, and narrative that restates them.

`random_report` makes the data (a canonical-JSON dict plus section texts); `xxgk.synth.layouts`
writes it out as text in each of the layouts real reports come in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from .. import template as T

_PREFIXES = ("青山", "白河", "云岭", "松溪", "石门", "柳林", "金沙", "龙泉", "桃源", "清水", "枫桥", "梅岭", "望江", "翠屏", "凤鸣")
_COUNTIES = ("东湖区", "西山县", "南江县", "北原市", "临川区", "安平县", "宁远县", "长乐市")
_KINDS = ("镇人民政府", "乡人民政府", "街道办事处", "镇", "乡", "县人民政府办公室", "区教育局", "市自然资源局", "县卫生健康局")


@dataclass
class SynthReport:
    template: str
    year: int
    agency: str
    values: dict[str, dict[str, dict[str, object]]]  # table key → row → column → number
    sections: dict[int, str] = field(default_factory=dict)  # narrative per section number
    title: str = ""

    def canonical(self) -> dict:
        """The numbers as `xxgk parse` should print them."""
        return {k: self.values[k] for k in T.TABLE_KEYS}


def fictional_agency(rng: random.Random) -> str:
    return rng.choice(_COUNTIES) + rng.choice(_PREFIXES) + rng.choice(_KINDS)


def _uniform_count(rng: random.Random, hi: int, zero_share: float) -> int:
    return 0 if rng.random() < zero_share else rng.randint(1, hi)


def real_count(rng: random.Random, hi: int, zero_share: float) -> int:
    """A count drawn the way real reports have them: mostly 0, many small, a few large (`hi`
    only scales the small ones)."""
    u = rng.random()
    zero = max(zero_share, 0.55)
    if u < zero:
        return 0
    if u < zero + (1 - zero) * 0.85:
        return rng.randint(1, min(hi, 9) if hi > 1 else 1)
    if u < zero + (1 - zero) * 0.98:
        return rng.randint(10, 99)
    return rng.randint(100, 999)


def random_values(tpl: T.Template, rng: random.Random, zero_share: float = 0.1, previous: dict | None = None,
                  realistic: bool = False) -> dict:
    """Numbers satisfying every identity of `tpl`.  With `previous` (last year's values of the
    same agency) the carry-over and the in-force counts continue from it.  `realistic` draws
    counts as real reports have them (`real_count`: mostly zeros, few large; applicants other
    than 自然人 rarer still) instead of uniformly."""
    _count = real_count if realistic else _uniform_count
    values: dict[str, dict[str, dict[str, object]]] = {}
    for table in tpl.tables:
        values[table.key] = {r.id: {} for r in table.rows}

    # Table 2: independent cells
    active = tpl.table("active")
    for row in active.rows:
        for c in row.columns:
            col = active.column(c)
            if col.kind is T.Kind.MONEY:
                v = Decimal(rng.randint(1, 999_999)) / 100 if rng.random() > zero_share else Decimal(0)
                if col.unit == "元":
                    v = Decimal(rng.randint(1, 9_999_999))
            elif col.kind is T.Kind.SIGNED:
                v = rng.randint(-9, 9)
            else:
                v = _count(rng, 120 if c in ("decisions", "in_force", "total_published") else 15, zero_share)
            values["active"][row.id][c] = v
    if previous is not None and tpl.id == "2021" and "in_force" in active._cols:
        for row in active.rows:
            if "in_force" in row.columns:
                cells = values["active"][row.id]
                cells["repealed"] = min(cells["repealed"], previous["active"][row.id]["in_force"] + cells["issued"])
                cells["in_force"] = previous["active"][row.id]["in_force"] + cells["issued"] - cells["repealed"]

    # Table 3: results per applicant column, then the balance rows, then the total column
    req = tpl.table("requests")
    result_rows = next(i.right for i in req.identities if i.code == "T3_RESULT_SUM")
    applicants = next(i.right for i in req.identities if i.code == "T3_ROW_SUM")
    rows = values["requests"]
    for c in applicants:
        share = max(zero_share, 0.85) if realistic and c != applicants[0] else zero_share
        for r in result_rows:
            rows[r][c] = _count(rng, 9, share)
        processed = sum(rows[r][c] for r in result_rows)
        rows["total_processed"][c] = processed
        forward = _count(rng, 5, zero_share)
        if realistic:
            over = min(_count(rng, 5, zero_share), processed + forward)
        else:
            over = rng.randint(0, processed + forward) if rng.random() > zero_share else 0
        if previous is not None:
            over = previous["requests"]["carried_forward"][c]
            forward = max(forward, over - processed)
        rows["carried_forward"][c] = forward
        rows["carried_over"][c] = over
        rows["new_received"][c] = processed + forward - over
    for r in rows:
        rows[r]["total"] = sum(rows[r][c] for c in applicants)

    # Table 4: four outcomes, total
    for row in tpl.table("appeals").rows:
        cells = values["appeals"][row.id]
        for c in ("upheld", "corrected", "other", "pending"):
            cells[c] = _count(rng, 6, zero_share)
        cells["total"] = sum(cells[c] for c in ("upheld", "corrected", "other", "pending"))
    return values


def narrative(values: dict, agency: str, year: int, rng: random.Random) -> dict[int, str]:
    req = values["requests"]
    app = values["appeals"]
    web = rng.randint(20, 400)
    parts = [rng.randint(0, web) for _ in range(2)]
    parts.append(web - sum(parts) if web - sum(parts) >= 0 else 0)
    if sum(parts) != web:
        parts = [web, 0, 0]
    lit = app["litigation_direct"]["total"] + app["litigation_after_reconsideration"]["total"]
    return {
        1: (
            f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
            f"持续推进政府信息公开工作。\n"
            f"（一）主动公开。全年通过门户网站主动公开政府信息{web}条，其中机构职能类{parts[0]}条，"
            f"政策文件类{parts[1]}条，工作动态类{parts[2]}条。\n"
            f"（二）依申请公开。本年度共收到政府信息公开申请{req['new_received']['total']}件，"
            f"上年结转{req['carried_over']['total']}件，结转下年度继续办理{req['carried_forward']['total']}件。\n"
            f"（三）政府信息管理。严格落实信息发布审核制度。\n"
            f"（四）平台建设。持续优化政府网站政务公开专栏。\n"
            f"（五）监督保障。因政府信息公开被申请行政复议{app['reconsideration']['total']}件，提起行政诉讼{lit}件。"
        ),
        5: "存在的主要问题：公开内容的深度和广度有待提升。改进情况：加强业务培训，完善审核机制。",
        6: f"依据《政府信息公开信息处理费管理办法》，本机关{year}年度未收取信息处理费。无其他需要报告的事项。",
    }


def random_report(
    rng: random.Random | int | None = None,
    template_id: str | None = None,
    year: int | None = None,
    agency: str | None = None,
    zero_share: float = 0.1,
    blank_share: float = 0.0,
    previous: SynthReport | None = None,
    realistic: bool = False,
) -> SynthReport:
    if not isinstance(rng, random.Random):
        rng = random.Random(rng)
    if template_id is None:
        template_id = rng.choice(list(T.TEMPLATES))
    tpl = T.get(template_id)
    if year is None:
        year = rng.randint(tpl.first_year, 2025) if tpl.id == "2021" else rng.randint(2019, 2020)
    agency = agency or fictional_agency(rng)
    values = random_values(tpl, rng, zero_share, previous.values if previous else None, realistic)
    sections = narrative(values, agency, year, rng)
    if blank_share:  # cells left blank after the numbers were made consistent
        for rows in values.values():
            for cols in rows.values():
                for c in cols:
                    if rng.random() < blank_share:
                        cols[c] = None
    rep = SynthReport(tpl.id, year, agency, values, sections)
    rep.title = f"{agency}{year}年政府信息公开工作年度报告"
    return rep
