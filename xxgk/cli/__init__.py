"""The `xxgk` command.  Each feature adds its commands in its own module, listed in _MODULES."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="xxgk",
    help="政府信息公开工作年度报告：读取、审核、入库、生成。 Read, check, store and write annual "
    "government-information-disclosure reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_MODULES = ("report_cmds", "corpus_cmds", "web_cmds", "render_cmds", "january_cmds")

for _name in _MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(app)

from . import manners  # noqa: E402  (--version, help texts, bad arguments as one Chinese line)

manners.install(app)


def main() -> None:  # console-script entry point
    app()
