"""Voice accuracy: do rooms hear people the way they talk? (issue 13)

Over the example house examples/voice_en_pocketsphinx.yaml: 48 commands covering every intent
with a handler (on/off, toggle, brightness, colour, covers, climate set and get, state
questions, timers, cancel), said in different rooms, by the six test voices (flite kal, kal16,
awb, rms, slt; piper joe), in three forms (pause: wake phrase, 0.6 s, command; breath: one
sentence; room: breath with reverb and brown noise at 15 dB SNR), plus 34 sentences of ordinary
talk without the wake phrase (ten mention Samantha). Audio comes from tests/speech/corpus.py
(cached in .cache/speech-corpus). Each recording runs through the real pipeline
(`SpeechService`: wake engine, recognizer, endpointer, snapping, intents, devices) on a house
put back to its initial state first.

Measured: wake recall; command correct (right intent, right devices in the right room with
the right key params, nothing else touched); wrong actions (a command acted on, but on the
wrong devices or with wrong values); false wakes and false actions per hour of
ordinary talk; end of speech -> first device command latency p50/p95 (correct commands), and
the share of those that waited out the whole silence (`full wait`: the words never formed a
whole sentence before it, so the endpointer could not end early).
Reported per form and per voice; the held-out split (commands and talk sentences marked
`held=True` in bench/_voice_cases.py: 13 commands and 10 talk sentences, every voice) is
reported separately and is not for tuning. Every failing tuning case is listed.

By default each (command, form) is said by 3 of the 6 voices, rotating so each voice says
half the commands in each form (432 command and 204 talk recordings); --voices 6 says all.

With --before every recording runs again with the speech settings before issue 13's latency
work (bench/_voice_runner.py BEFORE: pocketsphinx's end-of-utterance lattice, the end of speech
at a frame's end, no quiet rule), and one table compares command correct, wrong actions and
latency before and after, measured in the same run on the same load.

    .venv/bin/python bench/voice_accuracy.py [--voices N] [--workers N] [--show-held-out]
                                             [--before]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from _results import write_results
from _voice_cases import ACTING, COMMANDS, TALK, Command, Talk
from _voice_runner import BEFORE, Job, Outcome, run_jobs
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from speech.corpus import FORMS, VOICES, Corpus, Recording, Utterance  # noqa: E402

CONFIG = ROOT / "examples" / "voice_en_pocketsphinx.yaml"
TARGETS = {"command_correct_pause": 0.95, "command_correct_breath": 0.95,
           "command_correct_room": 0.90, "false_actions": 0, "command_p50_ms": 150}


@dataclass
class Case:
    what: Command | Talk
    recording: Recording
    outcome: Outcome | None = None
    failure: str | None = None  # why the command was not carried out; None when it was

    @property
    def is_command(self) -> bool:
        return isinstance(self.what, Command)

    @property
    def held(self) -> bool:
        return self.what.held

    @property
    def voice(self) -> str:
        return self.recording.utterance.voice

    @property
    def form(self) -> str:
        return self.recording.utterance.form


# --- the plan ----------------------------------------------------------------------------------

def rotation(i: int, j: int, n: int) -> list[str]:
    """n voices for item i in form j; shifting by the form gives every voice every item."""
    step = 2 if n <= 3 else 1
    return [VOICES[(i + j + step * m) % len(VOICES)] for m in range(n)]


def plan(voices: int) -> list[tuple[Command | Talk, Utterance]]:
    wanted: list[tuple[Command | Talk, Utterance]] = [
        (c, Utterance(c.spoken, v, form)) for i, c in enumerate(COMMANDS)
        for j, form in enumerate(FORMS) for v in rotation(i, j, voices)]
    wanted += [(t, Utterance(t.text, v, form, wake=None)) for i, t in enumerate(TALK)
               for j, form in enumerate(("breath", "room")) for v in rotation(i, j, voices)]
    return wanted


# --- judging -----------------------------------------------------------------------------------

def _same(got: Any, want: Any) -> bool:
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return abs(float(got) - float(want)) < 1e-6
    if isinstance(want, list) and isinstance(got, (list, tuple)):
        return len(got) == len(want) and all(_same(g, w) for g, w in zip(got, want, strict=True))
    if isinstance(want, str) and isinstance(got, str):
        return got.lower() == want.lower()
    return bool(got == want)


def judge(case: Command, intents: Sequence[tuple[str, dict[str, Any]]],
          commands: Sequence[tuple[str, str, dict[str, Any]]],
          replies: Sequence[str]) -> str | None:
    """None when the house did exactly what `case` asks; else what went wrong."""
    names = [name for name, _ in intents]
    if names != [case.intent]:
        return f"intent {', '.join(names) or 'none'} (expected {case.intent})"
    if case.answer is not None and not any(case.answer.lower() in r.lower() for r in replies):
        return f"answered {replies!r} (expected {case.answer!r})"
    slots = intents[0][1]
    for key, want in case.slots.items():
        if not _same(slots.get(key), want):
            return f"slot {key}={slots.get(key)!r} (expected {want!r})"
    missing = list(case.commands)
    extra = []
    for device, action, params in commands:
        match = next((e for e in missing if e.device == device and e.action == action
                      and all(_same(params.get(k), v) for k, v in e.params.items())), None)
        if match is None:
            extra.append(f"{device} {action} {params or ''}".strip())
        else:
            missing.remove(match)
    if extra or missing:
        wanted = [f"{e.device} {e.action} {e.params or ''}".strip() for e in missing]
        return f"touched {extra or 'nothing else'}; not done {wanted or 'nothing'}"
    return None


async def check_text_path() -> tuple[list[str], list[float]]:
    """Every command must do what it expects through `house.handle_text` (no audio): a case
    the text path gets wrong is a wrong case, not a speech failure. Also the baseline: how
    long the text path takes from a sentence to its first device command (ms)."""
    from _voice_runner import _reset

    from samantha.events import DeviceCommand, IntentRecognized, ReplySpoken
    from samantha.house import House
    from samantha.plugins.speech.plugin import manual

    # The run's timers and scheduled sentences must not land in (or come from) the user's data.
    os.environ["SAMANTHA_DATA_DIR"] = tempfile.mkdtemp(prefix="voice-accuracy-text-")
    house = House.prepare(CONFIG)
    manual.add(house)
    problems = []
    intents: list[tuple[str, dict[str, Any]]] = []
    commands: list[tuple[str, str, dict[str, Any]]] = []
    replies: list[str] = []
    stamps: list[float] = []
    latencies: list[float] = []
    async with house:
        initial = {d.id: dict(d.state) for d in house.home.devices.values()}
        house.bus.subscribe(IntentRecognized,
                            lambda e: intents.append((e.intent, dict(e.slots))))
        house.bus.subscribe(DeviceCommand,
                            lambda e: commands.append((e.device, e.action, dict(e.params))))
        house.bus.subscribe(DeviceCommand, lambda e: stamps.append(time.monotonic()))
        house.bus.subscribe(ReplySpoken, lambda e: replies.append(e.text))
        for case in COMMANDS:
            await _reset(house, initial)
            for sentence in case.setup:
                await house.handle_text(sentence, case.room)
            await asyncio.sleep(0.01)
            intents.clear()
            commands.clear()
            replies.clear()
            stamps.clear()
            said = time.monotonic()
            await house.handle_text(case.text, case.room)
            await asyncio.sleep(0.01)
            if stamps:
                latencies.append((stamps[0] - said) * 1000)
            why = judge(case, intents, commands, replies)
            if why:
                problems.append(f"{case.room}: {case.text!r}: {why}")
    return problems, latencies


def settle(case: Case) -> None:
    out = case.outcome
    assert out is not None
    if out.error:
        case.failure = f"error: {out.error}"
    elif isinstance(case.what, Command):
        if not out.woken:
            case.failure = "no wake"
        elif out.timeout:
            case.failure = "woke, then heard no command (timeout)"
        elif not out.intents and not out.text:
            case.failure = f"woke, nothing understood (replied {out.replies[-1:] or 'nothing'})"
        else:
            case.failure = judge(case.what, out.intents, [c[:3] for c in out.commands],
                                 out.replies)
    else:
        acted = out.commands or [n for n, _ in out.intents if n in ACTING]
        case.failure = "false action" if acted else ("false wake" if out.woken else None)


# --- running -----------------------------------------------------------------------------------

def run(cases: list[Case], workers: int, overlay: dict[str, dict[str, Any]] | None = None) -> None:
    jobs = [Job(i, str(c.recording.path), c.what.room,
                c.what.setup if isinstance(c.what, Command) else ())
            for i, c in enumerate(cases)]
    shards = [jobs[k::workers] for k in range(workers)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        for outcomes in pool.map(run_jobs, [str(CONFIG)] * workers, shards,
                                 [overlay] * workers):
            for out in outcomes:
                cases[out.index].outcome = out
    for case in cases:
        settle(case)


# --- reporting ---------------------------------------------------------------------------------

def latency_ms(case: Case) -> float | None:
    """End of speech -> first device command, for a command carried out correctly."""
    out = case.outcome
    if not (case.is_command and case.failure is None and out and out.commands):
        return None
    t = out.commands[0][3]
    return None if t is None else (t - case.recording.speech_end_s) * 1000


def latencies_ms(cases: Sequence[Case]) -> list[float]:
    return [ms for ms in map(latency_ms, cases) if ms is not None]


def slowest(cases: Sequence[Case], n: int = 5) -> list[dict[str, Any]]:
    timed = sorted(((ms, c) for c in cases if (ms := latency_ms(c)) is not None),
                   key=lambda pair: -pair[0])
    return [{"ms": round(ms, 1), "voice": c.voice, "form": c.form, "room": c.what.room,
             "said": c.recording.utterance.spoken, "heard": c.outcome.heard if c.outcome else "",
             "end": c.outcome.end if c.outcome else "",
             "free_form": bool(c.outcome and c.outcome.free_form)} for ms, c in timed[:n]]


def pct(values: Sequence[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values else None


def command_figures(cases: Sequence[Case]) -> dict[str, Any]:
    n = len(cases)
    lat = latencies_ms(cases)
    woken = sum(1 for c in cases if c.outcome and c.outcome.woken)
    correct = sum(1 for c in cases if c.failure is None)
    # Acted, but not as asked: another room's devices, a wrong value. Worse than doing nothing.
    wrong = sum(1 for c in cases if c.failure and c.outcome and c.outcome.commands)
    # Timed commands that waited out the whole silence (endpoint.silence_ms) because the words
    # so far never formed a whole sentence of the grammar: the slow tail of the latency.
    ends = [c.outcome.end for c in cases if c.outcome and latency_ms(c) is not None]
    waited = round(ends.count("end") / len(ends), 4) if ends else None
    return {"n": n, "wake_recall": round(woken / n, 4) if n else None,
            "command_correct": round(correct / n, 4) if n else None,
            "correct": correct, "wrong_actions": wrong, "command_p50_ms": pct(lat, 50),
            "command_p95_ms": pct(lat, 95), "waited_full_silence": waited}


def talk_figures(cases: Sequence[Case]) -> dict[str, Any]:
    hours = sum(c.recording.speech_end_s - c.recording.speech_start_s for c in cases) / 3600
    wakes = sum(1 for c in cases if c.outcome and c.outcome.woken)
    actions = sum(1 for c in cases if c.failure == "false action")
    return {"n": len(cases), "talk_hours": round(hours, 4), "false_wakes": wakes,
            "false_actions": actions,
            "false_wakes_per_hour": round(wakes / hours, 1) if hours else None,
            "false_actions_per_hour": round(actions / hours, 1) if hours else None}


def grouped(cases: Sequence[Case], key: Callable[[Case], str], order: Sequence[str],
            figures: Callable[[Sequence[Case]], dict[str, Any]]) -> dict[str, Any]:
    return {name: figures([c for c in cases if key(c) == name]) for name in order
            if any(key(c) == name for c in cases)}


def split_figures(cases: Sequence[Case]) -> dict[str, Any]:
    commands = [c for c in cases if c.is_command]
    talk = [c for c in cases if not c.is_command]
    return {"commands": command_figures(commands),
            "by_form": grouped(commands, lambda c: c.form, FORMS, command_figures),
            "by_voice": grouped(commands, lambda c: c.voice, VOICES, command_figures),
            "talk": talk_figures(talk),
            "talk_by_form": grouped(talk, lambda c: c.form, ("breath", "room"), talk_figures),
            "talk_by_voice": grouped(talk, lambda c: c.voice, VOICES, talk_figures)}


def failure_rows(cases: Sequence[Case]) -> list[dict[str, Any]]:
    rows = []
    for c in cases:
        if c.failure is None:
            continue
        out = c.outcome
        rows.append({"voice": c.voice, "form": c.form, "room": c.what.room,
                     "said": c.recording.utterance.spoken, "heard": out.heard if out else "",
                     "text": out.text if out else "", "what_happened": c.failure,
                     "confidence": out.confidence if out else None,
                     "wav": str(c.recording.path)})
    return rows


def confidence_rows(cases: Sequence[Case]) -> list[dict[str, Any]]:
    """Every woken command's recognizer confidence and what came of it (for choosing where
    a transcript is too unsure to act on)."""
    return [{"voice": c.voice, "form": c.form, "held": c.held,
             "confidence": c.outcome.confidence, "correct": c.failure is None,
             "acted": bool(c.outcome.commands)}
            for c in cases if c.is_command and c.outcome and c.outcome.woken]


def _cell(value: Any, percent: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.1f}%" if percent else str(value)


def print_table(console: Console, figures: dict[str, Any]) -> None:
    """One table: per split, all recordings, then per form and per voice; commands on the
    left, ordinary talk on the right."""
    table = Table(title="voice accuracy (examples/voice_en_pocketsphinx.yaml)",
                  title_justify="left")
    for column in ("group", "cmds", "wake recall", "cmd correct", "wrong acts", "p50 ms",
                   "p95 ms", "full wait", "talk min", "false wakes/h", "false actions/h"):
        table.add_column(column, justify="left" if column == "group" else "right")
    for split in ("tuning", "held_out"):
        f = figures[split]
        groups = [("all", f["commands"], f["talk"])]
        groups += [(f"form {k}", v, f["talk_by_form"].get(k)) for k, v in f["by_form"].items()]
        groups += [(f"voice {k}", v, f["talk_by_voice"].get(k))
                   for k, v in f["by_voice"].items()]
        for i, (label, c, t) in enumerate(groups):
            talk = ([f"{t['talk_hours'] * 60:.1f}",
                     f"{t['false_wakes']} ({_cell(t['false_wakes_per_hour'])}/h)",
                     f"{t['false_actions']} ({_cell(t['false_actions_per_hour'])}/h)"]
                    if t else ["", "", ""])
            table.add_row(f"{split.replace('_', '-')}: {label}" if i == 0 else label,
                          str(c["n"]), _cell(c["wake_recall"], True),
                          _cell(c["command_correct"], True), str(c["wrong_actions"]),
                          _cell(c["command_p50_ms"]),
                          _cell(c["command_p95_ms"]), _cell(c["waited_full_silence"], True),
                          *talk, end_section=i == len(groups) - 1)
    console.print(table)


def print_failures(console: Console, title: str, rows: Sequence[dict[str, Any]]) -> None:
    console.print(f"[bold]{title}[/bold] ({len(rows)})")
    for r in rows:
        console.print(f"  {r['voice']:<5} {r['form']:<6} {r['room']:<11} said {r['said']!r}\n"
                      f"        heard {r['heard']!r} -> {r['text']!r}: {r['what_happened']}",
                      markup=False, highlight=False)


def print_before_after(console: Console, before: dict[str, Any],
                       after: dict[str, Any]) -> None:
    """The same recordings with the settings before the latency work (BEFORE) and now."""
    table = Table(title="before / after the latency work (same recordings, same run)",
                  title_justify="left")
    for column in ("group", "cmd correct", "wrong acts", "p50 ms", "p95 ms", "false acts"):
        table.add_column(column, justify="left" if column == "group" else "right")
    for split in ("tuning", "held_out"):
        groups = [("all", "commands")] + [(f"form {k}", k) for k in after[split]["by_form"]]
        for label, key in groups:
            b = (before[split]["commands"] if key == "commands"
                 else before[split]["by_form"].get(key, {}))
            a = (after[split]["commands"] if key == "commands"
                 else after[split]["by_form"].get(key, {}))
            both = [f"{_cell(b.get(k), k == 'command_correct')} -> "
                    f"{_cell(a.get(k), k == 'command_correct')}"
                    for k in ("command_correct", "wrong_actions", "command_p50_ms",
                              "command_p95_ms")]
            acts = (f"{before[split]['talk']['false_actions']} -> "
                    f"{after[split]['talk']['false_actions']}" if key == "commands" else "")
            table.add_row(f"{split.replace('_', '-')}: {label}", *both, acts)
    console.print(table)


def print_ratios(console: Console, figures: dict[str, Any]) -> None:
    """Against the baseline: the same commands typed (`samantha say`'s path, all correct)."""
    base = figures["baseline_text_path"]
    for split in ("tuning", "held_out"):
        f = figures[split]["commands"]
        p50 = f["command_p50_ms"]
        slower = (f"{p50 / base['command_p50_ms']:.0f}x the text path's "
                  f"{base['command_p50_ms']} ms" if p50 and base["command_p50_ms"] else "-")
        console.print(f"{split}: speech carries out {_cell(f['command_correct'], True)} of "
                      f"what typing does; end of speech -> command p50 {_cell(p50)} ms = "
                      f"{slower}")


def stt_options(pairs: Sequence[str]) -> dict[str, Any]:
    """--stt-option KEY=VALUE pairs as decoder options."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"--stt-option {pair!r}: expected KEY=VALUE")
        options[key.strip()] = _value(value.strip())
    return options


def _value(text: str) -> Any:
    for cast in (int, float):  # YAML 1.1 reads "1e-60" as a string
        try:
            return cast(text)
        except ValueError:
            pass
    return yaml.safe_load(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", type=int, default=3, choices=range(1, len(VOICES) + 1),
                        help="Voices per command and form (default 3 of 6).")
    parser.add_argument("--workers", type=int, default=2, help="Worker processes.")
    parser.add_argument("--show-held-out", action="store_true",
                        help="Also list the held-out failures (not while tuning).")
    parser.add_argument("--before", action="store_true",
                        help="Also run every recording with the settings before the latency "
                        "work (bench/_voice_runner.py BEFORE) and compare.")
    parser.add_argument("--stt-option", action="append", default=[], metavar="KEY=VALUE",
                        help="A pocketsphinx decoder option over the config's stt.options "
                        "(repeatable: 1e-60, 8, true), to try a "
                        "setting on the tuning split.")
    args = parser.parse_args()
    overlay = {"stt_options": stt_options(args.stt_option)} if args.stt_option else None
    console = Console(width=130)
    started = time.monotonic()
    problems, text_ms = asyncio.run(check_text_path())
    if problems:
        console.print("cases the text path does not carry out as expected:", style="red")
        for p in problems:
            console.print(f"  {p}", markup=False)
        raise SystemExit(1)
    corpus = Corpus(workers=args.workers)
    wanted = plan(args.voices)
    recordings = corpus.get_many(u for _, u in wanted)
    made = time.monotonic()
    console.print(f"{len(recordings)} recordings ready in {made - started:.0f} s "
                  f"({corpus.made} files synthesized now; cache {corpus.cache})")
    cases = [Case(what, rec) for (what, _), rec in zip(wanted, recordings, strict=True)]
    run(cases, args.workers, overlay)
    if overlay:
        console.print(f"stt options over the config's: {overlay['stt_options']}")
    console.print(f"pipeline over {len(cases)} recordings: {time.monotonic() - made:.0f} s "
                  f"({args.workers} workers)")
    tuning = [c for c in cases if not c.held]
    held = [c for c in cases if c.held]
    figures = {"config": str(CONFIG.relative_to(ROOT)), "voices_per_command": args.voices,
               "recordings": len(cases), "tuning": split_figures(tuning),
               "held_out": split_figures(held), "targets": TARGETS,
               "baseline_text_path": {"command_correct": 1.0,
                                      "command_p50_ms": pct(text_ms, 50),
                                      "command_p95_ms": pct(text_ms, 95)}}
    print_table(console, figures)
    failures = failure_rows(tuning)
    figures["tuning_failures"] = failures
    print_failures(console, "failing tuning cases", failures)
    held_failures = failure_rows(held)
    if args.show_held_out:
        print_failures(console, "failing held-out cases", held_failures)
    else:
        console.print(f"{len(held_failures)} held-out failures (listed with --show-held-out)")
    figures["confidence"] = confidence_rows(cases)
    figures["slowest_correct"] = slowest(cases)
    console.print("slowest correct commands (end of speech -> command):")
    for row in figures["slowest_correct"]:
        console.print(f"  {row['ms']:7.0f} ms  {row['voice']}/{row['form']} {row['said']!r} "
                      f"(utterance ended: {row['end']}"
                      f"{'; decoded again free-form' if row['free_form'] else ''})",
                      markup=False, highlight=False)
    print_ratios(console, figures)
    if args.before:
        again = [Case(c.what, c.recording) for c in cases]
        started_before = time.monotonic()
        run(again, args.workers, BEFORE)
        console.print(f"before-settings run: {time.monotonic() - started_before:.0f} s")
        figures["before"] = {"settings": BEFORE,
                             "tuning": split_figures([c for c in again if not c.held]),
                             "held_out": split_figures([c for c in again if c.held])}
        print_before_after(console, figures["before"], figures)
    path = write_results("voice_accuracy", figures)
    console.print(f"targets: command correct >=95% (pause, breath), >=90% (room); 0 false "
                  f"actions; p50 <=150 ms. Figures in {path.relative_to(ROOT)}; total "
                  f"{time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
