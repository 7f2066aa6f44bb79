"""pocketsphinx grammar recognition (English, bundled model); the wake word is in sphinx_wake.

pocketsphinx 5 ships an en-us acoustic model, dictionary and 3-gram LM. A JSGF grammar decodes
exactly the allowed sentences (unlike Vosk's bigram), at RTF ~0.01; the LM is only loaded for
free-form decoding, and only when first needed (it costs ~100 MB and 0.3 s).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from samantha.plugins.speech import wordgraph
from samantha.plugins.speech.engines import (
    EngineError,
    Transcript,
)
from samantha.plugins.speech.settings import SpeechSettings

log = logging.getLogger(__name__)

_GRAMMAR = "home"
_JSGF_SAFE = re.compile(r"^[\w']+$")


def _ps() -> Any:
    try:
        import pocketsphinx
    except ImportError as err:
        raise EngineError("the pocketsphinx engine needs `pip install pocketsphinx`") from err
    return pocketsphinx


def _config(model: Path | None, options: dict[str, Any] | None = None, **extra: Any) -> Any:
    ps = _ps()
    kwargs: dict[str, Any] = {"loglevel": "FATAL"}
    if model is not None:
        if not model.is_dir():
            raise EngineError(f"pocketsphinx model directory {model} does not exist")
        # A model directory laid out as the bundled one: acoustic model + dictionary (+ LM).
        kwargs["hmm"] = str(model / "en-us") if (model / "en-us").is_dir() else str(model)
        dicts = sorted(model.glob("*.dict"))
        if dicts:
            kwargs["dict"] = str(dicts[0])
    kwargs.update(options or {})
    kwargs.update(extra)
    return ps.Config(**kwargs)


def _missing(decoder: Any, words: Iterable[str]) -> set[str]:
    return {w for w in words if decoder.lookup_word(w) is None}


def jsgf(sentences: Iterable[str]) -> str:
    """A JSGF grammar whose one public rule is the list of sentences."""
    body = " | ".join(s for s in sentences if all(_JSGF_SAFE.match(w) for w in s.split()))
    return f"#JSGF V1.0;\ngrammar {_GRAMMAR};\npublic <s> = {body or '<VOID>'};\n"


def fsg(decoder: Any, sentences: Iterable[str]) -> Any:
    """The sentences as a minimal finite-state grammar (one shared final state)."""
    graph = wordgraph.build(s for s in sentences if all(_JSGF_SAFE.match(w) for w in s.split()))
    end = graph.n_states
    arcs: list[tuple[int, int, str | None]] = [*graph.transitions]
    arcs += [(state, end, None) for state in graph.finals]
    outdegree: dict[int, int] = {}
    for source, _, _ in arcs:
        outdegree[source] = outdegree.get(source, 0) + 1
    transitions = [(a, b, 1.0 / outdegree[a], w) if w else (a, b, 1.0 / outdegree[a])
                   for a, b, w in arcs]
    return decoder.create_fsg(_GRAMMAR, 0, end, transitions)


class SphinxStt:
    """Streaming pocketsphinx recognition with a JSGF grammar, LM free-form as fallback."""

    name = "pocketsphinx"

    def __init__(self, model: Path | None, options: dict[str, Any]) -> None:
        self.model = model
        self.options = options
        self.decoder = _ps().Decoder(_config(model, options, lm=None))
        self._free: Any = None
        self._grammar = False
        self._in_utt = False

    def missing_words(self, words: Iterable[str]) -> set[str]:
        return _missing(self.decoder, words)

    def set_grammar(self, sentences: Sequence[str] | None) -> None:
        if self._in_utt:
            self.decoder.end_utt()
            self._in_utt = False
        if sentences is None:
            self._grammar = False
            return
        self.decoder.add_fsg(_GRAMMAR, fsg(self.decoder, sentences))
        self.decoder.activate_search(_GRAMMAR)
        self._grammar = True

    def _free_decoder(self) -> Any:
        if self._free is None:
            # The default config loads the bundled 3-gram LM.
            self._free = _ps().Decoder(_config(self.model, self.options))
        return self._free

    def _active(self) -> Any:
        return self.decoder if self._grammar else self._free_decoder()

    def start(self) -> None:
        decoder = self._active()
        if self._in_utt:
            decoder.end_utt()
        decoder.start_utt()
        self._in_utt = True

    def accept(self, pcm: bytes) -> str:
        decoder = self._active()
        decoder.process_raw(pcm, False, False)
        hyp = decoder.hyp()
        return hyp.hypstr if hyp is not None else ""

    def finish(self) -> Transcript:
        decoder = self._active()
        if self._in_utt:
            decoder.end_utt()
            self._in_utt = False
        hyp = decoder.hyp()
        if hyp is None:
            return Transcript("", 0.0)
        return Transcript(hyp.hypstr, _probability(hyp))

    def transcribe_free(self, pcm: bytes) -> Transcript | None:
        decoder = self._free_decoder()
        decoder.start_utt()
        decoder.process_raw(pcm, False, True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return Transcript(hyp.hypstr if hyp else "", _probability(hyp) if hyp else 0.0)


def _probability(hyp: Any) -> float | None:
    prob = getattr(hyp, "prob", None)
    if prob is None:
        return None
    return max(0.0, min(1.0, float(prob)))


def make_stt(settings: SpeechSettings, language: str) -> SphinxStt:
    return SphinxStt(settings.stt.model, dict(settings.stt.options))
