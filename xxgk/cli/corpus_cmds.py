"""`xxgk ingest`, `stats`, `history`, `findings`, `failures`, `review`, `export`: the corpus database."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

DB_HELP = "数据库：SQLite 文件路径或 URL（postgresql://用户@主机/库）；默认 $XXGK_DB，否则当前文件夹的 xxgk.db"
_BY_CN = {"year": "年度", "level": "层级", "kind": "机关类型", "region": "地区", "province": "省级", "prefecture": "地市级",
          "county": "县级", "agency": "机关", "template": "模板", None: "全部"}
_SEV_CN = {"error": "[bold red]错误[/]", "warning": "[yellow]警告[/]", "info": "[dim]提示[/]"}


def _open(db: Optional[str]):
    try:
        from ..store import StoreError, open_store
    except ImportError as exc:
        typer.echo(f"xxgk: 语料库功能需要安装可选依赖：pip install 'xxgk[store]'（缺少 {exc.name}）", err=True)
        raise typer.Exit(2)

    try:
        return open_store(db)
    except StoreError as exc:
        typer.echo(f"xxgk: {exc}", err=True)
        raise typer.Exit(2)


def _pct(v) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _num(v) -> str:
    return "" if v is None else str(v)


def _filters(agency, year, level, region) -> dict:
    out = {}
    if agency:
        out["agency"] = agency
    if year:
        lo, _, hi = year.partition("-")
        out["year"] = (int(lo), int(hi)) if hi else int(lo)
    if level:
        out["level"] = level
    if region:
        out["region"] = region
    return out


_AGENCY = typer.Option(None, "--agency", help="只看该机关（名称，有无县区前缀、人民政府后缀均可）")
_YEAR = typer.Option(None, "--year", help="年度，或范围如 2021-2023")
_LEVEL = typer.Option(None, "--level", help="层级：国务院部门 / 省级 / 地市级 / 县级 / 乡镇街道")
_REGION = typer.Option(None, "--region", help="地区名称（包含即可）")


def register(app: typer.Typer) -> None:
    @app.command()
    def ingest(
        paths: list[Path] = typer.Argument(..., help="报告文件、文件夹或 zip 压缩包"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="并行进程数（默认：全部 CPU 核）"),
        retry_failed: bool = typer.Option(False, "--retry-failed", help="重试此前读取失败的文件"),
        engine: str = typer.Option("local", "--engine", help="解析引擎：local（本机进程池）或 ray（Ray 集群，需 xxgk[ray]）"),
        ray_address: Optional[str] = typer.Option(
            None, "--ray-address", help="Ray 集群地址（auto 或 ray://主机:10001）；不填则在本机启动 Ray"),
        ray_input: str = typer.Option(
            "bytes", "--ray-input", help="bytes：由本机读取文件并分发内容；paths：各节点共享文件系统，只分发路径"),
        json_out: bool = typer.Option(False, "--json", help="以 JSON 输出汇总"),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="不显示进度条"),
    ):
        """把报告读入语料库（解析、审核、入库；已入库的同一文件跳过；可随时中断，重跑继续）。
        退出码 0 全部成功，2 有文件无法读取，130 被中断。"""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        from ..store.ingest import count_files
        from ..store.ingest import ingest as run_ingest

        if engine not in ("local", "ray"):
            typer.echo(f"xxgk: --engine 只能是 local 或 ray，而不是 {engine}", err=True)
            raise typer.Exit(2)
        if ray_input not in ("bytes", "paths"):
            typer.echo(f"xxgk: --ray-input 只能是 bytes 或 paths，而不是 {ray_input}", err=True)
            raise typer.Exit(2)
        if (ray_address or ray_input != "bytes") and engine != "ray":
            typer.echo("xxgk: --ray-address 与 --ray-input 需与 --engine ray 一起使用", err=True)
            raise typer.Exit(2)
        from ..store.ray_engine import RayUnavailable, _ray  # Ray itself is imported only for --engine ray

        if engine == "ray":
            try:
                _ray()
            except RayUnavailable as exc:
                typer.echo(f"xxgk: {exc}", err=True)
                raise typer.Exit(2)
        store = _open(db)
        missing = [p for p in paths if not p.exists()]
        for p in missing:
            typer.echo(f"xxgk: {p}: 文件或文件夹不存在", err=True)
        paths = [p for p in paths if p.exists()]
        err = Console(stderr=True)
        progress = Progress(
            TextColumn("入库"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:.0f} 份/秒"), TextColumn("[red]失败 {task.fields[errors]}[/]"),
            TimeElapsedColumn(), TextColumn("剩余"), TimeRemainingColumn(),
            console=err, disable=quiet or json_out or not err.is_terminal, transient=False,
        )
        with progress:
            task = progress.add_task("ingest", total=count_files(paths, store), rate=0.0, errors=0)

            def show(r):
                progress.update(task, completed=r.done, rate=r.rate, errors=r.failed)

            try:
                result = run_ingest(store, paths, jobs=jobs, progress=show, retry_failed=retry_failed,
                                    engine=engine, ray_address=ray_address, ray_input=ray_input)
            except RayUnavailable as exc:  # no Ray cluster at that address
                typer.echo(f"xxgk: {exc}", err=True)
                raise typer.Exit(2)
            show(result)
        failures = store.failures(since=result.started)
        if json_out:
            typer.echo(json.dumps(result.to_json() | {"db": store.url, "failures": [f.to_json() for f in failures]},
                                  ensure_ascii=False))
        else:
            out = Console(highlight=False, soft_wrap=True)
            head = "[yellow]已中断[/]" if result.interrupted else "入库完成"
            out.print(
                f"{head}：共 {result.files} 个文件；新入库 {result.stored} 份，重新解析 {result.replaced} 份，"
                f"已入库跳过 {result.skipped} 份，此前失败跳过 {result.known_failures} 个，失败 {result.failed} 个；"
                f"跨年度发现 {result.cross_year_findings} 条；用时 {result.seconds:.1f} 秒（{result.rate:.0f} 份/秒）"
            )
            out.print(f"数据库：{escape(store.url)}；共 {store.count()} 份报告")
            if result.interrupted:
                out.print("已写入的报告完整保存；再次运行同一命令即可继续。")
            if result.known_failures:
                out.print(f"{result.known_failures} 个文件此前已读取失败，未重试（--retry-failed 可重试）。")
            if failures:
                out.print(f"[bold red]无法读取的文件（{len(failures)} 个）：[/]")
                for f in failures[:50]:
                    out.print(f"  [red]{escape(f.path)}[/]: {escape(f.message)}")
                if len(failures) > 50:
                    out.print(f"  …另有 {len(failures) - 50} 个，见 xxgk failures")
        store.close()
        if result.interrupted:
            raise typer.Exit(130)
        if result.failed or missing:
            raise typer.Exit(2)

    @app.command()
    def stats(
        by: Optional[str] = typer.Option(None, "--by", help="分组：year / level / kind / region / province / prefecture / county / agency / template"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        json_out: bool = typer.Option(False, "--json", help="输出 JSON"),
        agency: Optional[str] = _AGENCY, year: Optional[str] = _YEAR, level: Optional[str] = _LEVEL,
        region: Optional[str] = _REGION,
        all_versions: bool = typer.Option(False, "--all-versions", help="同一机关同一年度的多个文件全部计入（默认只计一份）"),
    ):
        """语料库统计：申请办理结果占比、复议诉讼纠错率、各类问题的报告数。"""
        from ..store import STAT_DIMENSIONS

        if by is not None and by not in STAT_DIMENSIONS:
            typer.echo(f"xxgk: --by 只能是 {' / '.join(STAT_DIMENSIONS)}", err=True)
            raise typer.Exit(2)
        store = _open(db)
        st = store.stats(by, all_versions=all_versions, **_filters(agency, year, level, region))
        store.close()
        if json_out:
            typer.echo(json.dumps(st.to_json(), ensure_ascii=False, default=str))
            return
        out = Console(highlight=False)
        if not out.is_terminal:
            out = Console(highlight=False, width=200)  # piped: never cut a column
        scope = f"（按{_BY_CN[by]}）" if by else ""

        def key(g):
            return "（未知）" if g.key is None and by else ("全部" if g.key is None else str(g.key))

        metrics = [
            ("报告（份）", lambda g: str(g.reports)), ("其中有错误", lambda g: str(g.with_errors)),
            ("本年新收申请", lambda g: _num(g.totals["new_received"])), ("办理结果总计", lambda g: _num(g.totals["processed"])),
            *((f"{cn}占比", (lambda s: lambda g: _pct(g.rates[f"{s}_share"]))(s)) for s, cn in (
                ("granted", "予以公开"), ("partially_granted", "部分公开"), ("withheld", "不予公开"),
                ("unavailable", "无法提供"), ("rejected", "不予处理"), ("other", "其他处理"))),
            ("行政复议（件）", lambda g: _num(g.totals["reconsideration"])),
            ("复议纠错率", lambda g: _pct(g.rates["reconsideration_correction"])),
            ("行政诉讼（件）", lambda g: _num(g.totals["litigation"])),
            ("诉讼纠错率", lambda g: _pct(g.rates["litigation_correction"])),
        ]
        if len(st.groups) <= 8:  # one column per group
            t = Table(title=f"语料库统计{scope}", title_justify="left")
            t.add_column("项目")
            for g in st.groups:
                t.add_column(escape(key(g)), justify="right")
            for name, fn in metrics:
                t.add_row(name, *(fn(g) for g in st.groups))
        else:  # one row per group
            t = Table(title=f"语料库统计{scope}", title_justify="left")
            t.add_column(_BY_CN[by])
            for name, _ in metrics:
                t.add_column(name.replace("占比", "").replace("（份）", "").replace("（件）", ""), justify="right")
            for g in st.groups:
                t.add_row(escape(key(g)), *(fn(g) for _, fn in metrics))
        out.print(t)
        codes: dict[str, int] = {}
        for g in st.groups:
            for c, n in g.findings.items():
                codes[c] = codes.get(c, 0) + n
        if codes:
            ft = Table(title="发现的问题（涉及报告份数）", title_justify="left")
            ft.add_column("代码")
            ft.add_column("级别")
            ft.add_column("报告", justify="right")
            for c, n in sorted(codes.items(), key=lambda kv: (kv[0] not in st.severities or st.severities[kv[0]] != "error", -kv[1])):
                ft.add_row(c, _SEV_CN.get(st.severities.get(c, ""), ""), str(n))
            out.print(ft)
        out.print("占比的分母为办理结果总计（（七）总计）；纠错率 = 结果纠正 ÷（维持 + 纠正 + 其他结果）。空白单元格不计入。"
                  + (f"另有 {st.not_reports} 个文件不是年度报告，未计入。" if st.not_reports else "")
                  + (f"另有 {st.duplicates} 个文件与已计入的报告同属一个机关、一个年度（如同一报告的 PDF 版和网页版），"
                     "未重复计入（--all-versions 全部计入）。" if st.duplicates else ""))

    @app.command()
    def history(
        agency: str = typer.Argument(..., help="机关名称（有无县区前缀、人民政府后缀、繁简体均可）"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        json_out: bool = typer.Option(False, "--json", help="输出 JSON"),
        all_cells: bool = typer.Option(False, "--all", help="显示全部单元格（默认只显示表三、表四的总计列与表二）"),
    ):
        """一个机关各年度报告并排对照，附跨年度衔接问题。"""
        from ..store import cell_ids, cell_label

        store = _open(db)
        h = store.history(agency)
        store.close()
        if json_out:
            typer.echo(json.dumps(h.to_json(), ensure_ascii=False, default=str))
        out = Console(highlight=False, soft_wrap=True)
        if h.candidates:
            if not json_out:
                out.print(f"「{escape(agency)}」可能指多个机关，请写出县区等前缀：{escape('、'.join(h.candidates))}")
            raise typer.Exit(1)
        if not h.reports:
            if not json_out:
                out.print(f"语料库中没有「{escape(agency)}」的报告。")
            raise typer.Exit(1)
        if json_out:
            return
        out.print(f"[bold]{escape(h.key or agency)}[/]（名称：{escape('、'.join(sorted({r.agency or '' for r in h.reports})))}）")
        t = Table()
        t.add_column("项目")
        years = [r.year for r in h.reports]
        for r in h.reports:
            label = f"{r.year or '?'}年" + (f"#{r.id}" if years.count(r.year) > 1 else "")
            t.add_column(f"{label}\n{r.template}模板", justify="right")
        for cid in cell_ids():
            table, row, col = cid
            if not all_cells and table != "active" and col != "total" and not (table == "appeals" and col == "corrected"):
                continue
            per = h.values.get(cid)
            if not per:
                continue
            t.add_row(cell_label(*cid), *(_num(per.get(r.id)) for r in h.reports))
        out.print(t)
        cross = [f for f in h.findings if f.scope == "corpus"]
        if cross:
            out.print(f"[bold]跨年度衔接问题（{len(cross)} 条）：[/]")
            for f in cross:
                out.print(f"  {_SEV_CN.get(f.severity, f.severity)} {f.code} {f.year}年：{escape(f.message)}")
        else:
            out.print("跨年度衔接：未发现问题。" if len(h.reports) > 1 else "只有一个年度的报告，无法做跨年度核对。")

    @app.command()
    def findings(
        code: Optional[list[str]] = typer.Option(None, "--code", help="问题代码（可多次给出或逗号分隔）"),
        severity: Optional[str] = typer.Option(None, "--severity", help="error / warning / info"),
        scope: Optional[str] = typer.Option(None, "--scope", help="report（单份报告）/ corpus（跨年度）"),
        review: Optional[str] = typer.Option(None, "--review", help="confirmed / dismissed / reviewed / unreviewed"),
        limit: int = typer.Option(200, "--limit", help="最多列出多少条（0 = 不限）"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        json_out: bool = typer.Option(False, "--json", help="每条一行 JSON"),
        agency: Optional[str] = _AGENCY, year: Optional[str] = _YEAR, level: Optional[str] = _LEVEL,
        region: Optional[str] = _REGION,
    ):
        """列出语料库中的问题（需要查看的报告）。"""
        codes = [c.strip().upper() for v in code or [] for c in v.split(",") if c.strip()]
        store = _open(db)
        try:
            rows = store.findings(code=codes or None, severity=severity, scope=scope, review=review,
                                  limit=limit or None, **_filters(agency, year, level, region))
        except ValueError as exc:
            typer.echo(f"xxgk: {exc}", err=True)
            raise typer.Exit(2)
        finally:
            store.close()
        if json_out:
            for f in rows:
                sys.stdout.write(json.dumps(f.to_json(), ensure_ascii=False, default=str) + "\n")
            return
        out = Console(highlight=False, soft_wrap=True)
        for f in rows:
            mark = f" [dim]（已{'确认' if f.review.status == 'confirmed' else '排除'}）[/]" if f.review else ""
            out.print(f"{_SEV_CN.get(f.severity, f.severity)} [bold]{f.code}[/] #{f.report_id} {escape(f.agency or '（未识别机关）')} "
                      f"{f.year or '?'}年：{escape(f.message)}{mark}  [dim]{escape(f.source_path or '')} {f.key[:12]}[/]")
        out.print(f"共 {len(rows)} 条" + ("（已达 --limit 上限）" if limit and len(rows) >= limit else ""))

    @app.command()
    def failures(
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        json_out: bool = typer.Option(False, "--json", help="每条一行 JSON"),
    ):
        """列出入库时无法读取的文件及原因。"""
        store = _open(db)
        rows = store.failures()
        store.close()
        out = Console(highlight=False, soft_wrap=True)
        for f in rows:
            if json_out:
                sys.stdout.write(json.dumps(f.to_json(), ensure_ascii=False) + "\n")
            else:
                out.print(f"[red]{escape(f.path)}[/]: {escape(f.message)} [dim]({f.reason})[/]")
        if not json_out:
            out.print(f"共 {len(rows)} 个文件")

    @app.command()
    def review(
        key: str = typer.Argument(..., help="问题的标识（xxgk findings --json 中的 key，可只写前 12 位）"),
        status: str = typer.Option(..., "--status", help="confirmed（确认）/ dismissed（排除）/ clear（撤销）"),
        comment: Optional[str] = typer.Option(None, "--comment", help="说明"),
        reviewer: Optional[str] = typer.Option(None, "--reviewer", help="审核人"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ):
        """记录对一条问题的审核结论；同一文件重新入库后仍然保留。"""
        store = _open(db)
        try:
            full = store.resolve_finding_key(key)
            if status == "clear":
                store.clear_review(full)
                typer.echo(f"已撤销 {full} 的审核结论")
            else:
                r = store.review(full, status, comment, reviewer)
                typer.echo(f"已记录：{full} → {r.status}")
        except KeyError:
            typer.echo(f"xxgk: 找不到问题 {key}（或前缀不唯一）", err=True)
            raise typer.Exit(2)
        except ValueError:
            typer.echo("xxgk: --status 只能是 confirmed / dismissed / clear", err=True)
            raise typer.Exit(2)
        finally:
            store.close()

    @app.command()
    def export(
        output: Path = typer.Option(..., "--output", "-o", help="输出文件"),
        format: Optional[str] = typer.Option(None, "--format", "-f", help="csv / xlsx / parquet / jsonl（默认按文件后缀）"),
        layout: str = typer.Option("wide", "--layout", help="wide：每份报告一行；long：每个单元格一行"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        agency: Optional[str] = _AGENCY, year: Optional[str] = _YEAR, level: Optional[str] = _LEVEL,
        region: Optional[str] = _REGION,
    ):
        """导出语料库（列名见 docs/corpus.md；XLSX 使用中文表头）。"""
        from ..store.export import FORMATS, LAYOUTS
        from ..store.export import export as run_export

        fmt = (format or output.suffix.lstrip(".")).lower()
        if fmt not in FORMATS or layout not in LAYOUTS:
            typer.echo(f"xxgk: --format 只能是 {' / '.join(FORMATS)}，--layout 只能是 {' / '.join(LAYOUTS)}", err=True)
            raise typer.Exit(2)
        store = _open(db)
        try:
            res = run_export(store, output, fmt, layout, **_filters(agency, year, level, region))
        except RuntimeError as exc:
            typer.echo(f"xxgk: {exc}", err=True)
            raise typer.Exit(2)
        finally:
            store.close()
        typer.echo(f"已导出 {res.reports} 份报告、{res.rows} 行到 {output}")
