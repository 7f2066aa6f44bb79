"""Presence: where each person is now, how sure the house is, and who is home.

    from samantha.plugins.people.presence import presence_of
    room, since, source = presence_of(house).where("anna")   # room id or None
    presence_of(house).where("anna").confidence              # 0..1, decays with time
    presence_of(house).home()                                # ["anna", ...]

Evidence, each kept per person and source (the newest of each):

- `voice`: their voice was recognised in a room (0.95, half-life 15 min);
- `heard`: a sentence without voice information in a room that is usual for them alone
  (0.6, half-life 10 min);
- `tracker`: a `person` device (Home Assistant person entity, virtual, MQTT) says "home",
  "not_home" or a zone, and maybe a `room` (0.9, half-life 60 min for the room);
- `occupancy`: an occupancy/motion/presence binary sensor turned on in a room. It does not say
  who: it keeps a person already placed there current, or places the only person at home
  (0.5, half-life 10 min). An occupancy or presence sensor (not motion, which goes quiet
  while someone sits still) turning off empties its room of older placements.

The room is the newest placement (people move: the latest evidence says most about now); its
confidence decays by half each half-life, and below 0.25 the room is unknown. A tracker saying
"not_home" outweighs every placement older than it. Someone is home when their tracker says so
or they were placed in a room since it said they left; without a tracker, when they were placed
within the last 6 hours. A person known to be away who becomes home publishes `PersonArrived`;
the reverse, `PersonLeft`.
"""

from __future__ import annotations

import contextlib
import logging
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from samantha.events import DeviceStateChanged, UtteranceHeard
from samantha.home import Device, normalize_name
from samantha.kinds import Kind

from . import clock
from .events import PersonArrived, PersonLeft
from .roster import names_of, people_of, usual_people
from .speaker import MIN_SCORE, current

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)

# (confidence when observed, half-life in seconds) per kind of evidence.
SOURCES: dict[str, tuple[float, float]] = {
    "voice": (0.95, 15 * 60),
    "heard": (0.6, 10 * 60),
    "tracker": (0.9, 60 * 60),
    "occupancy": (0.5, 10 * 60),
}
MIN_CONFIDENCE = 0.25  # below this the house does not claim to know the room
UNTRACKED_HOME_S = 6 * 3600  # without a tracker, someone placed this recently is home
OCCUPANCY_CLASSES = frozenset({"occupancy", "motion", "presence"})
HOLDS_WHEN_STILL = frozenset({"occupancy", "presence"})  # "off" from these means empty
MAX_WORD = 64  # a tracker's state is "home", "not_home" or a zone's name
HOME = "home"
AWAY = "not_home"


@dataclass(frozen=True)
class Placement:
    room: str
    at: float
    source: str

    def confidence(self, now: float) -> float:
        base, half_life = SOURCES[self.source]
        return base * 0.5 ** (max(0.0, now - self.at) / half_life)


@dataclass(frozen=True)
class Whereabouts:
    """Where a person is. Unpacks as (room, since, source); `room` is a room id or None."""

    room: str | None
    since: float | None       # when the evidence it rests on was seen
    source: str | None        # voice, heard, tracker, occupancy; None: nothing known
    confidence: float         # how sure of the room (0 when it is None)
    home: bool | None         # None: nothing says either way
    last_room: str | None = None  # the last room they were placed in, however long ago
    zone: str | None = None   # a tracker's zone while away ("work"), else None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.room, self.since, self.source))


@dataclass
class _Person:
    placements: dict[str, Placement] = field(default_factory=dict)
    tracker: str | None = None      # the tracker's state word
    tracker_at: float = 0.0
    left_at: float = float("-inf")  # when a tracker last said they went out
    home: bool | None = None        # last value announced (events fire on changes)


class Presence:
    def __init__(self, house: House) -> None:
        self.house = house
        self.people: dict[str, _Person] = {}
        self.vacated: dict[str, float] = {}  # room -> when an occupancy sensor said empty
        self._trackers: tuple[int, dict[str, str]] = (-1, {})
        self._written: dict[str, str | None] = {}  # device -> the room we wrote into it
        self._warned: set[str] = set()
        self._unsubscribe: list[Callable[[], None]] = []

    # --- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        bus = self.house.bus
        self._unsubscribe = [bus.subscribe(UtteranceHeard, self._on_utterance),
                             bus.subscribe(DeviceStateChanged, self._on_state)]
        now = clock.now()
        for device_id, person in self.trackers().items():
            self._tracker_state(person, self.house.home.devices[device_id], now)
        for name in people_of(self.house):
            state = self._person(name)
            state.home = self._home(state, now)  # what was true at start is no news

    def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            with contextlib.suppress(ValueError):
                unsubscribe()
        self._unsubscribe = []

    # --- the API --------------------------------------------------------------------------

    def where(self, person: str) -> Whereabouts:
        """Where `person` is now; an unknown name has nothing known (room None)."""
        now = clock.now()
        self._sync(now)
        state = self.people.get(person)
        if state is None:
            return Whereabouts(None, None, None, 0.0, None)
        home = self._home(state, now)
        valid = self._valid(state)
        best = max(valid, key=lambda p: p.at, default=None)
        last = max(state.placements.values(), key=lambda p: p.at, default=None)
        zone = state.tracker if state.tracker not in (None, HOME, AWAY) else None
        if home is False:
            return Whereabouts(None, state.tracker_at, "tracker", 0.0, False,
                               last.room if last else None, zone)
        if best is not None and best.confidence(now) >= MIN_CONFIDENCE:
            return Whereabouts(best.room, best.at, best.source, round(best.confidence(now), 3),
                               home, last.room if last else None)
        if best is not None:
            return Whereabouts(None, best.at, best.source, 0.0, home, best.room)
        if state.tracker is not None:
            return Whereabouts(None, state.tracker_at, "tracker", 0.0, home,
                               last.room if last else None)
        return Whereabouts(None, None, None, 0.0, home, last.room if last else None)

    def home(self) -> list[str]:
        """Who is home now, by name."""
        return [name for name in people_of(self.house) if self.where(name).home]

    def in_room(self, room: str) -> list[str]:
        """Who the house places in `room` (a room id) now."""
        return [name for name in people_of(self.house) if self.where(name).room == room]

    def place(self, person: str, room: str, source: str) -> None:
        """Evidence that `person` is in `room` (a room id) now, from `source` (see SOURCES)."""
        if source not in SOURCES or person not in people_of(self.house):
            return
        now = clock.now()
        self._person(person).placements[source] = Placement(room, now, source)
        self._changed(person, now, source)

    def as_data(self, known_speaker: bool) -> dict[str, Any]:
        """Who is home and where, for HOUSE DATA. A guest learns who is home, not where."""
        names = {r.id: r.name for r in self.house.home.rooms.values()}
        home, away = [], []
        for name in people_of(self.house):
            found = self.where(name)
            if found.home is False:
                away.append(name)
            elif found.home:
                entry: dict[str, Any] = {"name": name}
                if known_speaker:
                    entry["room"] = names.get(found.room, found.room) if found.room else None
                    if found.room:
                        entry["how_sure"] = round(found.confidence, 2)
                        entry["since"] = datetime.fromtimestamp(found.since or 0).strftime(
                            "%H:%M")
                home.append(entry)
        data: dict[str, Any] = {"people_home": home}
        if known_speaker:
            data["people_away"] = away
        return data

    # --- evidence ---------------------------------------------------------------------------

    def _person(self, name: str) -> _Person:
        return self.people.setdefault(name, _Person())

    def _valid(self, state: _Person) -> list[Placement]:
        """Placements not outweighed by a later "left" (tracker away, room emptied)."""
        return [p for p in state.placements.values()
                if p.at > state.left_at and p.at > self.vacated.get(p.room, float("-inf"))]

    def _home(self, state: _Person, now: float) -> bool | None:
        latest = max((p.at for p in state.placements.values()), default=None)
        if state.tracker is not None:
            if state.tracker == HOME:
                return True
            return latest is not None and latest > state.tracker_at
        if latest is None:
            return None
        return True if now - latest <= UNTRACKED_HOME_S else None

    def _changed(self, person: str, now: float, source: str) -> None:
        state = self._person(person)
        home = self._home(state, now)
        was, state.home = state.home, home
        if was is False and home:
            room = self.where(person).room
            self.house.bus.publish_soon(PersonArrived(person=person, room=room, source=source))
            log.info("%s arrived home (%s)", person, source)
        elif was and home is False:
            zone = state.tracker if state.tracker not in (None, HOME, AWAY) else None
            self.house.bus.publish_soon(PersonLeft(person=person, zone=zone, source=source))
            log.info("%s left home (%s)", person, source)
        self._write_room(person)

    def _on_utterance(self, event: UtteranceHeard) -> None:
        heard = current()  # the speaker of the sentence being handled (a context variable)
        people = people_of(self.house)
        if heard is not None:
            if heard.person in people and heard.score >= MIN_SCORE:
                self.place(heard.person, event.room, "voice")
            return
        usual = usual_people(self.house, event.room)
        if len(usual) == 1:
            self.place(usual[0], event.room, "heard")

    def _on_state(self, event: DeviceStateChanged) -> None:
        device = self.house.home.devices.get(event.device)
        if device is None:
            return
        now = clock.now()
        person = self.trackers().get(device.id)
        if person is not None:
            if self._tracker_state(person, device, now):
                self._changed(person, now, "tracker")
        elif (device.kind is Kind.BINARY_SENSOR and device.room is not None
              and device.device_class in OCCUPANCY_CLASSES):
            was, now_on = bool(event.old.get("on")), bool(event.new.get("on"))
            if now_on and not was:
                self._occupied(device.room, now)
            elif was and not now_on and device.device_class in HOLDS_WHEN_STILL:
                self.vacated[device.room] = now
                for person in self.in_room(device.room):
                    self._write_room(person)

    def _occupied(self, room: str, now: float) -> None:
        there = self.in_room(room)
        if not there:
            home = [name for name in people_of(self.house) if self.where(name).home]
            there = home if len(home) == 1 else []  # two people home: it says nobody's name
        for person in there:
            self._person(person).placements["occupancy"] = Placement(room, now, "occupancy")
            self._changed(person, now, "occupancy")

    # --- trackers (person devices) ----------------------------------------------------------

    def trackers(self) -> dict[str, str]:
        """device id -> person, for the person devices that say where someone is."""
        revision = self.house.home.revision
        if self._trackers[0] == revision:
            return self._trackers[1]
        found: dict[str, str] = {}
        devices = [d for d in self.house.home.devices.values() if d.kind is Kind.PERSON]
        people = people_of(self.house)
        for name, person in people.items():
            listed = set(person.presence)  # ids as written, or names
            wanted = {normalize_name(w) for w in listed}
            keys = wanted or names_of(name, person)
            for device in devices:
                own = {normalize_name(n) for n in device.names()}
                ids = {normalize_name(device.id.replace("_", " ")),
                       normalize_name(device.id.replace("_", " ").removeprefix("person "))}
                if device.id in listed or own & keys or (not wanted and ids & keys):
                    found.setdefault(device.id, name)
        self._trackers = (revision, found)
        return found

    def _bad(self, device: Device, what: str) -> None:
        """A person device's state from the network that makes no sense: said once per device
        and ignored."""
        if device.id not in self._warned:
            self._warned.add(device.id)
            log.warning("presence: ignoring %s of person device %s", what, device.id)

    def _word(self, device: Device) -> str | None:
        word = device.state.get("state")
        if word is None:
            return None
        if not isinstance(word, str) or not 0 < len(word) <= MAX_WORD or not word.isprintable():
            self._bad(device, "a state that is not a zone's name")
            return None
        return word

    def _tracker_state(self, person: str, device: Device, now: float) -> bool:
        """Take a person device's state; True when it said something new."""
        state = self._person(person)
        changed = False
        word = self._word(device)
        if word is not None and device.available and word != state.tracker:
            state.tracker, state.tracker_at = word, now
            if word != HOME:
                state.left_at = now
            changed = True
        room = device.state.get("room")
        if (isinstance(room, str) and room and room != self._written.get(device.id)
                and state.tracker in (None, HOME)):
            found = self.house.home.find_room(room[:MAX_WORD * 4])
            if found is None:
                self._bad(device, "a room this home does not have")
            else:
                last = state.placements.get("tracker")
                if last is None or last.room != found.id:
                    state.placements["tracker"] = Placement(found.id, now, "tracker")
                    changed = True
        return changed

    def _sync(self, now: float) -> None:
        """Person devices added since start (discovery) count from when they are first seen."""
        for device_id, person in self.trackers().items():
            state = self._person(person)
            if state.tracker is None and self._tracker_state(
                    person, self.house.home.devices[device_id], now):
                state.home = self._home(state, now)

    def _write_room(self, person: str) -> None:
        """Keep the person device's `room` showing where the house last placed them."""
        for device_id, owner in self.trackers().items():
            if owner != person:
                continue
            state = self.people[person]
            valid = self._valid(state)
            now = clock.now()
            best = max(valid, key=lambda p: p.at, default=None)
            room = best.room if best is not None and self._home(state, now) else None
            device = self.house.home.devices.get(device_id)
            if device is None or device.state.get("room") == room:
                continue
            self._written[device_id] = room
            self.house.home.update_state(device_id, {"room": room})


_PRESENCE: weakref.WeakKeyDictionary[House, Presence] = weakref.WeakKeyDictionary()


def presence_of(house: House) -> Presence:
    """The house's presence (created on first use; started by the people plugin)."""
    found = _PRESENCE.get(house)
    if found is None:
        found = _PRESENCE[house] = Presence(house)
    return found


def forget_presence(house: House) -> None:
    found = _PRESENCE.pop(house, None)
    if found is not None:
        found.stop()
