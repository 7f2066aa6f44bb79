"""pocketsphinx grammar recognition (English, bundled model); the wake word is in sphinx_wake.

pocketsphinx 5 ships an en-us acoustic model, dictionary and 3-gram LM. A finite-state grammar
decodes exactly the allowed sentences (unlike Vosk's bigram), at RTF ~0.01; the LM is only
loaded for free-form decoding, and only when first needed (it costs ~100 MB and 0.3 s).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samantha.plugins.speech.engines import EngineError, Transcript
from samantha.plugins.speech.settings import SpeechSettings

if TYPE_CHECKING:
    from samantha.plugins.speech.grammar import RoomGrammar

log = logging.getLogger(__name__)

_GRAMMAR = "home"
_WHOLE = "home_whole"  # the same grammar without unfinished ends (see _STOP)
# A sentence cut short ("set the kitchen blinds to", then silence) has no path to the
# grammar's end; pocketsphinx must still end on a whole sentence and squeezes a word into the
# last sound: "... to eight" (slt, awb, joe), and the blinds went to 8%. The decoding grammar
# may therefore stop after any word at this probability: an unfinished sentence then ends
# unfinished. Measured on the truncated recordings (bench's voices): 1e-16 still caught all
# of them, 1e-18 let joe's "... to eight" through; 1e-6 keeps ten orders of margin, and what
# it stops short of a whole sentence is checked against the whole grammar (`_cut_short`).
_STOP = 1e-6
# The n-best repeats each sentence many times (other segmentations), and holds the paths that
# stop short (`_STOP`): awb's noisy "turn on kitchen lights" came 68th, 0.012 behind the best.
_NBEST = 300
# How close (in pocketsphinx's hypothesis score) another sentence must come to the best one to
# make the room ask instead of act. Measured on the benchmark's voices: kal16's "turn on the
# desk lamp" in the noisy room decoded as "... off ..." with "... on ..." 0.016 behind; the
# runner-ups of correct decodes that changed a value ("fifteen" for "fifty", "thirteen" for
# "thirty") were 0.020-0.030 behind.
CLOSE_SCORE = 0.018
_MIN_LEAD_BYTES = 16000  # 0.5 s: less than a wake phrase is no basis for a cepstral mean


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


def fsg(decoder: Any, grammar: RoomGrammar, name: str = _GRAMMAR,
        stop: float = 0.0) -> Any:
    """The room's word graph as a pocketsphinx finite-state grammar (one shared final state).

    Arc probabilities split each state's mass by the arcs' weights, so the room's own device
    names are likelier than the same-sounding names of other rooms. With `stop`, a sentence
    may also end unfinished after any word, at that (small) probability: see `_STOP`.
    """
    graph = grammar.graph
    end = graph.n_states
    transitions: list[tuple[Any, ...]] = []
    for state, out in enumerate(graph.arcs):
        weights = [grammar.weight(tag) for _, _, _, tag in out]
        final = state in graph.finals
        # Ending a complete sentence is as likely as going on with it: otherwise the breath
        # after "... kitchen lights" is decoded as the start of a longer sentence ("... at").
        ending = max(1.0, sum(weights)) if final else 0.0
        total = sum(weights) + ending
        for (dst, word, _, _), weight in zip(out, weights, strict=True):
            transitions.append((state, dst, weight / total, word))
        if final:
            transitions.append((state, end, ending / total))
        elif stop and state != 0:
            transitions.append((state, end, stop))
    return decoder.create_fsg(name, 0, end, transitions)


class SphinxStt:
    """Streaming pocketsphinx recognition with a JSGF grammar, LM free-form as fallback."""

    name = "pocketsphinx"

    def __init__(self, model: Path | None, options: dict[str, Any]) -> None:
        self.model = model
        self.options = options
        # Without a lattice the final result is the Viterbi path, at once: building the lattice
        # at end_utt (for bestpath and the posterior) took 0.3-1.5 s over the home's grammar,
        # after the person stopped talking. There is no posterior then: a result that is no
        # sentence of the grammar has no confidence and is judged by the keeper's snapping
        # rules alone. (A second decoder with a lattice for those, tried, cost 55 MB per room,
        # and a flood of noise made every room build one.)
        self.lattice = bool(options.get("bestpath", False))
        self.decoder = _ps().Decoder(_config(model, {"bestpath": False, **options}, lm=None))
        self._free: Any = None
        self._grammar = False
        self._room_grammar: RoomGrammar | None = None
        self._in_utt = False
        self._partial = ""
        self._next_grammar: tuple[RoomGrammar | None] | None = None  # set mid-utterance
        self._heard = bytearray()  # this utterance's audio, to decode it again (_cut_short)
        self._cmn: Any = None  # the cepstral mean this utterance began with
        self._peeked: Transcript | None = None  # the final reading a peek ended on

    def missing_words(self, words: Iterable[str]) -> set[str]:
        return _missing(self.decoder, words)

    def pronunciation(self, word: str) -> str | None:
        """The word's phones in the model's dictionary ("F AO R T IY"), None when missing."""
        phones = self.decoder.lookup_word(word)
        return " ".join(phones.split()) if phones else None

    def set_grammar(self, grammar: RoomGrammar | None) -> None:
        if self._in_utt:
            # Switching the search would end the utterance under way: its words would be
            # lost and pocketsphinx crashes on the next frame. It ends with the grammar it
            # began with; the new one applies from the next utterance.
            self._next_grammar = (grammar,)
            return
        self._apply_grammar(grammar)

    def _apply_grammar(self, grammar: RoomGrammar | None) -> None:
        self._next_grammar = None
        if grammar is None or not grammar.graph:
            self._grammar = False
            return
        self.decoder.add_fsg(_WHOLE, fsg(self.decoder, grammar, _WHOLE))
        self.decoder.add_fsg(_GRAMMAR, fsg(self.decoder, grammar, stop=_STOP))
        self._room_grammar = grammar
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
        if self._in_utt:
            self._active().end_utt()
            self._in_utt = False
        if self._next_grammar is not None:
            self._apply_grammar(self._next_grammar[0])
        decoder = self._active()
        if self._grammar:
            self._cmn = decoder.get_cmn(False)
        decoder.start_utt()
        self._in_utt = True
        self._partial = ""
        self._heard.clear()
        self._peeked = None

    def start_after_wake(self, heard: bytes) -> None:
        """Start an utterance normalised by the cepstral mean of `heard`: the segment so far
        (the wake phrase, and in one breath the command's start): this voice, this room.

        pocketsphinx normalises each frame by a running cepstral mean that a short command
        hardly moves, so the command was heard through the mean of whatever came before: the
        model's default (c0 40 where these voices measure 52-64 in the noisy room) or the
        previous utterance (another voice, another room). After a quiet kal utterance, five
        voices' "turn on the kettle" in the noisy room came out as "set those to eight
        please", "turn on this at office", ... (tests/speech/test_voices.py). A feature pass
        over `heard` alone, from a mean with no history (`reinit_feat`) and without a search
        (a few ms), measures the segment's own mean; the command is decoded with it.
        """
        if len(heard) >= _MIN_LEAD_BYTES and self._grammar:
            decoder = self.decoder
            if self._in_utt:
                decoder.end_utt()
                self._in_utt = False
            decoder.reinit_feat()  # a running mean with no history: this segment's alone
            decoder.start_utt()
            decoder.process_raw(heard, True, True)  # features only, no search
            mean = decoder.get_cmn(False)  # before end_utt blends it into the running mean
            decoder.end_utt()
            decoder.set_cmn(mean)
        self.start()

    def accept(self, pcm: bytes) -> str:
        if not self._in_utt:
            self.start()  # pocketsphinx crashes on audio outside an utterance
        decoder = self._active()
        decoder.process_raw(pcm, False, False)
        if self._grammar:
            self._heard += pcm
        hyp = decoder.hyp()
        self._partial = hyp.hypstr if hyp is not None else ""
        return self._partial

    def peek_final(self, whole: Callable[[str], int]) -> bool:
        """End the utterance now if its final reading is a whole sentence (`whole` of it is
        truthy: after this much quiet, one whose last word may still grow too), not cut
        short (`Transcript.unfinished`); otherwise decode the same audio again from the same
        cepstral mean, so the utterance goes on exactly as if it had not been asked. A peek
        that goes on costs two decodes of the audio so far (150-210 ms for 1.3-1.7 s of it
        on the development machine), once per silence."""
        if not self._in_utt or not self._grammar or self._active() is not self.decoder:
            return False
        partial = self._partial
        transcript = self._end_utterance()
        if transcript.text and not transcript.unfinished and whole(transcript.text):
            self._peeked = transcript
            return True
        decoder = self.decoder
        if self._cmn is not None:
            decoder.set_cmn(self._cmn)
        decoder.start_utt()
        decoder.process_raw(bytes(self._heard), False, False)
        self._in_utt = True
        self._partial = partial
        return False

    def finish(self) -> Transcript:
        if self._peeked is not None:
            peeked, self._peeked = self._peeked, None
            if self._next_grammar is not None:
                self._apply_grammar(self._next_grammar[0])
            return peeked
        if not self._in_utt:
            # Nothing was heard since the last finish: the decoder still holds that
            # utterance's hypothesis, which must not be taken for a new one.
            return Transcript("", 0.0)
        try:
            return self._end_utterance()
        finally:
            if self._next_grammar is not None:
                self._apply_grammar(self._next_grammar[0])

    def _end_utterance(self) -> Transcript:
        decoder = self._active()
        decoder.end_utt()
        self._in_utt = False
        hyp = decoder.hyp()
        text = hyp.hypstr if hyp is not None else ""
        grammar = self._room_grammar if self._grammar else None
        graph = grammar.graph if grammar is not None else None
        if (graph is not None and not self.lattice and hyp is not None
                and graph.accepts(text.split())):
            # A sentence of the grammar is taken whatever its confidence: none needed.
            return Transcript(text, None)
        # The free-form decoder keeps its lattice (and so a posterior); the grammar's only
        # with `bestpath` on.
        with_lattice = self.lattice or not self._grammar
        confidence = _probability(hyp) if hyp is not None and with_lattice else None
        if (graph is not None and self._partial and not graph.accepts(text.split())
                and graph.accepts(self._partial.split())):
            # Closing the utterance can swap a complete sentence for a longer, unfinished one
            # ("... kitchen lights at"): the last complete partial is what was said.
            return Transcript(self._partial, confidence)
        if hyp is None:
            return Transcript("", 0.0)
        words = text.split()
        if (grammar is not None and not grammar.graph.accepts(words)
                and grammar.graph.states_after(words)):
            return self._cut_short(text, grammar)
        # Other readings need the lattice: only with `bestpath` on (it costs latency, above).
        close = self._close_readings(hyp, text) if self.lattice else ()
        return Transcript(text, confidence, alternatives=close)

    def _cut_short(self, text: str, grammar: RoomGrammar) -> Transcript:
        """An utterance that stopped short of a sentence's end (`_STOP`), decoded again with
        the whole grammar, which must end on a sentence. The words are `unfinished` (nothing
        is done on them) when that sentence goes on, after the last word both readings share,
        with a value nobody said.

        That is what a cut-short command gets: "set the kitchen blinds to" + "eight"; rms's
        "set the kitchen blinds to" read whole as "... blind to two" (the "s" and "to" made
        "to two"). Other differences are a noisy room's or a breath's, where the whole grammar
        reads better: kal's "turn off the lights" in the noisy room stopped at "turn all the
        light", read whole as "turn all the light out"; slt's "make the lights blue" stopped
        at "make the lights here", read whole as "make the lights blue here"; kal's "turn off
        the lights" through a satellite stopped at "turn all the light at" (a breath heard as
        "at"), read whole as "turn off the light".
        """
        said = text.split()
        whole = self._decode_whole().split()
        if not grammar.graph.accepts(whole):
            # No sentence reads it at all: whatever it is (talk for the persona, read free
            # form), no command is made of it.
            return Transcript(text, None, exact=True)
        shared = [b for b in SequenceMatcher(a=said, b=whole, autojunk=False)
                  .get_matching_blocks() if b.size]
        after = shared[-1].b + shared[-1].size if shared else 0
        values = grammar.value_words
        if any(values is None or w in values for w in whole[after:]):
            return Transcript(text, None, unfinished=True)
        return Transcript(" ".join(whole), None)

    def _decode_whole(self) -> str:
        decoder = self.decoder
        after = decoder.get_cmn(False)  # the running mean the first pass left, for the next
        decoder.activate_search(_WHOLE)
        try:
            if self._cmn is not None:
                decoder.set_cmn(self._cmn)
            decoder.start_utt()
            decoder.process_raw(bytes(self._heard), False, False)
            decoder.end_utt()
            hyp = decoder.hyp()
            return hyp.hypstr if hyp is not None else ""
        finally:
            decoder.activate_search(_GRAMMAR)
            decoder.set_cmn(after)

    def _close_readings(self, hyp: Any, text: str) -> tuple[str, ...]:
        """Other sentences of the grammar that scored within `CLOSE_SCORE` of the best one.

        pocketsphinx's n-best lists the same words many times over (other segmentations);
        only distinct sentences count, read best first until one is no longer close (at most
        `_NBEST` entries).
        """
        if not self._grammar or self._room_grammar is None:
            return ()
        graph = self._room_grammar.graph
        found: list[str] = []
        try:
            for entry in itertools.islice(self.decoder.nbest(), _NBEST):
                if hyp.score - entry.score > CLOSE_SCORE:
                    break  # best first: none further on is close
                words = " ".join(entry.hypstr.split())
                # The lattice also holds paths that stop short of a sentence's end.
                if (words and words != text and words not in found
                        and graph.accepts(words.split())):
                    found.append(words)
        except RuntimeError:  # no lattice (nothing was decoded)
            return ()
        return tuple(found)

    def transcribe_free(self, pcm: bytes) -> Transcript | None:
        if len(pcm) < 2:
            return None  # no audio (text from a satellite that recognised it itself)
        decoder = self._free_decoder()
        decoder.start_utt()
        try:
            decoder.process_raw(pcm, False, True)
        finally:
            decoder.end_utt()  # else every later utterance fails to start
        hyp = decoder.hyp()
        return Transcript(hyp.hypstr if hyp else "", _probability(hyp) if hyp else 0.0)


def _probability(hyp: Any) -> float | None:
    prob = getattr(hyp, "prob", None)
    if prob is None:
        return None
    return max(0.0, min(1.0, float(prob)))


def make_stt(settings: SpeechSettings, language: str) -> SphinxStt:
    return SphinxStt(settings.stt.model, dict(settings.stt.options))
