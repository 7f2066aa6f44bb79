"""What the dashboard shows, read through the house's public API and each plugin's accessor.

Each function returns JSON-ready data; a plugin that is absent or failing yields an empty
part with a note rather than breaking the page.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from samantha.kinds import ACTIONS

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)


def _persona(house: House) -> Any:
    from samantha.plugins.persona.runtime import runtime_of

    return runtime_of(house)


def _hub(house: House) -> Any:
    from samantha.plugins.satellite.plugin import hub_of

    return hub_of(house)


def _engine(house: House) -> Any:
    from samantha.plugins.automations.plugin import engine_for

    return engine_for(house)


def mood(house: House) -> dict[str, Any] | None:
    try:
        m = _persona(house).mood
    except Exception as err:
        log.debug("dashboard: no persona mood: %s", err)
        return None
    return {"warmth": round(m.warmth, 3), "energy": round(m.energy, 3), "feels": m.describe()}


def satellites(house: House) -> dict[str, dict[str, Any]]:
    hub = _hub(house)
    if hub is None:
        return {}
    out = {}
    for site_id, site in dict(hub.sites).items():
        status = site.status
        out[site.room] = {"site": site_id, "connected": site.available,
                          "last_seen": getattr(site, "last_seen", None),
                          "level_db": status.level_db if status else None,
                          "muted": status.muted if status else None,
                          "cpu": status.cpu if status else None}
    return out


def rooms(house: House) -> dict[str, Any]:
    sats = satellites(house)
    try:
        rt = _persona(house)
    except Exception:
        rt = None
    listed = []
    for room in house.home.rooms.values():
        person = rt.person_in(room.id) if rt is not None else None
        listed.append({
            "id": room.id, "name": room.name, "floor": room.floor,
            "activity": house.activity.get(room.id, "idle"),
            "muted": room.id in house.muted, "satellite": sats.get(room.id),
            "people": [person] if person else [],
            "persona": rt.persona_for(room.id, person).name if rt is not None else None,
            "devices": len(house.home.devices_in(room.id))})
    return {"home": house.config.name, "rooms": listed, "mood": mood(house)}


def device(house: House, device_id: str) -> dict[str, Any] | None:
    d = house.home.devices.get(device_id)
    if d is None:
        return None
    return {"id": d.id, "name": d.name, "room": d.room, "kind": d.kind.value,
            "device_class": d.device_class, "state": d.state, "available": d.available,
            "provider": d.provider, "sensitive": d.sensitive,
            "actions": sorted(ACTIONS[d.kind])}


def devices(house: House) -> list[dict[str, Any]]:
    return [device(house, d) for d in house.home.devices]  # type: ignore[misc]


def automations(house: House) -> dict[str, Any]:
    engine = _engine(house)
    if engine is None:
        return {"automations": [], "errors": [], "reloadable": False}
    listed = []
    for a in engine.automations:
        kept = engine.traces.traces(a.id)
        listed.append({"id": a.id, "alias": a.alias, "description": a.description,
                       "mode": a.mode, "enabled": a.enabled,
                       "triggers": [t.trigger for t in a.triggers],
                       "last_run": kept[-1].started if kept else None,
                       "last_outcome": kept[-1].outcome if kept else None,
                       "runs": len(kept)})
    return {"automations": listed, "errors": [str(i) for i in engine.issues],
            "reloadable": house.config_path is not None}


def traces(house: House, automation_id: str) -> list[dict[str, Any]] | None:
    from samantha.plugins.automations.traces import describe

    engine = _engine(house)
    if engine is None or automation_id not in {a.id for a in engine.automations}:
        return None
    return describe(engine.traces.traces(automation_id))


def persona(house: House) -> dict[str, Any]:
    rt = _persona(house)
    model = rt.endpoint.describe() if rt.endpoint else None
    return {"default": rt.default.name,
            "personas": [{"name": p.name, "traits": p.traits} for p in rt.personas.values()],
            "mood": mood(house), "model": model,
            "model_connected": rt.model is not None,
            "memories": rt.memory.count(), "people": sorted(rt.section.people)}


def memories(house: House, person: str | None = None) -> list[dict[str, Any]]:
    rt = _persona(house)
    found = rt.memory.all(person) if person else rt.memory.all()
    return [m.model_dump() | {"owner": m.owner()} for m in found]
