"""Every cell of every seed, exactly as printed in the source."""

import pytest

from xxgk import parse_path
from xxgk import template as T

from .conftest import seed_path


def expected(template_id: str, fill=0, **overrides):
    """Every canonical cell = `fill`, then overrides like requests__granted={"total": None}."""
    tpl = T.get(template_id)
    out = {t.key: {r.id: {c: fill for c in r.columns} for r in t.rows} for t in tpl.tables}
    for key, cols in overrides.items():
        table, row = key.split("__")
        out[table][row].update(cols)
    return out


NULL_ROW = {c.id: None for c in T.get("2021").table("requests").columns}
SEEDS = {
    "000": dict(
        meta={"agency": "榆阳区古塔镇人民政府", "year": 2023, "title": "榆阳区古塔镇人民政府 关于 2023 年度政府信息公开工作的报告"},
        values=expected("2021"),
    ),
    "001": dict(
        meta={"agency": "原州区河川乡", "year": 2023, "title": "原州区河川乡 2023 年政府信息公开工作年度报告"},
        values=expected("2021"),
    ),
    "002": dict(
        meta={"agency": "一平垣乡", "year": 2023, "title": None},
        values=expected(
            "2021",
            active__licensing={"decisions": 512},
            requests__new_received={"total": None},
            requests__carried_over={"total": None},
            **{
                f"requests__{r.id}": NULL_ROW
                for r in T.get("2021").table("requests").rows
                if r.id not in ("new_received", "carried_over")
            },
        ),
    ),
    "003": dict(
        meta={
            "agency": "乌拉特前旗额尔登布拉格苏木人民政府",
            "year": 2023,
            "title": "乌拉特前旗额尔登布拉格苏木人民政府2023年政府信息公开工作年度报告",
        },
        values=expected("2021"),
    ),
    "004": dict(
        meta={"agency": "赤壁市官塘驿镇", "year": 2024, "title": "赤壁市官塘驿镇2024年政府信息公开工作年度报告"},
        values=expected("2021"),
    ),
}


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_values_exact(seed):
    report = parse_path(seed_path(seed))
    out = report.to_json()
    want = SEEDS[seed]
    assert out["template"] == "2021"
    assert out["meta"]["template_detected"] is True
    for key in ("agency", "year", "title"):
        assert out["meta"][key] == want["meta"][key], key
    for table in T.TABLE_KEYS:
        assert out[table] == want["values"][table], table


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_has_no_errors_and_all_sections(seed):
    report = parse_path(seed_path(seed))
    assert not report.has_errors, [f.message for f in report.findings if f.severity.value == "error"]
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert report.found_tables == {"active", "requests", "appeals"}


def test_seed_002_blank_is_not_zero_and_keeps_provenance():
    report = parse_path(seed_path("002"))
    lic = report.tables["active"]["licensing"]["decisions"]
    assert (lic.value, lic.status, lic.raw, lic.line) == (512, "read", "512", 33)
    total = report.tables["requests"]["new_received"]["total"]
    assert (total.value, total.status) == (None, "blank")
    assert report.tables["requests"]["new_received"]["natural_person"].status == "read"
    blank_rows = [f.where["row"] for f in report.findings if f.code == "BLANK_CELL"]
    assert len(blank_rows) == len(set(blank_rows)) == 25  # one finding per row at most


def test_seed_001_six_value_rows_are_placed_by_identity_and_flagged():
    report = parse_path(seed_path("001"))
    inferred = {f.where["row"] for f in report.findings if f.code == "CELL_INFERRED"}
    assert inferred == {"granted", "partially_granted", "total_processed"}
    for row in inferred:
        cells = report.tables["requests"][row]
        assert all(v.status == "inferred" and v.value == 0 for v in cells.values())
    assert not any(f.code == "ROW_UNPLACED" for f in report.findings)


def test_seed_sections_keep_their_text():
    report = parse_path(seed_path("000"))
    six = report.section(6)
    assert six.title == "六、其他需要报告的事项"
    assert six.text == "本年度未收取信息处理费"
    assert "通过榆阳区政府网站主动公开政府信息3条" in report.section(1).text
