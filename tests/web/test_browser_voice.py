"""A spoken turn in a real browser: `samantha run --headless` replays a recording as the
kitchen's microphone (pocketsphinx wakes on "hey samantha" and decodes the command); the page,
open before anyone speaks, shows the turn live with what was heard and its playable audio."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from speech.audio import EN_CONFIG, concat, to_16k

from harness.browser import ARTIFACTS, shot, wait
from harness.mosquitto import free_port

DOCS_SHOT = Path(__file__).parents[2] / "docs" / "dashboard.png"


def say(text: str, directory: Path) -> Path:
    raw = directory / f"{abs(hash(text))}_raw.wav"
    subprocess.run(["flite", "-voice", "slt", "-t", text, "-o", str(raw)], check=True,
                   capture_output=True)
    return to_16k(raw, directory / f"{abs(hash(text))}.wav", (0.3, 0.6))


def silence(seconds: float, dst: Path) -> Path:
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(dst), "trim", "0",
                    str(seconds)], check=True, capture_output=True)
    return dst


@pytest.fixture
def voice_house(tmp_path: Path) -> Iterator[str]:
    # Silence first: the page is open and listening before the room hears anything.
    wav = concat([silence(5, tmp_path / "lead.wav"),
                  say("hey samantha", tmp_path), say("turn on the kitchen lights", tmp_path),
                  silence(2, tmp_path / "tail.wav")],
                 tmp_path / "mic.wav")
    port = free_port()
    text = EN_CONFIG.read_text()
    text = re.sub(r"  rooms:\n    kitchen:\n.*", "", text, flags=re.S)
    text += (f"  rooms:\n    kitchen:\n      input: {{file: {wav}, realtime: true}}\n"
             f"      output: {{sink: none}}\n"
             f"persona: {{memory: {{path: {tmp_path / 'memory.db'}}}}}\n"
             f"web: {{port: {port}}}\n")
    config = tmp_path / "voice.yaml"
    config.write_text(text)
    log_path = tmp_path / "house.log"
    log = log_path.open("w")
    exe = Path(sys.executable).parent / "samantha"
    proc = subprocess.Popen([str(exe), "run", "--headless", "-c", str(config)], stdout=log,
                            stderr=subprocess.STDOUT)
    address = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while f"dashboard at {address}" not in log_path.read_text():
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "no dashboard address printed"
            time.sleep(0.05)
        yield address
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_a_spoken_turn_shows_up_live_with_its_audio(voice_house: str,
                                                    browser: webdriver.Chrome) -> None:
    b = browser
    b.get(voice_house + "turns")
    wait(b).until(lambda d: "on" in d.find_element(By.ID, "live").get_attribute("class"))
    assert not b.find_elements(By.CSS_SELECTOR, "#turns .turn")  # nothing said yet

    def spoken_turn(d: webdriver.Chrome) -> str | None:
        # Turns are re-rendered as they grow: look them up afresh each time.
        for t in d.find_elements(By.CSS_SELECTOR, "#turns .turn"):
            text = t.text
            if "voice" in text and t.find_elements(By.CSS_SELECTOR, ".reply"):
                return t.get_attribute("id")
        return None

    turn_id = wait(b, 30).until(spoken_turn, "no spoken turn on the page").removeprefix("turn-")
    seen = time.time()
    text = b.find_element(By.ID, f"turn-{turn_id}").text
    assert "turn on the kitchen lights" in text.lower() and "HassTurnOn" in text
    assert "hey samantha" in text  # the wake phrase
    # Live: on the page within a second of the house replying.
    data = b.execute_async_script(
        "const done = arguments[0]; fetch('/api/turns').then(r => r.json()).then(done);")
    record = next(t for t in data if str(t["id"]) == turn_id)
    replied = record["started"] + record["timings"]["reply"] / 1000
    assert seen - replied < 1.0, (seen, replied)
    assert record["heard"] and record["wake"]["phrase"] == "hey samantha"
    # The audio the room heard, playable in the page.
    audio = wait(b).until(lambda d: d.find_element(By.ID, f"turn-{turn_id}")
                          .find_elements(By.TAG_NAME, "audio"), "no audio player")[0]
    assert audio.get_attribute("src").endswith(f"/api/turns/{turn_id}/audio")
    duration = b.execute_async_script("""
        const [el, done] = arguments;
        if (el.readyState >= 1) { done(el.duration); return; }
        el.addEventListener('loadedmetadata', () => done(el.duration));
        el.addEventListener('error', () => done(-1));
        el.preload = 'metadata'; el.load();""", audio)
    assert 0.5 < duration < 10, duration
    shot(b, "turns-voice")
    if not DOCS_SHOT.exists() or os.environ.get("SAMANTHA_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(ARTIFACTS / "turns-voice.png", DOCS_SHOT)  # the README's picture
