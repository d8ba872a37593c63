"""`xxgk serve` (the review desk) and `xxgk users` (its reviewer accounts)."""

from __future__ import annotations

import ipaddress
import sys
from typing import Optional

import typer

DB_HELP = "语料库数据库：SQLite 文件路径或 postgresql://… 地址（默认 $XXGK_DB 或 ./xxgk.db）"


def _open(db, *, create: bool = False):
    """The corpus at `db`; only `serve` and `users add` may create it."""
    from ..store import StoreError, open_store

    try:
        return open_store(db, create=create)
    except StoreError as exc:
        typer.echo(f"xxgk: {exc}", err=True)
        raise typer.Exit(2)


def _need_web():
    try:
        import argon2  # noqa: F401
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        typer.echo(f"xxgk: 审核台需要额外的依赖（{exc.name}）：pip install 'xxgk[web]'", err=True)
        raise typer.Exit(2)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        host: str = typer.Option("127.0.0.1", "--host", help="监听地址（默认只在本机可访问）"),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="端口（1–65535）"),
        auth: bool = typer.Option(False, "--auth", help="写操作（上传、审核）需要审核员登录；账号用 xxgk users add 创建"),
        read_only: bool = typer.Option(False, "--read-only", help="只读：不能上传，也不能修改审核结论"),
        secure_cookies: bool = typer.Option(False, "--secure-cookies",
                                            help="会话 Cookie 只经 HTTPS 发送（在 HTTPS 反向代理之后运行时使用）"),
        forwarded_allow_ips: str = typer.Option("127.0.0.1", "--forwarded-allow-ips",
                                                help="信任其 X-Forwarded-For/-Proto 头的反向代理地址（逗号分隔）；"
                                                     "经这些代理以 HTTPS 访问时 Cookie 自动带 Secure"),
        parse_workers: int = typer.Option(2, "--parse-workers", help="解析上传文件的工作进程数（1–64）"),
        parse_timeout: float = typer.Option(60.0, "--parse-timeout",
                                            help="每个上传文件的解析时限（秒，1–3600），超时即停止并记为无法读取"),
        parse_memory: int = typer.Option(1024, "--parse-memory",
                                         help="每个解析进程可用的内存（MB，至少 64），超出即停止并记为无法读取"),
    ):
        """启动审核台（网页界面）：上传、查看报告与审核意见、确认或驳回、统计与导出。"""
        # ranges checked here, not by Typer: its range tag wraps the help column at 80 columns
        for name, value, lo, hi in (("--parse-workers", parse_workers, 1, 64), ("--parse-timeout", parse_timeout, 1, 3600),
                                    ("--parse-memory", parse_memory, 64, 1 << 20)):
            if not lo <= value <= hi:
                typer.echo(f"xxgk: {name} 应在 {lo} 到 {hi} 之间，而不是 {value:g}", err=True)
                raise typer.Exit(2)
        _need_web()
        import uvicorn

        from ..web import create_app

        store = _open(db, create=True)
        if auth and not read_only and not store.users():
            typer.echo("xxgk: 已开启 --auth，但还没有审核员账号，请先运行 xxgk users add 用户名", err=True)
            raise typer.Exit(2)
        if not _loopback(host) and not auth and not read_only:
            typer.echo(f"xxgk: 警告：在 {host} 上开放且未开启 --auth，网络中任何人都可以上传和修改审核结论", err=True)
        from ..web.jobs import ParseLimits

        application = create_app(store=store, auth=auth, read_only=read_only, secure_cookies=secure_cookies,
                                 parse=ParseLimits(workers=parse_workers, seconds=parse_timeout, memory_mb=parse_memory))
        mode = "只读" if read_only else ("需要登录" if auth else "无需登录")
        typer.echo(f"审核台：http://{host}:{port}/ （数据库 {store.url}，{mode}）  按 Ctrl-C 停止")
        uvicorn.run(application, host=host, port=port, log_level="warning", server_header=False,
                    proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips)

    users = typer.Typer(help="审核员账号（审核台 --auth 时用于登录）。", no_args_is_help=True)
    app.add_typer(users, name="users")

    @users.command("add")
    def users_add(
        name: str = typer.Argument(..., help="用户名"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="从标准输入读取密码（脚本用）"),
        replace: bool = typer.Option(False, "--replace", help="用户已存在时修改其密码"),
    ):
        """添加审核员账号（或用 --replace 修改密码）。密码以 Argon2 哈希保存。"""
        _need_web()
        from ..web.security import USERNAME, check_new_password, hash_password

        if not USERNAME.match(name):
            typer.echo("xxgk: 用户名只能包含文字、数字、. - _ @，不超过64个字符", err=True)
            raise typer.Exit(2)
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("密码", hide_input=True, confirmation_prompt="再输入一次")
        problem = check_new_password(password)
        if problem:
            typer.echo(f"xxgk: {problem}", err=True)
            raise typer.Exit(2)
        store = _open(db, create=True)
        if not store.add_user(name, hash_password(password), replace=replace):
            typer.echo(f"xxgk: 用户“{name}”已存在（修改密码请加 --replace）", err=True)
            raise typer.Exit(1)
        typer.echo(f"已{'更新' if replace else '添加'}审核员：{name}")

    @users.command("remove")
    def users_remove(name: str = typer.Argument(..., help="用户名"),
                     db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)):
        """删除审核员账号（其已作出的审核结论保留）。"""
        store = _open(db)
        if not store.remove_user(name):
            typer.echo(f"xxgk: 没有用户“{name}”", err=True)
            raise typer.Exit(1)
        typer.echo(f"已删除审核员：{name}")

    @users.command("list")
    def users_list(db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)):
        """列出审核员账号。"""
        store = _open(db)
        rows = store.users()
        if not rows:
            typer.echo("还没有审核员账号（用 xxgk users add 用户名 添加）")
        for u in rows:
            typer.echo(f"{u.name}\t{u.created_at:%Y-%m-%d %H:%M}")

    @users.command("token")
    def users_token(
        name: str = typer.Argument(..., help="审核员用户名（先用 xxgk users add 创建）"),
        label: Optional[str] = typer.Option(None, "--label", help="说明这个令牌给哪个脚本用"),
        db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    ):
        """为审核员签发 API 令牌：脚本以 Authorization: Bearer 令牌 调用审核台 API，无需 Cookie 与 CSRF。
        令牌只显示这一次（标准输出只有令牌本身），数据库只保存其 SHA-256。"""
        _need_web()
        from ..web.tokens import issue

        store = _open(db)
        token, sha, prefix = issue()
        try:
            tid = store.add_token(name, sha, prefix, label)
        except KeyError:
            typer.echo(f"xxgk: 没有用户“{name}”（先用 xxgk users add {name} 创建）", err=True)
            raise typer.Exit(1)
        typer.echo(token)
        typer.echo(f"已为 {name} 签发 API 令牌 #{tid}（{prefix}…）；请妥善保存，此后无法再次查看。"
                   f"撤销：xxgk users revoke-token {tid}", err=True)

    @users.command("tokens")
    def users_tokens(name: Optional[str] = typer.Argument(None, help="只列出该审核员的令牌"),
                     db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)):
        """列出 API 令牌（编号、审核员、开头几个字符、说明、签发与最近使用时间；不含令牌本身）。"""
        store = _open(db)
        rows = store.tokens(name)
        if not rows:
            typer.echo("没有 API 令牌（用 xxgk users token 用户名 签发）")
        for t in rows:
            used = f"{t['last_used_at']:%Y-%m-%d %H:%M}" if t["last_used_at"] else "未使用"
            typer.echo(f"#{t['id']}\t{t['user_name']}\t{t['prefix']}…\t{t['created_at']:%Y-%m-%d %H:%M}\t{used}\t{t['label'] or ''}")

    @users.command("revoke-token")
    def users_revoke_token(ref: str = typer.Argument(..., help="令牌编号（xxgk users tokens 中的 #）、开头几个字符、令牌本身，或审核员用户名（撤销其全部令牌）"),
                           db: Optional[str] = typer.Option(None, "--db", help=DB_HELP)):
        """撤销 API 令牌：之后用它的请求一律被拒绝（401）。"""
        store = _open(db)
        n = store.revoke_token(ref.lstrip("#"))
        if not n:
            typer.echo(f"xxgk: 没有与“{ref}”对应的 API 令牌（xxgk users tokens 列出全部）", err=True)
            raise typer.Exit(1)
        typer.echo(f"已撤销 {n} 个 API 令牌")
