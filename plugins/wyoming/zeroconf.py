"""Optional `_wyoming._tcp.local.` advertisement, so Home Assistant discovers the server."""

from __future__ import annotations

import importlib.util
import logging
import socket
from typing import Any

from .settings import is_loopback

log = logging.getLogger(__name__)

SERVICE_TYPE = "_wyoming._tcp.local."


def wanted(setting: bool | None, host: str) -> bool:
    """Explicit setting wins; by default advertise only a reachable address, if we can."""
    if setting is not None:
        return setting
    return not is_loopback(host) and importlib.util.find_spec("zeroconf") is not None


class Advertisement:
    def __init__(self, name: str, host: str, port: int) -> None:
        self.name, self.host, self.port = name, host, port
        self._zc: Any = None
        self._info: Any = None

    async def start(self) -> None:
        try:
            from zeroconf import IPVersion
            from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf
        except ImportError:
            log.warning("wyoming: zeroconf advertisement asked for, but the zeroconf package "
                        "is not installed (pip install zeroconf)")
            return
        address = self.host
        if address in ("0.0.0.0", "", "::"):
            address = socket.gethostbyname(socket.gethostname())
        self._info = AsyncServiceInfo(
            SERVICE_TYPE, f"{self.name}.{SERVICE_TYPE}",
            addresses=[socket.inet_aton(address)], port=self.port)
        self._zc = AsyncZeroconf(ip_version=IPVersion.V4Only)
        await self._zc.async_register_service(self._info)
        log.info("wyoming: advertised %s on %s:%d", SERVICE_TYPE, address, self.port)

    async def stop(self) -> None:
        if self._zc is not None:
            await self._zc.async_unregister_service(self._info)
            await self._zc.async_close()
            self._zc = None
