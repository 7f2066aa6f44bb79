"""The hub's spoken replies to satellites: a house reply in a satellite's room is synthesised,
sent as `playBytes` to that room only, and waited for (`playFinished`), with Hermes'
`tts/say` and `tts/sayFinished` around it for Hermes tools."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING, Any

from samantha.events import Interrupted, ReplySpoken
from samantha.plugins.mqtt.client import Message
from samantha.plugins.satellite import hermes

if TYPE_CHECKING:
    from samantha.house import House
    from samantha.plugins.satellite.session import HubSession
    from samantha.plugins.satellite.settings import SatelliteSettings
    from samantha.plugins.speech.engines import TextToSpeech

log = logging.getLogger("samantha.plugins.satellite.hub")


class Replies:
    """Mixed into SatelliteHub: the reply half of a conversation."""

    house: House
    settings: SatelliteSettings
    sites: dict[str, Any]
    sessions: dict[str, HubSession]
    tts: TextToSpeech | None
    _ready: asyncio.Event
    _plays: dict[str, asyncio.Future[None]]
    _saying: dict[str, set[asyncio.Task[None]]]  # replies being synthesised or played, by room
    _tasks: set[asyncio.Task[Any]]

    def _task_done(self, task: asyncio.Task[Any]) -> None: ...
    def _send(self, topic: str, message: hermes.HermesMessage | bytes, qos: int = 1) -> None: ...
    async def _publish(self, topic: str, message: hermes.HermesMessage | bytes, qos: int = 1,
                       retain: bool = False) -> None: ...
    def _bad(self, message: Message, err: Exception, source: str | None = None) -> None: ...

    def _on_reply(self, event: ReplySpoken) -> None:
        site = self.sites.get(event.room)
        if site is None or not event.text:
            return  # not a satellite's room: the speech plugin (or nobody) speaks there
        if not site.available:
            log.warning("satellite hub: %s is unavailable; reply not played: %s", event.room,
                        event.text)
            return
        session = self.sessions.get(event.room)
        task = asyncio.get_running_loop().create_task(
            self._say(event.room, event.text, session.id if session else None))
        saying = self._saying.setdefault(event.room, set())
        saying.add(task)
        task.add_done_callback(saying.discard)
        if session is not None:
            session.replies.add(task)
            task.add_done_callback(session.replies.discard)
        else:
            self._tasks.add(task)
            task.add_done_callback(self._task_done)

    async def _say(self, room: str, text: str, session_id: str | None) -> None:
        await self._ready.wait()
        if self.tts is None:
            return
        request_id = uuid.uuid4().hex
        self._send(hermes.TtsSay.TOPIC, hermes.TtsSay(text=text, site_id=room, id=request_id,
                                                      session_id=session_id, lang=self.language))
        speech = await self.tts.synthesize(text)
        if not len(speech.samples):
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._plays[request_id] = done
        await self.house.set_activity(room, "speaking")
        try:
            await self._publish(hermes.play_bytes_topic(room, request_id),
                                hermes.wav_bytes(speech.samples, speech.sample_rate))
            await asyncio.wait_for(done, speech.duration + self.settings.hub.play_timeout_s)
        except (asyncio.TimeoutError, TimeoutError):
            log.warning("satellite hub: %s did not finish playing %s", room, request_id)
        finally:
            self._plays.pop(request_id, None)
        self._send(hermes.TtsSayFinished.TOPIC, hermes.TtsSayFinished(
            site_id=room, id=request_id, session_id=session_id))

    def _on_interrupted(self, event: Interrupted) -> None:
        """"Stop" in a satellite's room: cut the reply off there, and what waits to play."""
        if event.room not in self.sites:
            return
        for task in list(self._saying.get(event.room, ())):
            task.cancel()
        self._send(hermes.AudioPlayStop.topic(site_id=event.room), hermes.AudioPlayStop())
        if event.room not in self.sessions:  # a conversation puts the room back itself
            task = asyncio.get_running_loop().create_task(
                self.house.set_activity(event.room, "idle"))
            self._tasks.add(task)
            task.add_done_callback(self._task_done)

    def _on_play_finished(self, message: Message) -> None:
        try:
            finished = hermes.AudioPlayFinished.from_payload(message.payload)
        except ValueError as err:
            self._bad(message, err, hermes.AudioPlayFinished.topic_part(message.topic, "site_id"))
            return
        waiter = self._plays.get(finished.id or "")
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


def slots_of(slots: dict[str, Any]) -> list[hermes.Slot]:
    return [hermes.Slot(entity=name, slot_name=name, raw_value=str(value),
                        value=hermes.SlotValue(kind="Custom", value=value))
            for name, value in slots.items()]
