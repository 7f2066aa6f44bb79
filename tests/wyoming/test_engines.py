"""The `wyoming` wake/stt/tts engines against real Wyoming servers on loopback."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from samantha.plugins.speech.engines import EngineError
from samantha.plugins.speech.sphinx_engines import SphinxStt
from samantha.plugins.speech.tts import EspeakTts
from samantha.plugins.wyoming.engines import WyomingStt, WyomingTts, WyomingWake
from samantha.plugins.wyoming.settings import SttEndpoint, TtsEndpoint, WakeEndpoint

SERVERS = Path(__file__).with_name("engine_servers.py")
Start = Callable[[str], int]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            assert proc.poll() is None, "the test Wyoming server exited"
            assert time.monotonic() < deadline, "the test Wyoming server never listened"
            time.sleep(0.1)


@pytest.fixture
def start_server() -> Iterator[Callable[..., int]]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(kind: str, port: int | None = None) -> int:
        port = port or _free_port()
        proc = subprocess.Popen([sys.executable, str(SERVERS), kind, str(port)],
                                stdout=subprocess.DEVNULL)
        procs.append(proc)
        _wait_port(port, proc)
        return port

    start.procs = procs  # type: ignore[attr-defined]
    yield start
    for proc in procs:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(10)


def _pcm(path: Path) -> bytes:
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == 16000 and wav.getnchannels() == 1
        return wav.readframes(wav.getnframes())


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], bytes]:
    directory = tmp_path_factory.mktemp("wyoming-audio")

    def say(text: str) -> bytes:
        raw, out = directory / f"{abs(hash(text))}_raw.wav", directory / f"{abs(hash(text))}.wav"
        subprocess.run(["flite", "-voice", "slt", "-t", text, "-o", str(raw)], check=True,
                       capture_output=True)
        subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", "-e",
                        "signed-integer", str(out), "pad", "0.3", "0.6"], check=True,
                       capture_output=True)
        return _pcm(out)

    return say


def test_stt_over_wyoming_matches_the_same_engine_in_process(
        start_server: Start, speech: Callable[[str], bytes]) -> None:
    port = start_server("stt")
    pcm = speech("turn on the kitchen lights")
    stt = WyomingStt(SttEndpoint(uri=f"tcp://127.0.0.1:{port}", timeout_s=30), "en")
    stt.start()
    for offset in range(0, len(pcm), 3200):
        assert stt.accept(pcm[offset : offset + 3200]) == ""
    heard = stt.finish()
    local = SphinxStt(None, {}).transcribe_free(pcm)
    assert local is not None and heard.text == local.text
    assert "lights" in heard.text


def test_tts_over_wyoming_gives_the_same_audio_as_espeak_in_process(
        start_server: Start) -> None:
    import asyncio

    port = start_server("tts")
    tts = WyomingTts(TtsEndpoint(uri=f"tcp://127.0.0.1:{port}"))
    remote = asyncio.run(tts.synthesize("The kitchen lights are on."))
    local = asyncio.run(EspeakTts("en-us", 170).synthesize("The kitchen lights are on."))
    assert remote.sample_rate == local.sample_rate
    assert remote.samples.shape[1] == 1 and remote.samples.dtype == np.int16
    assert np.array_equal(remote.samples, local.samples)


def test_wake_over_wyoming_hears_the_phrase_and_not_other_speech(
        start_server: Start, speech: Callable[[str], bytes]) -> None:
    port = start_server("wake")
    wake = WyomingWake(WakeEndpoint(uri=f"tcp://127.0.0.1:{port}"))

    def feed(pcm: bytes) -> list[str]:
        found = []
        for offset in range(0, len(pcm), 1600):
            detection = wake.process(pcm[offset : offset + 1600])
            if detection:
                found.append(detection.phrase)
            time.sleep(0.002)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not found:  # the answer may trail the audio
            detection = wake.process(b"\x00" * 1600)
            if detection:
                found.append(detection.phrase)
            time.sleep(0.05)
        return found

    assert feed(speech("turn on the kitchen lights")) == []
    wake.reset()
    assert feed(speech("hey samantha")) == ["hey_samantha"]


def test_unreachable_server_errors_name_it_and_back_off_then_recover(
        start_server: Start, speech: Callable[[str], bytes],
        caplog: pytest.LogCaptureFixture) -> None:
    import asyncio

    caplog.set_level(logging.ERROR, "samantha.plugins.wyoming")
    port = _free_port()
    uri = f"tcp://127.0.0.1:{port}"
    with pytest.raises(EngineError, match=f"Wyoming text-to-speech server at {uri}"):
        asyncio.run(WyomingTts(TtsEndpoint(uri=uri, timeout_s=2)).synthesize("hello"))

    stt = WyomingStt(SttEndpoint(uri=uri, timeout_s=30, reconnect_initial_s=0.2,
                                 reconnect_max_s=0.5), "en")
    for _ in range(3):
        stt.start()
        assert stt.finish().text == ""
    errors = [r.getMessage() for r in caplog.records]
    assert len(errors) == 1 and uri in errors[0] and "cannot connect" in errors[0]
    assert stt.client.failures == 1  # the next two attempts waited out the back-off

    start_server("stt", port)  # the server comes (back) up on the same address
    time.sleep(0.6)
    pcm = speech("turn on the kitchen lights")
    stt.start()
    stt.accept(pcm)
    assert "lights" in stt.finish().text


def test_a_server_answering_nonsense_is_an_error_naming_it(
        start_server: Start, caplog: pytest.LogCaptureFixture) -> None:
    import asyncio

    caplog.set_level(logging.ERROR, "samantha.plugins.wyoming")
    port = start_server("nonsense")
    uri = f"tcp://127.0.0.1:{port}"
    with pytest.raises(EngineError, match="answered nonsense"):
        asyncio.run(WyomingTts(TtsEndpoint(uri=uri)).synthesize("hello"))
    stt = WyomingStt(SttEndpoint(uri=uri), "en")
    stt.start()
    stt.accept(b"\x00" * 3200)
    assert stt.finish().text == ""
    assert any("answered nonsense" in r.getMessage() and uri in r.getMessage()
               for r in caplog.records)
