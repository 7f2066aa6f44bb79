"""Home Assistant's English intent tests (tests/data/ha_intents) as one fixture house.

Each of HA's test files (`en/<Intent>/<slot combination>.yaml`) declares the entities, areas and
floors its sentences need; `_fixtures.yaml` is the language's shared house. Samantha runs them all
in one house: the union of `_fixtures.yaml` and every file's declarations (a file's own area or
floor for a name wins over `_fixtures.yaml`, since its sentences were written against it), with
every HA entity a virtual device of the kind named after its domain.

Comparison follows HA's runner (tests/test_slot_combinations.py of the same commit): the intent,
the slot combination (template metadata), the slot names, and each slot value, where a list on
either side means "one of"/"a subset of"; the context area is popped from the slots and must be
the room the sentence was said in; inferred domains and the name's domain are checked as HA does.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hassil.recognize import RecognizeResult

from samantha.home import Device, Home, slugify

DATA = Path(__file__).resolve().parent.parent / "data" / "ha_intents"
LANGUAGE_DIR = DATA / "en"
# Where sentences are said unless the test file marks another area: a room with lights, fans, a
# TV, a thermostat and the vacuum, like a satellite in HA's tests.
SPOKEN_IN = "Living Room"
# HA entities with no area: a virtual device always has a room; nobody names this one.
NO_AREA = "Utility Room"
# HA's fixtures name their floors; Samantha also knows how high each is ("Upstairs" is a name).
LEVELS = {"Basement": -1, "Ground Floor": 0, "First Floor": 1, "Second Floor": 2}


@dataclass(frozen=True)
class Case:
    """One test sentence and what HA's tests expect of it."""

    sentence: str
    intent: str
    combination: str
    file: str
    slots: dict[str, Any]
    response: str
    room: str  # the room name it is said in
    context_area: bool
    inferred_domains: frozenset[str] = frozenset()
    name_domains: frozenset[str] = frozenset()
    timers: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    # The file's own entities (its sentences assume their state and place)
    entities: tuple[FileEntity, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class FileEntity:
    name: str
    domain: str
    state: Any
    attributes: dict[str, Any]
    area: str | None


@functools.cache
def _load(path: Path) -> Any:
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def schemas() -> dict[str, Any]:
    return _load(DATA / "intents.yaml")


def _test_files() -> list[Path]:
    return sorted(LANGUAGE_DIR.glob("*/*.yaml"))


@functools.cache
def load_cases() -> tuple[Case, ...]:
    cases: list[Case] = []
    for path in _test_files():
        intent, combination = path.parent.name, path.stem
        info = schemas()[intent]["slot_combinations"][combination]
        data = _load(path)
        inferred = frozenset(d for ds in info.get("inferred_domains", {}).values() for d in ds)
        named = frozenset(d for ds in info.get("name_domains", {}).values() for d in ds)
        areas = data.get("areas") or []
        marked = [a["name"] for a in areas if a.get("context_area")]
        room = marked[0] if marked else (areas[0]["name"] if info.get("context_area") and areas
                                         else SPOKEN_IN)
        entities = tuple(FileEntity(e["name"], e["domain"], e.get("state"),
                                    dict(e.get("attributes") or {}), e.get("area"))
                         for e in data.get("entities") or [])
        for group in data["tests"]:
            for sentence in group["sentences"]:
                cases.append(Case(
                    sentence=sentence, intent=intent, combination=combination,
                    file=f"{intent}/{combination}.yaml", slots=dict(group.get("slots") or {}),
                    response=str(group.get("response", "")), room=room,
                    context_area=bool(info.get("context_area")), inferred_domains=inferred,
                    name_domains=named, timers=tuple(group.get("timers", data.get("timers", []))),
                    entities=entities,
                ))
    return tuple(cases)


# --- the fixture house ---------------------------------------------------------------------------

def _plain_name(name: str) -> list[str]:
    """'Trader Joe[']s' -> ["Trader Joe's", 'Trader Joes'] (hassil template syntax in a name)."""
    if "[" not in name:
        return [name]
    return [re.sub(r"\[([^\]]*)\]", r"\1", name), re.sub(r"\[[^\]]*\]", "", name)]


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _state(domain: str, state: Any, attributes: dict[str, Any]) -> dict[str, Any]:
    """A virtual device's state from an HA state word and attributes."""
    if isinstance(state, dict):  # {in: "charging", out: "on"}: HA's state is the `out`
        state = state.get("out")
    word = None if state is None else str(state)
    if domain in ("light", "switch", "fan", "script", "binary_sensor"):
        return {"on": word == "on"} if word is not None else {}
    if domain in ("cover", "valve"):
        position = _number(attributes.get("position"))
        if position is None and word is not None:
            position = 0 if word in ("closed", "closing") else 100
        return {} if position is None else {"position": int(position)}
    if domain == "lock":
        return {"locked": word != "unlocked"}
    if domain == "climate":
        result: dict[str, Any] = {}
        if word in ("off", "heat", "cool", "auto", "heat_cool", "dry", "fan_only"):
            result["hvac_mode"] = word
        current = _number(attributes.get("current_temperature"))
        if current is not None:
            result["current_temperature"] = current
        return result
    if domain == "sensor":
        return {"value": word, "unit": attributes.get("unit_of_measurement")}
    if domain == "media_player":
        volume = _number(attributes.get("volume_level"))
        result = {"on": word not in ("off", "standby", None)}
        if word in ("playing", "paused", "idle"):
            result["playback"] = word
        if volume is not None:
            result["volume"] = int(volume if volume > 1 else volume * 100)
        return result
    if domain == "weather":
        return {"condition": word, "temperature": _number(attributes.get("temperature")),
                "temperature_unit": attributes.get("temperature_unit", "°C")}
    if domain == "person":
        return {"state": word or "home"}
    if domain in ("vacuum", "lawn_mower"):
        return {"activity": word} if word else {}
    if domain == "alarm_control_panel":
        return {"state": word} if word else {}
    return {}


@dataclass
class _Entity:
    domain: str
    name: str
    id: str
    area: str | None
    state: Any
    attributes: dict[str, Any]


@functools.cache
def fixture_house() -> dict[str, Any]:
    """The union house as a samantha.yaml mapping (rooms with floors, virtual devices)."""
    fixtures = _load(LANGUAGE_DIR / "_fixtures.yaml")
    floor_by_id = {f["id"]: f["name"] for f in fixtures.get("floors", [])}
    floors: list[str] = list(floor_by_id.values())
    area_floor: dict[str, str | None] = {}
    area_by_id: dict[str, str] = {}
    for area in fixtures.get("areas", []):
        area_by_id[area["id"]] = area["name"]
        area_floor[area["name"]] = floor_by_id.get(area.get("floor", ""))
    entities: dict[tuple[str, str], _Entity] = {}
    for raw in fixtures.get("entities", []):
        domain = raw["id"].split(".", 1)[0]
        entities[(raw["id"], "")] = _Entity(
            domain, raw["name"], raw["id"], area_by_id.get(raw.get("area", "")),
            raw.get("state"), dict(raw.get("attributes") or {}))
    for path in _test_files():
        data = _load(path)
        for floor in data.get("floors") or []:
            if floor["name"] not in floors:
                floors.append(floor["name"])
        for area in data.get("areas") or []:
            if area.get("floor") or area["name"] not in area_floor:
                area_floor[area["name"]] = area.get("floor") or area_floor.get(area["name"])
        for raw in data.get("entities") or []:
            entity_id = f"{raw['domain']}.{slugify(raw['name'])}"
            same = [e for e in entities.values()
                    if e.domain == raw["domain"] and e.name.casefold() == raw["name"].casefold()]
            if same:
                entity = same[0]
                entity.name = raw["name"]  # the spelling the file's sentences expect
                entity.area = raw.get("area") or entity.area
                continue
            entities[(entity_id, path.name)] = _Entity(
                raw["domain"], raw["name"], entity_id, raw.get("area"), raw.get("state"),
                dict(raw.get("attributes") or {}))
    _complete(entities, area_floor)
    rooms = [{"name": name, **({"floor": floor} if floor else {})}
             for name, floor in area_floor.items()]
    rooms.append({"name": NO_AREA})
    devices = []
    used_ids: set[str] = set()
    for entity in entities.values():
        names = _plain_name(entity.name)
        device_id = slugify(entity.id.replace(".", "__"))
        while device_id in used_ids:
            device_id += "_2"
        used_ids.add(device_id)
        device: dict[str, Any] = {
            "name": names[0], "room": entity.area or NO_AREA, "kind": entity.domain,
            "id": device_id,
        }
        if names[1:]:
            device["aliases"] = names[1:]
        if entity.attributes.get("device_class"):
            device["device_class"] = str(entity.attributes["device_class"])
        state = _state(entity.domain, entity.state, entity.attributes)
        if state:
            device["state"] = state
        devices.append(device)
    return {"name": "HA Test House",
            "floors": [{"name": f, **({"level": LEVELS[f]} if f in LEVELS else {})}
                       for f in floors],
            "rooms": rooms, "devices": devices}


# Commands whose test files name a place and a kind of device but declare no such device (HA's
# runner checks recognition only): the house gets a spare device there, so the command can act.
_ACTIONS = {"HassTurnOn", "HassTurnOff", "HassLightSet", "HassSetPosition", "HassFanSetSpeed",
            "HassClimateSetTemperature", "HassSetVolume", "HassSetVolumeRelative",
            "HassMediaPause", "HassMediaUnpause", "HassMediaNext", "HassMediaPrevious",
            "HassMediaSearchAndPlay", "HassVacuumStart"}
_INTENT_DOMAIN = {"HassLightSet": "light", "HassSetPosition": "cover", "HassFanSetSpeed": "fan",
                  "HassClimateSetTemperature": "climate", "HassVacuumStart": "vacuum"}


def _first(value: Any) -> str | None:
    if isinstance(value, (list, set, frozenset, tuple)):
        return sorted(value)[0] if value else None
    return None if value is None else str(value)


def _complete(entities: dict[tuple[str, str], _Entity], area_floor: dict[str, str | None]) -> None:
    spare = 0
    for case in load_cases():
        if case.intent not in _ACTIONS or "name" in case.slots:
            continue
        domain = _first(case.slots.get("domain") or case.inferred_domains) or \
            _INTENT_DOMAIN.get(case.intent) or ("media_player" if "Media" in case.intent
                                                or "Volume" in case.intent else None)
        if domain is None:
            continue
        device_class = _first(case.slots.get("device_class"))
        if "area" in case.slots and not case.context_area:
            places = [_first(case.slots["area"])]
        elif "floor" in case.slots:
            floor = _first(case.slots["floor"])
            places = [a for a, f in area_floor.items() if f == floor][:1]
            if not places:
                places = [f"{floor} Landing"]
                area_floor[places[0]] = floor
        else:
            places = [case.room]
        for place in places:
            if any(e.domain == domain and e.area == place and (
                    device_class is None or e.attributes.get("device_class") == device_class)
                   for e in entities.values()):
                continue
            spare += 1
            name = f"Spare {domain.replace('_', ' ')} {spare}"
            attributes = {"device_class": device_class} if device_class else {}
            state = {"light": "off", "fan": "off", "cover": "closed", "media_player": "playing",
                     }.get(domain)
            if domain == "media_player":
                attributes["volume_level"] = 50
            entities[(f"{domain}.spare_{spare}", "")] = _Entity(
                domain, name, f"{domain}.spare_{spare}", place, state, attributes)


def write_fixture_house(directory: Path) -> Path:
    """Write the fixture house as samantha.yaml in `directory`."""
    config = fixture_house()
    path = directory / "samantha.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return path


# --- comparing a recognition with HA's expectation -------------------------------------------

def _matches(actual: Any, expected: Any) -> bool:
    if isinstance(actual, (list, set, tuple)):
        if isinstance(expected, (list, set, tuple, frozenset)):
            return set(actual).issubset(expected)
        return expected in actual
    if isinstance(expected, (list, set, tuple, frozenset)):
        return actual in expected
    return bool(actual == expected)


def mismatch(case: Case, result: RecognizeResult | None, room_id: str,
             area_names: dict[str, str], name_domains: dict[str, set[str]]) -> str | None:
    """Why `result` is not what HA's tests expect of `case` (None when it is)."""
    if result is None:
        return "not recognized"
    if result.intent.name != case.intent:
        return f"intent {result.intent.name}"
    combination = (result.intent_metadata or {}).get("slot_combination")
    if combination != case.combination:
        return f"slot combination {combination}"
    actual = {name: entity.value for name, entity in result.entities.items()}
    if case.context_area and actual.pop("area", None) != room_id:
        return "context area is not the room spoken in"
    if "area" in actual:
        actual["area"] = area_names.get(str(actual["area"]), actual["area"])
    expected = dict(case.slots)
    if case.inferred_domains:
        expected["domain"] = case.inferred_domains
    if set(actual) != set(expected):
        return f"slots {sorted(actual)}, expected {sorted(expected)}"
    if case.name_domains and not name_domains.get(str(actual["name"]), set()) <= \
            case.name_domains:
        return f"name {actual['name']!r} has domain {name_domains.get(str(actual['name']))}"
    for name, value in actual.items():
        if not _matches(value, expected[name]):
            return f"slot {name}={value!r}, expected {expected[name]!r}"
    return None


# Questions whose answer counts or lists devices: asked of the test file's own entities.
HOUSE_OF_ITS_FILE = frozenset({"HassGetState"})


class FixtureStates:
    """Puts the house in the state and places each test file describes before its sentences.

    A file's entity without an area, named in a sentence with an area or floor ("the overhead
    light in the kitchen"), is in that place for that sentence, as the sentence assumes.
    """

    def __init__(self, home: Home) -> None:
        self.home = home
        self.initial = {d.id: (dict(d.state), d.room) for d in home.devices.values()}
        self.everything = dict(home.devices)
        self.by_name: dict[tuple[str, str], list[str]] = {}
        for device in home.devices.values():
            for name in device.names():
                self.by_name.setdefault((name.casefold(), device.kind.value), []).append(device.id)

    def _devices(self, name: str, domain: str) -> list[Device]:
        return [self.home.devices[i] for i in self.by_name.get((name.casefold(), domain), [])]

    def restore(self) -> None:
        self.home.devices = dict(self.everything)

    def reset(self, case: Case) -> None:
        self.restore()
        if case.intent in HOUSE_OF_ITS_FILE and case.entities:
            # HA's runner asks these questions of the file's own entities only: "how many
            # lights are on" counts Light A-F, not the lights other files add to the one house.
            declared = {(e.name.casefold(), e.domain) for e in case.entities}
            self.home.devices = {i: d for i, d in self.everything.items()
                                 if any((n.casefold(), d.kind.value) in declared
                                        for n in d.names())}
        for device in self.home.devices.values():
            state, room = self.initial[device.id]
            if device.state != state:
                device.state = dict(state)
            device.room = room
        place = self._place(case)
        for entity in case.entities:
            for device in self._devices(entity.name, entity.domain):
                if entity.state is not None:
                    device.state = {**device.state,
                                    **_state(entity.domain, entity.state, entity.attributes)}
                if entity.area is None and place and _named(case, entity.name):
                    device.room = place
        item = case.slots.get("item")
        if item and case.intent in ("HassShoppingListCompleteItem", "HassListCompleteItem",
                                    "HassListRemoveItem"):
            # Checking something off needs it on the list first (which list is the shopping
            # list is the house's choice: every list has it).
            named = case.slots.get("name")
            lists = self._devices(str(named), "todo") if named else [
                d for d in self.home.devices.values() if d.kind.value == "todo"]
            for device in lists:
                device.state = {**device.state, "items": [
                    *device.state.get("items", []),
                    {"summary": str(item), "status": "needs_action"}]}

    def _place(self, case: Case) -> str | None:
        area = case.slots.get("area")
        if isinstance(area, str):
            room = self.home.find_room(area)
            return room.id if room else None
        floor = case.slots.get("floor")
        if isinstance(floor, str):
            rooms = rooms_on_floor(self.home, floor)
            return rooms[0] if rooms else None
        return None


def _named(case: Case, name: str) -> bool:
    said = case.slots.get("name")
    names = said if isinstance(said, list) else [said]
    return any(isinstance(n, str) and n.casefold() == name.casefold() for n in names)


def rooms_on_floor(home: Home, floor: str) -> list[str]:
    """Ids of the rooms on the floor called `floor` (by name or alias)."""
    find = getattr(home, "find_floor", None)
    if find is not None:
        found = find(floor)
        return [r.id for r in home.rooms.values() if found is not None and r.floor == found.name]
    return [r.id for r in home.rooms.values()
            if r.floor and r.floor.casefold() == floor.casefold()]
