"""API tokens: how a script writes through the desk's API without a browser session.

`xxgk users token NAME` issues a token for a reviewer; the script sends it as
`Authorization: Bearer xxgk_…`.  A token is 32 random bytes (secrets.token_urlsafe), shown once;
the database keeps only its SHA-256 (a token has far too much entropy to be guessed from it, so
no slow hash is needed) and the first characters, to tell tokens apart in `xxgk users tokens`.
A request that carries a token carries no cookie, so no other site can make a browser send it:
it needs no CSRF token.  `xxgk users revoke-token` deletes it; removing the reviewer does too.
"""

from __future__ import annotations

import hashlib
import secrets

from fastapi import HTTPException, Request

PREFIX = "xxgk_"
SHOWN = 12  # characters of a token kept in clear (PREFIX + 7), to tell tokens apart


def issue() -> tuple[str, str, str]:
    """A new token: (token, its SHA-256 hex, its shown prefix)."""
    token = PREFIX + secrets.token_urlsafe(32)
    return token, digest(token), token[:SHOWN]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def bearer_user(request: Request) -> str | None:
    """The reviewer of the request's `Authorization: Bearer` token; None when the request has no
    such header (a browser): then the session and CSRF rules apply.  A token that is unknown or
    revoked is refused (401), never taken for no token."""
    return authenticate(request.scope, request.app.state.store)


def authenticate(scope, store) -> str | None:
    """security.AUTHENTICATORS entry: the same on the ASGI scope, so the desk's write gate knows
    the reviewer (and that no CSRF token is needed) before it reads the body."""
    header = next((v.decode("latin-1") for k, v in scope.get("headers") or () if k == b"authorization"), None)
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "Authorization 头应为 “Bearer 令牌”", headers={"WWW-Authenticate": "Bearer"})
    user = store.token_user(digest(token)) if token.startswith(PREFIX) and len(token) < 200 else None
    if user is None:
        raise HTTPException(401, "API 令牌无效或已撤销", headers={"WWW-Authenticate": "Bearer"})
    return user


def _register() -> None:
    from .security import AUTHENTICATORS

    if authenticate not in AUTHENTICATORS:
        AUTHENTICATORS.append(authenticate)


_register()
