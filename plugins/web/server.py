"""The dashboard server: a Starlette app served by uvicorn inside the house's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from samantha.events import BaseEvent, DeviceStateChanged, RoomActivityChanged
from samantha.plugins.web import api, pages
from samantha.plugins.web.access import Access, AccessMiddleware, json_error
from samantha.plugins.web.audio import AudioStore
from samantha.plugins.web.live import Broadcaster
from samantha.plugins.web.settings import WebSettings
from samantha.plugins.web.turns import TurnLog

if TYPE_CHECKING:
    from samantha.home import Device
    from samantha.house import House
    from samantha.providers import Command

log = logging.getLogger(__name__)
HERE = Path(__file__).parent


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the house owns SIGINT and SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def install_signal_handlers(self) -> None:  # older uvicorn
        pass


class Dashboard:
    def __init__(self, house: House, settings: WebSettings) -> None:
        self.house = house
        self.settings = settings
        self.access = Access(settings)
        self.turns = TurnLog(settings.keep_turns, AudioStore(settings.audio_dir))
        self.live = Broadcaster()
        self.turns.listeners.append(lambda turn: self.live.send("turn", turn))
        self.app = self._build()
        self.server: _QuietServer | None = None
        self.task: asyncio.Task[None] | None = None
        self.sock: socket.socket | None = None
        self._unsubscribe: Any = None

    def _build(self) -> Starlette:
        async def http_error(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, HTTPException)
            return json_error(exc.status_code, str(exc.detail))

        async def bad_request(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, api.BadRequest)
            return json_error(exc.status, exc.message, exc.where)

        async def crash(request: Request, exc: Exception) -> Response:
            log.exception("dashboard: %s %s failed", request.method, request.url.path)
            return json_error(500, "the house could not do that; its log says why")

        app = Starlette(
            routes=[*pages.routes(self), *api.routes(self),
                    Mount("/static", StaticFiles(directory=HERE / "static"), name="static")],
            exception_handlers={HTTPException: http_error, api.BadRequest: bad_request,
                                Exception: crash})
        app.add_middleware(AccessMiddleware, access=self.access)
        return app

    def needs_confirmation(self, device: Device, command: Command) -> bool:
        """The persona's rule for the model's commands, so the page is no easier than voice."""
        from samantha.kinds import SENSITIVE_KINDS

        try:
            from samantha.plugins.persona.runtime import runtime_of

            return bool(runtime_of(self.house).needs_confirmation(device, command))
        except Exception:
            return device.sensitive or device.kind in SENSITIVE_KINDS

    def _observe(self, event: BaseEvent) -> None:
        self.turns.observe(event)
        if isinstance(event, DeviceStateChanged):
            self.live.send("device", {"id": event.device, "state": event.new})
        elif isinstance(event, RoomActivityChanged):
            self.live.send("room", {"id": event.room, "activity": event.activity,
                                    "muted": event.muted})

    @property
    def address(self) -> str:
        assert self.sock is not None
        host, port = self.sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        if host in {"0.0.0.0", "::"}:
            shown = socket.gethostname()
        return f"{'https' if self.settings.tls else 'http'}://{shown}:{port}/"

    def _bind(self) -> socket.socket:
        s = self.settings
        family = socket.AF_INET6 if ":" in s.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((s.host, s.port))
        except OSError:
            sock.close()
            raise
        sock.listen(128)
        sock.setblocking(False)
        return sock

    async def start(self) -> str:
        """Listen and serve; returns the address. Raises OSError when the port is taken."""
        self.sock = self._bind()
        s = self.settings
        config = uvicorn.Config(
            self.app, log_level="warning", access_log=False, lifespan="off",
            ssl_certfile=str(s.certfile) if s.certfile else None,
            ssl_keyfile=str(s.keyfile) if s.keyfile else None,
            timeout_graceful_shutdown=1, server_header=False)
        self.server = _QuietServer(config)
        self._unsubscribe = self.house.bus.subscribe(BaseEvent, self._observe)
        self.task = asyncio.get_running_loop().create_task(
            self.server.serve(sockets=[self.sock]))
        while not self.server.started:
            if self.task.done():
                self.task.result()  # raises what stopped it
                raise OSError("the dashboard server stopped at once")
            await asyncio.sleep(0.01)
        return self.address

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.live.close()
        if self.server is not None and self.task is not None:
            self.server.should_exit = True
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self.task, 5)
        if self.sock is not None:
            self.sock.close()
