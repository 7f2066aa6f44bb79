"""Learning a voice by voice: "learn my voice" / "this is Anna", three sentences, a profile.

    learn my voice | this is Anna [learn my voice] | I am Anna | my name is Anna
        -> "Say three sentences to me, one at a time ... What's the first one?"
    (three utterances in that room: each is a voice sample, not a command)
        -> "Thank you, Anna: I know your voice now."
    forget my voice  -> the speaker's profile is erased
    stop | cancel | never mind (while learning) -> stops, nothing kept

Samples come only from audio the house heard in that room (the speech pipeline's utterance, or
a satellite's streamed audio): a typed sentence, or a satellite that recognises speech itself
and sends only text, cannot teach a voice. A voice already enrolled can only be replaced by
that same voice; a voice that is someone else's cannot be enrolled under another name.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from samantha.intent_handling import IntentHandler, IntentRequest, Outcome

from .identify import Utterance, to_float, utterance_audio
from .roster import find_person, people_of
from .speaker import MIN_SCORE, Heard, current

if TYPE_CHECKING:
    from samantha.house import House

    from .voices import VoiceProfiles

log = logging.getLogger(__name__)

SAMPLES = 3
MIN_SAMPLE_S = 1.0      # of audio; shorter says too little about a voice
IDLE_S = 120.0          # a learning session nobody adds to for this long is dropped
# A sample this unlike the earlier ones is someone else. One sentence against another: the same
# flite voice scores 0.84-0.96, different ones 0.47-0.76 (bench/speakers.py); real voices vary
# more from sentence to sentence, so this only catches the plainly different.
SAME_VOICE = 0.7
CANCEL = re.compile(r"^(stop|cancel|never ?mind|forget it|no|quit)\b", re.IGNORECASE)
PERSON_LIST = "samantha_person"
ASK_WHO = ("I don't know who you are yet. Tell me your name: say 'this is' and your name, "
           "and I'll learn your voice.")
NO_AUDIO = ("I can only learn a voice from what I hear, and I didn't hear this one: say it to "
            "me in a room whose microphone sends me its sound, or use 'samantha people "
            "enroll'.")
ORDINALS = {1: "one", 2: "two"}


def sentences(house: House, language: str) -> dict[str, Any] | None:
    if language != "en":
        return None
    names: list[Any] = []
    for name, person in people_of(house).items():
        names.append({"in": name, "out": name})
        names += [{"in": alias, "out": name} for alias in person.aliases]
    learn = ["learn my voice", "[please] learn (to recognise|to recognize) my voice",
             "remember my voice"]
    intents: dict[str, Any] = {
        "SamanthaForgetVoice": {"data": [{"sentences": [
            "[please] forget my voice", "[please] delete my voice"]}]},
        "SamanthaLearnVoice": {"data": [{"sentences": learn}]},
    }
    if names:
        who = "(this is|i am|my name is|it's|it is) {" + PERSON_LIST + "}"
        intents["SamanthaLearnVoice"]["data"][0]["sentences"] += [
            who, f"{who}[,] [please] learn my voice", f"learn my voice[,] {who}"]
    return {"language": language, "intents": intents,
            "lists": {PERSON_LIST: {"values": names}} if names else {}}


@dataclass
class Session:
    person: str
    replacing: bool
    vectors: list[np.ndarray] = field(default_factory=list)
    seconds: float = 0.0
    last: float = field(default_factory=time.monotonic)


class Enrollment:
    """The voice-learning conversations under way, one per room."""

    def __init__(self, house: House) -> None:
        self.house = house
        self.sessions: dict[str, Session] = {}

    def profiles(self) -> VoiceProfiles:
        from samantha.plugins.persona.runtime import runtime_of  # it owns the memory file

        from .voice import VoiceEncoder
        from .voices import VoiceProfiles

        return VoiceProfiles(runtime_of(self.house).memory, VoiceEncoder.name)

    def begin(self, room: str, person: str, heard: Heard | None, audio: Utterance) -> str:
        """Start learning `person`'s voice in `room` (asked in `audio`); what to say back."""
        profiles = self.profiles().profiles()
        if heard is not None and heard.person not in (None, person) and heard.score >= MIN_SCORE:
            return (f"You sound like {heard.person.title()} to me, not {person.title()}, so I "
                    "won't learn this voice as theirs.")
        replacing = person in profiles
        if replacing and not (heard is not None and heard.person == person):
            return (f"I already know {person.title()}'s voice, and this doesn't sound like "
                    f"them; only {person.title()} can teach it to me again.")
        self.sessions[room] = Session(person, replacing)
        log.info("learning %s's voice in %s", person, room)
        return (f"Okay {person.title()}, let's learn your voice. Say {SAMPLES} sentences to me, "
                "one at a time: anything you like, like what you did today. What's the first "
                "one?")

    async def take(self, text: str, room: str, voice: Heard | None,
                   audio: Utterance | None) -> Outcome | None:
        """The room's utterance as a voice sample, if the room is learning a voice; else None
        (the house handles it as usual)."""
        session = self.sessions.get(room)
        if session is None:
            return None
        if time.monotonic() - session.last > IDLE_S:
            del self.sessions[room]
            return None
        session.last = time.monotonic()
        reply = await self._sample(session, room, text, voice, audio)
        outcome = Outcome(room=room, text=text, reply=reply, intent="SamanthaVoiceSample",
                          source="intent")
        await self.house.speak(room, reply)
        return outcome

    async def _sample(self, session: Session, room: str, text: str, voice: Heard | None,
                      audio: Utterance | None) -> str:
        if CANCEL.match(text.strip()):
            del self.sessions[room]
            return "Okay, I've stopped learning your voice; nothing was kept."
        if audio is None:
            return "I didn't get the sound of that. Could you say it again?"
        if audio.seconds < MIN_SAMPLE_S:
            return "That was a bit short for me. Could you say a longer sentence?"
        if voice is not None and voice.person not in (None, session.person) \
                and voice.score >= MIN_SCORE:
            return (f"That sounded like {voice.person.title()}. {session.person.title()}, "
                    "could you say it?")
        try:
            vector = voice.vector if voice is not None and voice.vector is not None \
                else await self._embed(audio)
        except Exception as err:
            del self.sessions[room]
            log.warning("learning a voice: the encoder failed (%s: %s)", type(err).__name__, err)
            return "Sorry, I can't learn voices right now: my voice model isn't working."
        if session.vectors:
            mean = np.mean(session.vectors, axis=0)
            if float(vector @ (mean / np.linalg.norm(mean))) < SAME_VOICE:
                return ("That didn't sound like the same voice as before. Could you say it "
                        "again?")
        session.vectors.append(vector)
        session.seconds += audio.seconds
        count = len(session.vectors)
        if count < SAMPLES:
            left = SAMPLES - count
            return (f"Thanks, that's {ORDINALS.get(count, str(count))}. "
                    + ("And the last one?" if left == 1 else "Another sentence?"))
        del self.sessions[room]
        self.profiles().enroll(session.person, session.vectors, session.seconds)
        log.info("learned %s's voice (%d samples, %.1f s)", session.person, count,
                 session.seconds)
        again = " again" if session.replacing else ""
        return f"Thank you, {session.person.title()}: I know your voice{again} now."


    @staticmethod
    async def _embed(audio: Utterance) -> np.ndarray:
        from .voice import encoder

        samples = to_float(audio.pcm, audio.rate)
        return await asyncio.to_thread(lambda: encoder().embed(samples))


_ENROLLMENT: weakref.WeakKeyDictionary[House, Enrollment] = weakref.WeakKeyDictionary()


def enrollment_of(house: House) -> Enrollment:
    found = _ENROLLMENT.get(house)
    if found is None:
        found = _ENROLLMENT[house] = Enrollment(house)
    return found


def _speaker(request: IntentRequest) -> str | None:
    from samantha.plugins.persona.runtime import runtime_of

    return runtime_of(request.house).person_in(request.room.id)


async def learn_voice(request: IntentRequest) -> Outcome:
    audio = utterance_audio()
    if audio is None:
        return request.outcome(NO_AUDIO)
    named = request.slot(PERSON_LIST, None)
    person = find_person(request.house, str(named)) if named else _speaker(request)
    if person is None:
        return request.outcome(ASK_WHO)
    reply = enrollment_of(request.house).begin(request.room.id, person, current(), audio)
    return request.outcome(reply)


async def forget_voice(request: IntentRequest) -> Outcome:
    person = _speaker(request)
    if person is None:
        return request.outcome("I don't know who you are, so I have no voice of yours to "
                               "forget.")
    if enrollment_of(request.house).profiles().forget(person):
        return request.outcome(f"Okay {person.title()}, I've forgotten your voice.")
    return request.outcome("I didn't know your voice, so there was nothing to forget.")


HANDLERS: dict[str, IntentHandler] = {"SamanthaLearnVoice": learn_voice,
                                      "SamanthaForgetVoice": forget_voice}
