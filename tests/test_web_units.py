"""The web desk's pure parts: safe upload expansion, table and narrative views, charts, filters."""

import io
import zipfile

import pytest

from .web_support import need

need("fastapi", "jinja2", "argon2")

from xxgk import parse_bytes  # noqa: E402
from xxgk import template as T  # noqa: E402
from xxgk.form import grids  # noqa: E402
from xxgk.web import charts, views  # noqa: E402
from xxgk.web.filters import finding_filters, report_filters, safe_next  # noqa: E402
from xxgk.web.uploads import MiB, Limits, UploadRefused, clean_name, expand  # noqa: E402

from .conftest import seed_path  # noqa: E402
from .web_support import synth_text  # noqa: E402


def _zip(members: dict[str, bytes], *, method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buf.getvalue()


# ---- uploads --------------------------------------------------------------------------------------


def test_plain_files_and_zip_members_come_out_with_their_paths():
    inner = _zip({"c.txt": b"C"})
    z = _zip({"dir/a.txt": b"A", "b.txt": b"B", "__MACOSX/._a.txt": b"junk", ".hidden": b"h", "inner.zip": inner})
    items, skipped = expand([("one.txt", b"1"), ("batch.zip", z)])
    assert [(i.path, i.name, i.data) for i in items] == [
        ("one.txt", "one.txt", b"1"),
        ("batch.zip!/dir/a.txt", "a.txt", b"A"),
        ("batch.zip!/b.txt", "b.txt", b"B"),
        ("batch.zip!/inner.zip!/c.txt", "c.txt", b"C"),
    ]
    assert skipped == []


def test_same_name_twice_is_kept_apart():
    items, _ = expand([("a.txt", b"1"), ("a.txt", b"2")])
    assert [i.path for i in items] == ["a.txt", "a.txt (2)"]


@pytest.mark.parametrize("bad", ["../evil.txt", "a/../../evil.txt", "/etc/passwd", "C:/Windows/x.txt", "..\\..\\x.txt"])
def test_path_traversal_refuses_the_whole_archive(bad):
    z = _zip({"good.txt": b"fine", bad: b"evil"})
    with pytest.raises(UploadRefused, match="压缩包以外"):
        expand([("batch.zip", z)])


def test_symlink_member_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link.txt")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UploadRefused, match="符号链接"):
        expand([("s.zip", buf.getvalue())])


def test_zip_bomb_is_refused_by_ratio_before_inflating_it():
    bomb = _zip({"zeros.txt": b"\0" * (30 * MiB)})
    assert len(bomb) < MiB // 10
    with pytest.raises(UploadRefused) as exc:
        expand([("bomb.zip", bomb)])
    assert exc.value.status == 413


def test_member_that_lies_about_its_size_is_cut_off():
    """A header claiming a small size cannot make us inflate more than the cap."""
    limits = Limits(max_file_bytes=1 * MiB, max_ratio=10_000)
    payload = b"x" * (3 * MiB)
    z = bytearray(_zip({"big.txt": payload}))
    # forge the uncompressed size in the central directory and the local header to 100 bytes
    cd = z.rfind(b"PK\x01\x02")
    z[cd + 24 : cd + 28] = (100).to_bytes(4, "little")
    z[22:26] = (100).to_bytes(4, "little")
    items, skipped = expand([("liar.zip", bytes(z))], limits)
    # zipfile stops at the declared size and the CRC check fails: the member is reported unreadable
    assert items == [] and len(skipped) == 1 and "损坏" in skipped[0].message


def test_too_many_files_and_too_large_files_are_refused():
    limits = Limits(max_files=3, max_file_bytes=10)
    with pytest.raises(UploadRefused, match="最多"):
        expand([(f"{k}.txt", b"x") for k in range(4)], limits)
    with pytest.raises(UploadRefused, match="超过"):
        expand([("big.txt", b"x" * 11)], limits)
    with pytest.raises(UploadRefused, match="最多"):
        expand([("many.zip", _zip({f"{k}.txt": b"x" for k in range(5)}))], limits)


def test_nesting_deeper_than_allowed_is_refused():
    z = _zip({"a.txt": b"a"})
    for _ in range(3):
        z = _zip({"inner.zip": z})
    with pytest.raises(UploadRefused, match="嵌套"):
        expand([("deep.zip", z)])


def test_broken_zip_and_no_files():
    with pytest.raises(UploadRefused, match="不是有效"):
        expand([("x.zip", b"PK\x03\x04 not really")])
    with pytest.raises(UploadRefused, match="没有选择"):
        expand([])


def test_gbk_member_names_are_decoded():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("年报.txt")
        zf.writestr(info, b"x")
    raw = bytearray(buf.getvalue())
    utf, gbk = "年报.txt".encode("utf-8"), "年报.txt".encode("gbk")
    # rewrite as a Windows tool would: GBK name, no UTF-8 flag (names padded to the same length)
    gbk = gbk + b" " * (len(utf) - len(gbk))
    raw = raw.replace(utf, gbk)
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = raw.find(sig)
        raw[pos + flag_at : pos + flag_at + 2] = (int.from_bytes(raw[pos + flag_at : pos + flag_at + 2], "little") & ~0x800).to_bytes(2, "little")
    items, _ = expand([("cn.zip", bytes(raw))])
    assert items[0].name.strip() == "年报.txt"


@pytest.mark.parametrize("raw,clean", [("../../a.txt", "a.txt"), ("C:\\dir\\年报.txt", "年报.txt"), ("a\x00b.txt", "ab.txt"),
                                       ("..", "未命名文件"), ("", "未命名文件")])
def test_clean_name(raw, clean):
    assert clean_name(raw) == clean


# ---- the report page's views ----------------------------------------------------------------------


def _broken_report():
    rep, text = synth_text(3, break_balance=True)
    return rep, parse_bytes(text.encode(), "r.txt")


def test_table_views_are_the_form_grids_with_every_value_and_its_findings():
    rep, report = _broken_report()
    fds = [f.to_json() for f in report.findings]
    tables = views.table_views(report, fds)
    get = lambda t, r, c: report.tables[t][r][c].value  # noqa: E731
    expected = grids(report.spec, get)
    assert [t.key for t in tables] == list(expected)
    for view, grid in zip(tables, expected.values()):
        assert [[(c.text, c.rowspan, c.colspan) for c in row] for row in view.rows] == \
               [[(c.text, c.rowspan, c.colspan) for c in row] for row in grid.rows]
    cells = {c.slot: c for t in tables for row in t.rows for c in row if c.slot}
    # every canonical cell of the template is on the page once, showing the parsed value
    tpl = T.get(report.template)
    assert set(cells) == {f"{t.key}.{r.id}.{c.id}" for t in tpl.tables for r, c in t.cells()}
    assert cells["requests.new_received.natural_person"].text == str(rep.values["requests"]["new_received"]["natural_person"])
    # the broken cell is flagged by both the row sum and the balance findings, as an error
    flagged = cells["requests.new_received.natural_person"]
    codes = {fds[i]["code"] for i in flagged.findings}
    assert {"T3_ROW_SUM", "T3_BALANCE"} <= codes and flagged.severity == "error"
    # a cell no finding is about is not flagged
    assert cells["appeals.reconsideration.upheld"].findings == []


def test_finding_slots_from_every_shape_of_where():
    _, report = _broken_report()
    assert views.finding_slots(report, {"table": "requests", "row": "granted", "column": "total"}) == {("requests", "granted", "total")}
    assert views.finding_slots(report, {"table": "requests", "column": "total", "rows": ["granted", "carried_forward"]}) == {
        ("requests", "granted", "total"), ("requests", "carried_forward", "total")}
    assert len(views.finding_slots(report, {"table": "requests", "row": "granted"})) == 7
    assert views.finding_slots(report, {"cells": ["requests.new_received.total", "bad"]}) == {("requests", "new_received", "total")}
    assert views.finding_slots(report, {"table": "nope", "row": "x"}) == set()


def test_narrative_marks_the_sentence_a_finding_quotes():
    report = parse_bytes(seed_path("002").read_bytes(), "002.txt")
    fds = [f.to_json() for f in report.findings]
    fee = next(i for i, f in enumerate(fds) if f["code"] == "FEE_NOT_STATED")
    secs = views.section_views(report, fds, report.lines)
    six = next(s for s in secs if s.number == 6)
    assert fee in six.findings
    marked = [seg.text for p in six.paragraphs for seg in p.segments if fee in seg.marks]
    assert marked, "the quoted text of section 6 is marked"
    # every paragraph's text is the section text, in order, and got its line number back
    assert "\n".join("".join(s.text for s in p.segments) for p in six.paragraphs) == report.section(6).text
    for p in six.paragraphs:
        assert p.line is not None and report.lines[p.line - 1].strip() == "".join(s.text for s in p.segments)


def test_narrative_table_mismatch_marks_its_sentence_only():
    rep, text = synth_text(5, narrative_extra="本年度共收到政府信息公开申请999件。")
    report = parse_bytes(text.encode(), "r.txt")
    fds = [f.to_json() for f in report.findings]
    hits = [i for i, f in enumerate(fds) if f["code"] == "NARRATIVE_TABLE_MISMATCH"]
    assert hits, [f["code"] for f in fds]
    secs = views.section_views(report, fds, report.lines)
    marked = ["".join(seg.text for seg in p.segments if set(seg.marks) & set(hits)) for s in secs for p in s.paragraphs]
    assert any("999件" in m for m in marked)


def test_mark_cuts_overlapping_spans():
    segs = views._mark("abcdefgh", [(1, 5, 0), (3, 7, 1)])
    assert [(s.text, s.marks) for s in segs] == [("a", []), ("bc", [0]), ("de", [0, 1]), ("fg", [1]), ("h", [])]


def test_cell_source_has_the_lines_around_it():
    report = parse_bytes(seed_path("000").read_bytes(), "000.txt")
    src = views.cell_source(report, ("requests", "new_received", "total"), report.lines, context=2)
    assert src["line"] == 61 and src["raw"] == "0" and src["status"] == "read"
    assert [c["line"] for c in src["context"]] == [59, 60, 61, 62, 63]
    assert [c["current"] for c in src["context"]] == [False, False, True, False, False]
    assert src["context"][2]["text"] == report.lines[60]
    assert views.cell_source(report, ("requests", "nope", "total"), report.lines) is None


# ---- charts and filters ---------------------------------------------------------------------------


def test_charts_escape_labels_and_scale_bars():
    svg = str(charts.bar_chart([("<script>alert(1)</script>", 10), ("2024", 5)], title="t&t", unit="件"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "t&amp;t" in svg
    heights = [float(h) for h in __import__("re").findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert heights[0] == pytest.approx(2 * heights[1])
    share = str(charts.share_bar([("予以公开", 0.5), ("其他", 0.25), ("无", None)], title="s"))
    assert "50.0%" in share and "25.0%" in share and "无 " not in share
    assert "暂无数据" in str(charts.hbar_chart([], title="e"))


def test_filters_ignore_empty_and_malformed_values():
    f, shown = report_filters({"year": "2023", "level": "", "has_errors": "1", "agency": " 古塔镇 ", "q": "x" * 500})
    assert f == {"year": 2023, "has_errors": True, "agency": "古塔镇", "q": "x" * 100}
    f, _ = report_filters({"year": "20x3", "has_errors": "maybe"})
    assert f == {}
    f, _ = finding_filters({"severity": "fatal", "review": "dismissed", "code": "t3_balance", "year": "2022"})
    assert f == {"review": "dismissed", "code": "T3_BALANCE", "year": 2022}


@pytest.mark.parametrize("url,ok", [("/findings?code=X", True), ("//evil.example/", False), ("https://evil.example/", False),
                                    ("/\\evil", False), ("", False), ("/a\r\nSet-Cookie: x", False)])
def test_safe_next(url, ok):
    assert (safe_next(url, "/") == url) is ok
