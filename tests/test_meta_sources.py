"""Agency and year from wherever a real page states them, with provenance (issue 11, point 2),
pinyin annotations on Traditional mirrors (point 5) and cut-off pages (point 6).

Fixtures under tests/fixtures/meta and tests/fixtures/cutoff are invented (names, numbers) in the
shape of real pages."""

from pathlib import Path

import pytest

from xxgk import parse_bytes, parse_path
from xxgk.extract.meta import organ_of_contact, plausible_agency
from xxgk.text import strip_pinyin, to_simplified

META = Path(__file__).parent / "fixtures" / "meta"
CUT = Path(__file__).parent / "fixtures" / "cutoff"


def codes(report):
    return [f.code for f in report.findings]


@pytest.mark.parametrize(
    "fixture, agency, source, line, year, year_source",
    [
        ("no_title_opening.txt", "青禾县柳溪镇", "opening", 2, 2023, "period"),
        ("contact_only.txt", "青禾市东岭区石泉镇人民政府", "contact", 1, 2022, "body"),
        ("e_version.txt", "东岭区石泉镇", "e_version", 1, 2021, "body"),
        ("party_office.txt", "松涧镇人民政府", "compiled", 1, 2022, "period"),
        # 松涧镇 (compiled) completed by the fuller name of the same organ in the contact line
        ("fuller_contact.txt", "青禾县松涧镇人民政府", "contact", 5, 2022, "body"),
        ("pipe_title.txt", "青禾县常丰镇人民政府", "title", 2, 2024, "title"),
        ("runon_title.txt", "青禾经济开发区", "title", 1, 2019, "title"),
        # the publication date (2024) is not the report's year
        ("publication_date.txt", "柳溪镇", "opening", 3, 2023, "body"),
        ("pinyin_mirror.txt", "青禾县林业局", "compiled", 1, 2022, "period"),
        ("glued_words.txt", "松涧街道办事处", "opening", 2, 2020, "body"),
        ("alias_contact.txt", "中国(青禾)自由贸易试验区东岭片区管理委员会", "contact", 1, 2022, "body"),
        ("page_title.html", "青禾县柳溪镇", "page_title", 1, 2023, "page_title"),
        # a Traditional mirror's <title>, annotated with pinyin
        ("traditional_page_title.html", "青禾县林业局", "page_title", 1, 2022, "page_title"),
        # the organ opens the first sentence; the contact line (address in parentheses) names it in full
        ("organ_first.txt", "青禾县松涧镇人民政府", "contact", 2, 2021, "body"),
        ("subtitle.txt", "区数据局", "title", 2, 2025, "title"),
        ("work_in_name.txt", "东岭区房屋征收工作管理办公室", "opening", 2, 2022, "body"),
        # 区农业农村局 is relative: the contact line says which district
        ("relative_name.txt", "东岭区农业农村局", "contact", 4, 2020, "period"),
        ("year_first.txt", "青禾市人民政府办公室", "compiled", 1, 2021, "body"),
        ("place_only.txt", "青禾区", "compiled", 1, 2022, "body"),
        # a flip-book page header names the document: "Page 3 - 2021年报_某局"
        ("flipbook.txt", "青禾县审计局", "title", 1, 2021, "body"),
        # a title without 政府 (…信息公开工作年度报告) and no year; the period gives the year
        ("no_year_title.txt", "青禾县林业局", "title", 2, 2020, "period"),
        # a menu item that looks like a title (no organ, no year) gives way to the real title
        ("menu_item.txt", "青禾县柳溪乡", "title", 6, 2022, "title"),
        # words glued in front of the name inside 《》 are dropped
        ("quoted_report_name.txt", "柳溪镇人民政府", "compiled", 1, 2023, "period"),
    ],
)
def test_agency_and_year_with_provenance(fixture, agency, source, line, year, year_source):
    report = parse_path(META / fixture)
    m = report.meta
    assert (m.agency, m.agency_source, m.agency_line) == (agency, source, line)
    assert (m.year, m.year_source) == (year, year_source)
    assert "MISSING_AGENCY" not in codes(report) and "MISSING_YEAR" not in codes(report)


@pytest.mark.parametrize("fixture", ["breadcrumb.txt", "bare_title.txt", "silent.txt", "site_title_only.html"])
def test_nothing_names_the_agency_gives_null_and_a_finding(fixture):
    """A breadcrumb, a bare 街道办事处 or a website's name is never taken as the agency."""
    report = parse_path(META / fixture)
    assert report.meta.agency is None and report.meta.agency_source is None
    assert codes(report).count("MISSING_AGENCY") == 1


def test_silent_report_has_no_year_and_says_so():
    report = parse_path(META / "silent.txt")
    assert report.meta.year is None
    assert codes(report).count("MISSING_YEAR") == 1


def test_file_name_names_agency_and_year_when_the_text_does_not():
    data = (META / "silent.txt").read_bytes()
    report = parse_bytes(data, "青禾县林业局2022年政府信息公开工作年度报告.docx.txt")
    m = report.meta
    assert (m.agency, m.agency_source, m.agency_line) == ("青禾县林业局", "file_name", None)
    assert (m.year, m.year_source) == (2022, "file_name")
    assert "MISSING_AGENCY" not in codes(report)
    # a neutral file name tells nothing
    assert parse_bytes(data, "page.txt").meta.agency is None


def test_text_beats_file_name():
    data = (META / "no_title_opening.txt").read_bytes()
    m = parse_bytes(data, "松涧镇2020年政府信息公开工作年度报告.txt").meta
    assert (m.agency, m.agency_source, m.year, m.year_source) == ("青禾县柳溪镇", "opening", 2023, "period")


@pytest.mark.parametrize(
    "name, ok",
    [
        ("首页>政务公开>街道办事处", None), ("政府", None), ("街道办事处", None), ("我镇", None),
        ("青禾县人民政府门户网站", None), ("柳溪", None), ("城镇", None), ("螅镇", "螅镇"),
        ("青禾县柳溪镇人民政府", "青禾县柳溪镇人民政府"), ("某某娱乐官网区人民政府松涧街道办事处", "松涧街道办事处"),
    ],
)
def test_plausible_agency(name, ok):
    assert plausible_agency(name) == ok


@pytest.mark.parametrize(
    "raw, organ",
    [
        ("青禾市东岭区石泉镇人民政府办公室", "青禾市东岭区石泉镇人民政府"),
        ("东岭区石泉镇党政综合办公室", "东岭区石泉镇"),
        ("青禾市东岭区湖畔镇政府综合督查办公室", "青禾市东岭区湖畔镇政府"),
        ("青禾县教育局办公室", "青禾县教育局"),
        ("区政府办公室", None),
    ],
)
def test_organ_of_contact(raw, organ):
    assert organ_of_contact(raw) == organ


# ---- pinyin annotations -------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, want",
    [
        ("機(jī)關(guān)報(bào)告", "機關報告"),
        ("根據(jù)《條例》", "根據《條例》"),
        ("鎮（zhèn）的(de)工作", "鎮的工作"),  # full-width parentheses; a toneless syllable beside toned ones
        ("（一）予以公开(单位:万元)(区分处理的，只计这一情形)", "（一）予以公开(单位:万元)(区分处理的，只计这一情形)"),
        ("长度(km)和的(de)", "长度(km)和的(de)"),  # no tone marks anywhere: left alone
        ("規(guī)章(km)", "規章(km)"),  # km is no syllable
    ],
)
def test_strip_pinyin(text, want):
    assert strip_pinyin(text) == want


def test_pinyin_annotations_removed_before_simplifying():
    assert to_simplified("行政機(jī)關(guān)報(bào)告") == "行政机关报告"


def test_annotated_mirror_reads_labels_and_numbers():
    text = (
        "青禾縣林業(yè)局2022年政府信息公開工作年度報(bào)告\n"
        "一、總體情況\n本報(bào)告所列數(shù)據(jù)統(tǒng)計期限自2022年1月1日起至2022年12月31日止。\n"
        "二、主動公開政府信息情況\n"
        "第二十條第（一）項\t\t\t\n信息內(nèi)容\t本年制發(fā)件數(shù)\t本年廢止件數(shù)\t現(xiàn)行有效件數(shù)\n"
        "規(guī)章\t1\t0\t3\n行政規(guī)範(fàn)性文件\t4\t2\t17\n"
        "三、收到和處(chù)理政府信息公開申請情況\n"
    )
    report = parse_bytes(text.encode(), "page.txt")
    assert (report.meta.agency, report.meta.year) == ("青禾县林业局", 2022)
    got = {col: v.value for col, v in report.tables["active"]["regulations"].items()}
    assert got == {"issued": 1, "repealed": 0, "in_force": 3}
    got = {col: v.value for col, v in report.tables["active"]["normative_documents"].items()}
    assert got == {"issued": 4, "repealed": 2, "in_force": 17}


# ---- cut-off pages ------------------------------------------------------------------------

def _values(report):
    return {(k, r, c): v for k in ("active", "requests", "appeals")
            for r, cols in report.tables[k].items() for c, v in cols.items()}


@pytest.mark.parametrize(
    "cut, full, cut_cells",
    [
        # the last number of the row cut from 24 to 2: null, never 2
        ("cut_mid_number_tsv.txt", "full_tsv.txt", {("requests", "withheld_third_party", "total")}),
        ("cut_mid_number_cells.txt", "full_cells.txt", {("requests", "withheld_third_party", "total")}),
        # a row cut after three of its seven numbers: which column each holds is not known
        ("cut_inside_row_tsv.txt", "full_tsv.txt", None),
    ],
)
def test_cut_off_page_keeps_what_came_before(cut, full, cut_cells):
    whole = parse_path(CUT / full)
    part = parse_path(CUT / cut)
    assert not [f for f in whole.findings if f.severity.value == "error"]
    before, after = _values(whole), _values(part)
    # no value read from the cut page differs from the complete report
    wrong = {k for k, v in after.items() if v.value is not None and v.value != before[k].value}
    assert wrong == set()
    wrong_blank = {k for k, v in after.items() if v.status == "blank" and before[k].value is not None}
    assert wrong_blank == set()
    # Table 2 (wholly before the cut) is kept in full
    assert all(after[k].value == before[k].value for k in before if k[0] == "active")
    # Table 4 and sections 四–六 come after the cut
    c = codes(part)
    assert "MISSING_TABLE" in c and c.count("MISSING_SECTION") == 3
    if cut_cells is not None:
        assert c.count("CELL_CUT_OFF") == 1
        for key in cut_cells:
            assert after[key].value is None and after[key].status == "doubtful"
            assert after[key].raw == "2" and before[key].value == 24
    else:
        row = {k: v for k, v in after.items() if k[:2] == ("requests", "withheld_law_prohibited")}
        assert all(v.value is None for v in row.values())
        # the short row is flagged once (by the table reader or by the cut-off rule)
        flagged = [f for f in part.findings if f.code in ("CELL_CUT_OFF", "ROW_UNPLACED")]
        assert len(flagged) == 1 and flagged[0].where.get("row") == "withheld_law_prohibited"
    # the rows before the cut row are all there
    row = "withheld_state_secret"
    assert all(after[("requests", row, col)].value == before[("requests", row, col)].value
               for col in ("natural_person", "commercial", "total"))


def test_document_ending_in_prose_is_not_cut():
    report = parse_path(CUT / "full_tsv.txt")
    assert "CELL_CUT_OFF" not in codes(report)


# ---- property: wherever the head states the agency, it is found; where nothing does, a finding --

def _untitled(rng, variant):
    """A generated report whose title line is gone; the agency stated only where `variant` says."""
    import random as _random  # noqa: F401

    from xxgk.synth import random_report
    from xxgk.synth.layouts import LAYOUTS, write

    rep = random_report(rng, zero_share=0.05)
    text = write(rep, rng.choice(LAYOUTS), rng)
    lines = text.split("\n")
    assert rep.title in lines
    lines.remove(rep.title)
    text = "\n".join(lines).replace(f"{rep.year}年，{rep.agency}认真", f"{rep.year}年，我单位认真")
    assert rep.agency not in text.split("二、")[0].split("2、")[0] or variant == "opening"
    if variant == "opening":
        text = "\n".join(lines)
    elif variant == "contact":
        text = text.replace("要求编制。", f"要求编制。如对本报告有任何疑问，请与{rep.agency}办公室联系（电话：0000-0000000）。", 1)
    elif variant == "e_version":
        text = text.replace("要求编制。", f"要求编制。本报告电子版可在门户网站政府信息公开栏中的“{rep.agency}”板块查阅。", 1)
    return rep, text


@pytest.mark.parametrize("variant", ["opening", "contact", "e_version", "none"])
def test_agency_found_wherever_stated(variant):
    import random

    from xxgk.agency import agency_key

    rng = random.Random(hash(variant) % 1000)
    for _ in range(25):
        rep, text = _untitled(rng, variant)
        report = parse_bytes(text.encode(), "page.txt")
        m = report.meta
        assert m.year == rep.year and m.year_source == "period"
        if variant == "none":
            assert m.agency is None and codes(report).count("MISSING_AGENCY") == 1
            continue
        assert m.agency_source == variant
        want = rep.agency
        if variant == "contact" and want.endswith("人民政府办公室"):
            want = want[: -len("办公室")]  # known limit: an office named in a contact line reads as its government
        assert agency_key(m.agency) == agency_key(want), (variant, rep.agency, m.agency)
        assert "MISSING_AGENCY" not in codes(report)


def test_cut_off_message_as_documented():
    report = parse_path(CUT / "cut_mid_number_tsv.txt")
    (f,) = [f for f in report.findings if f.code == "CELL_CUT_OFF"]
    assert f.message == "文档在表三「4.保护第三方合法权益」总计处中途结束，最后一个数“2”可能被截断，已留空，请核对完整原件"
    assert f.where["table"] == "requests" and f.where["row"] == "withheld_third_party" and f.where["column"] == "total"
    assert report.to_json()["provenance"]["requests.withheld_third_party.total"]["raw"] == "2"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cut_anywhere_never_gives_a_wrong_value(seed):
    """Generated reports in every layout, cut at a random point after Table 2 starts: every value
    (and every blank) read from the cut page is the complete report's, or null."""
    import random

    from xxgk.synth import random_report
    from xxgk.synth.layouts import LAYOUTS, write

    rng = random.Random(seed)
    for layout in LAYOUTS:
        for _ in range(6):
            rep = random_report(rng, zero_share=0.05)
            text = write(rep, layout, rng)
            whole = parse_bytes(text.encode(), "a.txt")
            start = text.find("主动公开政府信息情况")
            cut = rng.randint(start + 50, len(text) - 5)
            part = parse_bytes(text[:cut].encode(), "a.txt")
            before, after = _values(whole), _values(part)
            wrong = [(k, v.value, v.status, before[k].value) for k, v in after.items()
                     if (v.value is not None and v.value != before[k].value)
                     or (v.status == "blank" and before[k].value is not None)]
            assert wrong == [], (layout, repr(text[cut - 20:cut]))


def test_page_broken_after_a_whole_line_keeps_its_last_number():
    text = (CUT / "full_tsv.txt").read_text(encoding="utf-8")
    end = text.index("\n", text.index("4.保护第三方合法权益")) + 1
    part = parse_bytes(text[:end].encode(), "page.txt")  # ends "…\t24\n"
    v = part.tables["requests"]["withheld_third_party"]["total"]
    assert (v.value, v.status) == (24, "read")
    assert "CELL_CUT_OFF" not in codes(part)
    # without the line break 24 might be the start of 240 — but the row's sum (all six applicant
    # columns read) confirms it
    part = parse_bytes(text[: end - 1].encode(), "page.txt")
    v = part.tables["requests"]["withheld_third_party"]["total"]
    assert (v.value, v.status) == (24, "read")
    assert "CELL_CUT_OFF" not in codes(part)


def test_a_lone_zero_at_the_cut_is_whole():
    text = (CUT / "full_tsv.txt").read_text(encoding="utf-8")
    start = text.index("5.属于三类内部事务信息")
    line = text[start:text.index("\n", start)]
    cells = line.split("\t")
    k = cells.index("0")  # the row holds a 0 in a count column
    cut = start + len("\t".join(cells[: k + 1]))
    part = parse_bytes(text[:cut].encode(), "page.txt")
    assert "CELL_CUT_OFF" not in codes(part) or all(
        "“0”" not in f.message for f in part.findings if f.code == "CELL_CUT_OFF")
    before = parse_bytes(text.encode(), "page.txt")
    row = "withheld_internal_affairs"
    for col, v in part.tables["requests"][row].items():
        assert v.value is None or v.value == before.tables["requests"][row][col].value


def test_docs_example_is_real_output():
    """docs/metadata.md shows this exact tuple."""
    m = parse_path(META / "contact_only.txt").meta
    assert (m.agency, m.agency_source, m.agency_line, m.year, m.year_source) == (
        "青禾市东岭区石泉镇人民政府", "contact", 1, 2022, "body")
    doc = (Path(__file__).parent.parent / "docs" / "metadata.md").read_text(encoding="utf-8")
    assert "('青禾市东岭区石泉镇人民政府', 'contact', 1, 2022, 'body')" in doc


# ---- the sources in the JSON output (issue 11: "take it from the best source with provenance") ----


def _cli_json(*args):
    import json

    from typer.testing import CliRunner

    from xxgk.cli import app

    r = CliRunner().invoke(app, list(args))
    assert r.exit_code in (0, 1), r.output
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def _located(path, where):
    """The raw text of a provenance entry is the document line's text at its span."""
    lines = parse_path(path).lines
    start, end = where["span"]
    assert lines[where["line"] - 1][start:end] == where["raw"]


def test_json_says_the_agency_came_from_the_contact_sentence():
    path = META / "contact_only.txt"
    (out,) = _cli_json("check", "--json", str(path))
    assert out["meta"]["agency"] == "青禾市东岭区石泉镇人民政府"
    agency = out["meta"]["provenance"]["agency"]
    assert agency["source"] == "contact" and agency["line"] == 1
    assert agency["raw"] == "请与青禾市东岭区石泉镇人民政府办公室联系"
    _located(path, agency)
    assert out["meta"]["provenance"]["year"] == {"source": "body"}  # the years the prose names: no line
    # `xxgk parse` prints the same object
    (parsed,) = _cli_json("parse", "--compact", str(path))
    assert parsed["meta"]["provenance"] == out["meta"]["provenance"]


def test_json_says_the_agency_came_from_the_title():
    path = META / "pipe_title.txt"
    (out,) = _cli_json("parse", "--compact", str(path))
    prov = out["meta"]["provenance"]
    title = "青禾县常丰镇人民政府 2024年政府信息公开工作年度报告"
    assert prov["agency"] == {"source": "title", "raw": title, "line": 2, "span": [8, 8 + len(title)]}
    _located(path, prov["agency"])
    assert prov["year"] == {"source": "title", "raw": title, "line": 2, "span": [8, 8 + len(title)]}


def test_json_lists_the_statements_the_source_beat():
    # 松涧镇 (编制说明, ranked higher) is completed by the contact line's fuller name
    out = parse_path(META / "fuller_contact.txt").to_json()
    agency = out["meta"]["provenance"]["agency"]
    assert agency["source"] == "contact" and agency["raw"] == "请与青禾县松涧镇人民政府联系" and agency["line"] == 5
    assert agency["beat"] == [{"source": "compiled", "agency": "松涧镇", "line": 1}]
    _located(META / "fuller_contact.txt", agency)
    # a period sentence with full-width characters is quoted as written, located in its line
    out = parse_path(META / "no_title_opening.txt").to_json()
    year = out["meta"]["provenance"]["year"]
    assert year["source"] == "period" and year["beat"] == [{"source": "body", "year": 2023}]
    _located(META / "no_title_opening.txt", year)


def test_no_agency_gives_a_null_source_and_the_finding_unchanged():
    report = parse_path(META / "silent.txt")
    out = report.to_json()
    assert out["meta"]["agency"] is None
    assert out["meta"]["provenance"]["agency"] == {"source": None}
    assert codes(report).count("MISSING_AGENCY") == 1
    # the file name as the source: no line, the name as the raw text
    data = (META / "silent.txt").read_bytes()
    named = parse_bytes(data, "青禾县林业局2022年政府信息公开工作年度报告.txt").to_json()["meta"]["provenance"]
    assert named["agency"] == {"source": "file_name", "raw": "青禾县林业局2022年政府信息公开工作年度报告.txt"}
    assert named["year"] == {"source": "file_name", "raw": "青禾县林业局2022年政府信息公开工作年度报告.txt"}


def test_without_provenance_the_meta_is_as_before():
    """to_json(provenance=False) — what the formats are compared by — carries no sources."""
    out = parse_path(META / "contact_only.txt").to_json(provenance=False)
    assert set(out["meta"]) == {"agency", "year", "title", "template_detected", "years"}


def test_the_sources_survive_from_json():
    from xxgk.report import from_json

    report = parse_path(META / "fuller_contact.txt")
    back = from_json(report.to_json())
    for k in ("agency_source", "agency_raw", "agency_line", "agency_span", "agency_beat",
              "year_source", "year_raw", "year_line", "year_span"):
        assert getattr(back.meta, k) == getattr(report.meta, k), k


def test_raw_text_is_quoted_as_written_though_matched_folded():
    """The statements are matched in folded text (no spaces or quotes, full-width folded); the raw
    text in provenance is the line's own characters at the span found for it."""
    from xxgk.extract.meta import _CONTACT, _raw
    from xxgk.text import fold

    line = "如有疑问，请与 青禾县“松涧镇”人民政府（办公室）联系，电话０００１。"
    m = _CONTACT.search(fold(line))
    raw, span = _raw(line, m.group(0), m.span())
    assert raw == "请与 青禾县“松涧镇”人民政府（办公室）联系" and line[span[0]:span[1]] == raw
    assert _raw(line, "不在这一行", None) == ("不在这一行", None)
