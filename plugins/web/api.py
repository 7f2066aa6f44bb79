"""The JSON API (documented in docs/dashboard.md); the pages call the same endpoints.

Everything from the network is validated with pydantic before it reaches the house; a bad
request gets a 4xx with what was wrong and where, never a traceback.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from samantha.house import UnknownRoom
from samantha.plugins.web import views
from samantha.plugins.web.access import json_error
from samantha.plugins.web.live import MAX_CLIENTS
from samantha.providers import Command

if TYPE_CHECKING:
    from samantha.plugins.web.server import Dashboard

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SayBody(Strict):
    room: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=500)


class DeviceBody(Strict):
    action: str = Field(min_length=1, max_length=40)
    params: dict[str, Any] = Field(default_factory=dict)
    confirm: bool = False


class EnabledBody(Strict):
    enabled: bool


class BadRequest(Exception):
    def __init__(self, message: str, where: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.where, self.status = message, where, status


def parse_body(raw: bytes, model: type[BaseModel]) -> Any:
    """The body as `model`, or BadRequest saying what is wrong and where (nothing else)."""
    if len(raw) > MAX_BODY:
        raise BadRequest(f"the body is over {MAX_BODY} bytes", status=413)
    try:
        return model.model_validate_json(raw)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        where = "body." + ".".join(str(p) for p in first["loc"]) if first["loc"] else "body"
        raise BadRequest(first["msg"], where) from None


async def body_of(request: Request, model: type[BaseModel]) -> Any:
    if "application/json" not in request.headers.get("content-type", ""):
        raise BadRequest("send a JSON body (Content-Type: application/json)", status=415)
    return parse_body(await request.body(), model)


def int_param(request: Request, name: str) -> int:
    text = request.path_params[name]
    if not text.isdigit() or len(text) > 12:
        raise BadRequest(f"{name} must be a whole number", f"path.{name}", 404)
    return int(text)


def routes(dash: Dashboard) -> list[Route]:
    house = dash.house

    async def rooms(request: Request) -> Response:
        return JSONResponse(views.rooms(house))

    async def turns(request: Request) -> Response:
        room = request.query_params.get("room")
        if room is not None and house.home.find_room(room) is None:
            raise BadRequest(f"no room {room!r}", "query.room", 404)
        return JSONResponse(dash.turns.recent(house.room(room).id if room else None))

    async def turn_audio(request: Request) -> Response:
        turn_id = int_param(request, "turn_id")
        data = dash.turns.audio.get(turn_id)
        if data is None:
            raise BadRequest(f"no audio kept for turn {turn_id}", "path.turn_id", 404)
        return Response(data, media_type="audio/wav",
                        headers={"Cache-Control": "private, max-age=3600"})

    async def say(request: Request) -> Response:
        body: SayBody = await body_of(request, SayBody)
        try:
            outcome = await house.handle_text(body.text, body.room)
        except UnknownRoom as err:
            raise BadRequest(str(err), "body.room", 404) from None
        results = [{"device": r.command.device, "action": r.command.action, "ok": r.ok,
                    "error": r.error} for r in outcome.results]
        turn = dash.turns.current.get(outcome.room)
        if turn is not None:
            dash.turns.record_results(turn.id, results)
        return JSONResponse({**outcome.public(), "results": results,
                             "turn": turn.id if turn else None})

    async def devices(request: Request) -> Response:
        return JSONResponse(views.devices(house))

    async def control(request: Request) -> Response:
        device_id = request.path_params["device_id"]
        device = house.home.devices.get(device_id)
        if device is None:
            raise BadRequest(f"no device {device_id!r}", "path.device_id", 404)
        body: DeviceBody = await body_of(request, DeviceBody)
        try:
            command = Command(device=device.id, action=body.action, params=body.params)
        except ValidationError as err:
            raise BadRequest(str(err.errors(include_url=False)[0]["msg"]), "body") from None
        if dash.needs_confirmation(device, command) and not body.confirm:
            return json_error(409, f"{body.action.replace('_', ' ')} {device.name}: confirm "
                              "first (send confirm: true)", "body.confirm")
        if dash.needs_confirmation(device, command):
            log.warning("dashboard: %s %s confirmed from the page (client %s)", body.action,
                        device.name, request.client.host if request.client else "?")
        [result] = await house.execute([command])
        if not result.ok:
            return json_error(422, result.error or "the device refused", "body.action")
        return JSONResponse({"ok": True, "device": views.device(house, device.id)})

    async def automations(request: Request) -> Response:
        return JSONResponse(views.automations(house))

    async def automation_traces(request: Request) -> Response:
        found = views.traces(house, request.path_params["automation_id"])
        if found is None:
            raise BadRequest("no such automation", "path.automation_id", 404)
        return JSONResponse(found)

    async def automation_enabled(request: Request) -> Response:
        body: EnabledBody = await body_of(request, EnabledBody)
        engine = views._engine(house)
        automation_id = request.path_params["automation_id"]
        if engine is None or not await engine.set_enabled(automation_id, body.enabled):
            raise BadRequest("no such automation", "path.automation_id", 404)
        return JSONResponse({"ok": True, "id": automation_id, "enabled": body.enabled})

    async def automations_reload(request: Request) -> Response:
        engine = views._engine(house)
        if engine is None or house.config_path is None:
            raise BadRequest("nothing to reload: this house has no automations file", None, 409)
        result = await engine.reload()
        return JSONResponse(result.public(), status_code=200 if result.ok else 422)

    async def persona(request: Request) -> Response:
        return JSONResponse(views.persona(house))

    async def memory(request: Request) -> Response:
        person = request.query_params.get("person")
        if person is not None and len(person) > 100:
            raise BadRequest("person is too long", "query.person")
        return JSONResponse(views.memories(house, person))

    async def memory_forget(request: Request) -> Response:
        memory_id = int_param(request, "memory_id")
        if not views._persona(house).memory.forget(memory_id):
            raise BadRequest(f"no memory {memory_id}", "path.memory_id", 404)
        log.info("dashboard: memory %d forgotten", memory_id)
        return JSONResponse({"ok": True, "forgotten": memory_id})

    async def memory_export(request: Request) -> Response:
        data = json.dumps(views._persona(house).memory.export(), ensure_ascii=False, indent=1)
        return Response(data, media_type="application/json", headers={
            "Content-Disposition": 'attachment; filename="samantha-memory.json"'})

    async def events(request: Request) -> Response:
        if len(dash.live.clients) >= MAX_CLIENTS:
            raise BadRequest(f"{MAX_CLIENTS} pages are already open; close one", None, 503)
        return StreamingResponse(dash.live.stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store",
                                          "X-Accel-Buffering": "no"})

    return [
        Route("/api/rooms", rooms),
        Route("/api/turns", turns),
        Route("/api/turns/{turn_id}/audio", turn_audio),
        Route("/api/say", say, methods=["POST"]),
        Route("/api/devices", devices),
        Route("/api/devices/{device_id}", control, methods=["POST"]),
        Route("/api/automations", automations),
        Route("/api/automations/reload", automations_reload, methods=["POST"]),
        Route("/api/automations/{automation_id}/traces", automation_traces),
        Route("/api/automations/{automation_id}/enabled", automation_enabled,
              methods=["POST"]),
        Route("/api/persona", persona),
        Route("/api/memory", memory),
        Route("/api/memory/export", memory_export),
        Route("/api/memory/{memory_id}", memory_forget, methods=["DELETE"]),
        Route("/api/events", events),
    ]
