"""Wake words across voices: recall, one-breath handoff and false wakes, per engine.

Voices: every flite voice and a piper voice (joe). Tuning used slt, rms and awb only; kal, kal16
and joe are held out. Audio comes from tests/speech/corpus.py (cached in .cache/speech-corpus, the
same recordings the tests and bench/voice_accuracy.py hear). Forms: `pause` (0.6 s after the
wake phrase), `breath` (one sentence), and `room` (one breath with reverberation and brown noise
at ~15 dB SNR). Ordinary talk (30 sentences, a third naming Samantha) is heard dry and in the
room.

For every recording the engine is fed 32 ms blocks as a room would feed it. A *wake* is exactly
one detection; the *handoff* is right when the detection's trailing audio plus the rest of the
recording decodes (pocketsphinx, a grammar of the 8 commands) to the command itself, i.e. no
word of the command was lost and no part of the wake phrase was left in front of it.

    .venv/bin/python bench/wake_accuracy.py [--engines pocketsphinx,openwakeword]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from _results import write_results  # noqa: E402
from speech.corpus import RATE, VOICES, Corpus, Utterance, read_pcm  # noqa: E402
from speech.wakecases import (  # noqa: E402
    COMMANDS,
    HELD_OUT_VOICES,
    ORDINARY,
    TUNED_VOICES,
    background,
    chunks,
)

from samantha.plugins.speech.engines import WakeEngine  # noqa: E402
from samantha.plugins.speech.grammar import sentence_grammar  # noqa: E402
from samantha.plugins.speech.sphinx_engines import SphinxStt  # noqa: E402

FORMS = ("pause", "breath", "room")
PHRASES = {"pocketsphinx": "hey samantha", "openwakeword": "hey jarvis"}


def build(engine: str) -> WakeEngine:
    if engine == "pocketsphinx":
        from samantha.plugins.speech.sphinx_wake import SphinxWake

        return SphinxWake([PHRASES[engine]], None, None)
    from samantha.plugins.speech.oww_engines import OwwWake, phrase_models

    return OwwWake(phrase_models([PHRASES[engine]], {}, None), None)


def feed(engine: WakeEngine, wav: Path) -> tuple[list[float], bytes, bytes, float]:
    """Detection times, the first detection's trailing audio and what followed it; CPU s."""
    samples = read_pcm(wav)
    for _, block in chunks(background(samples)):
        engine.process(block)
    engine.reset()
    times: list[float] = []
    trailing = rest = b""
    cpu = time.process_time()
    for end, block in chunks(samples):
        found = engine.process(block)
        if found is not None:
            if not times:
                trailing, rest = found.trailing, samples[end:].astype("<i2").tobytes()
            times.append(end / RATE)
    return times, trailing, rest, time.process_time() - cpu


def positives(engine: WakeEngine, phrase: str, corpus: Corpus, stt: SphinxStt, voice: str,
              form: str) -> dict[str, Any]:
    woke = handed = 0
    early: list[float] = []
    failures: list[str] = []
    for command in COMMANDS:
        rec = corpus.get(Utterance(command, voice, form, phrase))
        times, trailing, rest, _ = feed(engine, rec.path)
        if len(times) != 1:
            failures.append(f"{command}: {len(times)} wakes")
            continue
        woke += 1
        # How long before the end of the whole utterance the wake fired (>0: mid-command); a
        # room recording keeps its dry speech's end (noise is not speech).
        early.append(rec.speech_end_s - times[0])
        stt.start()
        stt.accept(trailing + rest)
        heard = stt.finish().text
        if heard == command:
            handed += 1
        else:
            failures.append(f"{command}: handed over as {heard!r}")
    return {"recall": woke / len(COMMANDS), "woke": woke, "handoff_ok": handed,
            "commands": len(COMMANDS),
            "wake_before_speech_end_s": round(sum(early) / len(early), 2) if early else None,
            "failures": failures}


def negatives(engine: WakeEngine, corpus: Corpus, voice: str, room: bool) -> dict[str, Any]:
    wakes: list[str] = []
    seconds = 0.0
    for sentence in ORDINARY:
        rec = corpus.get(Utterance(sentence, voice, "room" if room else "breath", None))
        times, _, _, _ = feed(engine, rec.path)
        seconds += rec.duration_s
        if times:
            wakes.append(sentence)
    named = [s for s in wakes if "samantha" in s.lower()]
    return {"sentences": len(ORDINARY), "false_wakes": len(wakes), "naming_samantha": len(named),
            "seconds": round(seconds, 1), "which": wakes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="pocketsphinx,openwakeword")
    parser.add_argument("--voices", default=",".join(VOICES))
    parser.add_argument("--cache", type=Path, default=None,
                        help="speech cache (default: SAMANTHA_SPEECH_CACHE, else "
                        ".cache/speech-corpus)")
    args = parser.parse_args()
    corpus = Corpus(args.cache)
    stt = SphinxStt(None, {})
    stt.set_grammar(sentence_grammar(COMMANDS))
    results: dict[str, Any] = {"tuned_voices": list(TUNED_VOICES),
                               "held_out_voices": list(HELD_OUT_VOICES), "engines": {}}
    print(f"{'engine':<13}{'voice':<7}{'set':<9}{'form':<7}{'wake':>6}{'handoff':>9}"
          f"{'early s':>9}   false wakes dry/room (naming Samantha)")
    for name in args.engines.split(","):
        engine = build(name)
        phrase = PHRASES[name]
        per_voice: dict[str, Any] = {}
        cpu0, audio = time.process_time(), 0.0
        for voice in args.voices.split(","):
            which = "tuned" if voice in TUNED_VOICES else "held-out"
            entry: dict[str, Any] = {"set": which}
            for form in FORMS:
                entry[form] = positives(engine, phrase, corpus, stt, voice, form)
            entry["ordinary_dry"] = negatives(engine, corpus, voice, room=False)
            entry["ordinary_room"] = negatives(engine, corpus, voice, room=True)
            audio += entry["ordinary_dry"]["seconds"] + entry["ordinary_room"]["seconds"]
            per_voice[voice] = entry
            for i, form in enumerate(FORMS):
                r = entry[form]
                tail = ""
                if i == 0:
                    d, w = entry["ordinary_dry"], entry["ordinary_room"]
                    tail = (f"   {d['false_wakes']}/{d['sentences']} ({d['naming_samantha']})"
                            f" / {w['false_wakes']}/{w['sentences']} ({w['naming_samantha']})")
                print(f"{name:<13}{voice:<7}{which:<9}{form:<7}{r['woke']:>4}/{r['commands']}"
                      f"{r['handoff_ok']:>7}/{r['commands']}"
                      f"{r['wake_before_speech_end_s'] or 0:>9.2f}{tail}", flush=True)
        summary = summarise(per_voice)
        summary["cpu_s"] = round(time.process_time() - cpu0, 1)
        results["engines"][name] = {"phrase": phrase, "voices": per_voice, "summary": summary}
        for which, figures in summary.items():
            if isinstance(figures, dict):
                print(f"{name} {which}: {figures}")
    path = write_results("wake_accuracy", results)
    print(f"wrote {path.relative_to(ROOT)}")


def summarise(per_voice: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for which in ("tuned", "held-out"):
        chosen = [e for e in per_voice.values() if e["set"] == which]
        figures: dict[str, Any] = {}
        for form in FORMS:
            woke = sum(e[form]["woke"] for e in chosen)
            handed = sum(e[form]["handoff_ok"] for e in chosen)
            total = sum(e[form]["commands"] for e in chosen)
            figures[form] = f"wake {woke}/{total}, handoff {handed}/{total}"
        for kind in ("ordinary_dry", "ordinary_room"):
            wakes = sum(e[kind]["false_wakes"] for e in chosen)
            named = sum(e[kind]["naming_samantha"] for e in chosen)
            hours = sum(e[kind]["seconds"] for e in chosen) / 3600
            figures[kind] = (f"{wakes} false wakes ({named} naming Samantha) in "
                             f"{sum(e[kind]['sentences'] for e in chosen)} sentences, "
                             f"{wakes / hours if hours else 0:.0f}/h of talk")
        out[which] = figures
    return out


if __name__ == "__main__":
    main()
