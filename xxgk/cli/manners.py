"""Command-line manners shared by every command: `--version`, help texts without type tags or cut
descriptions, and one Chinese line (exit status 2) for every bad argument — the parser's own
errors included — instead of English panels or tracebacks.  Value checks for options that many
commands share (`--year`, choices) live here too."""

from __future__ import annotations

import re
from typing import Callable, Iterable, Optional

import typer


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _hint(exc) -> str:
    param = getattr(exc, "param", None)
    if param is not None:
        opts = [o for o in getattr(param, "opts", []) if o.startswith("--")] or list(getattr(param, "opts", []))
        if isinstance(param, typer.core.TyperArgument):
            return (param.metavar or param.name or "").upper()
        if opts:
            return max(opts, key=len)
    hint = getattr(exc, "param_hint", None)
    if isinstance(hint, (list, tuple)):
        hint = " / ".join(hint)
    return (hint or "").strip("'\"")


_TYPES = {"integer": "整数", "float": "数字", "boolean": "是或否（true / false）"}


def chinese(exc) -> str:
    """The one Chinese line for a click usage error."""
    from typer._click import exceptions as E

    msg = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    if isinstance(exc, E.NoSuchOption):
        more = f"（是否要用 {' / '.join(exc.possibilities)}？）" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{more}"
    if isinstance(exc, E.MissingParameter):
        return f"缺少{'参数' if exc.param is not None and isinstance(exc.param, typer.core.TyperArgument) else '选项'} {_hint(exc)}"
    if isinstance(exc, E.BadOptionUsage):
        m = re.match(r"Option '([^']+)' requires (an argument|\d+ arguments)", msg)
        if m:
            return f"{m.group(1)} 需要一个值"
        return msg
    if isinstance(exc, E.BadParameter):
        raw = exc.message
        m = re.match(r"'(.*)' is not a valid (\w+)", raw, re.S)
        if m:
            return f"{_hint(exc)} 的值“{m.group(1)}”不是{_TYPES.get(m.group(2), m.group(2))}"
        m = re.match(r"Input should be a valid (\w+)", raw)
        if m:
            kind = {"integer": "整数", "number": "数字", "boolean": "是或否", "date": "日期"}.get(m.group(1), m.group(1))
            return f"{_hint(exc)} 的值应为{kind}"
        m = re.match(r"Input should be (greater|less) than or equal to (\S+)", raw)
        if m:
            return f"{_hint(exc)} 不能{'小' if m.group(1) == 'greater' else '大'}于 {m.group(2)}"
        m = re.match(r"(.+) is not in the range (.+)\.", raw)
        if m:
            rng = m.group(2).replace("x>=", "不小于 ").replace("x<=", "不大于 ").replace("<=x<=", " 到 ")
            return f"{_hint(exc)} 的值 {m.group(1)} 超出范围（应{rng}）"
        m = re.match(r"(?:File|Directory|Path) '(.*)' does not exist", raw)
        if m:
            return f"{m.group(1)}：文件或文件夹不存在"
        m = re.match(r"'(.*)' is not one of (.+)\.", raw)
        if m:
            return f"{_hint(exc)} 不能是“{m.group(1)}”，只能是 {m.group(2).replace(', ', ' / ')}".replace("'", "")
        return f"{_hint(exc)}：{raw}" if _hint(exc) and not raw.startswith(_hint(exc)) else raw
    m = re.match(r"No such command '(.+)'", msg)
    if m:
        return f"没有命令“{m.group(1)}”（xxgk --help 列出全部命令）"
    m = re.match(r"Got unexpected extra arguments? \((.+)\)", msg)
    if m:
        return f"多余的参数：{m.group(1)}"
    return msg


def _format_error(exc) -> None:
    if exc.__class__.__name__ == "NoArgsIsHelpError":
        return
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "xxgk"
    line = _one_line(chinese(exc))
    typer.echo(f"xxgk: {line}" + ("" if "--help" in line else f"（{path} --help 查看用法）"), err=True)


def _fold_help_texts() -> None:
    """Typer's help puts every description in a Rich table whose columns cut an overlong run of
    Chinese (it has no spaces to wrap at) with `…`; fold it onto the next line instead, and show
    no `<bool>`/`<list[str]>` type tags or `{file}` usage braces."""
    from rich.text import Text
    from typer import core, rich_utils

    def folding(make):
        """`make`, with the Rich Text it returns folded (not cut) at the terminal's width."""
        def folded(*args, **kwargs):
            out = make(*args, **kwargs)
            if isinstance(out, Text):
                out.overflow = "fold"
            return out
        return folded

    rich_utils._make_rich_text = folding(rich_utils._make_rich_text)
    rich_utils._get_parameter_help = folding(rich_utils._get_parameter_help)

    def option_type(self, ctx):
        if self.is_flag or self.count:
            return None
        if self.metavar is not None:
            return self.metavar
        name = max(self.opts, key=len).lstrip("-").upper().replace("-", "_")
        return name + ("..." if self.nargs != 1 else "")

    core.TyperOption.display_type_rich = option_type
    core.TyperArgument.display_type_rich = lambda self, ctx: None

    def usage_name(self):
        name = self.display_name_raw.upper()
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    core.TyperArgument._usage_display_name = usage_name
    rich_utils.rich_format_error = _format_error


def install(app: typer.Typer) -> None:
    try:
        _fold_help_texts()
    except (AttributeError, ImportError):  # a Typer whose internals moved: plainer help, the CLI still works
        pass

    def show_version(value: bool) -> None:
        if value:
            from .. import __version__

            typer.echo(f"xxgk {__version__}")
            raise typer.Exit()

    @app.callback()
    def _root(
        version: bool = typer.Option(False, "--version", "-V", callback=show_version, is_eager=True,
                                     help="显示版本号并退出"),
    ) -> None:
        """政府信息公开工作年度报告：读取、审核、入库、生成。 Read, check, store and write annual
        government-information-disclosure reports."""


# --- value checks shared by several commands ------------------------------------------------------

def choice(option: str, values: Iterable[str], *, many: bool = False) -> Callable:
    """A callback that accepts only `values` (or a comma-separated list of them when `many`)."""
    allowed = tuple(values)

    def check(value):
        if value is None:
            return value
        given = [v.strip() for v in value.split(",")] if many else [value]
        for v in given:
            if v not in allowed:
                raise typer.BadParameter(f"{option} 不能是“{v}”，只能是 {' / '.join(allowed)}")
        return value

    return check


YEAR_MIN, YEAR_MAX = 2000, 2100  # the 条例 dates from 2008; reports from before 2000 do not exist


def year_filter(value: Optional[str]):
    """`--year 2023` or `--year 2021-2023` → 2023 or (2021, 2023)."""
    if value is None:
        return None
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–~至到]\s*(\d{4})\s*)?", value)
    if not m:
        raise typer.BadParameter(f"--year 应为年度（如 2023）或范围（如 2021-2023），不能是“{value}”")
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    if not (YEAR_MIN <= lo <= YEAR_MAX and YEAR_MIN <= hi <= YEAR_MAX):
        raise typer.BadParameter(f"--year 应在 {YEAR_MIN} 到 {YEAR_MAX} 之间，不能是“{value}”")
    if lo > hi:
        raise typer.BadParameter(f"--year 范围的起始年度不能晚于结束年度：“{value}”（如 {hi}-{lo}）")
    return (lo, hi) if m.group(2) else lo


def at_least(option: str, minimum: int) -> Callable:
    def check(value):
        if value is not None and value < minimum:
            raise typer.BadParameter(f"{option} 不能小于 {minimum}（给出的是 {value}）")
        return value

    return check


def output_file(value):
    """An output file's folder must exist (one line, not a traceback when writing)."""
    if value is not None:
        from pathlib import Path

        parent = Path(value).expanduser().parent
        if not parent.is_dir():
            raise typer.BadParameter(f"{value} 所在的文件夹 {parent} 不存在")
        if Path(value).is_dir():
            raise typer.BadParameter(f"{value} 是文件夹，请给出文件名")
    return value
