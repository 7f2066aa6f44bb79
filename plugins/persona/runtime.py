"""The persona's state in one running house: personas, mood, memory, model, pending questions."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samantha.daemon_thread import in_daemon_thread
from samantha.home import Device, normalize_name
from samantha.kinds import SENSITIVE_KINDS, Kind
from samantha.plugins.people.condense import condense
from samantha.plugins.people.conversations import Conversations, Episode
from samantha.plugins.people.recall import embedder
from samantha.plugins.people.recall import loaded as recall_loaded
from samantha.plugins.people.settings import Person
from samantha.plugins.people.speaker import MIN_SCORE
from samantha.plugins.people.speaker import current as current_speaker
from samantha.providers import Command

from .events import MoodChanged, PersonSeemsLow
from .feedback import Feedback, detect
from .feelings import Reading, from_judgement
from .llm import ChatModel
from .memory import MemoryStore
from .mood import Mood
from .person_state import PersonState, PersonStates
from .profile import DEFAULT_PERSONA, PersonaProfile, ReplyTemplate, TemplatePicker, fill
from .relationship import Relationship, Relationships
from .schedule import Scheduler
from .settings import PersonaSection, resolve_endpoint
from .writebehind import WriteBehind

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)
_RECALL_STOP_WAIT_S = 30.0  # the model loads in 1-3 s; far longer means it is stuck

FOLD_AT = 0.05  # pending mood change applied once it is this large (or the mood is read)

MOOD_KEY = "mood"
SENSITIVE_COVER_CLASSES = frozenset({"garage", "gate", "door"})


@dataclass
class Pending:
    """A sensitive action waiting for a spoken 'yes' in the room where it was asked."""

    room: str
    commands: list[Command]
    question: str
    what: str
    expires: float


@dataclass
class Exchange:
    said: str
    reply: str
    at: float = field(default_factory=time.time)
    person: str | None = None


def default_memory_path() -> Path:
    base = os.environ.get("SAMANTHA_DATA_DIR")
    if base:
        return Path(base) / "memory.db"
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "samantha" / "memory.db"


def memory_path(section: PersonaSection, config_path: Path | None) -> Path:
    """The memory database: `persona.memory.path` (relative to the config file) or the default."""
    configured = section.memory.path
    if not configured:
        return default_memory_path()
    path = Path(configured).expanduser()
    if not path.is_absolute() and config_path is not None:
        path = config_path.resolve().parent / path
    return path


class Runtime:
    def __init__(self, house: House) -> None:
        self.house = house
        self.section: PersonaSection = house.section("persona") or PersonaSection()
        self.personas = {p.key(): p for p in self.section.personas}
        self.personas.setdefault(DEFAULT_PERSONA.key(), DEFAULT_PERSONA)
        default = self.section.default or (self.section.personas[0].name
                                           if self.section.personas else DEFAULT_PERSONA.name)
        self.default = self.personas[default.casefold()]
        # What people call the house when they speak to (or about) it: "samantha, you ..."
        self.house_names = frozenset(
            {p.key() for p in self.personas.values()}
            | {w for p in self.personas.values() for phrase in p.wake_phrases
               for w in phrase.casefold().split() if w not in {"hey", "ok", "okay", "hi"}})
        self.endpoint = resolve_endpoint(self.section.llm)
        self.model: ChatModel | None = None
        self.memory = MemoryStore(self._memory_path())
        self.picker = TemplatePicker()
        self.scheduler = Scheduler(self.memory)
        self.recall_loading: asyncio.Task[None] | None = None
        self.conversations = Conversations(self.memory, self.section.llm.history_minutes * 60)
        # Estimates written while the model thinks, not before the prompt (writebehind.py).
        self.writer = WriteBehind(self.memory)
        self.person_states = PersonStates(self.memory, self.section.feelings.half_life_hours,
                                          self.writer)
        self.relationships = Relationships(self.memory, self.writer)
        self.judging: set[asyncio.Task[None]] = set()  # the model judging how someone seems
        self.pending: dict[str, Pending] = {}
        self.condensing = asyncio.Lock()
        self.history: dict[str, deque[Exchange]] = {}
        self.last_memory: dict[str, int] = {}
        self._mood: Mood | None = None
        self._pending: tuple[float, float] = (0.0, 0.0)  # small nudges not yet applied
        self.mood_changed = False

    def _memory_path(self) -> Path:
        return memory_path(self.section, self.house.config_path)

    def start_recall(self) -> None:
        """Load the sentence model in a thread (a second or two) so turns never wait for it;
        until it is there, memories are found by shared words.

        A one-shot command (`say`) loads nothing here: most of its sentences never reach the
        persona, and it would exit with the loading thread still in native code (see
        `House.one_shot`). `recall_for_turn` loads it there when a turn does need it."""
        if not self.section.memory.by_meaning or self.recall_loading is not None:
            return
        if recall_loaded():  # loaded by an earlier house in this process
            self.memory.embedder = embedder()
        elif not self.house.one_shot:
            self.recall_loading = asyncio.get_running_loop().create_task(self._load_recall())

    async def recall_for_turn(self) -> None:
        """In a one-shot command, load the sentence model before the persona's first turn (in
        the executor, which the command waits for), so it recalls by meaning as a running house
        does. Elsewhere the background load of `start_recall` is already under way."""
        if (self.house.one_shot and self.section.memory.by_meaning
                and self.memory.embedder is None):
            self.memory.embedder = await asyncio.to_thread(embedder)

    async def _load_recall(self) -> None:
        # A daemon thread, not the executor's: a stop waits for it at most _RECALL_STOP_WAIT_S,
        # where the executor would hold the process's exit for as long as a stuck load took.
        self.memory.embedder = await in_daemon_thread(embedder, "recall-model")

    def start_model(self) -> None:
        if self.endpoint is not None and self.model is None:
            self.model = ChatModel(self.endpoint, self.section.llm)
            log.info("persona model: %s at %s", self.endpoint.model,
                     self.endpoint.describe()["base_url"])

    def ask_judgement(self, person: str | None, said: str) -> None:
        """With `feelings.ask_model`, ask the model in the background how `person` seems."""
        if (person is None or self.model is None or not self.section.feelings.enabled
                or not self.section.feelings.ask_model):
            return
        task = asyncio.get_running_loop().create_task(self._judge(person, said))
        self.judging.add(task)
        task.add_done_callback(self.judging.discard)

    async def _judge(self, person: str, said: str) -> None:
        from .judge import judge

        assert self.model is not None
        try:
            reading = await asyncio.wait_for(judge(self.model.complete, said),
                                             self.section.llm.timeout)
        except Exception as err:  # the offline reading stands
            log.info("the model could not judge how %s seems: %s", person, type(err).__name__)
            return
        if reading is not None:
            try:
                self.person_states.judge(person, reading)
            except Exception as err:
                log.warning("could not update how %s seems: %s", person, err)

    async def close(self) -> None:
        for task in list(self.judging):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.recall_loading is not None and not self.recall_loading.done():
            # Wait for the load (a second or two) rather than leave its thread in native code:
            # a process that exits then can abort (see `House.one_shot`). The model stays in
            # the process for the next house. A load that hangs is left behind, not waited for.
            with contextlib.suppress(asyncio.CancelledError, Exception):  # incl. TimeoutError
                await asyncio.wait_for(asyncio.shield(self.recall_loading), _RECALL_STOP_WAIT_S)
        await self.scheduler.close()
        if self.model is not None:
            await self.model.close()
            self.model = None
        if self._pending != (0.0, 0.0):
            self._fold()
        await self.writer.close()
        if self.mood_changed and self._mood is not None:
            try:
                self.memory.save_state(MOOD_KEY, self._mood.model_dump())
            except Exception as err:
                log.warning("could not save the persona's mood: %s", err)
        self.memory.close()

    # --- who is speaking, and to whom ---------------------------------------------------------

    def people(self) -> dict[str, Person]:
        """The `people:` section, plus the older `persona.people` entries it does not name."""
        section = self.house.section("people")
        merged: dict[str, Person] = dict(section.root) if section is not None else {}
        for name, legacy in self.section.people.items():
            merged.setdefault(name, Person(persona=legacy.persona, rooms=legacy.rooms))
        return merged

    def _in_room(self, where: str, room: str) -> bool:
        room_obj = self.house.home.find_room(room)
        found = self.house.home.find_room(where)
        if found is not None and room_obj is not None:
            return found.id == room_obj.id
        return normalize_name(where) == normalize_name(room)

    def usual_people(self, room: str) -> list[str]:
        """The people configured as usually being in a room."""
        return [name for name, person in self.people().items()
                if any(self._in_room(where, room) for where in person.rooms)]

    def person_in(self, room: str) -> str | None:
        """Who is speaking in a room, or None for a guest or someone unknown.

        A recognised voice wins. A voice that was heard but matched nobody well enough is a
        guest, even in someone's usual room. Without a voice, the room's one usual person is
        assumed; a room that is usual for two people (or none) has an unknown speaker.
        """
        heard = current_speaker()
        people = self.people()
        if heard is not None:
            if heard.person in people and heard.score >= MIN_SCORE:
                return heard.person
            return None
        usual = self.usual_people(room)
        return usual[0] if len(usual) == 1 else None

    def persona_for(self, room: str, person: str | None = None) -> PersonaProfile:
        """A person's preference first, then the room's, then the default."""
        wanted = self.people()[person].persona if person in self.people() else None
        if wanted:
            if wanted.casefold() in self.personas:
                return self.personas[wanted.casefold()]
            log.warning("people.%s.persona: no persona called %r; using the room's", person,
                        wanted)
        room_obj = self.house.home.find_room(room)
        for where, name in self.section.rooms.items():
            found = self.house.home.find_room(where)
            if found is not None and room_obj is not None and found.id == room_obj.id:
                return self.personas[name.casefold()]
        return self.default

    # --- mood -----------------------------------------------------------------------------------

    @property
    def half_life(self) -> float:
        return self.section.mood_half_life_minutes * 60

    @property
    def mood(self) -> Mood:
        if self._pending != (0.0, 0.0):
            self._fold()
        return self._settled()

    def _settled(self) -> Mood:
        if self._mood is None:
            saved = None
            try:
                saved = self.memory.load_state(MOOD_KEY)
            except Exception as err:
                log.warning("could not read the saved mood: %s", err)
            self._mood = Mood.model_validate(saved) if saved else Mood()
        return self._mood.decayed(self.half_life)

    def nudge(self, warmth: float, energy: float) -> None:
        """Move the mood. Small nudges (a device changing) are summed and applied together:
        a busy house sends thousands of them, and each costs a decay computation."""
        w, e = self._pending[0] + warmth, self._pending[1] + energy
        self._pending = (w, e)
        if abs(w) >= FOLD_AT or abs(e) >= FOLD_AT:
            self._fold()

    def _fold(self) -> None:
        (warmth, energy), self._pending = self._pending, (0.0, 0.0)
        current = self._settled()
        self._mood = current.nudged(warmth, energy, self.half_life)
        self.mood_changed = True
        after = self._mood.describe()
        if after != current.describe():
            with contextlib.suppress(RuntimeError):  # no running loop: nobody is listening
                self.house.bus.publish_soon(MoodChanged(
                    mood=after, warmth=self._mood.warmth, energy=self._mood.energy))

    # --- wording --------------------------------------------------------------------------------

    def render(self, persona: PersonaProfile, keys: list[str], values: dict[str, Any],
               fallback: ReplyTemplate, *, keep_reply: bool = False) -> str:
        """The first of `keys` the persona has a template for, filled in; else `fallback`.

        With `keep_reply` (a refusal or failure whose reply says why), a template that would
        drop the plain reply (no {reply} or {detail}) is passed over: "I didn't understand
        that." must never replace "I don't know a room called garage."
        """
        warmth = self.mood.warmth
        for key in keys:
            if key not in persona.replies:
                continue
            text = self.picker.pick(f"{persona.key()}:{key}", persona.replies[key], warmth)
            if keep_reply and "{reply}" not in text and "{detail}" not in text:
                log.debug("template %r would hide the reason; not used", key)
                continue
            return fill(text, {"name": persona.name, **values})
        text = self.picker.pick(f"{persona.key()}:fallback", fallback, warmth)
        return fill(text, {"name": persona.name, **values})

    # --- conversation ---------------------------------------------------------------------------

    def record(self, room: str, said: str, reply: str, person: str | None = None) -> None:
        keep = self.section.llm.history_turns
        if said and person is not None:
            # Known people's conversations are kept across restarts; a guest's never are.
            try:
                self.conversations.record(person, room, said, reply)
            except Exception as err:
                log.warning("could not keep the conversation turn: %s", err)
        if keep <= 0 or not said:
            return
        self.history.setdefault(room, deque(maxlen=keep)).append(
            Exchange(said, reply, person=person))

    async def condense_ended(self) -> list[Episode]:
        """Turn conversations that have ended into episodes (the model words them if any)."""
        async with self.condensing:  # two callers at once would keep one conversation twice
            return await self._condense_ended()

    async def _condense_ended(self) -> list[Episode]:
        episodes = []
        ask = self.model.complete if self.model is not None else None
        for turns in self.conversations.ended():
            room = self.house.home.find_room(turns[0].room)
            condensed, how = await condense(turns, room.name if room else turns[0].room, ask)
            episodes.append(self.conversations.close_conversation(turns, condensed, how))
            if how == "model":
                self.judged(turns[0].person, condensed.mood)
            log.info("kept a conversation with %s in %s as an episode (%s)", turns[0].person,
                     turns[0].room, how)
        return episodes

    # --- how people seem ------------------------------------------------------------------------

    def notice(self, person: str | None, room: str, reading: Reading | None) -> PersonState | None:
        """Take in what a known person just said (`reading` None: a device command, which only
        tells that and when they spoke). A guest is never tracked."""
        if person is None or not self.section.feelings.enabled:
            return None
        try:
            state, became_low = self.person_states.observe(person, reading)
        except Exception as err:  # a read-only or broken file costs the estimate, not the turn
            log.warning("could not update how %s seems: %s", person, err)
            return None
        if became_low:
            log.info("%s seems %s", person, " and ".join(state.words()) or "low")
            self.nudge(0.05, -0.15)  # the house quietens and draws closer
            with contextlib.suppress(RuntimeError):  # no running loop: nobody is listening
                self.house.bus.publish_soon(PersonSeemsLow(
                    person=person, room=room, valence=round(state.valence, 3),
                    energy=round(state.energy, 3), terseness=round(state.terseness, 3),
                    reason=" and ".join(state.words()) or "low"))
        return state

    def seems(self, person: str) -> dict[str, Any] | None:
        """How a known person seems, for HOUSE DATA (None: nothing known, or turned off)."""
        if not self.section.feelings.enabled:
            return None
        try:
            state = self.person_states.state(person)
        except Exception as err:
            log.warning("could not read how %s seems: %s", person, err)
            return None
        return state.as_data(person) if state is not None else None

    def grow(self, person: str | None, persona: PersonaProfile, room: str,
             text: str) -> list[Feedback]:
        """A conversational sentence from a known person: apply any feedback on how the house
        talks ("you talk too much") and count the exchange. Returns the feedback found."""
        recent = self.recent(room, person)
        found = detect(text, recent[-1].reply if recent else None)
        if person is None:
            return found  # acknowledged, but a guest's feedback is nobody's relationship
        try:
            for change in self.relationships.feedback(person, persona, found,
                                                      recent[-1].reply if recent else None):
                log.info("relationship with %s: %s %s -> %s (%s)", person, change.what,
                         change.before, change.after, change.reason)
            self.relationships.spoke(person, persona)
        except Exception as err:  # a broken file costs the growth, never the turn
            log.warning("could not update the relationship with %s: %s", person, err)
        return found

    def relationship(self, person: str | None, persona: PersonaProfile) -> Relationship | None:
        if person is None or not persona.growth.enabled:
            return None
        try:
            return self.relationships.get(person, persona)
        except Exception as err:
            log.warning("could not read the relationship with %s: %s", person, err)
            return None

    def judged(self, person: str, word: str | None) -> None:
        """The model's own word for how someone seemed (a condensed conversation's mood)."""
        reading = from_judgement(word)
        if reading is None or not self.section.feelings.enabled:
            return
        try:
            self.person_states.judge(person, reading)
        except Exception as err:
            log.warning("could not update how %s seems: %s", person, err)

    def forget_voice(self, person: str) -> bool:
        from samantha.plugins.people.voices import VoiceProfiles

        return VoiceProfiles(self.memory, "").forget(person)

    def forget_conversations(self, person: str) -> int:
        for history in self.history.values():
            kept = [e for e in history if e.person != person]
            history.clear()
            history.extend(kept)
        gone = self.conversations.forget(person)
        return gone + self.person_states.forget(person) + self.relationships.forget(person)

    def recent(self, room: str, person: str | None = None) -> list[Exchange]:
        """This speaker's recent exchanges in the room: one person never hears another's."""
        cutoff = time.time() - self.section.llm.history_minutes * 60
        return [e for e in self.history.get(room, ()) if e.at >= cutoff and e.person == person]

    # --- what the model may touch ---------------------------------------------------------------

    def exposed(self) -> list[Device]:
        excluded = {normalize_name(x) for x in self.section.exclude_devices}
        return [d for d in self.house.home.devices.values()
                if d.id not in self.section.exclude_devices
                and not excluded & {normalize_name(n) for n in d.names()}]

    @staticmethod
    def handle(device: Device) -> str:
        """The opaque id the model uses for a device. Device ids are made from names, which
        are untrusted text; a hash keeps them out of anything but JSON data, stable across
        restarts (scheduled actions keep the real id)."""
        return "d" + hashlib.sha256(device.id.encode()).hexdigest()[:8]

    def exposed_device(self, device_id: str) -> Device | None:
        """An exposed device by its opaque id (or its real id, for the house's own use)."""
        return next((d for d in self.exposed()
                     if device_id in (d.id, self.handle(d))), None)

    def needs_confirmation(self, device: Device, command: Command) -> bool:
        if device.kind in SENSITIVE_KINDS or device.sensitive:
            return True
        if device.kind is Kind.COVER and device.device_class in SENSITIVE_COVER_CLASSES:
            return True
        if device.kind is Kind.CLIMATE and command.action == "set_temperature":
            low, high = self.section.heating_limits
            try:
                value = float(command.params.get("temperature", 0))
            except (TypeError, ValueError):
                return True
            return not low <= value <= high
        return False

    def take_pending(self, room: str) -> Pending | None:
        pending = self.pending.pop(room, None)
        if pending is not None and pending.expires < time.time():
            log.info("confirmation for %r in %s expired", pending.what, room)
            return None
        return pending


_RUNTIMES: weakref.WeakKeyDictionary[House, Runtime] = weakref.WeakKeyDictionary()


def runtime_of(house: House) -> Runtime:
    rt = _RUNTIMES.get(house)
    if rt is None:
        rt = _RUNTIMES[house] = Runtime(house)
    return rt


def forget_runtime(house: House) -> Runtime | None:
    return _RUNTIMES.pop(house, None)
