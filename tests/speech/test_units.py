"""Pure parts of the speech plugin: messages, config, registry,
model download (against a local HTTP server with Range support)."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from harness.cli import samantha_cli
from samantha.config import ConfigError
from samantha.house import House
from samantha.plugin_host import PluginHost
from samantha.plugins.speech.engines import EngineError, EngineRegistry
from samantha.plugins.speech.messages import (
    IntentFound,
    TranscriptHeard,
    WakeHeard,
    parse_message,
    to_json,
)
from samantha.plugins.speech.models import DownloadError, download


@pytest.mark.parametrize("message", [
    WakeHeard(room="kitchen", t=1.5, phrase="hey samantha", confidence=None),
    TranscriptHeard(room="kitchen", t=2.0, text="turn on the Kitchen Lights",
                    heard="turn on the kitchen lights", confidence=0.7, similarity=1.0),
    IntentFound(room="kitchen", t=2.1, name="HassTurnOn", slots={"name": "Kitchen Lights"},
                commands=[{"device": "kitchen.lights", "action": "turn_on", "params": {}}]),
])
def test_messages_round_trip(message: object) -> None:
    line = to_json(message)  # type: ignore[arg-type]
    assert line.startswith('{"event": ')
    assert parse_message(line) == message


def test_speech_config_errors_carry_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("name: X\nrooms: [{name: Kitchen}]\nspeech:\n  stt:\n"
                      "    snap_threshold: 2\n  rooms:\n    kitchen:\n"
                      "      output: {sink: wav}\n")
    with pytest.raises(ConfigError) as err:
        House.prepare(config)
    text = str(err.value)
    assert "bad.yaml:5" in text and "snap_threshold" in text
    assert "needs a path" in text


def test_built_in_engines_register_through_the_hook() -> None:
    host = PluginHost()
    host.load(use_entry_points=False)
    registry = EngineRegistry.from_host(host)
    assert registry.names("wake") == ["openwakeword", "pocketsphinx", "vosk", "wyoming"]
    assert registry.names("stt") == ["pocketsphinx", "vosk", "wyoming"]
    assert {"espeak", "piper", "none"} <= set(registry.names("tts"))
    with pytest.raises(EngineError, match="no stt engine called 'whisper'"):
        registry.build("stt", "whisper", None, "en")  # type: ignore[arg-type]


class _RangeHandler(http.server.BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}
    cut: ClassVar[int | None] = None  # send only this many bytes (a dropped link)

    def do_GET(self) -> None:
        data = self.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        start = 0
        header = self.headers.get("Range")
        if header:
            start = int(header.split("=")[1].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.cut is not None and not header:
            body = body[:self.cut]
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def model_server() -> Iterator[tuple[str, bytes]]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("vosk-model-tiny/conf/model.conf", "--beam=10\n")
        archive.writestr("vosk-model-tiny/am/final.mdl", b"\0" * 50_000)
    data = buffer.getvalue()
    _RangeHandler.files = {"/vosk-model-tiny.zip": data,
                           "/vosk-model-tiny.zip.sha256":
                               hashlib.sha256(data).hexdigest().encode()}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RangeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", data
    finally:
        server.shutdown()
        server.server_close()
        _RangeHandler.cut = None


def test_models_download_resumes_checks_and_unzips(model_server: tuple[str, bytes],
                                                   tmp_path: Path) -> None:
    url, data = model_server
    # A first attempt that stopped half way left a .part file behind.
    (tmp_path / "vosk-model-tiny.zip.part").write_bytes(data[: len(data) // 2])
    out = samantha_cli("models", "download", "vosk-model-tiny", "--dir", str(tmp_path),
                       "--url", url)
    assert out.returncode == 0, out.stderr
    assert "resumed at" in out.stdout and hashlib.sha256(data).hexdigest() in out.stdout
    assert (tmp_path / "vosk-model-tiny" / "conf" / "model.conf").read_text() == "--beam=10\n"
    assert not (tmp_path / "vosk-model-tiny.zip.part").exists()


def test_models_download_refuses_a_bad_checksum(model_server: tuple[str, bytes],
                                                tmp_path: Path) -> None:
    url, _ = model_server
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download("vosk-model-tiny", tmp_path, base_url=url, sha256="0" * 64)
    with pytest.raises(DownloadError, match="HTTP 404"):
        download("vosk-model-none", tmp_path, base_url=url)
