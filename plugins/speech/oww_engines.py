"""openWakeWord engine: neural wake-word models (ONNX) scored on 80 ms frames.

openwakeword 0.4.0 bundles ONNX models (alexa, hey_jarvis, hey_mycroft, hey_marvin, timer,
weather) and the shared melspectrogram/embedding models; a custom model (e.g. "hey samantha",
trained with openWakeWord's notebook) is a path to its .onnx file. The pretrained models are
licensed CC BY-NC-SA 4.0 (non-commercial); the code is Apache-2.0.

The model's score peaks a little after the phrase ends, so when it crosses the threshold the
phrase is already over and some of the command may have been heard: the audio from `LAG_S`
before the crossing frame's end is handed back as `WakeDetection.trailing` (see docs/speech.md
for how that lag was measured).
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
        self.pending = bytearray()
        self.recent = bytearray()
        self.reset()

    def reset(self) -> None:
        # Scores depend on ~1.3 s of past features: push silence through so a phrase heard
        # before the reset cannot fire again afterwards.
        self.model.predict(np.zeros(FRAME * _WARMUP_FRAMES, dtype=np.int16))
        self.model.reset()
        self.pending.clear()
        self.recent.clear()

    def process(self, pcm: bytes) -> WakeDetection | None:
        self.pending += pcm
        self.recent += pcm
        del self.recent[:-int(self.KEEP_S * SAMPLE_RATE) * 2]
        found: WakeDetection | None = None
        while len(self.pending) >= FRAME * 2 and found is None:
            frame = np.frombuffer(bytes(self.pending[:FRAME * 2]), dtype="<i2")
            del self.pending[:FRAME * 2]
            found = self._score(frame)
        return found

    def _score(self, frame: np.ndarray) -> WakeDetection | None:
        self.scores += 1
        predictions = self.model.predict(frame)
        best_label, best = max(predictions.items(), key=lambda kv: kv[1])
        if best < self.threshold or best_label not in self.labels:
            return None
        # `recent` ends with the not yet scored remainder (`pending`); the crossing frame ended
        # len(pending) bytes before its end.
        after_frame = len(self.pending)
        start = len(self.recent) - after_frame - int(self.LAG_S * SAMPLE_RATE) * 2
        trailing = bytes(self.recent[max(0, start):])
        self.reset()
        return WakeDetection(phrase=self.labels[best_label], confidence=float(best),
                             trailing=trailing)


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
