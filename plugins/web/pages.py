"""The HTML pages: a shell per page (jinja2) that the plain JS in static/app.js fills from the
JSON API and keeps live with EventSource. Also the login form."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from samantha.plugins.web.access import COOKIE

if TYPE_CHECKING:
    from samantha.plugins.web.server import Dashboard

log = logging.getLogger(__name__)
PAGES = {"/": ("rooms", "Rooms"), "/turns": ("turns", "Live turns"),
         "/devices": ("devices", "Devices"), "/automations": ("automations", "Automations"),
         "/memory": ("memory", "People & memory")}
FAILED_LOGIN_DELAY_S = 0.5
MAX_FORM = 4096

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]))


def routes(dash: Dashboard) -> list[Route]:
    access = dash.access

    def page(name: str, title: str) -> Any:
        async def show(request: Request) -> Response:
            html = _env.get_template("page.html").render(
                page=name, title=title, pages=PAGES, home=dash.house.config.name,
                csrf=access.csrf_for(request), login=access.login_required)
            return HTMLResponse(html, headers={"Cache-Control": "no-store"})
        return show

    async def login_form(request: Request) -> Response:
        if not access.login_required:
            return RedirectResponse("/", status_code=303)
        error = request.query_params.get("failed") is not None
        return HTMLResponse(_env.get_template("login.html").render(
            home=dash.house.config.name, error=error))

    async def login(request: Request) -> Response:
        if not access.login_required:
            return RedirectResponse("/", status_code=303)
        raw = await request.body()
        password = ""
        if len(raw) <= MAX_FORM:
            values = parse_qs(raw.decode("utf-8", "replace"), max_num_fields=4)
            password = (values.get("password") or [""])[0]
        if not access.check(password):
            log.warning("dashboard: failed login from %s",
                        request.client.host if request.client else "?")
            await asyncio.sleep(FAILED_LOGIN_DELAY_S)
            return RedirectResponse("/login?failed", status_code=303)
        session = access.login()
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, session.token, max_age=int(access.settings.session_hours
                                                               * 3600),
                            httponly=True, samesite="strict", secure=access.settings.tls)
        return response

    async def logout(request: Request) -> Response:
        access.logout(request)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    return [
        *[Route(path, page(name, title)) for path, (name, title) in PAGES.items()],
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]
