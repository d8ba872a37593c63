"""Agency names: a normalised key so that one organ's reports line up across years, whether or
not the name carries its county prefix or the 人民政府/办事处 suffix."""

from __future__ import annotations

import re

from .text import fold, to_simplified

_SUFFIX = re.compile(r"(?:人民政府办公室|人民政府|政府|办事处|党委|管理委员会|委员会)$")
_REGION_END = re.compile(r"^(.*?(?:省|自治区|市|自治州|州|盟|地区|区|县|自治县|旗|自治旗))(.+)$")


def agency_key(name: str | None) -> str | None:
    """榆阳区古塔镇人民政府 → 榆阳区古塔镇; 古塔镇 → 古塔镇."""
    if not name:
        return None
    key = fold(to_simplified(name))
    key = _SUFFIX.sub("", key)
    return key or None


def base_name(key: str) -> str:
    """The key without its leading region names: 榆阳区古塔镇 → 古塔镇 (a township keeps its own name)."""
    rest = key
    while True:
        m = _REGION_END.match(rest)
        if not m or len(m.group(2)) < 2:
            return rest
        rest = m.group(2)


def same_agency(a: str | None, b: str | None) -> bool:
    ka, kb = agency_key(a), agency_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    short, long_ = sorted((ka, kb), key=len)
    return long_.endswith(short) and base_name(long_) == base_name(short) and len(base_name(short)) >= 2
