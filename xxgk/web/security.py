"""Who may write, and proof that a write comes from the desk's own pages.

- Passwords: Argon2id (argon2-cffi); the corpus database keeps only the hash.
- Sessions: a signed cookie (Starlette's SessionMiddleware), SameSite=Lax, HttpOnly, Secure with
  --secure-cookies or when the request came over HTTPS (through a trusted proxy).  Signing in
  creates a session in the database (table `sessions`) and the cookie holds only its random
  token: signing out, removing the reviewer (`xxgk users remove`) or giving them a new password
  deletes it, and the cookie stops working at once.
- CSRF: a random token per session (synchronizer token).  Every state-changing request — form
  or API — must send it back, as the `X-CSRF-Token` header or as the field `csrf_token` within
  the first 64 KB of a form (the desk's forms send it first); a page of another site can do
  neither.  API clients get it from GET /api/session.
- Before the body: `WriteGate` checks read-only mode, sign-in (--auth) and the CSRF token before
  the body of a write is read — an anonymous 150 MB upload is refused at once, not after it
  arrived.  Of a form, only the first 64 KB are read for the check.
- Sign-in throttling: failures are counted per client address and user name, and per client
  address; each failure beyond a few free ones doubles the wait before the next try.  Nobody is
  locked out by others' failures.
- --auth: writes need a reviewer signed in; reads stay open.  --read-only: no writes at all.
"""

from __future__ import annotations

import hmac
import math
import re
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import HTTPException, Request

_HASHER = PasswordHasher()
USERNAME = re.compile(r"^[\w.\-@\u4e00-\u9fff]{1,64}$")
MIN_PASSWORD = 8
SESSION_SECONDS = 12 * 3600
CSRF_ONLY_PATHS = ("/login", "/logout", "/api/login", "/api/logout")  # writes that need no reviewer


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        _HASHER.hash(password)  # same time whether or not the user exists
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# ---- sign-in throttling -----------------------------------------------------------------------


class LoginThrottle:
    """Growing delays after failed sign-ins, per (client, name) and per client.

    After `free` failures of one client for one name, each further failure doubles the wait
    before that client may try that name again (base, 2·base, 4·base, … up to `cap` seconds);
    a client trying many names gets the same treatment after `free_client` failures.  Other
    clients are never affected, so no one can lock a reviewer out.  A success clears the
    (client, name) count.  Counts are forgotten `window` seconds after the last failure."""

    def __init__(self, free: int = 3, free_client: int = 20, base: float = 1.0, cap: float = 900.0,
                 window: float = 3600.0, max_keys: int = 10_000):
        self.free, self.free_client, self.base, self.cap = free, free_client, base, cap
        self.window, self.max_keys = window, max_keys
        self.clock = time.monotonic
        self._fails: dict[tuple, tuple[int, float]] = {}  # key → (failures, time of the last)
        self._lock = threading.Lock()

    def _delay(self, key: tuple, free: int, now: float) -> float:
        n, last = self._fails.get(key, (0, 0.0))
        if n and now - last >= self.window:
            self._fails.pop(key, None)
            return 0.0
        if n < free:
            return 0.0
        return max(0.0, last + min(self.cap, self.base * 2 ** (n - free)) - now)

    def wait(self, client: str, name: str) -> float:
        """Seconds before this client may try this name again (0: now)."""
        with self._lock:
            now = self.clock()
            return max(self._delay(("n", client, name), self.free, now), self._delay(("c", client), self.free_client, now))

    def failed(self, client: str, name: str) -> None:
        with self._lock:
            now = self.clock()
            for key in (("n", client, name), ("c", client)):
                n, last = self._fails.pop(key, (0, now))
                self._fails[key] = ((0 if now - last >= self.window else n) + 1, now)
            while len(self._fails) > self.max_keys:  # bounded memory under a spray of names
                self._fails.pop(next(iter(self._fails)))

    def succeeded(self, client: str, name: str) -> None:
        with self._lock:
            self._fails.pop(("n", client, name), None)


@dataclass(frozen=True)
class Refused:
    """Why a sign-in was refused: a Chinese sentence, the HTTP status, and for 429 the wait."""

    message: str
    status: int = 401
    retry_after: int | None = None

    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else None


def client_address(request: Request) -> str:
    """The client's address (the proxy's forwarded one when uvicorn trusts the proxy)."""
    return request.client.host if request.client else "?"


def sign_in(request: Request, name: str, password: str) -> Refused | None:
    """Check a reviewer's password; on success start a fresh session (new CSRF token) for them.
    Returns why it was refused, or None when signed in."""
    throttle: LoginThrottle = request.app.state.login_throttle
    client = client_address(request)
    wait = throttle.wait(client, name)
    if wait > 0:
        seconds = math.ceil(wait)
        return Refused(f"登录失败次数过多，请{seconds}秒后再试", 429, seconds)
    store = request.app.state.store
    if not verify_password(store.user_hash(name) if name else None, password):
        throttle.failed(client, name)
        return Refused("用户名或密码不正确")
    throttle.succeeded(client, name)
    old = request.session.get("sid")
    if old:
        store.end_session(old)
    request.session.clear()
    request.session["sid"] = store.create_session(name, SESSION_SECONDS)
    request.state.user = name
    csrf_token(request)
    return None


def sign_out(request: Request) -> None:
    """End this session in the database (the cookie alone can no longer sign anyone in)."""
    sid = request.session.get("sid")
    if sid:
        request.app.state.store.end_session(sid)
    request.session.clear()
    request.state.user = None


def check_new_password(password: str) -> str | None:
    """The Chinese reason a new password is refused, or None."""
    if len(password) < MIN_PASSWORD:
        return f"密码至少{MIN_PASSWORD}个字符"
    return None


def csrf_token(request: Request) -> str:
    """This session's token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


# Ways a request names its reviewer besides the session cookie (e.g. an API bearer token): each
# is called with (ASGI scope, store) and returns the reviewer's name, or None when the request
# carries no such credential; a credential that is there but not valid raises HTTPException (401).
# A request so identified needs no CSRF token — a browser never adds such credentials by itself.
AUTHENTICATORS: list = []


def _identify(scope, store) -> tuple[str | None, bool]:
    """(the reviewer of this request, whether the session cookie named them), looked up once
    per request: the other authenticators first, then the session in the database."""
    state = scope.setdefault("state", {})
    if "user" not in state:
        user, by_session = None, False
        for authenticate in AUTHENTICATORS:
            user = authenticate(scope, store)
            if user:
                break
        if not user:
            sid = (scope.get("session") or {}).get("sid")
            user = store.session_user(sid) if isinstance(sid, str) else None
            if sid and user is None:
                scope["session"].pop("sid", None)  # ended or expired: forget it
            by_session = user is not None
        state["user"], state["user_by_session"] = user, by_session
    return state["user"], state.get("user_by_session", False)


def _session_user(scope, store) -> str | None:
    return _identify(scope, store)[0]


def _needs_csrf(scope, store) -> bool:
    user, by_session = _identify(scope, store)
    return user is None or by_session


def current_user(request: Request) -> str | None:
    return _session_user(request.scope, request.app.state.store)


class Forbidden(HTTPException):
    def __init__(self, detail: str, status: int = 403):
        super().__init__(status_code=status, detail=detail)


CSRF_FAILED = "安全校验失败（CSRF）：请刷新页面后重试"
READ_ONLY = "本服务以只读模式运行，不能修改数据"
SIGN_IN_FIRST = "请先登录审核员账号"


async def check_csrf(request: Request) -> None:
    if request.scope.get("state", {}).get("csrf_ok"):
        return  # WriteGate checked it before the body was read
    if not _needs_csrf(request.scope, request.app.state.store):
        return  # named by a credential a browser does not send by itself
    expected = request.session.get("csrf")
    sent = request.headers.get("x-csrf-token")
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise Forbidden(CSRF_FAILED)


async def require_writer(request: Request) -> str | None:
    """The dependency of every state-changing route: read-only mode, login, CSRF.  Returns the
    reviewer's name (None when --auth is off)."""
    settings = request.app.state.settings
    if settings.read_only:
        raise Forbidden(READ_ONLY)
    user = current_user(request)
    if settings.auth and not user:
        raise Forbidden(SIGN_IN_FIRST, 401)
    await check_csrf(request)
    return user


async def require_csrf(request: Request) -> None:
    """For sign-in and sign-out: CSRF only."""
    await check_csrf(request)


# ---- before the body ----------------------------------------------------------------------------

UNSAFE_METHODS = (b"POST", b"PUT", b"PATCH", b"DELETE")
PEEK_BYTES = 64 * 1024  # a form's token field must be within these


class WriteGate:
    """ASGI middleware (inside the session middleware): refuses a write — read-only mode, no
    reviewer signed in under --auth, a missing or wrong CSRF token — before its body is read.
    FastAPI reads a route's form before running its dependencies, so this cannot be a
    dependency.  The token comes from the X-CSRF-Token header or, for a form, from its field
    csrf_token: the first PEEK_BYTES of the body are read, looked at and handed on unchanged."""

    def __init__(self, app, settings, store):
        self.app, self.settings, self.store = app, settings, store

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"].encode() not in UNSAFE_METHODS:
            return await self.app(scope, receive, send)
        path = scope["path"]
        csrf_only = path in CSRF_ONLY_PATHS
        if not csrf_only and self.settings.read_only:
            return await _refuse(scope, send, 403, READ_ONLY)
        try:
            user = _session_user(scope, self.store)
        except HTTPException as exc:  # a credential that is there but not valid (a revoked API token)
            return await _refuse(scope, send, exc.status_code, exc.detail)
        if not csrf_only and self.settings.auth and not user:
            return await _refuse(scope, send, 401, SIGN_IN_FIRST)
        if not _needs_csrf(scope, self.store):
            return await self.app(scope, receive, send)
        expected = (scope.get("session") or {}).get("csrf")
        headers = dict(scope.get("headers") or [])
        sent = headers.get(b"x-csrf-token", b"").decode("latin-1") or None
        buffered: list[dict] = []
        if sent is None:
            ctype = headers.get(b"content-type", b"").decode("latin-1")
            sent, buffered = await _token_from_body(ctype, receive)
        if not expected or not sent or not hmac.compare_digest(str(expected).encode(), sent.encode()):
            return await _refuse(scope, send, 403, CSRF_FAILED)
        scope.setdefault("state", {})["csrf_ok"] = True

        async def replay():
            return buffered.pop(0) if buffered else await receive()

        await self.app(scope, replay, send)


async def _token_from_body(ctype: str, receive) -> tuple[str | None, list[dict]]:
    """(the csrf_token field of a form found in the body's first bytes, the messages read)."""
    messages: list[dict] = []
    data = b""
    low = ctype.lower()
    if not low.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return None, messages
    while len(data) < PEEK_BYTES:
        m = await receive()
        messages.append(m)
        if m["type"] != "http.request":
            break
        data += m.get("body", b"")
        token = _find_token(low, ctype, data)
        if token is not None or not m.get("more_body"):
            return token, messages
    return _find_token(low, ctype, data), messages


def _find_token(low: str, ctype: str, data: bytes) -> str | None:
    """The csrf_token field within these first bytes of a form (None: not among them)."""
    if low.startswith("application/x-www-form-urlencoded"):
        for k, v in parse_qsl(data.decode("latin-1"), keep_blank_values=True):
            if k == "csrf_token":
                return v
        return None
    m = re.search(r'boundary="?([^";]+)"?', ctype)
    if not m:
        return None
    boundary = b"--" + m.group(1).encode("latin-1")
    for part in re.finditer(re.escape(boundary) + rb"\r\n(.*?)\r\n\r\n", data, re.S):
        if re.search(rb'name="csrf_token"', part.group(1)):
            end = data.find(b"\r\n" + boundary, part.end())
            return data[part.end() : end].decode("latin-1") if end >= 0 else None
    return None


async def _refuse(scope, send, status: int, detail: str) -> None:
    """The refusal, without reading the body (the connection is closed after it)."""
    import html
    import json

    accept = dict(scope.get("headers") or []).get(b"accept", b"")
    if b"text/html" in accept and not scope["path"].startswith("/api"):
        ctype = b"text/html; charset=utf-8"
        body = ('<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>无法完成操作</title>'
                f'<p role="alert">{html.escape(detail)}</p><p><a href="/">返回首页</a></p></html>').encode()
    else:
        ctype = b"application/json; charset=utf-8"
        body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
