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
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "Authorization 头应为 “Bearer 令牌”", headers={"WWW-Authenticate": "Bearer"})
    user = request.app.state.store.token_user(digest(token)) if token.startswith(PREFIX) and len(token) < 200 else None
    if user is None:
        raise HTTPException(401, "API 令牌无效或已撤销", headers={"WWW-Authenticate": "Bearer"})
    return user
