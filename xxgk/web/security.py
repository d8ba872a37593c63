"""Who may write, and proof that a write comes from the desk's own pages.

- Passwords: Argon2id (argon2-cffi); the corpus database keeps only the hash.
- Sessions: a signed cookie (Starlette's SessionMiddleware), SameSite=Lax, HttpOnly.
- CSRF: a random token per session (synchronizer token).  Every state-changing request — form
  or API — must send it back, as the `csrf_token` form field or the `X-CSRF-Token` header; a page
  of another site can do neither.  API clients get it from GET /api/session.
- --auth: writes need a reviewer signed in; reads stay open.  --read-only: no writes at all.
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import HTTPException, Request

_HASHER = PasswordHasher()
USERNAME = re.compile(r"^[\w.\-@\u4e00-\u9fff]{1,64}$")
MIN_PASSWORD = 8


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


class LoginThrottle:
    """After `limit` failed sign-ins for one name within `window` seconds, that name is locked
    for the rest of the window (a password cannot be guessed at server speed)."""

    def __init__(self, limit: int = 5, window: float = 300.0):
        self.limit, self.window = limit, window
        self._fails: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, name: str, now: float) -> list[float]:
        fails = [t for t in self._fails.get(name, []) if now - t < self.window]
        if fails:
            self._fails[name] = fails
        else:
            self._fails.pop(name, None)
        return fails

    def locked(self, name: str) -> bool:
        with self._lock:
            return len(self._recent(name, time.monotonic())) >= self.limit

    def failed(self, name: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent(name, now)
            self._fails.setdefault(name, []).append(now)
            if len(self._fails) > 10_000:  # bounded memory under a spray of names
                self._fails.pop(next(iter(self._fails)))

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._fails.pop(name, None)


LOCKED_MESSAGE = "登录失败次数过多，请5分钟后再试"


def sign_in(request: Request, name: str, password: str) -> str | None:
    """Check a reviewer's password; on success start a fresh session (new CSRF token) for them.
    Returns the refusal message, or None when signed in."""
    throttle: LoginThrottle = request.app.state.login_throttle
    if throttle.locked(name):
        return LOCKED_MESSAGE
    if not verify_password(request.app.state.store.user_hash(name) if name else None, password):
        throttle.failed(name)
        return "用户名或密码不正确"
    throttle.succeeded(name)
    request.session.clear()
    request.session["user"] = name
    csrf_token(request)
    return None


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


def current_user(request: Request) -> str | None:
    return request.session.get("user")


class Forbidden(HTTPException):
    def __init__(self, detail: str, status: int = 403):
        super().__init__(status_code=status, detail=detail)


async def check_csrf(request: Request) -> None:
    expected = request.session.get("csrf")
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise Forbidden("安全校验失败（CSRF）：请刷新页面后重试")


async def require_writer(request: Request) -> str | None:
    """The dependency of every state-changing route: read-only mode, login, CSRF.  Returns the
    reviewer's name (None when --auth is off)."""
    settings = request.app.state.settings
    if settings.read_only:
        raise Forbidden("本服务以只读模式运行，不能修改数据")
    from .tokens import bearer_user  # API tokens (xxgk users token): no cookie, so no CSRF

    token_user = bearer_user(request)
    if token_user is not None:
        return token_user
    await check_csrf(request)
    user = current_user(request)
    if settings.auth and not user:
        raise Forbidden("请先登录审核员账号", 401)
    return user


async def require_csrf(request: Request) -> None:
    """For sign-in and sign-out: CSRF only."""
    await check_csrf(request)
