"""The running house: config, plugins, home model, event bus and the text path to devices."""

from __future__ import annotations

import contextlib
import gc
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hassil.intents import Intents, SlotList, TextSlotList
from hassil.recognize import RecognizeResult
from hassil.util import merge_dict
from home_assistant_intents import get_intents
from pydantic import BaseModel

from samantha.bus import EventBus
from samantha.config import (
    DEMO_CONFIG as DEMO_CONFIG,
)
from samantha.config import (
    ConfigError,
    ConfigIssue,
    CoreConfig,
    build_model,
    raw_plugin_list,
    validate,
)
from samantha.config_loader import LoadedYaml, load_yaml
from samantha.deadline import within
from samantha.event_lanes import EventLanes, delivering_failure_report
from samantha.events import (
    BaseEvent,
    DeviceCommand,
    DeviceStateChanged,
    IntentNotRecognized,
    IntentRecognized,
    Interrupted,
    PluginFailed,
    ReplySpoken,
    RoomActivityChanged,
    UtteranceHeard,
)
from samantha.home import Device, Floor, Home, Room, slugify
from samantha.intent_handling import (
    PRONOUNS,
    IntentHandler,
    IntentRequest,
    Outcome,
    TargetError,
    is_pronoun,
    unhandled_reply,
)
from samantha.kinds import ACTIONS, CommandError, Kind
from samantha.plugin_host import HookFailure, PluginHost, PluginLoadError
from samantha.providers import (
    Command,
    CommandQueued,
    CommandResult,
    DeviceProvider,
    DeviceUnavailable,
)
from samantha.recognizer import Recognizer, pick_best
from samantha.references import check_config_references
from samantha.refusals import refusal

log = logging.getLogger(__name__)

BEST_SLOT = "name"
BEST_METADATA = "samantha_custom"

MAX_SENTENCE_CHARS = 500
# Control characters carry no words, and lone surrogates (undecodable input) no encoder accepts.
_UNSPEAKABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


class UnknownRoom(Exception):
    def __init__(self, room: str, known: Iterable[str]) -> None:
        super().__init__(f"unknown room {room!r}; rooms of this home: {', '.join(sorted(known))}")


class House:
    """One home. Build with `House.prepare(path)`, then `await house.start()`."""

    def __init__(self, config: CoreConfig, loaded: LoadedYaml, host: PluginHost,
                 config_path: Path | None) -> None:
        self.config = config
        self.loaded = loaded
        self.host = host
        self.config_path = config_path
        self.home = Home()
        self.bus = EventBus()
        self.providers: dict[str, DeviceProvider] = {}
        self.handlers: dict[str, IntentHandler] = {}
        self._recognizers: tuple[int, Recognizer, Recognizer | None] | None = None
        self._intents_data: dict[str, Any] | None = None
        self.started = False
        self.muted: set[str] = set()
        self.activity: dict[str, str] = {}
        self.lanes = EventLanes(host, self)
        # A one-shot command (`samantha say`, `devices`) sets a short budget: providers wait at
        # most this long for an absent service, then report what they left out with
        # `skip_service` instead of warning and retrying for a run that is about to end.
        self.connect_budget: float | None = None
        # A one-shot command exits as soon as its work is done: plugins start nothing in the
        # background it would not wait for (a thread still in native code when the interpreter
        # finalizes can abort the process: glibc's "FATAL: exception not rethrown").
        self.one_shot = False
        self.skipped: list[str] = []
        self.home.on_state_change(self._state_changed)
        self.bus.subscribe(BaseEvent, self._forward_event)

    # --- building -----------------------------------------------------------------------------

    @staticmethod
    def load_plugins(loaded: LoadedYaml, base_dir: Path) -> PluginHost:
        host = PluginHost()
        try:
            host.load(raw_plugin_list(loaded), base_dir)
        except PluginLoadError as err:
            raise ConfigError(
                [ConfigIssue(str(err), ("plugins",), loaded.position_of(("plugins",)))]
            ) from err
        return host

    @staticmethod
    def config_model(host: PluginHost) -> type[CoreConfig]:
        sections: dict[str, type[BaseModel]] = {}
        for plugin, contributed in host.call("samantha_config_sections"):
            for name, model in contributed.items():
                if name in sections:
                    raise PluginLoadError(f"plugin {plugin!r} redefines config section {name!r}")
                sections[name] = model
        return build_model(sections)

    @classmethod
    def prepare(cls, config_path: str | Path | None = None) -> House:
        """Load and validate the config (the demo house when None) and the plugins it names."""
        path = Path(config_path) if config_path else DEMO_CONFIG
        loaded = load_yaml(path)
        host = cls.load_plugins(loaded, path.resolve().parent)
        config = validate(loaded, cls.config_model(host))
        check_config_references(config, loaded, host)
        return cls(config, loaded, host, Path(config_path) if config_path else None)

    def skip_service(self, note: str) -> None:
        """Record that a one-shot command goes on without an absent service (printed once)."""
        log.info("%s", note)
        self.skipped.append(note)

    def section(self, name: str) -> Any:
        """A plugin's validated config section, or None when the file has none."""
        return getattr(self.config, name, None)

    async def start(self) -> None:
        for floor in self.config.floors:
            self.home.add_floor(Floor(id=floor.id or slugify(floor.name), name=floor.name,
                                      aliases=floor.aliases, level=floor.level))
        for room in self.config.rooms:
            self.home.add_room(Room(id=room.id or slugify(room.name), name=room.name,
                                    aliases=room.aliases, floor=room.floor))
        for plugin, providers in self.host.call("samantha_device_providers", house=self):
            for provider in providers:
                try:
                    await within(provider.start(self), self.host.hook_timeout * 3)
                except Exception as err:
                    # One broken integration must not keep the rest of the home dark.
                    text = "timed out" if isinstance(err, TimeoutError) else str(err)
                    log.error("device provider %s (plugin %s) failed to start: %s",
                              provider.name, plugin, text)
                    await self.bus.publish(PluginFailed(plugin=plugin, hook="start", error=text))
                    continue
                self.providers[provider.name] = provider
        for _plugin, handlers in self.host.call("samantha_intent_handlers", house=self):
            self.handlers.update(handlers)
        await self.host.acall("samantha_startup", house=self)
        self.recognizer()  # compile now, not on the first sentence someone says
        # Start-up builds large, long-lived structures (sentence templates, slot lists). Moving
        # them out of the collector's reach keeps full collections from pausing the voice and
        # automation paths for tens of milliseconds.
        gc.collect()
        gc.freeze()
        self.started = True
        # A snapshot: publishing may itself record failures (a plugin whose event hook raises).
        for failure in list(self.host.failures):
            await self.bus.publish(PluginFailed(plugin=failure.plugin, hook=failure.hook,
                                                error=failure.error))
        self.host.on_failure = self._report_failure

    def _report_failure(self, failure: HookFailure) -> None:
        """Publish a plugin's first failure in a hook, unless it happened while a failure
        report was being delivered (that is how a raising event hook would loop)."""
        if delivering_failure_report.get():
            return
        with contextlib.suppress(RuntimeError):  # no running loop: nobody to tell
            self.bus.publish_soon(PluginFailed(plugin=failure.plugin, hook=failure.hook,
                                               error=failure.error))

    async def stop(self) -> None:
        self.host.on_failure = None
        await self.host.acall("samantha_shutdown", house=self)
        for provider in self.providers.values():
            try:
                await within(provider.stop(), self.host.hook_timeout)
            except Exception as err:
                log.error("device provider %s failed to stop: %s", provider.name, err)
        await self.bus.drain()
        await self.lanes.close(self.host.hook_timeout)

    async def __aenter__(self) -> House:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- events -------------------------------------------------------------------------------

    def _state_changed(self, device: Device, old: dict[str, Any]) -> None:
        event = DeviceStateChanged(device=device.id, old=old, new=dict(device.state))
        # Without a running loop (set up before start) nothing can be listening yet.
        with contextlib.suppress(RuntimeError):
            self.bus.publish_soon(event)

    async def set_activity(self, room: str, activity: str) -> None:
        """Record what a room is doing and tell plugins (LED rings, MQTT status, ...)."""
        room_id = self.room(room).id
        if room_id in self.muted and activity != "muted":
            activity = "muted"
        if self.activity.get(room_id) == activity:
            return
        self.activity[room_id] = activity
        await self.host.acall("samantha_room_activity", house=self, room=room_id,
                              activity=activity)
        await self.bus.publish(RoomActivityChanged(room=room_id, activity=activity,  # type: ignore[arg-type]
                                                   muted=room_id in self.muted))

    async def set_muted(self, room: str, muted: bool) -> None:
        """Mute or unmute a room's microphone; audio sources check `is_muted` per frame."""
        room_id = self.room(room).id
        if muted:
            self.muted.add(room_id)
            await self.set_activity(room_id, "muted")
        else:
            self.muted.discard(room_id)
            await self.set_activity(room_id, "idle")

    def is_muted(self, room: str) -> bool:
        found = self.home.find_room(room)
        return found is not None and found.id in self.muted

    async def _forward_event(self, event: BaseEvent) -> None:
        await self.lanes.deliver(event)

    # --- understanding ------------------------------------------------------------------------

    def intents_data(self) -> dict[str, Any]:
        if self._intents_data is None:
            language = self.config.language
            data = get_intents(language)
            if data is None:
                raise ConfigError([ConfigIssue(
                    f"no built-in sentences for language {language!r}", ("language",),
                    self.loaded.position_of(("language",)), "use a language code such as en, de")])
            for _plugin, extra in self.host.call("samantha_sentences", house=self,
                                                 language=language):
                merge_dict(data, extra)
            self._intents_data = data
        return self._intents_data

    def invalidate_sentences(self) -> None:
        """Forget compiled sentences: a plugin's `samantha_sentences` answer has changed."""
        self._intents_data = None
        self._recognizers = None

    def slot_lists(self) -> dict[str, SlotList]:
        home = self.home
        areas = [(n, r.id, {"area": r.id}) for r in home.rooms.values() for n in r.names()]
        names = []
        for d in home.devices.values():
            context: dict[str, Any] = {"domain": d.kind.value}
            if d.device_class:
                context["device_class"] = d.device_class
            names.extend((n, n, context) for n in d.names())
        # "turn it off": a pronoun is a name whose devices the conversation context supplies,
        # so it stands for any kind (templates require their domain in the name's context).
        kinds = sorted({d.kind.value for d in home.devices.values()})
        names.extend((p, p, {"domain": k}) for p in PRONOUNS.get(self.config.language, ())
                     for k in kinds)
        lists: dict[str, SlotList] = {
            "area": TextSlotList.from_tuples(areas, allow_template=False),
            "name": TextSlotList.from_tuples(names, allow_template=False),
            "floor": TextSlotList.from_tuples(home.floor_names(), allow_template=False),
            "zone": TextSlotList.from_tuples(home.zone_names(), allow_template=False),
        }
        for _plugin, extra in self.host.call("samantha_slot_lists", house=self):
            lists.update(extra)
        return lists

    def recognizer(self, *, unmatched: bool = False) -> Recognizer:
        """Recognizers compiled for the home as it is now; rebuilt when devices change."""
        if self._recognizers is None or self._recognizers[0] != self.home.revision:
            intents = Intents.from_dict(self.intents_data())
            self._recognizers = (
                self.home.revision,
                Recognizer(intents, self.slot_lists(), language=self.config.language),
                None,
            )
        revision, strict, loose = self._recognizers
        if not unmatched:
            return strict
        if loose is None:
            loose = Recognizer(strict.intents, strict.slot_lists, language=strict.language,
                               allow_unmatched_entities=True)
            self._recognizers = (revision, strict, loose)
        return loose

    def room(self, name: str) -> Room:
        found = self.home.find_room(name)
        if found is None:
            raise UnknownRoom(name, [r.id for r in self.home.rooms.values()])
        return found

    def recognize(self, text: str, room: Room) -> RecognizeResult | None:
        results = list(self.recognizer().recognize_all(text, {"area": room.id}))
        best = pick_best(results, BEST_METADATA, BEST_SLOT)
        if best is not None and self._pronoun_named(best):
            # A pronoun only stands in for a name: "how hot is it" is the template's own words
            # (no name at all), not a question about whatever "it" was.
            plain = [r for r in results if not self._pronoun_named(r)]
            best = pick_best(plain, BEST_METADATA, BEST_SLOT) or best
        if best is not None and self._pronoun_named(best):
            # "set it to 50%" is brightness when "it" is a light, speed when it is a fan.
            kinds = self._referent_kinds(room, str(best.entities[BEST_SLOT].value))
            fitting = [r for r in results if self._pronoun_named(r)
                       and (r.context or {}).get("domain") in kinds]
            best = pick_best(fitting, BEST_METADATA, BEST_SLOT) or best
        return best

    def _referent_kinds(self, room: Room, word: str) -> set[str]:
        answers = self.host.call("samantha_referents", house=self, room=room.id, word=word)
        ids = answers[-1][1] if answers else []
        return {self.home.devices[i].kind.value for i in ids if i in self.home.devices}

    def _pronoun_named(self, result: RecognizeResult) -> bool:
        name = result.entities.get(BEST_SLOT)
        return name is not None and is_pronoun(name.value, self.config.language)

    async def handle_text(self, text: str, room: str) -> Outcome:
        """Understand one sentence said in `room`, act on it and return what came of it."""
        where = self.room(room)
        text = " ".join(_UNSPEAKABLE.sub("", _SURROGATES.sub("\ufffd", text)).split())
        if len(text) > MAX_SENTENCE_CHARS:
            # Matching cost grows with length, and nobody says a paragraph to a light switch.
            return Outcome(room=where.id, text=text[:MAX_SENTENCE_CHARS], reply=(
                "That was a lot at once. Could you say it in a shorter sentence?"))
        await self.bus.publish(UtteranceHeard(room=where.id, text=text))
        if not text:
            return Outcome(room=where.id, text=text, reply="")
        taken = await self.host.acall("samantha_before_intent", first=True, house=self,
                                      room=where.id, text=text)
        result = None if taken else self.recognize(text, where)
        if result is not None and self._about_unknown_people(result):
            result = None  # "is anyone home" in a house that knows no one: the persona's
        if taken:
            outcome = taken[0][1]
        elif result is None:
            outcome = await self._not_understood(text, where)
        else:
            slots = {name: entity.value for name, entity in result.entities.items()}
            await self.bus.publish(IntentRecognized(room=where.id, text=text,
                                                    intent=result.intent.name, slots=slots))
            outcome = await self.handle_intent(result.intent.name, slots, text, where,
                                               response=result.response)
        outcome = await self.host.achain("samantha_outcome", "outcome", outcome, house=self)
        if outcome.reply:
            await self.speak(where.id, outcome.reply)
        return outcome

    def _about_unknown_people(self, result: RecognizeResult) -> bool:
        """A question about people when no person is a device here: people, plans and feelings
        are the persona's to talk about, not a device query with nothing to query."""
        domain = result.entities.get("domain")
        domains = domain.value if domain is not None else None
        if domains != "person" and not (isinstance(domains, list) and "person" in domains):
            return False
        return not any(d.kind is Kind.PERSON for d in self.home.devices.values())

    async def speak(self, room: str, text: str) -> None:
        """Say `text` in `room` (speech plugins listen for the reply event and play it)."""
        await self.bus.publish(ReplySpoken(room=self.room(room).id, text=text))

    async def interrupt(self, room: str) -> None:
        """Stop what the house says in `room` and drop its pending question (plugins listen)."""
        await self.bus.publish(Interrupted(room=self.room(room).id))

    async def handle_intent(self, intent: str, slots: dict[str, Any], text: str,
                            room: Room, response: str | None = None) -> Outcome:
        """Run the handler of a recognized (or reconstructed, for a follow-up) intent;
        `response` is the template's answer form (HA's "any", "all", "how_many", ...)."""
        request = IntentRequest(house=self, room=room, text=text, intent=intent, slots=slots,
                                response=response)
        handler = self.handlers.get(intent)
        if handler is None:
            return request.outcome(unhandled_reply(intent, slots)).model_copy(
                update={"refused": True})
        try:
            outcome = await handler(request)
            if not isinstance(outcome, Outcome):
                raise TypeError(f"the handler for {intent} returned {type(outcome).__name__}, "
                                "not an Outcome")
            return outcome
        except TargetError as err:
            return request.outcome(err.reply).model_copy(update={"refused": True})
        except Exception:
            log.exception("intent handler for %s failed on %r", intent, text)
            return request.outcome("Sorry, something went wrong while I was doing that."
                                   ).model_copy(update={"refused": True})

    async def _not_understood(self, text: str, room: Room) -> Outcome:
        await self.bus.publish(IntentNotRecognized(room=room.id, text=text))
        refused = self._explain_unknown(text, room)
        if refused:
            return Outcome(room=room.id, text=text, reply=refused)
        answered = await self.host.acall("samantha_unrecognized", first=True, house=self,
                                         room=room.id, text=text)
        if answered and isinstance(answered[0][1], Outcome):
            return answered[0][1]
        return Outcome(room=room.id, text=text, reply="Sorry, I didn't understand that.")

    def _explain_unknown(self, text: str, room: Room) -> str | None:
        """Say which room or device the sentence named that this home doesn't have, when it
        truly named one (samantha.refusals); otherwise the sentence is the persona's."""
        loose = self.recognizer(unmatched=True).recognize_all(text, {"area": room.id})
        places = [n for r in self.home.rooms.values() for n in r.names()]
        places += [n for f in self.home.floors.values() for n in f.names()]
        devices = [n for d in self.home.devices.values() for n in d.names()]
        return refusal(text, loose, self.config.language, places, devices)

    # --- acting -------------------------------------------------------------------------------

    async def _completed(self, device: Device, command: Command) -> Command:
        """The command as plugins complete it for its device (an alarm code, say).

        Only what goes to the provider: results and events keep the command as it was issued.
        A plugin may add parameters, not aim the command at another device or action.
        """
        sent = await self.host.achain("samantha_command", "command", command, house=self,
                                      device=device)
        if (sent.device, sent.action) != (command.device, command.action):
            log.warning("a plugin turned %s %s into %s %s; sent as issued", command.action,
                        command.device, sent.action, sent.device)
            return command
        return sent

    async def execute(
        self, commands: Iterable[Command], room: str | None = None
    ) -> list[CommandResult]:
        """Send each command to its device's provider; failures are reported, not raised."""
        results = []
        for command in commands:
            device = self.home.devices.get(command.device)
            if device is None:
                results.append(CommandResult(command=command, ok=False,
                                             error=f"no device with id {command.device!r}"))
                continue
            if command.action not in ACTIONS[device.kind]:
                results.append(CommandResult(command=command, ok=False, error=(
                    f"a {device.kind.value.replace('_', ' ')} cannot "
                    f"{command.action.replace('_', ' ')}")))
                continue
            if not device.available:
                results.append(CommandResult(command=command, ok=False,
                                             error=f"{device.name} is unavailable right now"))
                continue
            provider = self.providers.get(device.provider)
            if provider is None:
                results.append(CommandResult(command=command, ok=False,
                                             error=f"{device.name} has no working provider"))
                continue
            sent = await self._completed(device, command)
            # Observers hear of the command without holding it up (it is on the voice path).
            # An alarm code goes to the device only, never to observers.
            shown = {k: v for k, v in command.params.items() if k != "code"}
            self.bus.publish_soon(DeviceCommand(device=device.id, action=command.action,
                                                params=shown, room=room))
            try:
                await within(provider.execute(device, sent), self.host.hook_timeout)
            except CommandQueued as err:
                results.append(CommandResult(command=command, ok=False, queued=True,
                                             error=str(err)))
            except (CommandError, DeviceUnavailable) as err:
                results.append(CommandResult(command=command, ok=False, error=str(err)))
            except TimeoutError:
                results.append(CommandResult(command=command, ok=False,
                                             error=f"{device.name} did not answer in time"))
            except Exception as err:
                log.exception("provider %s failed on %s", provider.name, command)
                results.append(CommandResult(command=command, ok=False, error=str(err)))
            else:
                results.append(CommandResult(command=command, ok=True))
        return results
