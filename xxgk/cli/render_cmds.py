"""`xxgk form`, `xxgk render`, `xxgk ledger`: write a report in the national layout."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .manners import output_file


def _load_data(path: Path):
    """A report data file (YAML, JSON, filled form), or exit 2 naming each problem."""
    from ..render import DataError, load

    try:
        return load(path)
    except DataError as exc:
        for problem in exc.problems:
            _err(f"{path}: {problem}")
        raise typer.Exit(2) from None


def _err(message: str) -> None:
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[bold red]xxgk: {escape(message)}[/]")


def _template_option(value: Optional[str]) -> Optional[str]:
    from .. import template as T

    if value is not None and value not in T.TEMPLATES:
        raise typer.BadParameter(f"未知的模板“{value}”，可用：{'、'.join(T.TEMPLATES)}")
    return value


def register(app: typer.Typer) -> None:
    @app.command()
    def form(
        output: Path = typer.Option(Path("年报填报.xlsx"), "-o", "--output", callback=output_file, help="输出的 XLSX 填报表"),
        template: Optional[str] = typer.Option(None, "--template", callback=_template_option, help="模板版本：2021（默认）或 2019"),
        agency: Optional[str] = typer.Option(None, "--agency", help="预填机关名称"),
        year: Optional[int] = typer.Option(None, "--year", help="预填年度（未指定模板时据此选模板）"),
        data: Optional[Path] = typer.Option(None, "--data", help="用已有数据（YAML/JSON，如 xxgk ledger 的输出）预填"),
    ):
        """生成按全国统一格式排版的 XLSX 填报表（合并表头、数据校验、勾稽关系自动核对）。"""
        from .. import template as T
        from ..render import ReportData
        from ..render.form_xlsx import write_form

        rd = _load_data(data) if data is not None else None
        tpl_id = template or (rd.template if rd else T.for_year(year).id)
        if rd is None:
            rd = ReportData.blank(tpl_id)
        elif rd.template != tpl_id:
            _err(f"{data} 是{rd.template}年模板的数据，与 --template {tpl_id} 不符")
            raise typer.Exit(2)
        rd.agency = agency or rd.agency
        rd.year = year or rd.year
        write_form(output, tpl_id, rd)
        typer.echo(f"已生成 {output}（{tpl_id}年模板）")

    @app.command()
    def render(
        data: Path = typer.Argument(..., help="报告数据：YAML、JSON 或填好的 XLSX 填报表"),
        to: Optional[str] = typer.Option(None, "--to", help="输出格式：docx、html、md、txt（默认按 -o 的扩展名）"),
        output: Optional[Path] = typer.Option(None, "-o", "--output", callback=output_file, help="输出文件（txt/md/html 省略时打印到标准输出）"),
        allow_errors: bool = typer.Option(False, "--allow-errors", help="数据有勾稽错误或空格时仍然生成"),
    ):
        """按全国统一格式生成年度报告（标题、六个部分、三张表）。数据不平或有空格时拒绝生成并逐条说明。"""
        from ..render import FORMATS
        from ..render import render as do_render
        from ..render.skeleton import is_draft
        from ..render.validate import problems

        fmt = (to or (output.suffix.lstrip(".").lower() if output else "")).lower()
        if fmt == "markdown":
            fmt = "md"
        if fmt not in FORMATS:
            _err(f"请用 --to 指定输出格式（{'、'.join(FORMATS)}）" if not fmt else f"不支持的输出格式“{fmt}”（可用：{'、'.join(FORMATS)}）")
            raise typer.Exit(2)
        if fmt == "docx" and output is None:
            _err("DOCX 需要用 -o 指定输出文件")
            raise typer.Exit(2)
        rd = _load_data(data)
        found = problems(rd)
        if found:
            err = Console(stderr=True, highlight=False, soft_wrap=True)
            head = "[yellow]仍然生成（--allow-errors）[/]" if allow_errors else "[bold red]拒绝生成[/]"
            err.print(f"{head} {escape(str(data))}：数据有{len(found)}处问题")
            for f in found:
                err.print(f"    [red]✗ {f.code}[/] {escape(f.message)}")
            if not allow_errors:
                err.print("请改正数据后重试；确需生成草稿可加 --allow-errors")
                raise typer.Exit(1)
        try:
            out = do_render(rd, fmt)
        except ModuleNotFoundError as exc:
            _err(f"生成 {fmt.upper()} 需要 {exc.name}：pip install 'xxgk[render]'")
            raise typer.Exit(2)
        if output is None:
            sys.stdout.write(out.decode("utf-8"))
        else:
            output.write_bytes(out)
            note = "（含“【待补充：…】”标记，请补写后再发布）" if is_draft(rd) else ""
            Console(stderr=True, highlight=False).print(f"已生成 {escape(str(output))}{note}")
        _review(rd)


    @app.command()
    def ledger(
        file: Path = typer.Argument(..., help="申请台账（CSV 或 XLSX）：编号、收到日期、申请人类型、办理结果、办结日期，可选 补正日期、延期"),
        year: int = typer.Option(..., "--year", help="报告年度"),
        output: Optional[Path] = typer.Option(None, "-o", "--output", callback=output_file, help="输出数据文件（.yaml/.yml 或 .json）"),
        cases: Optional[Path] = typer.Option(None, "--cases", help="行政复议、行政诉讼案件清单（CSV 或 XLSX）：类型、结果，可选 编号、收到日期、审结日期"),
        agency: Optional[str] = typer.Option(None, "--agency", help="机关名称"),
        template: Optional[str] = typer.Option(None, "--template", callback=_template_option, help="模板版本（默认按年度）"),
        overdue: bool = typer.Option(False, "--overdue", help="列出超过法定答复期限（及即将到期）的申请"),
        as_of: Optional[str] = typer.Option(None, "--as-of", help="期限核查日期（默认今天；报告年度已过则为12月31日）"),
        keep_going: bool = typer.Option(False, "--keep-going", help="有错误行时仍然统计其余各行"),
        into: Optional[Path] = typer.Option(None, "--into", help="报告数据文件（YAML/JSON/填报表）：保留其表二和正文，只更新表三（及表四）；默认写回该文件；不存在时新建"),
    ):
        """由申请台账统计表三（及案件清单统计表四），并按法定期限核查逾期。"""
        from .. import template as T
        from ..ledger import CalendarError, LedgerError, ledger_data, read_cases, read_ledger, watch
        from ..ledger.read import parse_date
        from ..render.data import dump

        base = None
        if into is not None and not into.exists():  # the year's first step: the data file is made here
            if into.suffix.lower() not in (".yaml", ".yml", ".json"):
                _err(f"{into} 不存在；新建的数据文件应为 .yaml 或 .json")
                raise typer.Exit(2)
            output = output or into
            into = None
        if into is not None:
            base = _load_data(into)
            if base.year is not None and base.year != year:
                _err(f"{into} 是{base.year}年度的数据，与 --year {year} 不符")
                raise typer.Exit(2)
            if output is None and into.suffix.lower() not in (".yaml", ".yml", ".json"):
                _err(f"{into} 不是 YAML/JSON 文件，请用 -o 指定输出的数据文件")
                raise typer.Exit(2)
            output = output or into
        tpl = T.get(template) if template else (T.get(base.template) if base else T.for_year(year))
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        errors = []
        case_list = None
        for path, read in ((file, lambda p: read_ledger(p, tpl)), (cases, read_cases)):
            if path is None:
                continue
            try:
                records, bad = read(path)
            except LedgerError as exc:
                _err(f"{path}: {exc}")
                raise typer.Exit(2)
            errors += [(path, e) for e in bad]
            if path == file and read is not read_cases:
                requests = records
            else:
                case_list = records
        for path, e in errors:
            err.print(f"[red]✗ {escape(str(path))} {escape(str(e))}[/]")
        if errors and not keep_going:
            err.print(f"[bold red]{len(errors)}处错误，未生成统计。[/]请改正后重试，或加 --keep-going 跳过错误行统计其余各行。")
            raise typer.Exit(1)
        if errors:
            rows = len({(str(p), e.row) for p, e in errors})
            err.print(f"[yellow]已跳过{rows}行有错误的记录（--keep-going），统计结果不含这些行[/]")
        data = ledger_data(requests, year, tpl, case_list, agency)
        if base is not None:
            if base.template != tpl.id:
                _err(f"{into} 使用{base.template}年模板，台账按{tpl.id}年模板统计，请统一 --template")
                raise typer.Exit(2)
            merged = base.to_json()  # Table 2, prose and title kept; the counted tables replaced
            merged["meta"]["year"] = year
            merged["meta"]["agency"] = base.agency or agency
            merged["meta"]["title"] = base.title
            merged["requests"] = data["requests"]
            if case_list is not None:
                merged["appeals"] = data["appeals"]
            data = merged
        if output is not None:
            dump(data, output)
            t = data["requests"]
            err.print(
                f"已生成 {escape(str(output))}：本年新收{t['new_received']['total']}件，上年结转{t['carried_over']['total']}件，"
                f"办结{t['total_processed']['total']}件，结转下年度{t['carried_forward']['total']}件"
            )
        elif not overdue:
            from ..render.data import _plain

            typer.echo(json.dumps(_plain(data), ensure_ascii=False, indent=2))
        if overdue:
            try:
                day = parse_date(as_of) if as_of else min(dt.date.today(), dt.date(year, 12, 31))
            except ValueError:
                _err(f"--as-of “{as_of}”不是日期")
                raise typer.Exit(2)
            try:
                items = watch(requests, day, year)
            except CalendarError as exc:
                _err(str(exc))
                raise typer.Exit(2)
            _print_watch(items, day)


def _print_watch(items, day: dt.date) -> None:
    console = Console(highlight=False)
    if not items:
        console.print(f"截至{day}，没有逾期或即将到期的申请。")
        return
    table = Table(title=f"答复期限核查（截至{day}）")
    for name in ("编号", "收到日期", "补正日期", "延期", "答复期限", "办结日期"):
        table.add_column(name, no_wrap=True)
    table.add_column("状态", overflow="fold", min_width=10)
    style = {"逾期未办结": "bold red", "超期办结": "red", "即将到期": "yellow", "无法计算期限": "magenta"}
    for w in items:
        r = w.request
        if w.state == "即将到期":
            state = f"即将到期，剩{w.workdays}个工作日"
        elif w.workdays is not None:
            state = f"{w.state}，超{w.workdays}个工作日"
        else:
            state = f"{w.state}：{w.note}"
        table.add_row(
            escape(r.id), str(r.received), str(r.corrected or "—"), "是" if r.extended else "否",
            str(w.deadline or "—"), str(r.closed or "未办结"), f"[{style[w.state]}]{escape(state)}[/]",
        )
    console.print(table)
    counts = {}
    for w in items:
        counts[w.state] = counts.get(w.state, 0) + 1
    console.print("，".join(f"{k}{v}件" for k, v in counts.items()))


def _review(rd) -> None:
    """The whole rule set over the rendered text, as a reviewer would run it: prose that
    contradicts the tables, the fee statement, draft marks … (advice; the file is written)."""
    from ..pipeline import parse_bytes
    from ..render import render as do_render
    from ..report import Severity

    rep = parse_bytes(do_render(rd, "txt"), "render.txt")
    shown = [f for f in rep.findings if f.severity is not Severity.INFO and f.code not in _NUMBER_CODES]
    if not shown:
        return
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    err.print(f"[yellow]审核提示（{len(shown)}条）：[/]")
    for f in shown:
        err.print(f"    [yellow]! {f.code}[/] {escape(f.message)}")


# already reported (and refused unless --allow-errors) before writing
_NUMBER_CODES = {"BLANK_CELL", "NEGATIVE_VALUE", "NON_INTEGER", "T3_BALANCE", "T3_RESULT_SUM", "T3_ROW_SUM", "T4_SUM", "NOT_EVALUATED"}
