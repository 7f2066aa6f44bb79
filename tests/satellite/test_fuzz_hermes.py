"""Fuzzing the functions the hub and satellites run on what arrives from the broker: every
Hermes JSON message they parse, satellite status, and audio frames (WAV headers with every
field fuzzed, truncated, lying about their sizes). Anything may come back as InvalidMessage
(a clear reason); nothing else may escape, and nothing accepted may exceed the limits."""

from __future__ import annotations

import contextlib

import pytest
from hostile import audio_payloads, json_payloads
from hypothesis import given
from hypothesis import strategies as st

from harness.fuzzcount import Record, report_fuzz
from samantha.plugins.satellite import hermes
from samantha.plugins.satellite.limits import (
    FRAME_LIMITS,
    MAX_ID_CHARS,
    MAX_TEXT_CHARS,
    REPLY_LIMITS,
    InvalidMessage,
)
from samantha.plugins.satellite.session import frame_pcm
from samantha.plugins.satellite.status import SatelliteStatus

pytestmark = pytest.mark.fuzz

# What the hub and satellites parse from the network.
PARSED: tuple[type[hermes.HermesMessage], ...] = (
    hermes.HotwordDetected, hermes.AsrTextCaptured, hermes.AudioPlayFinished,
    hermes.AsrStartListening, hermes.AsrStopListening, hermes.HotwordToggleOn,
    hermes.HotwordToggleOff, hermes.DialogueSessionEnded)


def _strings_within_limits(message: hermes.HermesMessage) -> None:
    for name, value in message:
        if isinstance(value, str):
            limit = MAX_TEXT_CHARS if name == "text" else MAX_ID_CHARS
            assert len(value) <= limit, name


def test_hermes_json_never_raises_anything_but_invalid_message(
        record_property: Record) -> None:
    tried = 0

    @given(st.sampled_from(PARSED), json_payloads)
    def parse(cls: type[hermes.HermesMessage], payload: bytes) -> None:
        nonlocal tried
        tried += 1
        try:
            message = cls.from_payload(payload)
        except InvalidMessage as err:
            assert str(err).startswith(cls.__name__)
            return
        _strings_within_limits(message)
        if "site_id" in type(message).model_fields:
            site = message.site_id  # type: ignore[attr-defined]
            assert site and "/" not in site and "+" not in site and "#" not in site

    parse()
    report_fuzz(record_property, "Hermes JSON messages", tried)
    assert tried > 100


def test_satellite_status_never_raises_anything_but_invalid_message(
        record_property: Record) -> None:
    tried = 0

    @given(json_payloads)
    def parse(payload: bytes) -> None:
        nonlocal tried
        tried += 1
        with contextlib.suppress(InvalidMessage):
            SatelliteStatus.parse(payload)

    parse()
    report_fuzz(record_property, "satellite status", tried)


def test_audio_frames_are_checked_before_anything_is_allocated(
        record_property: Record) -> None:
    tried = accepted = 0
    # The most one accepted frame may become: 0.5 s at 16 kHz mono s16, plus resampler rounding.
    most = int(FRAME_LIMITS.max_seconds * 16000 * 2) + 64

    @given(audio_payloads)
    def decode(payload: bytes) -> None:
        nonlocal tried, accepted
        tried += 1
        try:
            pcm = frame_pcm(payload)
        except InvalidMessage as err:
            assert str(err).startswith("audio: ")
            return
        accepted += 1
        assert 0 < len(pcm) <= most and len(pcm) % 2 == 0

    decode()
    report_fuzz(record_property, "Hermes audio frames", tried)
    assert accepted > 0  # valid frames were generated too: the check is not "refuse all"


def test_reply_audio_on_the_satellite(record_property: Record) -> None:
    tried = 0

    @given(audio_payloads)
    def decode(payload: bytes) -> None:
        nonlocal tried
        tried += 1
        try:
            samples, rate = hermes.read_wav_bytes(payload, REPLY_LIMITS)
        except InvalidMessage:
            return
        assert len(samples) / rate <= REPLY_LIMITS.max_seconds

    decode()
    report_fuzz(record_property, "Hermes playBytes (satellite)", tried)


@pytest.mark.parametrize("payload, reason", [
    (hermes.wav_bytes(__import__("numpy").zeros(1024, "int16"), 1), "sample rate 1 Hz"),
    (b"RIFF\xff\xff\xff\xffWAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80>\x00\x00\x00}\x00\x00"
     b"\x02\x00\x10\x00data\xff\xff\xff\xff", "no samples"),
    (b"RIFF$\x00\x00\x00WAVEdata\x00\x00\x00\x00", "data chunk before the fmt chunk"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt \xff\xff\xff\xff", "fmt chunk of 0 bytes"),
    (b"x" * (FRAME_LIMITS.max_bytes + 1), "more than"),
])
def test_bad_frames_say_what_is_wrong(payload: bytes, reason: str) -> None:
    with pytest.raises(InvalidMessage, match=reason):
        frame_pcm(payload)


def test_json_limits_say_what_is_wrong() -> None:
    with pytest.raises(InvalidMessage, match="nested 5001 deep"):
        hermes.HotwordDetected.from_payload(b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}")
    with pytest.raises(InvalidMessage, match="more than 65536"):
        hermes.AsrTextCaptured.from_payload(b'{"text": "' + b"x" * 70000 + b'"}')
    with pytest.raises(InvalidMessage, match="text: String should have at most 4096"):
        hermes.AsrTextCaptured.from_payload(b'{"text": "' + b"x" * 5000 + b'"}')
    with pytest.raises(InvalidMessage, match="siteId: Value error, must not contain"):
        hermes.HotwordDetected.from_payload(b'{"modelId": "x", "siteId": "a/#"}')
    with pytest.raises(InvalidMessage, match="not UTF-8"):
        hermes.HotwordDetected.from_payload(b'{"modelId": "\xff"}')
