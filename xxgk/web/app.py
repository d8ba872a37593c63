"""The review desk: a FastAPI application over one corpus database.

    from xxgk.web import create_app
    app = create_app("xxgk.db", auth=True)        # what `xxgk serve` runs

Pages (Chinese, rendered on the server) and the JSON API under /api share the store, the
session (signed cookie), the CSRF token and the permission rules of xxgk.web.security.
"""

from __future__ import annotations

import os
import secrets
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from .. import __version__
from . import tokens  # noqa: F401  (registers the API-token authenticator with security)
from .security import SESSION_SECONDS, LoginThrottle, WriteGate
from .jobs import ParseLimits
from .uploads import Limits

HERE = Path(__file__).resolve().parent


@dataclass
class Settings:
    auth: bool = False  # writes need a reviewer signed in
    read_only: bool = False  # no writes at all
    limits: Limits = field(default_factory=Limits)
    page_size: int = 50
    secure_cookies: bool = False  # the session cookie only over HTTPS (behind a TLS proxy)
    parse: ParseLimits = field(default_factory=ParseLimits)  # the upload parse workers' bounds


class _TooLarge(Exception):
    """Raised inside the application's receive() once a chunked body went over the limit."""


class BodyLimit:
    """Refuse request bodies over the limit (413) — by Content-Length at once, and by counting
    the bytes as they arrive for chunked bodies — before the multipart parser sees them.  Once a
    body went over, whatever the application answers (FastAPI turns the interrupted form into a
    400) is replaced by the 413."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(scope, send)
        seen = 0
        started = over = False

        async def counted():
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    over = True
                    raise _TooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            if over:  # the application's own answer to the cut-off body is dropped
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await self._refuse(scope, send)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracking_send)
        except _TooLarge:
            if not started:
                started = True
                await self._refuse(scope, send)

    async def _refuse(self, scope, send):
        mb = self.max_bytes // (1 << 20)
        body = f'{{"detail": "上传内容超过{mb} MB，请分批上传"}}'.encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """No inline script, nothing from elsewhere, not framed."""

    CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

    def __init__(self, app, secure_cookies: bool = False):
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        secure = self.secure_cookies or scope.get("scheme") == "https"

        async def add(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                if secure:  # behind an HTTPS proxy the cookie must never travel in clear
                    headers = [(k, v + b"; secure") if k.lower() == b"set-cookie" and b"secure" not in v.lower() else (k, v)
                               for k, v in headers]
                names = {k.lower() for k, _ in headers}
                extra = {
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"same-origin",
                }
                extra[b"content-security-policy"] = self.CSP.encode()
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, add)


def create_app(store_url: str | None = None, *, store=None, auth: bool = False, read_only: bool = False,
               limits: Limits | None = None, secret: str | None = None, page_size: int = 50,
               secure_cookies: bool = False, parse: ParseLimits | None = None) -> FastAPI:
    """The desk over the corpus at `store_url` (a path or a database URL; None → $XXGK_DB or
    ./xxgk.db), or over an open `store`."""
    from ..store import open_store
    from .jobs import Jobs

    own_store = store is None
    if own_store:
        store = open_store(store_url)
    settings = Settings(auth=auth, read_only=read_only, limits=limits or Limits(), page_size=page_size,
                        secure_cookies=secure_cookies, parse=parse or ParseLimits())

    @asynccontextmanager
    async def lifespan(_app):
        yield
        _app.state.jobs.shutdown()
        if own_store:
            store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="xxgk 审核台 API",
        version=__version__,
        description="政府信息公开工作年度报告语料库的审核台接口。报告为规范 JSON（schema xxgk.report/1）。"
        "写操作需要 X-CSRF-Token 头（从 GET /api/session 取得，与会话 Cookie 一起发送）；"
        "以 --auth 启动时还需先登录（POST /api/login）。",
        docs_url=None,  # Swagger UI loads its script from a CDN: the desk serves nothing from elsewhere
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.store = store
    app.state.settings = settings
    app.state.jobs = Jobs(store, parse=settings.parse)
    app.state.login_throttle = LoginThrottle()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(settings=settings, version=__version__)
    templates.env.filters["when"] = when
    app.state.templates = templates

    from . import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return _error(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": jsonable_errors(exc)}, status_code=422)
        return _error(request, 422, "请求参数有误")

    # outermost last: every answer (a 413 too) gets the security headers; the body limit counts
    # what the write gate peeks at; the gate sees the session and refuses before the body is read
    app.add_middleware(WriteGate, settings=settings, store=store)
    app.add_middleware(SessionMiddleware, secret_key=secret or os.environ.get("XXGK_SECRET") or secrets.token_urlsafe(32),
                       session_cookie="xxgk_session", max_age=SESSION_SECONDS, same_site="lax",
                       https_only=secure_cookies)
    app.add_middleware(BodyLimit, max_bytes=settings.limits.max_request_bytes)
    app.add_middleware(SecurityHeaders, secure_cookies=secure_cookies)
    return app


def when(d) -> str:
    """A stored instant in this machine's local time (SQLite gives back naive UTC)."""
    if d is None:
        return ""
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.astimezone().strftime("%Y-%m-%d %H:%M")


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()]


def _error(request: Request, status: int, detail: str, headers=None):
    if request.url.path.startswith("/api") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    from .pages import context

    return templates.TemplateResponse(request, "error.html", context(request, status=status, detail=detail),
                                      status_code=status, headers=headers)


__all__ = ["create_app", "Settings"]

