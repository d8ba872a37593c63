"""`xxgk notice` (review opinions + 审核汇总.xlsx), `xxgk sum` (the consolidated report) and
`xxgk org load` (which organs a consolidated report covers): the office's January."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from .corpus_cmds import DB_HELP, _filters, _open

_SEV_CN = {"error": "[bold red]错误[/]", "warning": "[yellow]警告[/]", "info": "[dim]提示[/]"}


def _err(message: str) -> None:
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[bold red]xxgk: {escape(message)}[/]")


def _parse_all(paths: list[Path], jobs: Optional[int], *, cross_year: bool = True):
    """(reports, unreadable count) for the files, folders and zips named, checked like `xxgk check`."""
    from .. import checks
    from ..inputs import walk
    from .report_cmds import _checked, _jobs

    missing = [p for p in paths if not p.exists()]
    for p in missing:
        _err(f"{p}: 文件或文件夹不存在")
    items = list(walk([p for p in paths if p.exists()]))
    rules = checks.selected()
    reports, bad = [], len(missing)
    for item, outcome in zip(items, _checked(items, rules, [], [], _jobs(jobs, items))):
        if isinstance(outcome, str):
            bad += 1
            _err(f"{item.path}: {outcome}")
        else:
            reports.append(outcome)
    if cross_year:
        checks.run_corpus(reports, rules)
    return reports, bad


def register(app: typer.Typer) -> None:
    @app.command()
    def notice(
        paths: Optional[list[Path]] = typer.Argument(None, help="报告文件、文件夹或 zip 压缩包（或用 --db 从语料库取）"),
        output: Path = typer.Option(..., "-o", "--output", help="输出文件夹：每份有问题的报告一份审核意见 DOCX，另有 审核汇总.xlsx"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP + "；给出 PATHS 时只用来取审核结论"),
        deadline: Optional[str] = typer.Option(None, "--deadline", help="整改期限，如“2025年2月10日”（默认留待填写的标记）"),
        office: Optional[str] = typer.Option(None, "--office", help="审核单位（落款），如“某县人民政府办公室”"),
        date: Optional[str] = typer.Option(None, "--date", help="成文日期（默认留待填写的标记）"),
        agency: Optional[str] = typer.Option(None, "--agency", help="（--db）只看该机关"),
        year: Optional[str] = typer.Option(None, "--year", help="（--db）年度，或范围如 2021-2023"),
        level: Optional[str] = typer.Option(None, "--level", help="（--db）层级"),
        region: Optional[str] = typer.Option(None, "--region", help="（--db）地区名称（包含即可）"),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="并行进程数"),
    ):
        """为有错误或警告的报告生成审核意见（DOCX，公文格式），并生成 审核汇总.xlsx。
        已在审核台“排除”的问题不写入，“确认”的标明已确认。"""
        from ..notice import from_report, from_store, reviews_for, write_batch

        if not paths and db is None:
            _err("请给出报告文件/文件夹，或用 --db 指定语料库")
            raise typer.Exit(2)
        t0 = time.monotonic()
        bad = 0
        if paths:
            reports, bad = _parse_all(paths, jobs)
            subjects = [from_report(r) for r in reports if r.is_report]
            skipped = sum(1 for r in reports if not r.is_report)
            if db is not None:
                store = _open(db)
                try:
                    reviews_for(store, subjects)
                finally:
                    store.close()
        else:
            store = _open(db)
            try:
                subjects = from_store(store, **_filters(agency, year, level, region))
            finally:
                store.close()
            skipped = 0
        if not subjects:
            _err("没有可审核的报告")
            raise typer.Exit(2 if bad else 1)
        try:
            written = write_batch(subjects, output, deadline=deadline, office=office, date=date)
        except ModuleNotFoundError as exc:
            _err(f"生成 DOCX 需要 {exc.name}：pip install 'xxgk[render]'")
            raise typer.Exit(2)
        except OSError as exc:
            _err(f"{output}: 无法写入（{exc.strerror or exc}）")
            raise typer.Exit(2)
        notices = len(written) - 1
        out = Console(highlight=False, soft_wrap=True)
        out.print(f"已审核 {len(subjects)} 份报告：{notices} 份需要整改或修改，已生成审核意见；"
                  f"{len(subjects) - notices} 份无需整改。用时 {time.monotonic() - t0:.1f} 秒")
        out.print(f"输出：{escape(str(output))}（{notices} 个 DOCX 和 审核汇总.xlsx）")
        if skipped:
            out.print(f"另有 {skipped} 个文件不是年度报告，未审核。")
        if bad:
            raise typer.Exit(2)

    @app.command("sum")
    def sum_cmd(
        paths: list[Path] = typer.Argument(..., help="同一年度、同一模板版本的下级机关报告（文件、文件夹或 zip）"),
        output: Optional[Path] = typer.Option(None, "-o", "--output", help="输出的数据文件（.yaml/.yml 或 .json），xxgk render 可直接生成汇总报告"),
        against: Optional[Path] = typer.Option(None, "--against", help="已发布的汇总报告：逐格与下级报告之和比对"),
        agency: Optional[str] = typer.Option(None, "--agency", help="汇总报告的机关名称（写入数据文件）"),
        title: Optional[str] = typer.Option(None, "--title", help="汇总报告的标题"),
        json_out: bool = typer.Option(False, "--json", help="输出 JSON（数据文件与比对结果）"),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="并行进程数"),
    ):
        """把下级机关的年度报告逐格相加（表二、表三、表四），生成汇总报告的数据文件；
        --against 与已发布的汇总报告比对。退出码 0 一致，1 有不一致，2 无法汇总。"""
        from ..consolidate import MixedBatch, compare_report, consolidate
        from ..pipeline import parse_path
        from ..readers import ReadError
        from ..render.data import _plain, dump

        parent = None
        if against is not None:
            try:
                parent = parse_path(against)
            except ReadError as exc:
                _err(f"{against}: {exc}")
                raise typer.Exit(2)
            except OSError as exc:
                _err(f"{against}: {exc.strerror or exc}")
                raise typer.Exit(2)
        reports, bad = _parse_all(paths, jobs, cross_year=False)
        if parent is not None:
            same = [r for r in reports if r.source.sha256 == parent.source.sha256]
            if same:
                Console(stderr=True, highlight=False).print(f"[dim]汇总报告 {escape(str(against))} 不计入下级报告之和[/]")
                reports = [r for r in reports if r.source.sha256 != parent.source.sha256]
        if bad:
            _err(f"{bad} 个文件无法读取，未汇总（汇总不能缺少下级报告）")
            raise typer.Exit(2)
        try:
            cons = consolidate(reports)
            found = compare_report(parent, cons) if parent is not None else []
        except MixedBatch as exc:
            for p in exc.problems:
                _err(p)
            _err("未汇总：一次只能汇总同一年度、同一模板版本的报告")
            raise typer.Exit(2)
        data = cons.data_file(agency=agency, title=title)
        if output is not None:
            try:
                dump(data, output)
            except OSError as exc:
                _err(f"{output}: 无法写入（{exc.strerror or exc}）")
                raise typer.Exit(2)
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        if json_out:
            body = {"data": _plain(data), "mismatches": [f.to_json() for f in found]}
            sys.stdout.write(json.dumps(_plain(body), ensure_ascii=False) + "\n")
        elif output is None and parent is None:
            import yaml

            sys.stdout.write(yaml.safe_dump(_plain(data), allow_unicode=True, sort_keys=False))
        if not json_out:
            where = f" → {escape(str(output))}" if output else ""
            err.print(f"已汇总 {len(cons.parts)} 份报告（{cons.year}年度，{cons.template}年模板）{where}")
            for f in cons.findings:
                err.print(f"    [yellow]! {f.code}[/] {escape(f.message)}")
            broken = [r for r in reports if r.has_errors]
            if broken:
                names = "、".join(r.meta.agency or r.source.path or "?" for r in broken)
                err.print(f"[yellow]注意：以下下级报告有错误（xxgk check 查看），其数字已原样计入合计：{escape(names)}[/]")
            if parent is not None:
                if found:
                    err.print(f"[bold]与汇总报告 {escape(str(against))} 比对：{len(found)} 个单元格不一致[/]")
                    for f in found:
                        err.print(f"    [yellow]! {f.code}[/] {escape(f.message)}")
                else:
                    err.print(f"与汇总报告 {escape(str(against))} 比对：各单元格均一致")
        if found:
            raise typer.Exit(1)

    org = typer.Typer(help="组织关系：汇总报告覆盖哪些下级机关", no_args_is_help=True)
    app.add_typer(org, name="org")

    @org.command("load")
    def org_load(
        file: Path = typer.Argument(..., help="CSV：两列 parent（上级/汇总机关）、child（下级机关），机关名称按报告中的写法"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        replace: bool = typer.Option(False, "--replace", help="先清空已有的组织关系"),
    ):
        """载入组织关系；之后入库时逐年比对汇总报告与下级报告之和（CONSOLIDATED_MISMATCH）。"""
        from ..orgtree import TreeError, read_tree

        try:
            edges = read_tree(file)
        except TreeError as exc:
            for p in exc.problems:
                _err(f"{file}: {p}")
            raise typer.Exit(2)
        store = _open(db)
        try:
            n = store.load_tree(edges, replace=replace)
            written = store.update_consolidated()
            tree = store.tree()
            unknown = store.tree_unmatched()
        finally:
            store.close()
        out = Console(highlight=False, soft_wrap=True)
        out.print(f"已载入 {n} 条组织关系（共 {len(tree)} 条）；汇总核对发现 {written} 条")
        if unknown:
            out.print(f"[yellow]语料库中尚无以下机关的报告[/]（入库后自动核对）：{escape('、'.join(unknown))}")

    @org.command("show")
    def org_show(
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        json_out: bool = typer.Option(False, "--json", help="输出 JSON"),
    ):
        """列出已载入的组织关系。"""
        store = _open(db)
        try:
            tree = store.tree()
        finally:
            store.close()
        if json_out:
            typer.echo(json.dumps([{"parent": p, "child": c} for p, c in tree], ensure_ascii=False))
            return
        out = Console(highlight=False, soft_wrap=True)
        by: dict[str, list[str]] = {}
        for p, c in tree:
            by.setdefault(p, []).append(c)
        for p, cs in by.items():
            out.print(f"[bold]{escape(p)}[/]：{escape('、'.join(cs))}")
        out.print(f"共 {len(tree)} 条")
