"""Bad input never shows a traceback: one line naming the file, exit 2, the batch goes on."""

import json

import pytest
from typer.testing import CliRunner

from xxgk import ReadError, parse_bytes
from xxgk.cli import app
from xxgk.synth import random_report
from xxgk.synth.layouts import write

runner = CliRunner()


def _report_text(seed=1) -> str:
    return write(random_report(seed, "2021"), "tsv", seed)


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"   \n\r\n\t ", "empty"),
        (bytes(range(256)) * 20, "binary"),
        (b"\x00\x01\x02PK garbage \x00" * 50, "binary"),
    ],
)
def test_unreadable_bytes_raise_read_error(data, reason):
    with pytest.raises(ReadError) as exc:
        parse_bytes(data, "bad.txt")
    assert exc.value.reason == reason
    assert "\n" not in str(exc.value)


def test_undecodable_text_is_refused():
    # bytes that are neither UTF-8 nor GB18030/Big5 text (lone continuation bytes, controls)
    data = bytes([0x80, 0x81, 0xFF, 0x07, 0x1B, 0x90]) * 300
    with pytest.raises(ReadError):
        parse_bytes(data, "bad.txt")


def test_gbk_and_utf16_and_bom_are_detected():
    text = _report_text()
    base = parse_bytes(text.encode("utf-8"), "r.txt").to_json(provenance=False)
    for enc in ("gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"):
        got = parse_bytes(text.encode(enc), "r.txt").to_json(provenance=False)
        assert got["requests"] == base["requests"] and got["meta"]["agency"] == base["meta"]["agency"], enc


def test_utf8_cut_inside_a_character_is_read_with_a_warning():
    data = (_report_text().rstrip() + "特此报告。").encode("utf-8")
    cut = data[: len(data) - 1]  # the final character's bytes are incomplete
    report = parse_bytes(cut, "cut.txt")
    assert report.meta.agency
    (lossy,) = [f for f in report.findings if f.code == "DECODE_LOSSY"]
    assert lossy.severity.value == "warning" and "截断" in lossy.message
    assert not [f for f in parse_bytes(data, "whole.txt").findings if f.code == "DECODE_LOSSY"]


def test_truncated_report_keeps_what_it_read_and_says_what_is_missing():
    text = _report_text(7)
    cut = text[: text.index("四、政府信息公开行政复议")] if "四、政府信息公开行政复议" in text else text[: len(text) // 2]
    report = parse_bytes(cut.encode(), "truncated.txt")
    codes = [f.code for f in report.findings]
    assert "MISSING_TABLE" in codes and "MISSING_SECTION" in codes
    assert report.tables["requests"]["new_received"]["total"].status == "read"
    assert report.has_errors


def test_prose_that_is_not_a_report():
    data = "今天天气很好。我们去公园散步，看到了很多花。\n晚上回家吃饭。\n".encode()
    report = parse_bytes(data, "diary.txt")
    assert [f.code for f in report.findings] == ["NOT_A_REPORT"]


def test_check_batch_goes_on_after_bad_files(tmp_path):
    (tmp_path / "a_good.txt").write_text(_report_text(3), encoding="utf-8")
    (tmp_path / "b_empty.txt").write_bytes(b"")
    (tmp_path / "c_binary.bin").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "d_notreport.txt").write_text("会议纪要\n今天讨论了食堂菜单。\n", encoding="utf-8")
    (tmp_path / "e_good.txt").write_text(_report_text(4), encoding="gbk")
    result = runner.invoke(app, ["check", "--json", str(tmp_path)])
    assert result.exit_code == 2
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
    assert [x["source"]["name"] for x in lines] == ["a_good.txt", "d_notreport.txt", "e_good.txt"]
    errors = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(errors) == 2
    assert "b_empty.txt" in errors[0] and "文件为空" in errors[0]
    assert "c_binary.bin" in errors[1]
    assert "Traceback" not in result.output


def test_parse_missing_file_and_directory(tmp_path):
    r = runner.invoke(app, ["parse", str(tmp_path / "nope.txt")])
    assert r.exit_code == 2 and "文件不存在" in r.stderr and "Traceback" not in r.output
    r = runner.invoke(app, ["parse", str(tmp_path)])
    assert r.exit_code == 2 and "目录" in r.stderr
