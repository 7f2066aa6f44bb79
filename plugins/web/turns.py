"""The live turns timeline: bus events folded into one record per turn, per room.

A turn starts with a wake word or a sentence (spoken or typed) and gathers what follows in
its room: transcripts (heard vs snapped), the intent and slots, commands and the state they
caused, the reply, with each step's time since the turn began. Commands and state changes
arrive asynchronously (`publish_soon`), so a turn stays open until the room's next one.
"""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from samantha.events import (
    BaseEvent,
    DeviceCommand,
    DeviceStateChanged,
    IntentNotRecognized,
    IntentRecognized,
    ReplySpoken,
    UtteranceHeard,
)
from samantha.plugins.speech.events import SpeechStep, TurnAudio
from samantha.plugins.web.audio import AudioStore

OPEN_S = 30.0  # a command this long after a turn began is no longer counted as its doing

Listener = Callable[[dict[str, Any]], None]


class Turn:
    def __init__(self, turn_id: int, room: str, started: float, source: str) -> None:
        self.id = turn_id
        self.room = room
        self.started = started
        self.source = source
        self.wake: dict[str, Any] | None = None
        self.heard: str | None = None
        self.text: str | None = None
        self.intent: str | None = None
        self.slots: dict[str, Any] = {}
        self.commands: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []
        self.reply: str | None = None
        self.steps: list[dict[str, Any]] = []
        self.audio = False
        self.said = False
        self.devices: set[str] = set()

    def step(self, name: str, at: float, **detail: Any) -> None:
        self.steps.append({"step": name, "ms": round((at - self.started) * 1000, 1), **detail})

    def public(self) -> dict[str, Any]:
        steps = sorted(self.steps, key=lambda s: s["ms"])
        timings = {s["step"]: s["ms"] for s in steps}
        return {"id": self.id, "room": self.room, "started": self.started, "source": self.source,
                "wake": self.wake, "heard": self.heard, "text": self.text,
                "intent": self.intent, "slots": self.slots, "commands": self.commands,
                "changes": self.changes, "reply": self.reply, "steps": steps,
                "timings": timings, "audio": self.audio}


class TurnLog:
    """Keeps the last `keep` turns; tells listeners (the SSE clients) of each change."""

    def __init__(self, keep: int, audio: AudioStore) -> None:
        self.keep = keep
        self.turns: OrderedDict[int, Turn] = OrderedDict()
        self.current: dict[str, Turn] = {}
        self.audio = audio
        self.listeners: list[Listener] = []
        self._ids = itertools.count(1)

    def recent(self, room: str | None = None) -> list[dict[str, Any]]:
        return [t.public() for t in reversed(self.turns.values())
                if room is None or t.room == room]

    def get(self, turn_id: int) -> Turn | None:
        return self.turns.get(turn_id)

    def _new(self, room: str, at: float, source: str) -> Turn:
        turn = Turn(next(self._ids), room, at, source)
        self.turns[turn.id] = turn
        self.current[room] = turn
        while len(self.turns) > self.keep:
            old_id, old = self.turns.popitem(last=False)
            if self.current.get(old.room) is old:
                del self.current[old.room]
            self.audio.drop(old_id)
        return turn

    def _open(self, room: str | None, at: float) -> Turn | None:
        turn = self.current.get(room or "")
        return turn if turn is not None and at - turn.started <= OPEN_S else None

    def _changed(self, turn: Turn) -> None:
        data = turn.public()
        for listener in list(self.listeners):
            listener(data)

    def observe(self, event: BaseEvent) -> None:
        turn = self._fold(event)
        if turn is not None:
            self._changed(turn)

    def _fold(self, event: BaseEvent) -> Turn | None:
        at = event.timestamp
        if isinstance(event, SpeechStep):
            return self._speech(event, at)
        if isinstance(event, TurnAudio):
            turn = self._open(event.room, at) or self._new(event.room, at, "voice")
            self.audio.put(turn.id, event.pcm, event.sample_rate)
            turn.audio = True
            turn.step("audio", at, seconds=round(len(event.pcm) / 2 / event.sample_rate, 2))
            return turn
        if isinstance(event, UtteranceHeard):
            turn = self._open(event.room, at)
            # A spoken turn is open from its wake word until its sentence reaches the house.
            if turn is None or turn.said:
                turn = self._new(event.room, at, "typed")
            turn.text, turn.said = event.text, True
            turn.step("sentence", at)
            return turn
        if isinstance(event, (IntentRecognized, IntentNotRecognized)):
            turn = self._open(event.room, at)
            if turn is None:
                return None
            if isinstance(event, IntentRecognized):
                turn.intent, turn.slots = event.intent, dict(event.slots)
                turn.step("intent", at, intent=event.intent)
            else:
                turn.step("not_understood", at)
            return turn
        if isinstance(event, DeviceCommand):
            turn = self._open(event.room, at)
            if turn is None:
                return None
            turn.commands.append({"device": event.device, "action": event.action,
                                  "params": event.params})
            turn.devices.add(event.device)
            turn.step("command", at, device=event.device, action=event.action)
            return turn
        if isinstance(event, DeviceStateChanged):
            for turn in self.current.values():
                if event.device in turn.devices and at - turn.started <= OPEN_S:
                    turn.changes.append({"device": event.device, "new": event.new})
                    turn.step("state", at, device=event.device)
                    return turn
            return None
        if isinstance(event, ReplySpoken):
            turn = self._open(event.room, at)
            if turn is None or turn.reply is not None:
                turn = self._new(event.room, at, "announcement")
            turn.reply = event.text
            turn.step("reply", at)
            return turn
        return None

    def _speech(self, event: SpeechStep, at: float) -> Turn | None:
        step = event.step
        kind = step.get("event")
        if kind == "wake":
            turn = self._new(event.room, at, "voice")
            turn.wake = {"phrase": step.get("phrase"), "confidence": step.get("confidence"),
                         "engine": step.get("engine"), "direction": step.get("direction")}
            turn.step("wake", at)
            return turn
        turn = self._open(event.room, at)
        if turn is None:
            turn = self._new(event.room, at, "voice")
        if kind == "transcript":
            turn.heard = step.get("heard")
            turn.text = step.get("text") or turn.text
            turn.step("transcript", at, heard=step.get("heard"), snapped=step.get("text"),
                      similarity=step.get("similarity"), understood=step.get("understood"))
        elif kind == "partial":
            turn.step("partial", at, text=step.get("text"))
        elif kind == "timeout":
            turn.step("timeout", at)
        else:
            return None
        return turn

    def record_results(self, turn_id: int, results: list[dict[str, Any]]) -> None:
        """Command results a caller knows (a sentence typed in the page)."""
        turn = self.turns.get(turn_id)
        if turn is not None:
            turn.step("results", time.time(), results=results)
            self._changed(turn)
