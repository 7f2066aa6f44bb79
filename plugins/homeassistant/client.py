"""`HomeAssistantLink`: Samantha's one connection to a Home Assistant instance.

REST (homeassistant-api `AsyncClient`) for config, states and service calls; the websocket
(`AsyncWebsocketClient`) for the registries and for `state_changed` events. Against HA 2024.3
only `trigger_service` is safe for actions: the library's REST Domain/Service objects expect
the response format of HA >= 2024.8 and raise after the action already ran.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

from homeassistant_api import AsyncClient, AsyncWebsocketClient
from homeassistant_api.errors import (
    EndpointNotFoundError,
    HomeassistantAPIError,
    InternalServerError,
    RequestError,
    RequestTimeoutError,
    ResponseError,
    UnauthorizedError,
    WebsocketError,
)
from homeassistant_api.models import State
from homeassistant_api.models.websocket import FiredEvent
from niquests import AsyncSession

from .errors import (
    HomeAssistantAuthError,
    HomeAssistantError,
    HomeAssistantNotReadyError,
    HomeAssistantUnreachableError,
    NotExposedError,
    ServiceCallError,
    UnknownEntityError,
)
from .mapping import ServiceCall
from .models import Area, Entity, EntityState, Floor, Snapshot, StateChange
from .settings import HomeAssistantSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")
_CANCEL_ATTEMPTS = 25
_CANCEL_GRACE = 0.2  # seconds
StateCallback = Callable[[StateChange], Awaitable[None] | None]
SnapshotCallback = Callable[[Snapshot], Awaitable[None] | None]
AvailabilityCallback = Callable[[bool], Awaitable[None] | None]


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if inspect.isawaitable(result):
        await result


# Substrings of network errors -> what a person reading the log needs. urllib3's own texts
# run to hundreds of characters of pool and object names.
_REASONS: tuple[tuple[str, str], ...] = (
    ("[Errno 111]", "connection refused"),
    ("Connection refused", "connection refused"),
    ("Failed to resolve", "host name not found"),
    ("Name or service not known", "host name not found"),
    ("No route to host", "no route to host"),
    ("Network is unreachable", "network unreachable"),
    ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted (see verify_ssl)"),
    ("timed out", "timed out"),
)


def _short_reason(err: BaseException) -> str:
    text = str(err).strip()
    for needle, reason in _REASONS:
        if needle.lower() in text.lower():
            return reason
    return text[:200] or type(err).__name__


def _to_state(state: State) -> EntityState:
    return EntityState(
        entity_id=state.entity_id,
        state=state.state,
        attributes=dict(state.attributes),
        last_changed=state.last_changed,
        last_updated=state.last_updated,
    )


class HomeAssistantLink:
    """Async link to Home Assistant; use `async with` or `connect()` / `close()`."""

    def __init__(self, settings: HomeAssistantSettings) -> None:
        self.settings = settings
        self._rest: AsyncClient | None = None
        self._snapshot: Snapshot | None = None
        self._index: dict[str, Entity] = {}
        self._ha_version: str | None = None
        self._temperature_unit: str | None = None
        self._watchers: set[asyncio.Task[None]] = set()
        self._closing = False
        self.available = False
        # An outage is a warning in a running house; a one-shot command says it once itself.
        self.outage_level = logging.WARNING

    # -- lifecycle -------------------------------------------------------------------------
    async def __aenter__(self) -> HomeAssistantLink:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def connect(self) -> str:
        """Check address, token and start-up state; returns HA's version.

        Raises HomeAssistantUnreachableError, HomeAssistantAuthError or
        HomeAssistantNotReadyError with a message that names the address and the cause.
        """
        if self._rest is None:
            session = AsyncSession()
            session.verify = self.settings.verify_ssl
            self._rest = AsyncClient(
                self.settings.api_url,
                self.settings.token.get_secret_value(),
                session=session,
                verify_ssl=self.settings.verify_ssl,
                global_request_kwargs={"timeout": self.settings.timeout},  # type: ignore[dict-item]
            )
        with self._errors("connecting"):
            config = await self._rest.get_config()
        state = config.get("state", "RUNNING")
        if state != "RUNNING":
            self.available = False
            raise HomeAssistantNotReadyError(
                f"Home Assistant at {self.settings.url} is still starting (state {state})"
            )
        self._ha_version = str(config.get("version", "unknown"))
        self._temperature_unit = (config.get("unit_system") or {}).get("temperature")
        self.available = True
        return self._ha_version

    async def close(self) -> None:
        self._closing = True
        pending = set(self._watchers)
        for _ in range(_CANCEL_ATTEMPTS):
            if not pending:
                break
            # Cancel again until the task ends: niquests' websocket can swallow a cancellation
            # that arrives while it is reading a message, and then waits for the next one.
            for task in pending:
                task.cancel()
            _done, pending = await asyncio.wait(pending, timeout=_CANCEL_GRACE)
        if pending:
            logger.warning("Home Assistant at %s: the event listener did not stop",
                           self.settings.url)
        self._watchers.clear()
        if self._rest is not None:
            with contextlib.suppress(Exception):
                await self._rest._session.close()
            self._rest = None
        self.available = False

    @property
    def snapshot(self) -> Snapshot | None:
        """The last sync, with entity states kept current by the state stream."""
        return self._snapshot

    # -- errors ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _errors(
        self, doing: str, *, entity_id: str | None = None, service: bool = False
    ) -> Iterator[None]:
        """Turn library and network failures into our errors, logged once, token-free.

        `entity_id`: a 404 means HA has no such entity. `service`: HA's refusals are
        ServiceCallErrors (HA 2024.3 answers 400 for an unknown service or bad data).
        """
        url = self.settings.url
        error: HomeAssistantError
        try:
            yield
        except HomeAssistantError:
            raise
        except UnauthorizedError as err:
            self.available = False
            error = HomeAssistantAuthError(
                f"Home Assistant at {url}: the access token was refused (401) while {doing}"
            )
            logger.error("%s", error)
            raise error from err
        except (RequestTimeoutError, TimeoutError, asyncio.TimeoutError) as err:
            self.available = False
            error = HomeAssistantUnreachableError(
                f"Home Assistant at {url} did not answer within {self.settings.timeout:g}s "
                f"while {doing}"
            )
            logger.log(self.outage_level, "%s", error)
            raise error from err
        except (OSError, WebsocketError) as err:
            # niquests' exceptions are OSErrors; a dropped websocket is a WebsocketError.
            self.available = False
            reason = _short_reason(err)
            error = HomeAssistantUnreachableError(
                f"Home Assistant at {url} is unreachable while {doing}: {reason[:200]}"
            )
            logger.log(self.outage_level, "%s", error)
            raise error from err
        except EndpointNotFoundError as err:
            if entity_id is None:
                error = HomeAssistantError(f"Home Assistant at {url}: not found while {doing}")
            else:
                error = UnknownEntityError(
                    f"Home Assistant at {url} has no entity {entity_id}", entity_id
                )
            logger.warning("%s", error)
            raise error from err
        except RequestError as err:
            kind = ServiceCallError if service else HomeAssistantError
            error = kind(
                f"Home Assistant at {url} rejected {doing} (400: unknown service or invalid data)"
            )
            logger.error("%s", error)
            raise error from err
        except InternalServerError as err:
            # HA's own log has the traceback; ours names the action.
            kind = ServiceCallError if service else HomeAssistantError
            error = kind(
                f"Home Assistant at {url} failed while {doing} (500: see the Home Assistant log)"
            )
            logger.error("%s", error)
            raise error from err
        except (HomeassistantAPIError, TypeError, ValueError) as err:
            # 500s (a device or integration failed) and answers the library could not parse.
            kind = ServiceCallError if service else HomeAssistantError
            error = kind(f"Home Assistant at {url} failed while {doing}: {str(err)[:300]}")
            logger.error("%s", error)
            raise error from err

    # -- read ------------------------------------------------------------------------------
    async def _client(self) -> AsyncClient:
        if self._rest is None:
            await self.connect()
        assert self._rest is not None
        return self._rest

    async def get_state(self, entity_id: str, *, check_exposed: bool = True) -> EntityState:
        """HA's live state of one entity (HassGetState answers from this)."""
        if check_exposed:
            await self._check_exposed(entity_id)
        return await self._fetch_state(entity_id)

    async def _fetch_state(self, entity_id: str) -> EntityState:
        client = await self._client()
        with self._errors(f"reading {entity_id}", entity_id=entity_id):
            return _to_state(await client.get_state(entity_id=entity_id))

    # -- sync ------------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def _open_ws(self, doing: str) -> AsyncIterator[AsyncWebsocketClient]:
        session = AsyncSession()
        session.verify = self.settings.verify_ssl
        ws = AsyncWebsocketClient(
            self.settings.ws_url, self.settings.token.get_secret_value(), session=session
        )
        try:
            with self._errors(doing):
                await asyncio.wait_for(ws.__aenter__(), self.settings.timeout)
        except BaseException:
            with contextlib.suppress(Exception):
                await session.close()
            raise
        try:
            yield ws
        finally:
            with contextlib.suppress(Exception):
                await ws.__aexit__(None, None, None)

    async def _command(self, ws: AsyncWebsocketClient, kind: str, **data: Any) -> Any:
        # The registries have no typed helper in homeassistant-api that parses HA 2024.3's
        # payloads, so we send raw commands through its client (send/recv_result).
        resp = await asyncio.wait_for(
            ws.recv_result(await ws.send(kind, **data)), self.settings.timeout
        )
        return resp.result

    async def _optional_command(
        self, ws: AsyncWebsocketClient, kind: str, default: T, **data: Any
    ) -> Any | T:
        try:
            return await self._command(ws, kind, **data)
        except ResponseError as err:
            if "unknown_command" not in str(err):
                raise
            return default

    async def sync(self) -> Snapshot:
        """Read areas, floors, devices, entities and states into a fresh Snapshot."""
        await self.connect()
        async with self._open_ws("reading the registries") as ws:
            with self._errors("reading the registries"):
                area_rows = await self._command(ws, "config/area_registry/list")
                # The floor registry arrived in HA 2024.4.
                floor_rows = await self._optional_command(ws, "config/floor_registry/list", None)
                device_rows = await self._command(ws, "config/device_registry/list")
                entry_rows = await self._command(ws, "config/entity_registry/list")
                state_rows = await self._command(ws, "get_states")
                # Aliases and device classes are only in the extended registry entries.
                extended = await self._optional_command(
                    ws,
                    "config/entity_registry/get_entries",
                    {},
                    entity_ids=[row["entity_id"] for row in entry_rows],
                )
        snapshot = self._build_snapshot(
            area_rows, floor_rows, device_rows, entry_rows, extended or {}, state_rows
        )
        self._snapshot = snapshot
        self._index = {e.entity_id: e for e in snapshot.entities}
        logger.info(
            "Synced Home Assistant at %s: %d areas, %d entities (%d exposed)",
            self.settings.url,
            len(snapshot.areas),
            len(snapshot.entities),
            len(snapshot.exposed_entities()),
        )
        return snapshot

    def _build_snapshot(
        self,
        area_rows: list[dict[str, Any]],
        floor_rows: list[dict[str, Any]] | None,
        device_rows: list[dict[str, Any]],
        entry_rows: list[dict[str, Any]],
        extended: dict[str, dict[str, Any] | None],
        state_rows: list[dict[str, Any]],
    ) -> Snapshot:
        areas = [
            Area(
                id=row["area_id"],
                name=row["name"],
                aliases=sorted(row.get("aliases") or []),
                floor_id=row.get("floor_id"),
            )
            for row in area_rows
        ]
        floors = [
            Floor(
                id=row["floor_id"],
                name=row["name"],
                aliases=sorted(row.get("aliases") or []),
                level=row.get("level"),
            )
            for row in floor_rows or []
        ]
        area_names = {a.id: a.name for a in areas}
        device_area = {row["id"]: row.get("area_id") for row in device_rows}
        entries = {row["entity_id"]: row for row in entry_rows}
        entities: list[Entity] = []
        for row in state_rows:
            state = EntityState.model_validate(row)
            entry = entries.get(state.entity_id, {})
            ext = extended.get(state.entity_id) or {}
            area_id = entry.get("area_id") or device_area.get(entry.get("device_id") or "")
            device_class = (
                state.attributes.get("device_class")
                or ext.get("device_class")
                or ext.get("original_device_class")
            )
            name = (
                state.attributes.get("friendly_name")
                or entry.get("name")
                or entry.get("original_name")
                or state.entity_id.partition(".")[2].replace("_", " ")
            )
            exposed = self.settings.exposed.is_exposed(
                state.entity_id,
                device_class=device_class,
                area_id=area_id,
                area_name=area_names.get(area_id or ""),
                hidden=entry.get("hidden_by") is not None,
                entity_category=entry.get("entity_category"),
            )
            entities.append(
                Entity(
                    entity_id=state.entity_id,
                    domain=state.domain,
                    name=str(name),
                    aliases=sorted(ext.get("aliases") or []),
                    area_id=area_id,
                    device_id=entry.get("device_id"),
                    device_class=device_class,
                    exposed=exposed,
                    state=state,
                )
            )
        return Snapshot(
            ha_version=self._ha_version or "unknown",
            temperature_unit=self._temperature_unit,
            floors_supported=floor_rows is not None,
            areas=areas,
            floors=floors,
            entities=entities,
        )

    # -- exposure --------------------------------------------------------------------------
    def is_exposed(self, entity_id: str) -> bool:
        entity = self._index.get(entity_id)
        if entity is not None:
            return entity.exposed
        # Not synced yet (new entity): judge by id alone; area rules cannot pass without one.
        return self.settings.exposed.is_exposed(entity_id)

    async def _check_exposed(self, entity_id: str) -> None:
        if self._snapshot is None or entity_id not in self._index:
            # Unknown locally: find out whether HA has it at all, then learn its area etc.
            await self._fetch_state(entity_id)
            await self.sync()
        if not self.is_exposed(entity_id):
            error = NotExposedError(
                f"{entity_id} is not exposed to Samantha (homeassistant.exposed)", entity_id
            )
            logger.warning("%s", error)
            raise error

    async def ws_command(self, doing: str, kind: str, *, about: str, **data: Any) -> Any:
        """One websocket command about exposed entity `about` (to-do items, forecasts)."""
        await self._check_exposed(about)
        async with self._open_ws(doing) as ws:
            with self._errors(doing, entity_id=about):
                return await self._command(ws, kind, **data)

    # -- act -------------------------------------------------------------------------------
    async def execute(self, call: ServiceCall) -> list[EntityState]:
        return await self.call(call.domain, call.service, call.entity_id, **call.data)

    async def call(
        self, domain: str, service: str, entity_id: str, **data: Any
    ) -> list[EntityState]:
        """Run an HA service on one exposed entity; returns the states it changed."""
        await self._check_exposed(entity_id)
        client = await self._client()
        what = f"{domain}.{service} on {entity_id} with {data}"
        with self._errors(f"calling {what}", entity_id=entity_id, service=True):
            changed = await client.trigger_service(domain, service, entity_id=entity_id, **data)
        states = [_to_state(s) for s in changed]
        for state in states:
            self._apply(state.entity_id, state)
        return states

    # -- live ------------------------------------------------------------------------------
    def _apply(self, entity_id: str, new_state: EntityState | None) -> None:
        entity = self._index.get(entity_id)
        if entity is not None and new_state is not None:
            entity.state = new_state

    async def state_changes(
        self,
        *,
        on_resync: SnapshotCallback | None = None,
        on_availability: AvailabilityCallback | None = None,
        exposed_only: bool = True,
    ) -> AsyncIterator[StateChange]:
        """`state_changed` events, forever, across HA restarts.

        After every (re)subscription the link resyncs and passes the Snapshot to `on_resync`,
        so changes missed while away (or between an earlier sync and the subscription) are
        never lost. Connection loss is retried with capped exponential backoff; only a
        refused token ends the stream (HomeAssistantAuthError).
        """
        delay = self.settings.reconnect_initial_delay
        while True:
            try:
                async with self._open_ws("subscribing to state changes") as ws:
                    with self._errors("subscribing to state changes"):
                        subscription = await ws.send("subscribe_events", event_type="state_changed")
                        await asyncio.wait_for(ws.recv_result(subscription), self.settings.timeout)
                    snapshot = await self.sync()
                    if on_availability is not None:
                        await _maybe_await(on_availability(True))
                    if on_resync is not None:
                        await _maybe_await(on_resync(snapshot))
                    delay = self.settings.reconnect_initial_delay
                    while True:
                        with self._errors("listening for state changes"):
                            response = await ws.recv_event(subscription)
                        if self._closing:
                            return
                        change = self._to_change(response.event)
                        if change is None:
                            continue
                        self._apply(change.entity_id, change.new_state)
                        if not exposed_only or self.is_exposed(change.entity_id):
                            yield change
            except HomeAssistantAuthError:
                raise
            except Exception as err:
                if self._closing:
                    # asyncio.wait_for can turn our cancellation into the connect attempt's
                    # own error; retrying then would keep close() waiting forever.
                    return
                # Anything but a refused token is worth retrying: HA restarts, networks
                # drop, and a half-started HA answers oddly for a moment.
                self.available = False
                if on_availability is not None:
                    await _maybe_await(on_availability(False))
                logger.warning(
                    "Lost Home Assistant at %s (%s: %s); reconnecting in %.1fs",
                    self.settings.url,
                    type(err).__name__,
                    str(err)[:200],
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.reconnect_max_delay)

    @staticmethod
    def _to_change(event: object) -> StateChange | None:
        if not isinstance(event, FiredEvent) or event.event_type != "state_changed":
            return None
        data = event.data
        old, new = data.get("old_state"), data.get("new_state")
        return StateChange(
            entity_id=data["entity_id"],
            old_state=EntityState.model_validate(old) if old else None,
            new_state=EntityState.model_validate(new) if new else None,
            time_fired=event.time_fired,
        )

    def watch(
        self,
        on_change: StateCallback,
        *,
        on_resync: SnapshotCallback | None = None,
        on_availability: AvailabilityCallback | None = None,
        exposed_only: bool = True,
    ) -> asyncio.Task[None]:
        """Run `state_changes` in a background task feeding callbacks; `close()` stops it."""

        async def run() -> None:
            try:
                async for change in self.state_changes(
                    on_resync=on_resync, on_availability=on_availability, exposed_only=exposed_only
                ):
                    try:
                        await _maybe_await(on_change(change))
                    except Exception:
                        # A faulty consumer must not cut the home model off from HA.
                        logger.exception("state change callback failed for %s", change.entity_id)
            except HomeAssistantAuthError as err:
                logger.error("Stopped following Home Assistant: %s", err)

        self._closing = False
        task = asyncio.get_running_loop().create_task(run(), name="homeassistant-watch")
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)
        return task
