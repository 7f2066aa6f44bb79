"""Vosk engines: wake word by grammar spotting, and grammar/free-form streaming recognition.

One model is loaded once per process and shared by the wake and STT engines of every room
(the small Korean model takes ~0.5 GB and 1-2 s to load).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import struct
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samantha.plugins.speech.dither import SeededDither
from samantha.plugins.speech.engines import SAMPLE_RATE, EngineError, Transcript, WakeDetection
from samantha.plugins.speech.settings import SpeechSettings
from samantha.plugins.speech.wakevad import RecentFloorVad

if TYPE_CHECKING:
    from samantha.plugins.speech.grammar import RoomGrammar

log = logging.getLogger(__name__)

_FST_HAS_ISYMBOLS = 1
_SYMTAB_MAGIC = 2125658996
_models: dict[tuple[str, tuple[Any, ...]], Any] = {}
_vocabularies: dict[str, frozenset[str] | None] = {}
_lock = threading.Lock()


def _vosk() -> Any:
    try:
        import vosk
    except ImportError as err:
        raise EngineError("the vosk engine needs `pip install vosk`") from err
    vosk.SetLogLevel(-1)
    return vosk


# Kaldi's own dither is random on every run; SeededDither adds the same noise to the samples
# from a seeded generator instead (see dither.py).
FEATURE_OPTIONS: dict[str, float | int] = {"dither": 0}


def _with_options(conf: Path, options: dict[str, float | int]) -> str:
    """A Kaldi config file's text with these options set (replacing any it already has)."""
    lines = conf.read_text().splitlines() if conf.is_file() else []
    wanted = {f"--{k}": v for k, v in options.items()}
    kept = [ln for ln in lines if ln.split("=", 1)[0] not in wanted]
    return "\n".join(kept + [f"{k}={v}" for k, v in sorted(wanted.items())]) + "\n"


def model_with_options(path: Path, options: dict[str, float | int]) -> Path:
    """A model directory whose conf/model.conf has these decoder options (max-active, beam ...)
    and whose conf/mfcc.conf has FEATURE_OPTIONS.

    Vosk reads its settings only from the model's conf directory, so we build an overlay
    directory of symlinks to the original model with rewritten configs, leaving the installed
    model untouched.
    """
    conf = path / "conf"
    texts = {"model.conf": _with_options(conf / "model.conf", options),
             "mfcc.conf": _with_options(conf / "mfcc.conf", FEATURE_OPTIONS)}
    digest = hashlib.sha256("\n".join([str(path.resolve()), *texts.values()]).encode())
    overlay = Path(tempfile.gettempdir()) / f"samantha-vosk-{digest.hexdigest()[:16]}"
    if not all((overlay / "conf" / name).is_file() for name in texts):
        building = Path(tempfile.mkdtemp(prefix="samantha-vosk-"))
        for entry in path.iterdir():
            if entry.name != "conf":
                (building / entry.name).symlink_to(entry.resolve())
        (building / "conf").mkdir()
        if conf.is_dir():
            for entry in conf.iterdir():
                if entry.name not in texts:
                    (building / "conf" / entry.name).symlink_to(entry.resolve())
        for name, text in texts.items():
            (building / "conf" / name).write_text(text)
        # Another process may have built the same overlay first; theirs is identical.
        with contextlib.suppress(OSError):
            building.rename(overlay)
    return overlay


def load_model(path: Path, options: dict[str, float | int] | None = None) -> Any:
    """The shared vosk.Model for a directory (loaded on first use)."""
    if not path.is_dir():
        raise EngineError(f"Vosk model directory {path} does not exist (download one with "
                          f"`samantha models download NAME`)")
    key = (str(path.resolve()), tuple(sorted((options or {}).items())))
    with _lock:
        if key not in _models:
            directory = model_with_options(path, options or {})
            try:
                _models[key] = _vosk().Model(str(directory))
            except Exception as err:
                raise EngineError(f"Vosk cannot load the model in {path}: {err}") from err
        return _models[key]


def _read_symbols(fst: Path) -> frozenset[str] | None:
    """The input symbol table embedded in an OpenFst binary (Vosk's Gr.fst has the words)."""
    with fst.open("rb") as f:
        def i32() -> int:
            return int(struct.unpack("<i", f.read(4))[0])

        def i64() -> int:
            return int(struct.unpack("<q", f.read(8))[0])

        def string() -> str:
            return f.read(i32()).decode("utf-8", "replace")

        i32()  # FST magic
        string()  # fst type
        string()  # arc type
        i32()  # version
        flags = i32()
        f.read(8 + 8 + 8 + 8)  # properties, start, states, arcs
        if not flags & _FST_HAS_ISYMBOLS or i32() != _SYMTAB_MAGIC:
            return None
        string()  # table name
        i64()  # available key
        words = set()
        for _ in range(i64()):
            words.add(string())
            i64()
        return frozenset(words)


def vocabulary(path: Path) -> frozenset[str] | None:
    """The words a Vosk model can output; None when the model does not say."""
    key = str(path.resolve())
    if key not in _vocabularies:
        words: frozenset[str] | None = None
        listing = path / "graph" / "words.txt"
        if listing.is_file():
            words = frozenset(line.split()[0] for line in listing.read_text().splitlines()
                              if line.strip())
        elif (path / "graph" / "Gr.fst").is_file():
            try:
                words = _read_symbols(path / "graph" / "Gr.fst")
            except (OSError, struct.error, MemoryError) as err:
                log.warning("cannot read the vocabulary of %s: %s", path, err)
        _vocabularies[key] = words
    return _vocabularies[key]


def missing_from(path: Path, words: Iterable[str]) -> set[str]:
    vocab = vocabulary(path)
    return set() if vocab is None else {w for w in words if w not in vocab}


def _decoder_options(settings: SpeechSettings) -> dict[str, float | int]:
    stt = settings.stt
    named = {"max-active": stt.max_active, "beam": stt.beam, "lattice-beam": stt.lattice_beam}
    return {k: v for k, v in named.items() if v is not None}


def _model_path(settings: SpeechSettings, wake: bool) -> Path:
    path = (settings.wake.model if wake else None) or settings.stt.model
    if path is None:
        raise EngineError("the vosk engine needs a model directory: set speech.stt.model")
    return path


class VoskWake:
    """Spots wake phrases with a grammar of phrases + fillers + the garbage word.

    The fillers matter: with only the phrase and a garbage word, noise, tones and most speech
    are forced onto the phrase (15/19 false wakes); ~90 fillers gave 0/19 in trials.
    Word times (SetWords) say where the phrase ended; the audio after it is the start of a
    command said in the same breath and goes back as `trailing`.
    """

    name = "vosk"
    KEEP_S = 10.0  # audio kept to hand back what followed the phrase (Vosk ends a segment
    # at a pause, so one segment rarely runs longer)

    def __init__(self, model_path: Path, phrases: Sequence[str], fillers: Sequence[str],
                 garbage: str | None, threshold: float | None, partials: bool,
                 options: dict[str, float | int] | None = None) -> None:
        self.model = load_model(model_path, options)
        self.phrases = [tuple(p.lower().split()) for p in phrases]
        self.threshold = threshold or 0.0
        self.partials = partials
        words = {w for p in self.phrases for w in p} | {w for f in fillers for w in f.split()}
        self.missing = missing_from(model_path, words | ({garbage} if garbage else set()))
        if self.missing:
            log.warning("vosk wake grammar: the model lacks %s; those words are ignored",
                        ", ".join(sorted(self.missing)))
        entries = [" ".join(p) for p in self.phrases] + list(fillers)
        if garbage:
            entries.append(garbage)
        self.grammar = entries
        self.recognizer = _vosk().KaldiRecognizer(self.model, SAMPLE_RATE,
                                                  json.dumps(entries, ensure_ascii=False))
        self.recognizer.SetWords(True)
        # Word times in partial results too, so a partial detection knows where the phrase ended.
        self.recognizer.SetPartialWords(partials)
        self.vad = RecentFloorVad()
        self.dither = SeededDither()
        self.reset()

    def _find(self, words: list[dict[str, Any]] | list[str]) -> WakeDetection | None:
        tokens = [w["word"] if isinstance(w, dict) else w for w in words]
        for phrase in self.phrases:
            n = len(phrase)
            for i in range(len(tokens) - n + 1):
                if tuple(tokens[i:i + n]) != phrase:
                    continue
                confs = [float(w.get("conf", 1.0)) for w in words[i:i + n]
                         if isinstance(w, dict)]
                confidence = min(confs) if confs else None
                if confidence is not None and confidence < self.threshold:
                    continue
                last = words[i + n - 1]
                end = float(last["end"]) if isinstance(last, dict) and "end" in last else None
                return WakeDetection(" ".join(phrase), confidence, self._after(end))
        return None

    def _after(self, end: float | None) -> bytes:
        """The audio heard after `end` (seconds since the last reset, Vosk's word times)."""
        if end is None:
            return b""
        offset = int(end * SAMPLE_RATE) * 2 - self.heard_from
        # After a pause the command has not started: hand over nothing of the phrase's tail.
        return self.vad.trim_to_command(bytes(self.recent[max(0, offset):])) or b""

    def process(self, pcm: bytes) -> WakeDetection | None:
        self.vad.is_speech(pcm, len(pcm) / 2 / SAMPLE_RATE)
        self.recent += pcm
        excess = len(self.recent) - int(self.KEEP_S * SAMPLE_RATE) * 2
        if excess > 0:
            del self.recent[:excess]
            self.heard_from += excess
        if self.recognizer.AcceptWaveform(self.dither(pcm)):
            result = json.loads(self.recognizer.Result())
            found = self._find(result.get("result") or result.get("text", "").split())
        elif self.partials:
            partial = json.loads(self.recognizer.PartialResult())
            found = self._find(partial.get("partial_result") or partial["partial"].split())
        else:
            return None
        if found:
            self.reset()
        return found

    def reset(self) -> None:
        self.recognizer.Reset()
        self.dither.reset()
        self.recent = bytearray()
        self.heard_from = 0  # bytes dropped from the front of `recent` since the reset


class VoskStt:
    """Streaming Vosk recognition; `SetGrammar` switches the grammar when the home changes."""

    name = "vosk"

    def __init__(self, model_path: Path, options: dict[str, float | int] | None = None):
        self.path = model_path
        self.model = load_model(model_path, options)
        self.recognizer = _vosk().KaldiRecognizer(self.model, SAMPLE_RATE)
        self.recognizer.SetWords(True)
        self.dither = SeededDither()
        self._final: list[str] = []
        self._confidences: list[float] = []
        self.grammar: list[str] | None = None

    def missing_words(self, words: Iterable[str]) -> set[str]:
        return missing_from(self.path, words)

    def set_grammar(self, grammar: RoomGrammar | None) -> None:
        # Vosk builds a word bigram from a phrase list: phrases covering every word pair of
        # the graph let it say every sentence of the graph (and some recombinations, which
        # the keeper moves back onto the graph).
        sentences = grammar.phrases() if grammar is not None and grammar.graph else None
        self.grammar = sentences
        if sentences is None:
            # SetGrammar cannot go back to the full LM; a new recognizer can.
            self.recognizer = _vosk().KaldiRecognizer(self.model, SAMPLE_RATE)
            self.recognizer.SetWords(True)
        else:
            self.recognizer.SetGrammar(json.dumps(list(sentences), ensure_ascii=False))

    def start(self) -> None:
        self.recognizer.Reset()
        self.dither.reset()
        self._final, self._confidences = [], []

    def _keep(self, result: dict[str, Any]) -> None:
        if result.get("text"):
            self._final.append(result["text"])
            self._confidences += [float(w.get("conf", 1.0)) for w in result.get("result", [])]

    def accept(self, pcm: bytes) -> str:
        if self.recognizer.AcceptWaveform(self.dither(pcm)):
            # Vosk ended a segment on its own (a pause); the utterance may go on.
            self._keep(json.loads(self.recognizer.Result()))
            partial = ""
        else:
            partial = json.loads(self.recognizer.PartialResult()).get("partial", "")
        return " ".join([*self._final, partial]).strip()

    def finish(self) -> Transcript:
        self._keep(json.loads(self.recognizer.FinalResult()))
        confidence = (sum(self._confidences) / len(self._confidences)
                      if self._confidences else None)
        text = " ".join(self._final)
        self._final, self._confidences = [], []
        return Transcript(text, confidence)

    def transcribe_free(self, pcm: bytes) -> Transcript | None:
        recognizer = _vosk().KaldiRecognizer(self.model, SAMPLE_RATE)
        recognizer.SetWords(True)
        recognizer.AcceptWaveform(SeededDither()(pcm))
        result = json.loads(recognizer.FinalResult())
        confs = [float(w.get("conf", 1.0)) for w in result.get("result", [])]
        return Transcript(result.get("text", ""), sum(confs) / len(confs) if confs else None)


def make_wake(settings: SpeechSettings, language: str) -> VoskWake:
    w = settings.wake
    return VoskWake(_model_path(settings, wake=True), w.phrases, w.fillers, w.garbage,
                    w.threshold, w.partials, _decoder_options(settings))


def make_stt(settings: SpeechSettings, language: str) -> VoskStt:
    return VoskStt(_model_path(settings, wake=False), _decoder_options(settings))

