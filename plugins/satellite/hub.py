"""The hub: serves satellites over Hermes MQTT from inside `samantha run`.

Per wake: arbitration between rooms (exactly one answers), then the winner's streamed audio is
recognised here with the home's grammar (or its locally recognised text is taken), the house
handles the text, and the reply is synthesised and sent back as `playBytes` to that room only.
Hermes messages (`asr/textCaptured`, `intent/<name>`, `nlu/intentNotRecognized`,
`dialogueManager/sessionStarted|sessionEnded`, `tts/say|sayFinished`) are published on the way
so Hermes tools can follow. A satellite that vanishes (last will) makes its room unavailable
and ends its conversation; the other rooms are not affected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from samantha.events import Interrupted, ReplySpoken
from samantha.plugins.mqtt.client import Message, MqttClient, MqttError
from samantha.plugins.people.identify import heard, learning_voice, respond
from samantha.plugins.satellite import hermes
from samantha.plugins.satellite.arbitration import WakeArbiter, WakeClaim
from samantha.plugins.satellite.limits import MAX_SITE_CHARS
from samantha.plugins.satellite.oncelog import OnceLog
from samantha.plugins.satellite.recognizers import NoDecoder, Recognizers
from samantha.plugins.satellite.replies import Replies, slots_of
from samantha.plugins.satellite.session import (
    HubSession,
    Phase,
    Utterance,
    frame_pcm,
)
from samantha.plugins.satellite.settings import SatelliteSettings
from samantha.plugins.satellite.status import SatelliteStatus, SiteAvailability
from samantha.plugins.speech.endpoint import Decision
from samantha.plugins.speech.engines import SAMPLE_RATE, EngineRegistry, TextToSpeech
from samantha.plugins.speech.events import SpeechStep
from samantha.plugins.speech.grammar import GrammarKeeper, text_for_house
from samantha.plugins.speech.messages import TranscriptHeard, WakeHeard
from samantha.plugins.speech.room import NOT_CAUGHT, nothing_understood
from samantha.plugins.speech.service import resolved
from samantha.plugins.speech.settings import SpeechSettings

if TYPE_CHECKING:
    from samantha.house import House

log = logging.getLogger(__name__)

_WATCH_S = 0.1
_MAX_SITE_NAMES = 256


@dataclass
class Site:
    room: str
    available: bool = False
    status: SatelliteStatus | None = None


class SatelliteHub(Replies):
    def __init__(self, house: House, settings: SatelliteSettings, client: MqttClient,
                 speech: SpeechSettings | None = None) -> None:
        self.house = house
        self.settings = settings
        self.client = client
        base = house.config_path.resolve().parent if house.config_path else None
        self.speech = resolved(speech or SpeechSettings(), base)
        self.language = self.speech.language or house.config.language
        h = settings.hub
        self.arbiter = WakeArbiter(h.window_s, h.tie_s, h.late_s)
        self.sites: dict[str, Site] = {}
        self.sessions: dict[str, HubSession] = {}  # by room id
        self.keeper: GrammarKeeper | None = None
        self.tts: TextToSpeech | None = None
        self.topics = settings.topics()
        self._registry: EngineRegistry | None = None
        self._ready = asyncio.Event()
        self.recognizers = Recognizers(self.speech.stt, self._new_stt, self._ready,
                                       rooms=lambda: len(house.home.rooms),
                                       online=self._satellites_online)
        self._site_rooms: dict[str, str] = {}  # siteId -> room id
        self._muted: set[str] = set()
        self._plays: dict[str, asyncio.Future[None]] = {}
        self._saying: dict[str, set[asyncio.Task[None]]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._once = OnceLog(log)
        self._subs: list[Any] = []
        self._unsubscribe: Any = None
        self.stats = {"wakes": 0, "answered": 0, "stood_down": 0, "frames": 0,
                      "bad_messages": 0}

    # --- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe at once; engines and grammar load in the background (seconds)."""
        c, s, t = self.client, self.settings, self.topics
        self._subs = [
            await c.subscribe(f"{s.status_topic}/+/status", self._on_status),
            await c.subscribe(t.subscription(hermes.HotwordDetected), self._on_hotword),
            await c.subscribe(hermes.AUDIO_FRAME_SUBSCRIPTION, self._on_frame, qos=0),
            await c.subscribe(hermes.AudioPlayFinished.subscription(), self._on_play_finished),
            await c.subscribe(t.subscription(hermes.AsrTextCaptured), self._on_text),
        ]
        if s.shared_topics:  # Rhasspy satellites: anyone may claim any siteId there
            self._subs += [
                await c.subscribe(hermes.HotwordDetected.subscription(), self._on_hotword),
                await c.subscribe(hermes.AsrTextCaptured.TOPIC, self._on_text),
            ]
        stop_listening = self.house.bus.subscribe(Interrupted, self._on_interrupted)
        stop_replies = self.house.bus.subscribe(ReplySpoken, self._on_reply)
        self._unsubscribe = lambda: (stop_replies(), stop_listening())
        self._spawn(self._load())
        self._spawn(self._watchdog())

    async def _load(self) -> None:
        try:
            self._registry = EngineRegistry.from_host(self.house.host)
            self.tts = self._registry.build("tts", self.speech.tts.engine, self.speech,
                                            self.language)
            first = await self.recognizers.run(self._first_stt)
            if self.speech.stt.mode == "grammar":
                keeper = self.keeper = GrammarKeeper(self.house, self.speech.stt,
                                                     first.missing_words,
                                                     getattr(first, "pronunciation", None))
                keeper.install(await asyncio.to_thread(keeper.build))
                self.recognizers.grammar = keeper.grammar_for
                keeper.listeners.append(self.recognizers.grammar_changed)
            await self.recognizers.add_spare(first)
        except Exception:
            log.exception("satellite hub: speech engines failed to load; satellites' speech "
                          "cannot be recognised")
        finally:
            self._ready.set()
        log.info("satellite hub ready (%s)", self.speech.stt.engine)

    def _new_stt(self) -> Any:
        assert self._registry is not None
        return self._registry.build("stt", self.speech.stt.engine, self.speech, self.language)

    def _first_stt(self) -> Any:
        """The first recognizer, warmed: its free-form model (for words that snap to no
        command) loads at start, not in the middle of someone's sentence."""
        stt = self._new_stt()
        if self.speech.stt.mode == "grammar" and self.speech.stt.free_form_fallback:
            stt.transcribe_free(bytes(3200))
        return stt

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for sub in self._subs:
            with contextlib.suppress(Exception):
                await sub.cancel()
        tasks = [*self._tasks, *self.recognizers.tasks()]
        for session in self.sessions.values():
            tasks += [t for t in [session.task, *session.replies] if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        self.recognizers.close()

    def _spawn(self, work: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("satellite hub task failed", exc_info=task.exception())

    async def _publish(self, topic: str, message: hermes.HermesMessage | bytes, qos: int = 1,
                       retain: bool = False) -> None:
        payload = message if isinstance(message, bytes) else message.payload()
        try:
            await self.client.publish(topic, payload, qos=qos, retain=retain)
        except MqttError as err:
            log.warning("satellite hub: not sent to %s: %s", topic, err)

    def _send(self, topic: str, message: hermes.HermesMessage | bytes, qos: int = 1) -> None:
        """Publish without holding up the conversation (announcements for Hermes tools)."""
        self._spawn(self._publish(topic, message, qos))

    # --- sites ------------------------------------------------------------------------------

    def _room_of(self, site_id: str, topic: str) -> str | None:
        room = self._site_rooms.get(site_id)
        if room is not None:
            return room
        found = self.house.home.find_room(site_id)
        if found is None:
            self.stats["bad_messages"] += 1
            self._once.warn(f"site:{site_id}", "satellite hub: ignoring %s: siteId %r is not "
                            "a room of this home", topic, site_id[:MAX_SITE_CHARS])
            return None
        if len(self._site_rooms) < _MAX_SITE_NAMES:  # spellings of room names, not a flood
            self._site_rooms[site_id] = found.id
        return found.id

    def _site(self, room: str) -> Site:
        site = self.sites.get(room)
        if site is None:
            site = self.sites[room] = Site(room)
        return site

    async def _on_status(self, message: Message) -> None:
        site_id = message.topic.split("/")[-2]
        room = self._room_of(site_id, message.topic)
        if room is None:
            return
        try:
            status = SatelliteStatus.parse(message.payload)
        except ValueError as err:
            self._bad(message, err, site_id)
            return
        site = self._site(room)
        site.status = status
        if status.online and not site.available:
            site.available = True
            log.warning("satellite %s is online", room)  # an operator wants to see rejoins
            self._spawn(self._warm(room))
            await self._announce(room, True)
        elif not status.online and site.available:
            site.available = False
            log.warning("satellite %s is offline (last will or shutdown); room unavailable",
                        room)
            await self._abort(room, "error")
            self.recognizers.release(room)
            await self._announce(room, False)
        elif not status.online and not message.retain:
            await self._announce(room, False)

    async def _announce(self, room: str, available: bool) -> None:
        # Other plugins (LED rings, automations, the persona) see it as the room's activity.
        with contextlib.suppress(Exception):  # a site the house has no room for
            await self.house.set_activity(room, "idle" if available else "unavailable")
        session = self.sessions.get(room)
        held = session.audio_bytes() if session is not None else 0
        await self._publish(self.settings.availability_of(room), SiteAvailability(
            room=room, available=available, conversation=session is not None,
            held_audio_s=round(held / 2 / 16000, 3),
            recognizer=room in self.recognizers.by_room).payload(), retain=True)

    def _satellites_online(self) -> list[str]:
        """Rooms whose satellites announce themselves (status topic) and are online."""
        return [room for room, site in self.sites.items()
                if site.available and site.status is not None]

    def available(self, room: str) -> bool:
        site = self.sites.get(room)
        return site is not None and site.available

    async def _warm(self, room: str) -> None:
        """A decoder parked for the room, so its first wake does not wait for one."""
        try:
            await self.recognizers.for_room(room, take_any=False)
        except NoDecoder:
            return  # as many decoders as satellites already: it gets one when it talks
        except Exception as err:  # the room still gets one when it talks; say why not now
            log.warning("satellite hub: no decoder warmed up for %s: %s", room, err)
            return
        if room not in self.sessions:
            self.recognizers.release(room)

    def _bad(self, message: Message, err: Exception, source: str | None = None) -> None:
        """Log an invalid message once per source (a room, or else the topic) and kind of
        message, and drop it."""
        self.stats["bad_messages"] += 1
        kind = message.topic.rsplit("/", 1)[-1]  # detected, audioFrame, status, ...
        self._once.warn(f"bad:{source or message.topic}:{kind}", "satellite hub: ignoring "
                        "malformed message on %s: %s", message.topic, err)

    def _sender(self, message: Message, site_id: str, given: bool) -> str | None:
        """The siteId a message speaks for: the room of its per-room topic (a different siteId
        in the JSON is refused), or the JSON's on a Hermes shared topic."""
        site = self.topics.room_in(message.topic)
        if site is None:
            return site_id
        if given and site_id != site:
            self._bad(message, ValueError(f"siteId {site_id!r} on {site}'s topic: a satellite "
                                          "speaks only for its own room"), site)
            return None
        return site

    async def _order(self, session: HubSession, message: hermes.HermesMessage,
                     wait: bool = True) -> None:
        """An order to a session's satellite, on the topic its wake came on."""
        cls = type(message)
        topic = cls.TOPIC if session.shared else self.topics.of(cls, session.site)
        if wait:
            await self._publish(topic, message)
        else:
            self._send(topic, message)

    # --- wake and arbitration ---------------------------------------------------------------

    def _on_hotword(self, message: Message) -> None:
        # Not async: the session must exist before the next message is handled. The satellite
        # streams right after the wake (wake phrase, then the command's start), and frames are
        # handled as they arrive, so a task started here ran after the first of them, which
        # were dropped as audio of no session ("and the lights" for "turn on the lights").
        received = time.monotonic()
        try:
            detected = hermes.HotwordDetected.from_payload(message.payload)
        except ValueError as err:
            self._bad(message, err, self.topics.room_in(message.topic))
            return
        site_id = self._sender(message, detected.site_id, "site_id" in detected.model_fields_set)
        room = self._room_of(site_id, message.topic) if site_id is not None else None
        if room is None or site_id is None or room in self.sessions:
            return  # unknown, or already in a conversation
        site = self._site(room)
        if not site.available and site.status is None:
            site.available = True  # a Hermes satellite without Samantha's status topic
        self.stats["wakes"] += 1
        wakeword_id = self.topics.hermes_part(hermes.HotwordDetected, message.topic,
                                              "wakeword_id")
        session = HubSession(room=room, site=site_id, wakeword_id=wakeword_id,
                             local=site.status is not None and site.status.stt == "local",
                             shared=self.topics.room_in(message.topic) is None,
                             lead_bytes=int((detected.lead_s or 0.0) * SAMPLE_RATE) * 2,
                             trailing_bytes=int((detected.trailing_s or 0.0) * SAMPLE_RATE) * 2)
        self.sessions[room] = session
        self._spawn(self._arbitrate(session, detected, received))

    async def _arbitrate(self, session: HubSession, detected: hermes.HotwordDetected,
                         received: float) -> None:
        room = session.room
        won = await self.arbiter.claim(WakeClaim(room, detected.level_db, received))
        if self.sessions.get(room) is not session:
            return  # aborted meanwhile (the satellite vanished)
        if not won:
            self.stats["stood_down"] += 1
            log.info("satellite hub: %s stands down (another room answers)", room)
            del self.sessions[room]
            await self._order(session, hermes.AsrStopListening(site_id=session.site))
            return
        self.stats["answered"] += 1
        # Observers (the dashboard) see a satellite room's wake as a local room's: each
        # conversation is its own turn, not the tail of the last one in that room.
        phrase = (detected.model_id or session.wakeword_id or "").replace("_", " ")
        self.house.bus.publish_soon(SpeechStep.of(WakeHeard(room=room, t=0.0, phrase=phrase)))
        session.task = asyncio.get_running_loop().create_task(self._converse(session))

    # --- the conversation -------------------------------------------------------------------

    async def _converse(self, session: HubSession) -> None:
        room, site = session.room, session.site
        reason = "nominal"
        try:
            self._send(hermes.DialogueSessionStarted.TOPIC, hermes.DialogueSessionStarted(
                session_id=session.id, site_id=site, lang=self.language))
            await self._order(session, hermes.AsrStartListening(
                site_id=site, session_id=session.id, wakeword_id=session.wakeword_id,
                lang=self.language))
            await self.house.set_activity(room, "listening")
            while True:
                text, understood = await self._hear(session)
                if text is None:
                    reason = "timeout"
                    break
                reply = await self._understand(session, text, understood)
                window = self._follow_up(reply)
                if window <= 0 or not self.available(room):
                    break
                # Listen again without a wake word: the house asked, or the room is in a chat.
                session.follow_up = window
                await self._order(session, hermes.AsrStartListening(
                    site_id=site, session_id=session.id, lang=self.language))
                await self.house.set_activity(room, "listening")
        except asyncio.CancelledError:
            reason = "error"
            raise
        except Exception:
            log.exception("satellite hub: conversation in %s failed", room)
            reason = "error"
        finally:
            session.phase = Phase.ENDED
            # The decoder waits parked, for this room's next wake (or another room's).
            self.recognizers.release(room)
            self.recognizers.trim_soon()  # the conversation's audio is gone
            if self.sessions.get(room) is session:
                del self.sessions[room]
            with contextlib.suppress(Exception):
                await self.house.set_activity(room, "idle")
            self._ended(session, reason)

    def _follow_up(self, reply: str) -> float:
        hub = self.settings.hub
        if reply.rstrip().endswith("?"):
            return max(hub.question_follow_up_s, hub.follow_up_s)
        return hub.follow_up_s

    async def _hear(self, session: HubSession) -> tuple[str | None, bool]:
        """Listen to one utterance; (text, understood as a command) or (None, _) on silence."""
        stt = await self.recognizers.for_room(session.room)
        loop = asyncio.get_running_loop()
        endpoint = self.speech.endpoint
        if session.follow_up:
            endpoint = endpoint.model_copy(update={"no_speech_s": session.follow_up})
        # A voice sample is not a command: it ends at silence, not when its words snap to one.
        learning = learning_voice(self.house, session.room)
        session.utterance = Utterance(stt, endpoint,
                                      (lambda _partial: 0) if learning else self._complete,
                                      lead_bytes=session.lead_bytes,
                                      trailing_bytes=session.trailing_bytes, peek=not learning)
        session.lead_bytes = session.trailing_bytes = 0  # a follow-up has no wake before it
        session.local_text = local_text = loop.create_future()
        session.ended = ended = loop.create_future()
        session.listen_started = session.last_frame = time.monotonic()
        session.phase = Phase.LISTENING
        if session.early_text is not None:
            local_text.set_result(session.early_text)
            session.early_text = None
        for pcm in session.pending:
            self._feed(session, pcm)
        session.pending.clear()
        session.pending_bytes = 0
        done, _ = await asyncio.wait([local_text, ended], return_when=asyncio.FIRST_COMPLETED)
        session.phase = Phase.THINKING
        session.heard_audio, session.voice, session.unheard_reply = b"", None, ""
        await self.house.set_activity(session.room, "thinking")
        utterance = session.utterance
        if local_text in done:
            utterance.finish()  # the recognizer's utterance ends unused: the text came
            captured = local_text.result()
            await self._order(session, hermes.AsrStopListening(
                site_id=session.site, session_id=session.id), wait=False)
            if not captured.text:
                return None, False
            decided = await text_for_house(self.keeper, self.speech.stt, stt,
                                           _transcript(captured), b"", session.room)
            return (decided.text or captured.text), decided.understood
        decision = ended.result()
        local_text.cancel()
        transcript = utterance.finish()
        # The utterance is over: the satellite may stop sending audio now. Not waited for: the
        # command must not wait on the broker's acknowledgement of an order to stop.
        await self._order(session, hermes.AsrStopListening(
            site_id=session.site, session_id=session.id), wait=False)
        if decision is Decision.TIMEOUT or not utterance.speech_seen:
            return None, False
        audio = b"".join(utterance.audio)
        decided = await text_for_house(self.keeper, self.speech.stt, stt, transcript, audio,
                                       session.room)
        text, understood = decided.text, decided.understood
        # Who spoke, from the satellite's own audio, as a local room does.
        voice = (await heard(self.house, audio, SAMPLE_RATE)
                 if text or learning_voice(self.house, session.room) else None)
        session.heard_audio, session.voice = audio, voice
        speaker = voice.person if voice is not None else None
        score = voice.score if voice is not None else None
        self._send(hermes.AsrTextCaptured.TOPIC, hermes.AsrTextCaptured(
            text=text, likelihood=hermes.likelihood_of(transcript.confidence, text),
            seconds=round(utterance.t, 3),
            site_id=session.site, session_id=session.id, wakeword_id=session.wakeword_id,
            lang=self.language, speaker=speaker, speaker_score=score))
        message = TranscriptHeard(
            room=session.room, t=round(utterance.t, 3), heard=transcript.text, text=text,
            confidence=transcript.confidence, understood=understood, speaker=speaker,
            speaker_score=score, reason=decided.reason, choices=list(decided.choices),
            unfinished=decided.unfinished)
        session.unheard_reply = nothing_understood(self.language, message)
        await self.house.bus.publish(SpeechStep.of(message))
        return text, understood

    def _complete(self, partial: str) -> int:
        keeper = self.keeper
        return (self.speech.stt.mode == "grammar" and keeper is not None and bool(partial)
                and keeper.complete(partial))

    def _feed(self, session: HubSession, pcm: bytes) -> None:
        utterance, ended = session.utterance, session.ended
        if utterance is None or ended is None or ended.done():
            return
        decision = utterance.feed(pcm)
        if decision is not Decision.CONTINUE:
            ended.set_result(decision)

    async def _understand(self, session: HubSession, text: str, understood: bool) -> str:
        """Hand the text to the house; wait until its replies have played. The last reply."""
        room = session.room
        session.replies.clear()
        if not text and not learning_voice(self.house, room):
            await self.house.speak(room, session.unheard_reply
                                   or NOT_CAUGHT.get(self.language, NOT_CAUGHT["en"]))
            outcome = None
        else:
            # The satellite's audio (none when it sent only text) goes along: voice samples.
            outcome = await respond(self.house, text, room, session.voice, session.heard_audio,
                                    SAMPLE_RATE)
            if outcome.intent:
                self._send(hermes.NluIntent.topic(intent_name=outcome.intent), hermes.NluIntent(
                    input=text, intent=hermes.Intent(intent_name=outcome.intent),
                    site_id=session.site, session_id=session.id, raw_input=text,
                    lang=self.language, slots=slots_of(outcome.slots)))
            else:
                self._send(hermes.NluIntentNotRecognized.TOPIC, hermes.NluIntentNotRecognized(
                    input=text, site_id=session.site, session_id=session.id))
        while session.replies:
            await asyncio.gather(*list(session.replies), return_exceptions=True)
        return outcome.reply if outcome is not None else ""

    # --- audio and text from satellites -----------------------------------------------------

    def _on_frame(self, message: Message) -> None:
        # Hermes satellites may stream all the time: drop frames of idle sites before decoding.
        room = self._site_rooms.get(message.topic.split("/")[2])
        session = self.sessions.get(room) if room is not None else None
        if session is None or session.phase not in (Phase.ARBITRATING, Phase.LISTENING):
            return
        try:
            pcm = frame_pcm(message.payload)
        except ValueError as err:
            self._bad(message, err, session.site)
            return
        self.stats["frames"] += 1
        session.last_frame = time.monotonic()
        if session.phase is Phase.ARBITRATING:
            session.keep(pcm)
            return
        self._feed(session, pcm)

    async def _on_text(self, message: Message) -> None:
        try:
            captured = hermes.AsrTextCaptured.from_payload(message.payload)
        except ValueError as err:
            self._bad(message, err, self.topics.room_in(message.topic))
            return
        site_id = self._sender(message, captured.site_id, "site_id" in captured.model_fields_set)
        room = self._site_rooms.get(site_id) if site_id is not None else None
        session = self.sessions.get(room) if room is not None else None
        if session is None:
            return
        if session.phase is Phase.ARBITRATING:
            session.early_text = captured
        # Our own textCaptured comes back too, but only once the session is past LISTENING.
        elif (session.phase is Phase.LISTENING and session.local_text is not None
              and not session.local_text.done()):
            session.local_text.set_result(captured)

    async def _watchdog(self) -> None:
        """End utterances whose audio stopped: a satellite that died mid-sentence, or a
        follow-up nobody answered."""
        gap = self.settings.hub.frame_gap_s
        while True:
            await asyncio.sleep(_WATCH_S)
            await self.recognizers.sweep()
            now = time.monotonic()
            for session in list(self.sessions.values()):
                if session.phase is not Phase.LISTENING or session.utterance is None:
                    continue
                ended = session.ended
                if ended is None or ended.done():
                    continue
                limit = gap
                if session.local:
                    limit += self.speech.endpoint.max_utterance_s + session.follow_up
                elif session.utterance.t == 0:
                    limit += session.follow_up  # nothing heard yet: the answer may come later
                if now - session.last_frame > limit:
                    ended.set_result(Decision.END if session.utterance.speech_seen
                                     else Decision.TIMEOUT)

    async def _abort(self, room: str, reason: str) -> None:
        session = self.sessions.pop(room, None)
        if session is None:
            return
        log.warning("satellite hub: conversation in %s aborted (%s)", room, reason)
        session.drop_audio()
        self.recognizers.trim_soon()
        if session.task is not None:
            session.task.cancel()
        else:
            self._ended(session, reason)

    def _ended(self, session: HubSession, reason: str) -> None:
        """sessionEnded for Hermes tools, and on the room's own topic for its satellite."""
        ended = hermes.DialogueSessionEnded(session_id=session.id, site_id=session.site,
                                            termination=hermes.SessionTermination(reason=reason))
        self._send(hermes.DialogueSessionEnded.TOPIC, ended)
        if not session.shared:
            self._send(self.topics.of(hermes.DialogueSessionEnded, session.site), ended)

    async def room_muted(self, room: str, muted: bool) -> None:
        """The house muted or unmuted a room: its satellite stops (or resumes) listening."""
        if room not in self.sites or (room in self._muted) == muted:
            return
        toggle: hermes.HermesMessage
        if muted:
            self._muted.add(room)
            await self._abort(room, "abortedByUser")
            toggle = hermes.HotwordToggleOff(site_id=room, reason="muted")
        else:
            self._muted.discard(room)
            toggle = hermes.HotwordToggleOn(site_id=room, reason="unmuted")
        await self._publish(self.topics.of(type(toggle), room), toggle)
        if self.settings.shared_topics:
            await self._publish(type(toggle).TOPIC, toggle)


def _transcript(captured: hermes.AsrTextCaptured) -> Any:
    from samantha.plugins.speech.engines import Transcript

    return Transcript(captured.text, captured.likelihood)


__all__ = ["SatelliteHub"]
