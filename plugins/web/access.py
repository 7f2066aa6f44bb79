"""Who may use the dashboard: the Host check, logins and sessions, CSRF, API tokens.

Without a password the dashboard listens on loopback and needs no login, but it still
refuses foreign Host headers (DNS rebinding) and unsafe requests without the page's CSRF
token: otherwise any web site open in the same browser could unlock the front door.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from samantha.plugins.web.passwords import check_password
from samantha.plugins.web.settings import WebSettings, is_loopback

COOKIE = "samantha_session"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_PREFIXES = ("/static/", "/login")
MAX_SESSIONS = 1000


@dataclass
class Session:
    token: str
    csrf: str
    expires: float
    data: dict[str, Any] = field(default_factory=dict)


class Access:
    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.hashed = settings.password.get_secret_value() if settings.password else None
        self.sessions: dict[str, Session] = {}
        # Without a login every page shares one CSRF token, made fresh at each start.
        self.open_csrf = secrets.token_urlsafe(32)
        self._tokens_ok: set[str] = set()  # sha256 of API tokens already checked (scrypt is slow)

    @property
    def login_required(self) -> bool:
        return self.hashed is not None

    def check(self, password: str) -> bool:
        return self.hashed is not None and check_password(password, self.hashed)

    def login(self) -> Session:
        now = time.time()
        for token in [t for t, s in self.sessions.items() if s.expires < now]:
            del self.sessions[token]
        if len(self.sessions) >= MAX_SESSIONS:  # a login flood must not grow memory forever
            oldest = min(self.sessions.values(), key=lambda s: s.expires)
            del self.sessions[oldest.token]
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32),
                          now + self.settings.session_hours * 3600)
        self.sessions[session.token] = session
        return session

    def logout(self, request: Request) -> None:
        self.sessions.pop(request.cookies.get(COOKIE, ""), None)

    def session_of(self, request: Request) -> Session | None:
        session = self.sessions.get(request.cookies.get(COOKIE, ""))
        if session is None or session.expires < time.time():
            return None
        return session

    def bearer_ok(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer ") or self.hashed is None:
            return False
        token = header[7:].strip()
        digest = hashlib.sha256(token.encode()).hexdigest()
        if digest in self._tokens_ok:
            return True
        if self.check(token):
            self._tokens_ok.add(digest)
            return True
        return False

    def csrf_for(self, request: Request) -> str:
        session = self.session_of(request)
        return session.csrf if session else self.open_csrf

    def host_ok(self, request: Request) -> bool:
        if self.login_required:
            return True
        host = request.headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return is_loopback(name.strip("[]"))


def refuse(status: int, message: str, request: Request) -> Response:
    if status == 401 and request.method == "GET" and "text/html" in request.headers.get(
            "accept", ""):
        return RedirectResponse("/login", status_code=303)
    return JSONResponse({"error": message}, status_code=status)


class AccessMiddleware:
    """Every request passes here first; nothing else is reached without passing."""

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        problem = self._problem(request)
        if problem is not None:
            await problem(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _problem(self, request: Request) -> Response | None:
        access = self.access
        if not access.host_ok(request):
            return JSONResponse({"error": "this dashboard answers only to 127.0.0.1 or "
                                 "localhost (the Host header named another address)"},
                                status_code=403)
        path = request.url.path
        if path.startswith(PUBLIC_PREFIXES):
            if request.method in UNSAFE and not same_origin(request):
                return JSONResponse({"error": "cross-site form submission refused"},
                                    status_code=403)
            return None
        if access.bearer_ok(request):
            return None  # API clients with the token: no cookie, so no CSRF to guard against
        session = access.session_of(request)
        if access.login_required and session is None:
            return refuse(401, "log in first (POST /login, or send Authorization: Bearer "
                          "<token>)", request)
        if request.method in UNSAFE:
            expected = session.csrf if session else access.open_csrf
            given = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return JSONResponse({"error": "missing or wrong X-CSRF-Token header (reload "
                                     "the page)"}, status_code=403)
        return None


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def json_error(status: int, message: str, where: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if where:
        body["where"] = where
    return JSONResponse(body, status_code=status)


__all__ = ["COOKIE", "Access", "AccessMiddleware", "json_error"]
