"""Agency names: a normalised key so that one organ's reports line up across years, whether or
not the name carries its county prefix, the 人民政府/办事处/委员会 suffix, or Traditional characters;
and what the name tells about the organ — its administrative level, whether it is a people's
government or a department, and the places it names.

    agency_key("榆陽區古塔鎮人民政府")  → "榆阳区古塔镇"
    base_name("榆阳区古塔镇")           → "古塔镇"
    describe("陕西省榆林市榆阳区教育局") → level 县级, kind 部门, regions 陕西省 / 榆林市 / 榆阳区
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from .text import fold, to_simplified

LEVELS = ("国务院部门", "省级", "地市级", "县级", "乡镇街道")
KINDS = ("政府", "部门")

# ---- the key --------------------------------------------------------------------------------

# suffixes that name the organ's form rather than the organ: a people's government is its place
# (榆阳区古塔镇人民政府 = 榆阳区古塔镇); stripped repeatedly (古塔镇党委政府 → 古塔镇党委 → 古塔镇)
_SUFFIX = re.compile(r"(?:人民政府|政府|办事处|党委|党工委|管理委员会|管委会|委员会|委)$")
# the government's own office is a department, not the government: kept, spelled one way
_GOV_OFFICE = re.compile(r"(?:人民)?政府办(?:公室)?$")
_GOV_GENERAL_OFFICE = re.compile(r"(?:人民)?政府办公厅$")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")  # 某县人民政府(本级) → 某县人民政府
_LEADING_PARTY = re.compile(r"^中共")


def agency_key(name: str | None) -> str | None:
    """The normalised key: Simplified, folded (no spaces, ASCII width), without the suffixes that
    only name the organ's form.  榆阳区古塔镇人民政府 → 榆阳区古塔镇; 古塔镇 → 古塔镇;
    某县人民政府办公室 → 某县政府办公室 (the government's office stays distinct from the government)."""
    if not name:
        return None
    key = _LEADING_PARTY.sub("", fold(to_simplified(name)))
    prev = None
    while prev != key:
        prev = key
        key = _TRAILING_NOTE.sub("", key)
        if _GOV_GENERAL_OFFICE.search(key):
            return _GOV_GENERAL_OFFICE.sub("政府办公厅", key)
        if _GOV_OFFICE.search(key):
            return _GOV_OFFICE.sub("政府办公室", key)
        stripped = _SUFFIX.sub("", key)
        if len(stripped) >= 2:  # never strip a name down to nothing (委员会 alone stays)
            key = stripped
    return key or None


# ---- places in a name -----------------------------------------------------------------------

# place suffixes and the level a place of that kind is at; 市 is told from its neighbours
_UNIT_LEVEL: dict[str, str | None] = {
    "特别行政区": "省级", "自治区": "省级", "省": "省级",
    "自治州": "地市级", "地区": "地市级", "盟": "地市级", "州": "地市级",
    "自治县": "县级", "自治旗": "县级", "开发区": "县级", "高新区": "县级", "新区": "县级", "林区": "县级",
    "特区": "县级", "区": "县级", "县": "县级", "旗": "县级",
    "民族乡": "乡镇街道", "民族苏木": "乡镇街道", "街道": "乡镇街道", "苏木": "乡镇街道", "镇": "乡镇街道", "乡": "乡镇街道",
    "市": None,
}
_LONG_NAMES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "民族乡", "民族苏木", "苏木")  # minority names run long
_NAME_CHAR = r"[^局厅委办院署所处室站队部会中心、,，。:：;；()（）《》“”\"]"
_SUFFIX_ALT = "|".join(sorted(_UNIT_LEVEL, key=len, reverse=True))
# shortest name first, so the first suffix met ends the place (乌拉特前旗 | 额尔登布拉格苏木)
# a one-character county comes first (易县, 赵县: 县 second is always such a county)
_UNIT = re.compile(f"^(?:({_NAME_CHAR})(县)|({_NAME_CHAR}{{2,14}}?)({_SUFFIX_ALT}))")
# department words that end like a place (住房和城乡建设局, 社区, 工业园区) are not places
_NOT_PLACE_END = ("城乡", "社区", "市区", "县区", "辖区", "园区", "景区", "片区", "小区", "街区")
_MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})
# a vertically managed body names its national head first: 国家税务总局榆林市税务局
_VERTICAL = re.compile(r"^(?:国家[^省市县区]{1,10}?(?:总局|局)|中国人民银行|海关总署)")
_NATIONAL = re.compile(r"^(?:国务院|国家|中国|中华人民共和国|全国)|(?:部|总局|总署)$")
_LEAD_WORDS = re.compile(r"^(?:欢迎访问|欢迎来到|欢迎进入|关于|印发|中共)")


def split_units(key: str) -> tuple[list[tuple[str, str]], str]:
    """The places a key starts with, each as (name, suffix), and the rest (a department's own
    name; empty for a government).  榆林市榆阳区教育局 → ([(榆林市, 市), (榆阳区, 区)], 教育局)."""
    units: list[tuple[str, str]] = []
    rest = key
    while rest:
        m = _UNIT.match(rest)
        if not m:
            break
        name, suffix = m.group(0), m.group(2) or m.group(4)
        if name.endswith(_NOT_PLACE_END) or (len(name) - len(suffix) > 7 and suffix not in _LONG_NAMES):
            break
        units.append((name, suffix))
        rest = rest[len(name):]
    return units, rest


def base_name(key: str) -> str:
    """The key without its leading places: 榆阳区古塔镇 → 古塔镇 (a township keeps its own name),
    榆阳区教育局 → 教育局."""
    units, rest = split_units(key)
    if len(rest) >= 2:
        return rest
    return units[-1][0] if units else key


def keys_compatible(ka: str, kb: str) -> bool:
    """Two keys can name one organ: equal, or one is the other with more of its places."""
    if ka == kb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    return long_.endswith(short) and len(base_name(short)) >= 2 and base_name(long_) == base_name(short)


def same_agency(a: str | None, b: str | None) -> bool:
    """Whether two names can be the same organ (古塔镇 ~ 榆阳区古塔镇人民政府 ~ 陕西省榆林市榆阳区古塔镇)."""
    ka, kb = agency_key(a), agency_key(b)
    return bool(ka and kb) and keys_compatible(ka, kb)


def group_keys(keys: Iterable[str]) -> dict[str, str]:
    """Group the keys that name one organ: key → the group's fullest key.

    A key joins the fuller key that extends it with places (古塔镇 → 榆阳区古塔镇).  A key that
    several incompatible fuller keys extend (古塔镇 beside 榆阳区古塔镇 and 某县古塔镇) cannot be told
    apart and stays a group of its own rather than joining the wrong organ."""
    keyset = {k for k in keys if k}
    longer: dict[str, list[str]] = {}  # suffix → the keys that end with it
    for k in keyset:
        for i in range(1, len(k)):
            if k[i:] in keyset:
                longer.setdefault(k[i:], []).append(k)
    out: dict[str, str] = {}
    for k in keyset:
        fuller = [f for f in longer.get(k, ()) if keys_compatible(k, f)]
        roots = [f for f in fuller if not any(keys_compatible(f, g) for g in longer.get(f, ()))]
        out[k] = roots[0] if len(roots) == 1 else k
    return out


@dataclass(frozen=True)
class AgencyInfo:
    name: str | None  # as stated in the report
    key: str | None  # normalised key; a bare name is qualified with the places the report states
    # right before it (一平垣乡 in a report headed 某区一平垣乡 → 某区一平垣乡)
    base: str | None  # the key without its places
    level: str | None  # one of LEVELS; None when the name cannot tell (a lone 某市)
    kind: str | None  # 政府 (people's government, township, street office) or 部门 (department)
    regions: tuple[str, ...] = ()  # places stated, outermost first
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    township: str | None = None

    @property
    def region(self) -> str | None:
        return "".join(self.regions) or None


def _unit_levels(units: list[tuple[str, str]]) -> list[str | None]:
    """The level of each place of a chain.  A 市 is a municipality (省级), a prefecture-level city
    when a county-level place or another 市 follows it, a county-level city when it follows a
    prefecture or a township follows it; a lone 市 stays unknown."""
    levels = [_UNIT_LEVEL[s] for _, s in units]
    for i, (name, suffix) in enumerate(units):
        if suffix != "市":
            continue
        below = units[i + 1][1] if i + 1 < len(units) else None
        below_level = _UNIT_LEVEL.get(below) if below else None
        if name in _MUNICIPALITIES:
            levels[i] = "省级"
        elif i and levels[i - 1] == "地市级":
            levels[i] = "县级"  # 咸宁市赤壁市
        elif below == "市" or below_level == "县级":
            levels[i] = "地市级"  # 榆林市榆阳区
        elif below_level == "乡镇街道":
            levels[i] = "县级"  # 赤壁市官塘驿镇: towns sit under counties and county-level cities
    return levels


def _stated_places(key: str, lines: Iterable[str]) -> str | None:
    """Places written right before the bare name in the report's first lines (a heading
    "欢迎访问赤壁市官塘驿镇", a title "某区一平垣乡2023年…"), when exactly one chain is stated."""
    found: set[str] = set()
    for line in lines:
        for token in re.split(r"[\s,，。、:：;；()（）《》“”\"|]+", to_simplified(line)):
            f = fold(token)
            i = f.find(key)
            if i <= 0:
                continue
            chain = _LEAD_WORDS.sub("", f[:i])
            units, rest = split_units(chain)
            if units and not rest:
                found.add(chain)
    fullest = [c for c in found if not any(o != c and o.endswith(c) for o in found)]
    return fullest[0] if len(fullest) == 1 else None


def describe(name: str | None, lines: Iterable[str] = ()) -> AgencyInfo:
    """What a report's agency name tells about the organ; `lines` (the title and first lines of
    the report) supply the places a bare name leaves out."""
    key = agency_key(name)
    if not key:
        return AgencyInfo(name, None, None, None, None)
    units, rest = split_units(key)
    if len(units) + bool(rest) <= 1:  # a bare place or a bare department: look for its places
        stated = _stated_places(key, lines)
        if stated:
            key = stated + key
            units, rest = split_units(key)
    if not units and (m := _VERTICAL.match(key)):
        units, _ = split_units(key[m.end():])
        rest = rest or key
    levels = _unit_levels(units)
    if units:
        level, kind = levels[-1], ("部门" if rest else "政府")
    elif _NATIONAL.search(key):
        level, kind = "国务院部门", "部门"
    else:
        level, kind = None, "部门"
    slots: dict[str, str] = {}
    names = {"省级": "province", "地市级": "prefecture", "县级": "county", "乡镇街道": "township"}
    for (place, _), lv in zip(units, levels):
        if lv in names:
            slots.setdefault(names[lv], place)
    return AgencyInfo(name, key, base_name(key), level, kind, tuple(p for p, _ in units), **slots)
