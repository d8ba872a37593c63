"""The shapes tables take on real published pages (docs/tables.md), one invented fixture each:
every cell read exactly, blanks kept blank, and each decision that is not plain reading
(position, sum, unit, cut) visible in the provenance and in a finding."""

from decimal import Decimal
from pathlib import Path

import pytest

from xxgk import parse_bytes, parse_path
from xxgk import template as T

FIX = Path(__file__).parent / "fixtures" / "realworld"


def expected(template_id: str, fill=0, **overrides):
    tpl = T.get(template_id)
    out = {t.key: {r.id: {c: fill for c in r.columns} for r in t.rows} for t in tpl.tables}
    for key, cols in overrides.items():
        table, row = key.split("__")
        out[table][row].update(cols)
    return out


def row(template_id, table, row_id, *values):
    cols = T.get(template_id).table(table).row(row_id).columns
    assert len(cols) == len(values)
    return {f"{table}__{row_id}": dict(zip(cols, values))}


def codes(report):
    return sorted(f.code for f in report.findings if f.code != "NOT_EVALUATED")


def check_values(report, want):
    out = report.to_json(provenance=False)
    for key in T.TABLE_KEYS:
        assert out[key] == want[key], key


def test_cell_a_line_closed_by_pipes_with_merge_lines():
    """`规章 |` `2 |` … `|||` where merged cells were; `|` alone closes an empty slot (a blank)."""
    report = parse_path(FIX / "pipe_cells_closer.txt")
    want = expected(
        "2021",
        **row("2021", "active", "regulations", 2, 1, None),
        **row("2021", "active", "normative_documents", 4, 0, 9),
        **row("2021", "active", "licensing", 37),
        **row("2021", "active", "penalty", 12),
        **row("2021", "active", "fees", Decimal("1.5")),
        **row("2021", "requests", "new_received", 5, 1, 0, 0, 0, 0, 6),
        **row("2021", "requests", "carried_over", 1, 0, 0, 0, 0, 0, 1),
        **row("2021", "requests", "granted", 3, 1, 0, 0, 0, 0, 4),
        **row("2021", "requests", "partially_granted", 1, 0, 0, 0, 0, 0, 1),
        **row("2021", "requests", "unavailable_not_held", 1, 0, 0, 0, 0, 0, 1),
        **row("2021", "requests", "total_processed", 5, 1, 0, 0, 0, 0, 6),
        **row("2021", "requests", "carried_forward", 1, 0, 0, 0, 0, 0, 1),
        **row("2021", "appeals", "reconsideration", 1, 0, 0, 1, 2),
        **row("2021", "appeals", "litigation_direct", 0, 1, 0, 0, 1),
    )
    check_values(report, want)
    blank = report.tables["active"]["regulations"]["in_force"]
    assert (blank.status, blank.how, blank.raw) == ("blank", "position", "")
    assert report.source.layout == "pipe-cells"
    assert codes(report) == ["BLANK_CELL"]
    (f,) = [f for f in report.findings if f.code == "BLANK_CELL"]
    assert f.where["row"] == "regulations" and f.where["columns"] == ["in_force"]


def test_rows_opened_by_a_pipe_line_2019_variants():
    """`|` alone opens a row, each cell on its own line; the 2019 form's short headers (本年新),
    sub-rows of 其他对外管理服务事项 (summed), an extra row kept out, signed changes, 240万元."""
    report = parse_path(FIX / "pipe_cells_opener_2019.txt")
    assert report.template == "2019"
    want = expected(
        "2019",
        **row("2019", "active", "normative_documents", 3, 3, 21),
        **row("2019", "active", "licensing", 12, 19, 306),
        **row("2019", "active", "other_services", 12, 1, 252),
        **row("2019", "active", "penalty", 25, -3, 48),
        **row("2019", "active", "coercion", 7, 0, 2),
        **row("2019", "active", "fees", 1, 0),
        **row("2019", "active", "procurement", 9, 2400000),
        **row("2019", "requests", "new_received", 2, 0, 0, 0, 0, 0, 2),
        **row("2019", "requests", "granted", 1, 0, 0, 0, 0, 0, 1),
        **row("2019", "requests", "unavailable_not_held", 1, 0, 0, 0, 0, 0, 1),
        **row("2019", "requests", "total_processed", 2, 0, 0, 0, 0, 0, 2),
        **row("2019", "appeals", "litigation_direct", 1, 0, 0, 0, 1),
    )
    check_values(report, want)
    summed = report.tables["active"]["other_services"]["decisions"]
    assert (summed.how, summed.raw) == ("sum", "17+230+5")
    money = report.tables["active"]["procurement"]["amount_yuan"]
    assert (money.how, money.raw, money.value) == ("unit", "240万元", 2400000)
    assert report.tables["active"]["licensing"]["change"].raw == "+19"
    assert codes(report) == ["SUBROWS_SUMMED", "UNIT_CONVERTED"]


def test_rows_closed_by_a_pipe_and_amount_header_in_wan_yuan():
    report = parse_path(FIX / "pipe_rows_suffix_2019.txt")
    got = report.tables["active"]
    assert [got["licensing"][c].value for c in ("previous_items", "change", "decisions")] == [31, 4, 1290]
    assert [got["other_services"][c].value for c in ("previous_items", "change", "decisions")] == [8, -2, 77]
    assert [got["fees"][c].value for c in ("previous_items", "change")] == [2, -1]
    amount = got["procurement"]["amount_yuan"]
    assert (amount.value, amount.raw, amount.how) == (1605964, "160.5964", "unit")
    assert report.value("requests", "carried_forward", "legal_service") == 1
    assert [report.value("appeals", "litigation_direct", c) for c in ("upheld", "pending", "total")] == [1, 1, 2]
    assert codes(report) == ["UNIT_CONVERTED"]


def test_headers_lost_labels_on_their_own_line_bare_table_four_and_yuan_in_a_wan_column():
    report = parse_path(FIX / "headers_lost.txt")
    assert report.value("requests", "new_received", "natural_person") == 7
    assert [report.value("requests", "carried_forward", c) for c in ("natural_person", "legal_service", "total")] == [2, 1, 3]
    assert [report.value("requests", "unavailable_not_held", c) for c in ("natural_person", "commercial", "total")] == [2, 1, 3]
    assert [report.value("appeals", r, "total") for r in ("reconsideration", "litigation_direct", "litigation_after_reconsideration")] == [1, 1, 0]
    assert report.value("appeals", "litigation_direct", "other") == 1
    fee = report.tables["active"]["fees"]["amount_wan_yuan"]
    assert (fee.value, fee.raw, fee.how) == (1500, "15000000", "unit-guessed")
    assert "UNIT_INFERRED" in codes(report)
    assert not [f for f in report.findings if f.code in ("ROW_UNPLACED", "BLANK_CELL", "MISSING_TABLE")]


def test_cut_off_page_keeps_the_cells_before_the_cut():
    report = parse_path(FIX / "cut_off_cells.txt")
    assert report.value("active", "normative_documents", "in_force") == 5
    assert [report.value("requests", "granted", c) for c in ("natural_person", "commercial", "total")] == [2, 1, 3]
    cut = report.tables["requests"]["partially_granted"]
    assert [cut[c].value for c in ("natural_person", "commercial", "research", "social_welfare")] == [1, 0, 0, None]
    assert cut["natural_person"].how == "cut" and cut["social_welfare"].status == "missing"
    assert [f.where["row"] for f in report.findings if f.code == "ROW_CUT"] == ["partially_granted"]


def test_pipe_rows_cut_inside_a_row_keep_its_first_cells():
    """Rows `label | n | … | n | ||` (a merged label's spare `|`s at the row's end) and the page
    cut after `4.保护第三方合法权益 | 2 | 1 | `: every complete row holds its cells right after
    its label, so the cut row's two numbers are its first two cells; the closing `|` shows the
    last number is whole."""
    report = parse_path(FIX / "cut_pipe_row.txt")
    cut = report.tables["requests"]["withheld_third_party"]
    assert [cut[c].value for c in ("natural_person", "commercial", "research", "total")] == [2, 1, None, None]
    assert [cut[c].how for c in ("natural_person", "commercial")] == ["cut", "cut"]
    assert [cut[c].status for c in ("research", "total")] == ["missing", "missing"]
    assert [report.value("requests", "granted", c) for c in ("natural_person", "commercial", "total")] == [3, 1, 4]
    assert [report.value("active", "normative_documents", c) for c in ("issued", "repealed", "in_force")] == [4, 1, 17]
    assert [f.where["row"] for f in report.findings if f.code == "ROW_CUT"] == ["withheld_third_party"]
    assert not [f for f in report.findings if f.code in ("CELL_CUT_OFF", "ROW_UNPLACED", "CELL_AMBIGUOUS")]


def test_pipe_rows_cut_inside_a_row_are_not_placed_when_a_complete_row_lost_a_cell():
    """The same page with one complete row short of a cell: the table drops cells, so the order of
    the cut row's numbers proves nothing — they stay null with a finding."""
    text = (FIX / "cut_pipe_row.txt").read_text(encoding="utf-8")
    text = text.replace("2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 |")
    report = parse_bytes(text.encode("utf-8"), "page.txt")
    cut = report.tables["requests"]["withheld_third_party"]
    assert all(v.value is None for v in cut.values())
    flagged = {f.where.get("row") for f in report.findings if f.code in ("ROW_UNPLACED", "CELL_AMBIGUOUS", "CELL_CUT_OFF")}
    assert "withheld_third_party" in flagged


def test_header_rows_show_the_merged_slots_at_the_row_end():
    """A cell a line closed by `|`; every Table 3 row has only its 总计 filled (six empty slots, the
    number, `||`), so no data row tells where the merged label's spare slots went — the header rows
    do: `申请人情况 |` right after the note cell, then `||||||||`.  The number is 总计."""
    report = parse_path(FIX / "blank_slots_spare_at_end.txt")
    for r, total in (("new_received", 5), ("carried_over", 0), ("granted", 5)):
        cells = report.tables["requests"][r]
        assert cells["total"].value == total, r
        assert all(cells[c].status == "blank" and cells[c].how == "position" for c in list(cells)[:6]), r
    assert report.value("active", "licensing", "decisions") == 14
    assert [report.value("active", "normative_documents", c) for c in ("issued", "repealed", "in_force")] == [2, 0, 11]
    assert not [f for f in report.findings if f.code in ("CELL_AMBIGUOUS", "ROW_UNPLACED", "CELL_SPLIT")]


def test_without_header_rows_the_merged_slots_stay_undecided():
    """The same stream without its header rows: nothing tells in-place from end-of-row slots."""
    text = (FIX / "blank_slots_spare_at_end.txt").read_text(encoding="utf-8")
    start = text.index("(本列数据")
    text = text[:start] + text[text.index("一、本年新收"):]
    report = parse_bytes(text.encode("utf-8"), "page.txt")
    cells = report.tables["requests"]["new_received"]
    assert all(v.value is None for v in cells.values())
    assert "new_received" in {f.where.get("row") for f in report.findings if f.code in ("CELL_AMBIGUOUS", "ROW_UNPLACED")}


def test_cell_a_line_with_empty_lines_as_empty_cells():
    """Every cell on its own line, no blank lines between them — except empty lines that stand for
    empty cells: `2`, five empty lines, `2`; a row that opens with an empty line."""
    report = parse_path(FIX / "blank_lines_as_cells.txt")
    new = report.tables["requests"]["new_received"]
    assert [v.value for v in new.values()] == [2, None, None, None, None, None, 2]
    assert [v.status for v in new.values()][1:6] == ["blank"] * 5
    over = report.tables["requests"]["carried_over"]
    assert [v.value for v in over.values()] == [None, 1, 0, 0, 0, 0, 1]
    assert [report.value("requests", "granted", c) for c in ("natural_person", "commercial", "total")] == [2, 1, 3]
    assert [report.value("active", "normative_documents", c) for c in ("issued", "repealed", "in_force")] == [3, 0, 8]
    blank = {f.where["row"]: f.where["columns"] for f in report.findings if f.code == "BLANK_CELL" and f.where.get("table") == "requests"}
    assert blank["new_received"] == ["commercial", "research", "social_welfare", "legal_service", "other_org"]
    assert blank["carried_over"] == ["natural_person"]
    assert not [f for f in report.findings if f.code in ("ROW_UNPLACED", "CELL_AMBIGUOUS")]


def test_empty_lines_between_every_cell_are_no_cells():
    """The same page with an empty line after every cell: empty lines are separators there, so
    the short rows stay unplaced (flagged), never read by position."""
    text = (FIX / "blank_lines_as_cells.txt").read_text(encoding="utf-8")
    head, sep, table = text.partition("二、主动公开政府信息情况\n")
    text = head + sep + "\n".join(line + "\n" if line else line for line in table.split("\n"))
    report = parse_bytes(text.encode("utf-8"), "page.txt")
    assert report.value("active", "normative_documents", "in_force") == 8
    for r in ("new_received", "carried_over"):
        assert all(v.value is None for v in report.tables["requests"][r].values()), r
        assert r in {f.where.get("row") for f in report.findings if f.code in ("ROW_UNPLACED", "CELL_AMBIGUOUS")}


def test_a_character_lost_before_a_number():
    """A Traditional mirror with pinyin whose converter lost a character before some numbers
    (`? 0`, `? 14`): digits survive any encoding, so the number is read — and named by a finding."""
    report = parse_path(FIX / "lost_char_cells.txt")
    assert [report.value("active", "regulations", c) for c in ("issued", "repealed", "in_force")] == [0, 0, 0]
    assert [report.value("active", "normative_documents", c) for c in ("issued", "repealed", "in_force")] == [3, 1, 14]
    assert report.value("active", "licensing", "decisions") == 26
    assert report.value("active", "penalty", "decisions") == 5
    lost = report.tables["active"]["normative_documents"]["in_force"]
    assert (lost.raw, lost.how, lost.status) == ("? 14", "lost-char", "read")
    noted = sorted((f.where["row"], f.where["column"]) for f in report.findings if f.code == "CELL_CHAR_LOST")
    assert noted == [("licensing", "decisions"), ("normative_documents", "in_force"), ("normative_documents", "repealed"),
                     ("regulations", "repealed")]
    assert not [f for f in report.findings if f.code in ("ROW_UNPLACED", "CELL_AMBIGUOUS", "CELL_NOT_NUMBER")]


def test_a_character_lost_before_a_signed_change_may_be_its_sign():
    """In 本年增/减 the lost character may have been a minus: `? 4` stays null (warning); `? 0` is 0."""
    text = (FIX / "pipe_rows_suffix_2019.txt").read_text(encoding="utf-8")
    text = text.replace("行政许可 | 31 | +4 | 1290 |", "行政许可 | 31 | ? 4 | 1290 |")
    text = text.replace("其他对外管理服务事项 | 8 | -2 | 77 |", "其他对外管理服务事项 | 8 | ? 0 | 77 |")
    report = parse_bytes(text.encode("utf-8"), "page.txt")
    got = report.tables["active"]
    assert [got["licensing"][c].value for c in ("previous_items", "change", "decisions")] == [31, None, 1290]
    assert (got["licensing"]["change"].status, got["licensing"]["change"].raw) == ("doubtful", "? 4")
    assert [got["other_services"][c].value for c in ("previous_items", "change", "decisions")] == [8, 0, 77]
    assert [(f.where["row"], f.where["column"]) for f in report.findings if f.code == "CELL_SIGN_LOST"] == [("licensing", "change")]
    assert [(f.where["row"], f.where["column"]) for f in report.findings if f.code == "CELL_CHAR_LOST"] == [("other_services", "change")]


def test_rows_separated_by_spaces_with_signed_words():
    """A PDF flip-book's text: `行政许可 18 减4 260`, `行政处罚 253 --253 0`, Table 4 a bare row."""
    report = parse_path(FIX / "spaced_rows_2019.txt")
    got = report.tables["active"]
    assert [got["licensing"][c].value for c in ("previous_items", "change", "decisions")] == [18, -4, 260]
    assert [got["other_services"][c].value for c in ("previous_items", "change", "decisions")] == [7, 2, 41]
    assert [got["penalty"][c].value for c in ("previous_items", "change", "decisions")] == [253, -253, 0]
    assert got["licensing"]["change"].raw == "减4"
    assert [report.value("requests", "new_received", c) for c in ("natural_person", "total")] == [3, 3]
    assert [report.value("appeals", "litigation_direct", c) for c in ("upheld", "total")] == [2, 2]
    assert report.value("appeals", "reconsideration", "total") == 0


def test_traditional_mirror_with_spare_merged_slots_at_the_row_end():
    """規範性檔案 is 行政规范性文件; `| 一、本年新收… | 0 | ||||||||` shows the converter writes a merged
    label's spare `|`s at the end of the row, so `| 二、上年结转… | | | | | | | 2 | ||` has its 2 in 总计."""
    report = parse_path(FIX / "traditional_pipes.txt")
    assert [report.value("active", "normative_documents", c) for c in ("issued", "repealed", "in_force")] == [3, 1, 12]
    new = report.tables["requests"]["new_received"]
    assert [new[c].value for c in ("natural_person", "commercial", "total")] == [0, None, None]
    assert new["commercial"].how == "position" and new["commercial"].status == "blank"
    over = report.tables["requests"]["carried_over"]
    assert [over[c].value for c in ("natural_person", "legal_service", "total")] == [None, None, 2]


def test_group_label_followed_by_all_its_rows_numbers():
    """（三）不予公开 and then 56 numbers, the eight rows' own labels lost: read in printed order."""
    report = parse_path(FIX / "sublabels_lost.txt")
    rows = [r.id for r in T.get("2021").table("requests").rows if r.group == "withheld"]
    for k, r in enumerate(rows):
        cells = report.tables["requests"][r]
        want = [k % 3, (k + 1) % 2, 0, k % 2, 0, 0]
        assert [cells[c].value for c in list(cells)[:6]] == want and cells["total"].value == sum(want), r
        assert cells["natural_person"].how == "order"
    assert [f.where["row"] for f in report.findings if f.code == "ROWS_BY_ORDER"] == [rows[0]]
    assert report.value("requests", "unavailable_not_held", "total") == 4
    assert not [f for f in report.findings if f.code.startswith("T3_")]


@pytest.mark.parametrize("name", sorted(p.name for p in FIX.glob("*.txt")))
def test_no_wrong_cell_without_a_finding(name):
    """Whatever was not read plainly (inferred, summed, converted, cut) is named by a finding."""
    report = parse_path(FIX / name)
    flagged = {(f.where.get("table"), r) for f in report.findings for r in [f.where.get("row"), *f.where.get("rows", [])]}
    for key, rows in report.tables.items():
        for r, cols in rows.items():
            for v in cols.values():
                if v.how in ("sum", "unit", "unit-guessed", "cut", "order", "lost-char") or v.status in ("inferred", "unplaced"):
                    assert (key, r) in flagged, (key, r, v)
