"""openWakeWord engine: neural wake-word models (ONNX) scored on 80 ms frames.

openwakeword 0.4.0 bundles ONNX models (alexa, hey_jarvis, hey_mycroft, hey_marvin, timer,
weather) and the shared melspectrogram/embedding models; a custom model (e.g. "hey samantha",
trained with openWakeWord's notebook) is a path to its .onnx file. The pretrained models are
licensed CC BY-NC-SA 4.0 (non-commercial); the code is Apache-2.0.

The model's score peaks a little after the phrase ends, so when it crosses the threshold the
phrase is already over and some of the command may have been heard: the audio from `LAG_S`
before the crossing frame's end is handed back as `WakeDetection.trailing` (see docs/speech.md
for how that lag was measured); when a pause follows the phrase, trailing starts after it.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from samantha.plugins.speech.engines import SAMPLE_RATE, EngineError, WakeDetection
from samantha.plugins.speech.settings import SpeechSettings
from samantha.plugins.speech.wakevad import RecentFloorVad

log = logging.getLogger(__name__)

FRAME = 1280  # samples: openWakeWord scores 80 ms at a time
DEFAULT_THRESHOLD = 0.5
_WARMUP_FRAMES = 16  # the models look at 16 embedding frames (~1.3 s) of context


def _oww() -> Any:
    try:
        import onnxruntime
        import openwakeword
    except ImportError as err:
        raise EngineError("the openwakeword engine needs `pip install openwakeword==0.4.0` "
                          "(it bundles its ONNX models and uses onnxruntime)") from err
    onnxruntime.set_default_logger_severity(3)  # no "CUDA provider not available" noise
    return openwakeword


def bundled_models() -> dict[str, Path]:
    """Model names the installed openwakeword ships, with their .onnx files."""
    package = _oww()
    folder = Path(package.__file__).parent / "resources" / "models"
    skip = {"melspectrogram", "embedding_model", "silero_vad"}
    found = {}
    for path in sorted(folder.glob("*.onnx")):
        name = path.stem.rsplit("_v", 1)[0]
        if name not in skip:
            found[name] = path
    return found


def model_file(spec: str, base: Path | None = None) -> Path:
    """A bundled model name (`hey_jarvis`) or a path to a .onnx model, as a file."""
    if spec.endswith(".onnx") or "/" in spec:
        path = Path(spec).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        if not path.is_file():
            raise EngineError(f"openwakeword model {path} does not exist (train one with "
                              "openWakeWord's notebook, see docs/speech.md)")
        return path
    known = bundled_models()
    if spec not in known:
        raise EngineError(f"openwakeword has no bundled model {spec!r}; bundled: "
                          f"{', '.join(known)}; or give a path to a .onnx model")
    return known[spec]


class OwwWake:
    """Scores every 80 ms with each phrase's model; fires when a score reaches the threshold."""

    name = "openwakeword"
    LAG_S = 0.24  # the crossing comes this long after the phrase's end (measured, see docs)
    HOLD_S = 0.3  # wait this long after the crossing to see whether a pause follows
    KEEP_S = 2.0  # recent audio kept to cut the trailing part from

    def __init__(self, models: dict[str, Path], threshold: float | None) -> None:
        package = _oww()
        self.threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        paths = [str(p) for p in models.values()]
        try:
            with warnings.catch_warnings():
                # 0.4.0 asks for the CUDA provider first; on a CPU-only machine that only warns.
                warnings.filterwarnings("ignore", message=".*CUDAExecutionProvider")
                self.model = package.Model(wakeword_model_paths=paths)
        except Exception as err:  # onnxruntime raises its own types for unreadable models
            raise EngineError(f"openwakeword could not load {', '.join(paths)}: {err}") from err
        # The library names each model by its file name without the extension.
        self.labels = {Path(p).stem: phrase for phrase, p in zip(models, paths, strict=True)}
        self.scores = 0  # frames scored (for benchmarks)
        self.vad = RecentFloorVad()
        self.pending = bytearray()
        self.recent = bytearray()
        self.recent_from = 0
        self.armed = None
        self.reset()

    def reset(self) -> None:
        # Scores depend on ~1.3 s of past features: push silence through so a phrase heard
        # before the reset cannot fire again afterwards.
        self.model.predict(np.zeros(FRAME * _WARMUP_FRAMES, dtype=np.int16))
        self.model.reset()
        self.pending.clear()
        self.recent.clear()
        self.recent_from = 0  # bytes heard since the reset before `recent` starts
        self.armed: tuple[str, float, int] | None = None  # phrase, score, where it crossed

    def process(self, pcm: bytes) -> WakeDetection | None:
        self.vad.is_speech(pcm, len(pcm) / 2 / SAMPLE_RATE)
        self.pending += pcm
        self.recent += pcm
        excess = len(self.recent) - int(self.KEEP_S * SAMPLE_RATE) * 2
        if excess > 0:
            del self.recent[:excess]
            self.recent_from += excess
        while len(self.pending) >= FRAME * 2 and self.armed is None:
            frame = np.frombuffer(bytes(self.pending[:FRAME * 2]), dtype="<i2")
            del self.pending[:FRAME * 2]
            self._score(frame)
        return self._fire()

    def _heard(self) -> int:
        return self.recent_from + len(self.recent)

    def _score(self, frame: np.ndarray) -> None:
        self.scores += 1
        predictions = self.model.predict(frame)
        label, best = max(predictions.items(), key=lambda kv: kv[1])
        if best >= self.threshold and label in self.labels:
            # The crossing frame ended where the not yet scored remainder begins.
            self.armed = (self.labels[label], float(best), self._heard() - len(self.pending))

    def _fire(self) -> WakeDetection | None:
        """Fire `HOLD_S` after the crossing: long enough to see whether a pause follows the
        phrase (then the command starts after it) or the command runs straight on."""
        if self.armed is None:
            return None
        phrase, score, crossed = self.armed
        if self._heard() - crossed < int(self.HOLD_S * SAMPLE_RATE) * 2:
            return None
        start = crossed - int(self.LAG_S * SAMPLE_RATE) * 2 - self.recent_from
        trailing = bytes(self.recent[max(0, start):])
        trailing = trailing[self.vad.after_pause(trailing, within_s=self.LAG_S + self.HOLD_S):]
        # The recent audio before the command, the phrase in it: the recognizer is normalised
        # on it (start_after_wake). On 183 "hey jarvis ..." recordings in one breath and in
        # the noisy room it got 51.5% of the commands word for word instead of 45.5% (tuning;
        # held out 56.9% instead of 51.0%).
        lead = bytes(self.recent[:len(self.recent) - len(trailing)])
        self.reset()
        return WakeDetection(phrase=phrase, confidence=score, trailing=trailing, lead=lead)


def phrase_models(phrases: Sequence[str], models: dict[str, str], model: Path | None
                  ) -> dict[str, Path]:
    """Which model file listens for each phrase.

    `models` maps a phrase to a bundled name or a .onnx path; a single `model` file serves the
    only phrase; otherwise "hey jarvis" finds the bundled `hey_jarvis`.
    """
    found: dict[str, Path] = {}
    for phrase in phrases:
        if phrase in models:
            found[phrase] = model_file(models[phrase])
        elif model is not None and len(phrases) == 1:
            found[phrase] = model_file(str(model))
        else:
            try:
                found[phrase] = model_file("_".join(phrase.lower().split()))
            except EngineError as err:
                raise EngineError(f"wake phrase {phrase!r}: no model; map it in "
                                  f"speech.wake.models ({err})") from err
    stray = set(models) - set(phrases)
    if stray:
        raise EngineError(f"speech.wake.models names phrases that are not in wake.phrases: "
                          f"{', '.join(sorted(stray))}")
    return found


def make_wake(settings: SpeechSettings, language: str) -> OwwWake:
    wake = settings.wake
    return OwwWake(phrase_models(wake.phrases, wake.models, wake.model), wake.threshold)
