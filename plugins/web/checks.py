"""`samantha doctor`: can the dashboard listen where the config says?"""

from __future__ import annotations

import importlib.util
import socket
import urllib.request

from samantha.checks import Check, CheckResult, fail, ok

from .settings import WebSettings


def _ours(host: str, port: int) -> bool:
    """Whether what holds the port is a running Samantha's dashboard."""
    target = "127.0.0.1" if host in {"0.0.0.0", ""} else host
    target = f"[{target}]" if ":" in target else target
    try:
        with urllib.request.urlopen(f"http://{target}:{port}/", timeout=2) as answer:
            return b"Samantha" in answer.read(65536)
    except Exception:  # anything else on the port, or nothing that speaks HTTP
        return False


def dashboard_check(settings: WebSettings) -> Check:
    def run() -> CheckResult:
        if not settings.enabled:
            return ok("switched off (web.enabled: false)")
        missing = [m for m in ("starlette", "uvicorn", "jinja2")
                   if importlib.util.find_spec(m) is None]
        if missing:
            return fail(f"{', '.join(missing)} not installed",
                        "pip install 'samantha[web]'")
        where = f"{settings.host}:{settings.port}"
        if settings.port == 0:
            return ok(f"{settings.host}: a free port is picked at start")
        family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((settings.host, settings.port))
            except OSError as err:
                if _ours(settings.host, settings.port):
                    return ok(f"{where} is served by a running Samantha")
                return fail(f"cannot listen on {where}: {err.strerror or err}",
                            "set web.port to a free port, or stop what listens there")
        return ok(f"{where} is free")

    return Check("dashboard port", run, timeout=5)
