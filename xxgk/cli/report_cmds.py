"""`xxgk parse`, `xxgk check`, `xxgk rules`."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .. import checks
from ..inputs import Item, Reader, walk
from ..pipeline import parse_bytes, parse_path
from ..readers import ReadError, load
from ..readers.errors import ARCHIVE_ERRORS
from ..report import Report, Severity

_SEV_STYLE = {Severity.ERROR: ("✗", "bold red", "错误"), Severity.WARNING: ("!", "yellow", "警告"), Severity.INFO: ("i", "dim", "提示")}


def _codes(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(c.strip() for c in v.split(",") if c.strip())
    return out


def _rules(select, ignore):
    try:
        return checks.selected(_codes(select), _codes(ignore))
    except KeyError as exc:
        typer.echo(f"xxgk: 未知的规则代码：{exc.args[0]}（用 xxgk rules 查看全部）", err=True)
        raise typer.Exit(2)


# formats whose reading costs far more than process start-up (PDF, OCR, Word, LibreOffice)
_HEAVY = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".doc", ".docx", ".wps")


def _jobs(asked: int | None, items: list[Item]) -> int:
    if asked is not None:
        return max(1, asked)
    if len(items) < 2 or (len(items) < 64 and not any(i.name.lower().endswith(_HEAVY) for i in items)):
        return 1  # a few text reports: a millisecond each, less than starting the workers
    return min(os.cpu_count() or 1, len(items))


def _checked(items: list[Item], rules, select: list[str], ignore: list[str], jobs: int) -> Iterator[Report | str]:
    """Each item's Report, or the one-line reason it could not be read, in the items' order.
    Workers are given the rule codes (`select`, `ignore`) and select the rules themselves."""
    if jobs <= 1:
        reader = Reader()
        yield from (_check_item(item, select, ignore, reader, rules) for item in items)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    import os

    from ..workers import init_worker

    ctx = mp.get_context("forkserver")  # OCR's onnxruntime threads do not survive a fork
    ctx.set_forkserver_preload(["xxgk._forkserver_guard", "xxgk.pipeline"])
    # workers end with this process, even when it is killed outright (xxgk.workers)
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=init_worker, initargs=(os.getpid(),)) as pool:
        yield from pool.map(_check_item, items, [select] * len(items), [ignore] * len(items), chunksize=1)


def _check_item(item: Item, select: list[str], ignore: list[str], reader: Reader | None = None, rules=None) -> Report | str:
    """Read, extract and check one item (in a worker process when checking in parallel)."""
    try:
        data = _item_bytes(reader or Reader(), item)
        rules = rules if rules is not None else checks.selected(select, ignore)
        return parse_bytes(data, item.name, path=item.path, rules=rules)
    except ReadError as exc:
        return str(exc)
    except Exception as exc:  # a bug must not stop the batch; say which file
        return f"内部错误（{type(exc).__name__}: {exc}），请报告此问题"


def _item_bytes(reader: Reader, item: Item) -> bytes:
    """A file's bytes (with load's one-line reasons) or an archive member's."""
    if len(item.chain) == 1:
        return load(item.chain[0])
    try:
        return reader.read(item)
    except ARCHIVE_ERRORS as exc:
        raise ReadError(f"压缩包内的文件无法读取（{type(exc).__name__}: {str(exc)[:100]}）", "archive-member") from None


def _err(console: Console, path: Path, message: str) -> None:
    console.print(f"[bold red]xxgk: {escape(str(path))}: {escape(message)}[/]", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def parse(
        file: Path = typer.Argument(..., help="报告文件（文本、HTML、DOCX、PDF、图片）"),
        compact: bool = typer.Option(False, "--compact", help="单行输出 JSON"),
        select: Optional[list[str]] = typer.Option(None, "--select", help="只运行这些规则（代码或前缀，可逗号分隔）"),
        ignore: Optional[list[str]] = typer.Option(None, "--ignore", help="不运行这些规则"),
    ):
        """把一份报告读成规范 JSON（schema xxgk.report/1）。 Parse one report to canonical JSON."""
        rules = _rules(select, ignore)
        try:
            report = parse_path(file, rules=rules)
        except ReadError as exc:
            _err(Console(stderr=True), file, str(exc))
            raise typer.Exit(2)
        import json

        from ..report import _json_default

        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=None if compact else 2, default=_json_default))

    @app.command()
    def check(
        paths: list[Path] = typer.Argument(..., help="报告文件、文件夹或 zip 压缩包（逐个读取其中文件）"),
        json_out: bool = typer.Option(False, "--json", help="每份报告输出一行 JSON（与 parse 相同）"),
        select: Optional[list[str]] = typer.Option(None, "--select", help="只运行这些规则（代码或前缀，可逗号分隔）"),
        ignore: Optional[list[str]] = typer.Option(None, "--ignore", help="不运行这些规则"),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="也显示提示（info）级别的发现"),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="并行进程数（默认：文件多或有 PDF/图片/Word 时用全部 CPU）"),
    ):
        """审核报告：勾稽关系、空格、缺项、模板、年度、跨年度衔接。退出码 0 无错误，1 有错误，2 有文件无法读取。"""
        rules = _rules(select, ignore)
        out = Console(highlight=False, soft_wrap=True)
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        reports: list[Report] = []
        unreadable = 0
        items = list(walk(paths))
        for item, outcome in zip(items, _checked(items, rules, _codes(select), _codes(ignore), _jobs(jobs, items))):
            if isinstance(outcome, Report):
                reports.append(outcome)
            else:
                unreadable += 1
                _err(err, item.path, outcome)
        checks.run_corpus(reports, rules)
        import json

        from ..report import _json_default

        for report in reports:
            if json_out:
                sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, default=_json_default) + "\n")
            else:
                _verdict(out, report, verbose)
        if not json_out and len(reports) + unreadable > 1:
            bad = sum(1 for r in reports if r.has_errors)
            out.print(f"\n共 {len(reports) + unreadable} 个文件：{len(reports) - bad} 份无错误，{bad} 份有错误，{unreadable} 个无法读取")
        if unreadable:
            raise typer.Exit(2)
        if any(r.has_errors for r in reports):
            raise typer.Exit(1)

    @app.command()
    def rules(json_out: bool = typer.Option(False, "--json", help="输出 JSON")):
        """列出全部审核规则（代码、级别、说明）。 List every check."""
        if json_out:
            import json

            typer.echo(json.dumps(
                [{"code": r.code, "severity": r.severity.value, "group": r.group, "description": r.description} for r in checks.iter_codes()],
                ensure_ascii=False, indent=2,
            ))
            return
        table = Table("代码 code", "级别", "类别")
        table.add_column("说明", overflow="fold")  # wrapped, never cut with "…"
        group_cn = {"reader": "读取", "check": "审核", "cross-year": "跨年度", "consolidated": "汇总"}
        for r in checks.iter_codes():
            sym, style, cn = _SEV_STYLE[r.severity]
            table.add_row(r.code, f"[{style}]{cn}[/]", group_cn.get(r.group, r.group), r.description)
        out = Console()
        if not out.is_terminal:  # piped or redirected: one line per rule, nothing cut
            out = Console(width=max(out.width, 240))
        out.print(table)


def _verdict(console: Console, report: Report, verbose: bool) -> None:
    counts = {s: sum(1 for f in report.findings if f.severity is s) for s in Severity}
    name = report.source.path or report.source.name or "?"
    m = report.meta
    head = "[bold red]✗[/]" if counts[Severity.ERROR] else ("[yellow]![/]" if counts[Severity.WARNING] else "[green]✓[/]")
    who = escape(m.agency or "（未识别机关）")
    year = f"{m.year}年度" if m.year else "（年度未识别）"
    console.print(
        f"{head} [bold]{escape(name)}[/]  {who} · {year} · {report.template}年模板"
        f"  错误{counts[Severity.ERROR]} 警告{counts[Severity.WARNING]} 提示{counts[Severity.INFO]}"
    )
    for f in report.findings:
        if f.severity is Severity.INFO and not verbose:
            continue
        sym, style, cn = _SEV_STYLE[f.severity]
        line, page = f.where.get("line"), f.where.get("page")
        if page:  # a paged document: the page is what the reviewer can find
            loc = f"（第{page}页）" if f"第{page}页" not in f.message else ""
        else:
            loc = f"（第{line}行）" if line and f"第{line}行" not in f.message else ""
        console.print(f"    [{style}]{sym} {f.code}[/] {escape(f.message)}{loc}")
