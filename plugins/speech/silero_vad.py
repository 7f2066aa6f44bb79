"""A neural speech detector (Silero VAD, the ONNX model openwakeword 0.4.0 bundles).

Energy above a noise floor cannot tell a soft word in a fan's noise from the fan: at 15 dB
SNR it heard silences of up to 450 ms inside one-breath commands, so a noisy room had to wait
out long silences before it could end. The model hears speech in noise (inside those commands
its longest silence was under 100 ms), so the endpointer asks it whether a silence in noise
is really nobody talking.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np

WINDOW = 512  # samples at 16 kHz: the window Silero v4 is made for (32 ms)
RATE = 16000

_session: Any = None
_lock = threading.Lock()


class SpeechModelError(RuntimeError):
    """The speech model cannot be used here (the package with it is not installed)."""


def model_path() -> Path:
    """The bundled model file (SpeechModelError, saying why, when it cannot be used)."""
    # Found, not imported: importing openwakeword takes a second (it loads scikit-learn).
    package = importlib.util.find_spec("openwakeword")
    runtime = importlib.util.find_spec("onnxruntime")
    if package is None or runtime is None or not package.submodule_search_locations:
        raise SpeechModelError(
            "endpoint.speech_model 'silero' needs the wake extra "
            "(pip install 'samantha[wake]': openwakeword bundles the model, onnxruntime runs "
            "it)")
    folder = Path(next(iter(package.submodule_search_locations)))
    path = folder / "resources" / "models" / "silero_vad.onnx"
    if not path.is_file():
        raise SpeechModelError(f"the speech model {path} is missing: reinstall "
                               "openwakeword==0.4.0, which bundles it")
    return path


def available() -> bool:
    try:
        model_path()
    except SpeechModelError:
        return False
    return True


def _shared_session() -> Any:
    """One ONNX session for every room: its `run` is thread-safe and the state is an input."""
    global _session
    with _lock:
        if _session is None:
            path = model_path()
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.inter_op_num_threads = 1
            options.intra_op_num_threads = 1
            _session = ort.InferenceSession(str(path), sess_options=options,
                                            providers=["CPUExecutionProvider"])
        return _session


class SileroVad:
    """Speech probability of each 32 ms window of a 16 kHz stream cut in any frame sizes."""

    def __init__(self) -> None:
        self.session = _shared_session()
        self.rate = np.array(RATE, dtype=np.int64)
        self.restart()

    def restart(self) -> None:
        """Forget what was heard (a new utterance; its context is heard again)."""
        self.pending = np.zeros(0, dtype=np.float32)
        self.h = np.zeros((2, 1, 64), dtype=np.float32)
        self.c = np.zeros((2, 1, 64), dtype=np.float32)
        self.probability = 0.0  # of the last whole window heard

    def hear(self, pcm: bytes) -> list[float]:
        """The probabilities of the windows this audio completes (none for a short frame)."""
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float32)
        self.pending = np.concatenate([self.pending, samples / 32768.0])
        found: list[float] = []
        while len(self.pending) >= WINDOW:
            window, self.pending = self.pending[:WINDOW], self.pending[WINDOW:]
            out, self.h, self.c = self.session.run(
                None, {"input": window[None, :], "sr": self.rate, "h": self.h, "c": self.c})
            self.probability = float(out[0][0])
            found.append(self.probability)
        return found
