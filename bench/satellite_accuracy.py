"""Satellite accuracy: does a room served by a satellite hear people as well as a local room?

Issue 13 asks that rooms hear people "the way they talk: one breath, any voice, a real room".
bench/voice_accuracy.py measures that for local rooms (the single-process pipeline); this one
measures the satellite path on the same recordings, with the local room as the baseline in the
same run:

- hub: one Mosquitto, one `samantha run --headless` on examples/voice_en_pocketsphinx.yaml made
  a satellite hub (bench/_satellite_hub.py: same rooms, devices and speech settings, so the
  same grammar), and each recording replayed by `samantha satellite --room <the command's room>
  --wav <file> --fast --json`: the satellite wakes on it, streams the wake phrase (`leadS`) and
  the command over Hermes audioFrames, the hub recognises and acts. Up to `--parallel`
  satellites replay at once, each in another room (a hub holds one conversation per room);
- local: the same recordings through the local room pipeline (bench/_voice_runner.py
  `run_jobs`, as voice_accuracy runs them).

The commands are voice_accuracy's (bench/_voice_cases.py COMMANDS, said by the voices of
voice_accuracy's `plan`/`rotation`: each command and form by 2 of the 6 voices by default, 192
recordings, about 8 minutes on 2 cores; `--voices 3 --forms pause,breath,room` says
voice_accuracy's own 432) in the breath and room forms. Recordings come from tests/speech/corpus.py
(cached in .cache/speech-corpus). Both paths take them in one shuffled order (seeded), so
each command is decoded after other voices, as a real house hears them. Setup sentences (a
timer to cancel) are typed into the hub through its dashboard API first; timer commands
replay one at a time and their timers are cancelled after each, so none fires into another
recording.

Judged as voice_accuracy judges (its `judge`/`settle`: the right intent, the key slots, the
right device commands and nothing else touched):
- the intent and its slots come from MQTT: `hermes/intent/<name>` of the recording's session
  (and `hermes/asr/textCaptured` for the text the house was given);
- the slots say what was named (a device, an area, a domain), not which devices the house
  then acted on ("turn on the lights" names no device; the room says which). Hermes has no
  message for device commands and the example's devices are virtual (nothing on MQTT), so
  the device commands come from the hub's own turn record (the dashboard's `/api/turns`).

Counted per split (tuning; held out: `Command.held`, reported separately, its failures only
with --show-held-out), per form and per voice: wake (the satellite's json `wake` event), heard
(the hub captured text), command correct, wrong action (not correct, yet a device command or a
timer intent: something was done that was not said) and no action (nothing done). The hub's
devices are not put back between recordings as the local runner's are: the house sends a
command whatever the device's state, so the judge does not depend on it. The table
prints hub vs local command correct and their ratio.

    .venv/bin/python bench/satellite_accuracy.py [--voices N] [--forms breath,room]
        [--limit N] [--parallel N] [--workers N] [--seed N] [--show-held-out]
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections.abc import Sequence
from typing import Any

from _results import write_results
from _satellite_hub import Replayed, SatelliteHouse
from _voice_cases import ACTING, Command
from _voice_runner import Outcome
from rich.console import Console
from rich.table import Table
from speech.corpus import FORMS, VOICES, Corpus, Utterance  # tests/: on sys.path
from voice_accuracy import CONFIG, ROOT, Case, grouped, plan, run, settle

DEFAULT_FORMS = ("breath", "room")
RETRIES = 3  # replays of a recording whose wake the hub gave to another room
TIMERS = frozenset({"HassStartTimer", "HassCancelTimer", "HassTimerStatus",
                    "HassCancelAllTimers", "HassPauseTimer", "HassUnpauseTimer",
                    "HassIncreaseTimer", "HassDecreaseTimer"})


def uses_timers(command: Command) -> bool:
    return command.intent in TIMERS or bool(command.setup)


# --- the plan ----------------------------------------------------------------------------------

def commands_planned(voices: int, forms: Sequence[str]) -> list[tuple[Command, Utterance]]:
    """voice_accuracy's plan, its commands only, in `forms`."""
    return [(what, utterance) for what, utterance in plan(voices)
            if isinstance(what, Command) and utterance.form in forms]


def shuffled(items: list[tuple[Command, Utterance]], seed: int,
             limit: int | None) -> list[tuple[Command, Utterance]]:
    order = list(items)
    random.Random(seed).shuffle(order)
    return order[:limit] if limit else order


# --- the hub path ------------------------------------------------------------------------------

def outcome_of(index: int, replayed: Replayed) -> Outcome:
    """What the hub did, in the local runner's terms (so voice_accuracy's `settle` judges)."""
    error = replayed.error
    if error is None and replayed.stood_down:
        error = f"the hub gave the wake to another room's, {RETRIES + 1} times"
    elif error is None and replayed.woken and replayed.session is None:
        error = "the satellite woke, the hub opened no session"
    return Outcome(index, woken=replayed.woken, heard=replayed.heard, text=replayed.text,
                   timeout=replayed.end == "timeout", end=replayed.end,
                   intents=list(replayed.intents), replies=list(replayed.replies),
                   commands=[(d, a, p, None) for d, a, p in replayed.commands], error=error)


class Dispatcher:
    """Hands out cases in order to `parallel` threads: never two in one room at once, never
    two that use timers at once ("cancel all timers" after one must not take another's)."""

    def __init__(self, cases: Sequence[Case]) -> None:
        self.cases = cases
        self.pending = list(range(len(cases)))
        self.rooms: set[str] = set()
        self.timers = False
        self.done = 0
        self.cond = threading.Condition()

    def take(self) -> int | None:
        with self.cond:
            while self.pending:
                for k, i in enumerate(self.pending):
                    command = self.cases[i].what
                    assert isinstance(command, Command)
                    if command.room in self.rooms or (uses_timers(command) and self.timers):
                        continue
                    del self.pending[k]
                    self.rooms.add(command.room)
                    self.timers |= uses_timers(command)
                    return i
                self.cond.wait()
            return None

    def release(self, i: int) -> None:
        command = self.cases[i].what
        assert isinstance(command, Command)
        with self.cond:
            self.rooms.discard(command.room)
            if uses_timers(command):
                self.timers = False
            self.done += 1
            self.cond.notify_all()


def run_hub(house: SatelliteHouse, cases: Sequence[Case], parallel: int,
            console: Console) -> int:
    """Every case through the hub, `parallel` rooms at once; how many wakes were replayed
    again because the hub gave them to another room's wake (see `Replayed.stood_down`)."""
    dispatcher = Dispatcher(cases)
    started = time.monotonic()
    lock = threading.Lock()
    retried = [0]

    def one(i: int) -> None:
        case = cases[i]
        command = case.what
        assert isinstance(command, Command)
        try:
            for sentence in command.setup:
                house.say(command.room, sentence)
            replayed = house.replay(command.room, case.recording.path)
            for _ in range(RETRIES):
                if not replayed.stood_down:
                    break
                with lock:
                    retried[0] += 1
                replayed = house.replay(command.room, case.recording.path)
            if uses_timers(command) or any(n in TIMERS for n, _ in replayed.intents):
                house.say(command.room, "cancel all timers")
        except Exception as err:  # one broken recording must not end the run
            replayed = Replayed(command.room, error=repr(err))
        case.outcome = outcome_of(i, replayed)

    def worker() -> None:
        while (i := dispatcher.take()) is not None:
            try:
                one(i)
            finally:
                dispatcher.release(i)
                if dispatcher.done % 50 == 0:
                    console.print(f"  hub: {dispatcher.done}/{len(cases)} recordings "
                                  f"({time.monotonic() - started:.0f} s)", highlight=False)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, parallel))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for case in cases:
        settle(case)
    return retried[0]


# --- figures -----------------------------------------------------------------------------------

def acted(case: Case) -> bool:
    """Something was done: a device command, or an intent that acts without devices (timers).
    An acting intent the house did not carry out (it asked "which device?") did nothing."""
    out = case.outcome
    return bool(out and (out.commands or any(n in ACTING and n in TIMERS
                                             for n, _ in out.intents)))


def figures_of(cases: Sequence[Case]) -> dict[str, Any]:
    n = len(cases)

    def share(count: int) -> float | None:
        return round(count / n, 4) if n else None

    woken = sum(1 for c in cases if c.outcome and c.outcome.woken)
    heard = sum(1 for c in cases if c.outcome and c.outcome.text)
    correct = sum(1 for c in cases if c.failure is None)
    wrong = sum(1 for c in cases if c.failure is not None and acted(c))
    return {"n": n, "wake": share(woken), "heard": share(heard),
            "command_correct": share(correct), "correct": correct, "wrong_actions": wrong,
            "no_action": n - correct - wrong}


def split_figures(cases: Sequence[Case]) -> dict[str, Any]:
    return {"commands": figures_of(cases),
            "by_form": grouped(cases, lambda c: c.form, FORMS, figures_of),
            "by_voice": grouped(cases, lambda c: c.voice, VOICES, figures_of)}


def ratio(hub: float | None, local: float | None) -> float | None:
    return round(hub / local, 3) if hub is not None and local else None


def failure_rows(hub: Sequence[Case], local: Sequence[Case]) -> list[dict[str, Any]]:
    """The hub's failures, wrong actions first, each with what the local room made of it."""
    rows = []
    for h, c in zip(hub, local, strict=True):
        if h.failure is None:
            continue
        out = h.outcome
        rows.append({"voice": h.voice, "form": h.form, "room": h.what.room,
                     "said": h.recording.utterance.spoken,
                     "heard": out.heard if out else "", "text": out.text if out else "",
                     "what_happened": h.failure, "wrong_action": acted(h),
                     "local": "correct" if c.failure is None else c.failure,
                     "wav": str(h.recording.path)})
    return sorted(rows, key=lambda r: (not r["wrong_action"], r["local"] != "correct"))


# --- printing ----------------------------------------------------------------------------------

def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def print_table(console: Console, figures: dict[str, Any]) -> None:
    table = Table(title="satellite accuracy: satellite -> Mosquitto -> hub vs the local room "
                  "(examples/voice_en_pocketsphinx.yaml)", title_justify="left")
    for column in ("group", "n", "wake", "heard", "hub correct", "hub wrong", "hub none",
                   "local correct", "local wrong", "hub / local"):
        table.add_column(column, justify="left" if column == "group" else "right")
    for split in ("tuning", "held_out"):
        hub, local = figures["hub"][split], figures["local"][split]
        groups = [("all", hub["commands"], local["commands"])]
        groups += [(f"form {k}", v, local["by_form"][k]) for k, v in hub["by_form"].items()]
        groups += [(f"voice {k}", v, local["by_voice"][k]) for k, v in hub["by_voice"].items()]
        for i, (label, h, c) in enumerate(groups):
            r = ratio(h["command_correct"], c["command_correct"])
            table.add_row(f"{split.replace('_', '-')}: {label}" if i == 0 else label,
                          str(h["n"]), _pct(h["wake"]), _pct(h["heard"]),
                          _pct(h["command_correct"]), str(h["wrong_actions"]),
                          str(h["no_action"]), _pct(c["command_correct"]),
                          str(c["wrong_actions"]), "-" if r is None else f"{r:.3f}",
                          end_section=i == len(groups) - 1)
    console.print(table)


def print_failures(console: Console, title: str, rows: Sequence[dict[str, Any]]) -> None:
    console.print(f"[bold]{title}[/bold] ({len(rows)}; wrong actions first)")
    for r in rows:
        mark = "WRONG " if r["wrong_action"] else ""
        console.print(f"  {mark}{r['voice']:<5} {r['form']:<6} {r['room']:<11} said "
                      f"{r['said']!r}\n        heard {r['heard']!r} -> {r['text']!r}: "
                      f"{r['what_happened']}\n        local room: {r['local']}",
                      markup=False, highlight=False)


# --- main --------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", type=int, default=2, choices=range(1, len(VOICES) + 1),
                        help="Voices per command and form (default 2 of 6; 3 says voice_accuracy's "
                        "recordings).")
    parser.add_argument("--forms", default=",".join(DEFAULT_FORMS),
                        help=f"Comma-separated forms of {', '.join(FORMS)} (default "
                        f"{','.join(DEFAULT_FORMS)}).")
    parser.add_argument("--limit", type=int, help="Only the first N recordings of the "
                        "shuffled order (a quick run).")
    parser.add_argument("--parallel", type=int, default=2,
                        help="Satellites replaying at once, each in another room (default 2).")
    parser.add_argument("--workers", type=int, default=2,
                        help="Worker processes of the local baseline (default 2).")
    parser.add_argument("--seed", type=int, default=13, help="Seed of the shuffled order.")
    parser.add_argument("--show-held-out", action="store_true",
                        help="Also list the held-out failures (not while tuning).")
    args = parser.parse_args()
    forms = tuple(f.strip() for f in args.forms.split(",") if f.strip())
    unknown = [f for f in forms if f not in FORMS]
    if unknown or not forms:
        parser.error(f"--forms: {', '.join(unknown) or 'none given'}; forms are "
                     f"{', '.join(FORMS)}")
    console = Console(width=130)
    started = time.monotonic()
    wanted = shuffled(commands_planned(args.voices, forms), args.seed, args.limit)
    corpus = Corpus(workers=2)
    recordings = corpus.get_many(u for _, u in wanted)
    console.print(f"{len(recordings)} recordings ready in {time.monotonic() - started:.0f} s "
                  f"({corpus.made} synthesized now; cache {corpus.cache})")
    hub = [Case(what, rec) for (what, _), rec in zip(wanted, recordings, strict=True)]
    local = [Case(what, rec) for (what, _), rec in zip(wanted, recordings, strict=True)]
    rooms = sorted({c.what.room for c in hub})
    t0 = time.monotonic()
    with SatelliteHouse(CONFIG, rooms) as house:
        console.print(f"hub ready in {time.monotonic() - t0:.0f} s")
        t0 = time.monotonic()
        retried = run_hub(house, hub, args.parallel, console)
    hub_s = time.monotonic() - t0
    console.print(f"hub path over {len(hub)} recordings: {hub_s:.0f} s "
                  f"({args.parallel} satellites at once; {retried} replayed again after the "
                  "hub gave their wake to another room's)")
    t0 = time.monotonic()
    run(local, args.workers)
    local_s = time.monotonic() - t0
    console.print(f"local rooms over {len(local)} recordings: {local_s:.0f} s "
                  f"({args.workers} workers)")
    figures: dict[str, Any] = {
        "config": str(CONFIG.relative_to(ROOT)), "voices_per_command": args.voices,
        "forms": list(forms), "seed": args.seed, "recordings": len(hub),
        "hub_seconds": round(hub_s, 1), "local_seconds": round(local_s, 1),
        "parallel": args.parallel, "replayed_after_stand_down": retried}
    for name, cases in (("hub", hub), ("local", local)):
        figures[name] = {"tuning": split_figures([c for c in cases if not c.held]),
                         "held_out": split_figures([c for c in cases if c.held])}
    figures["hub_vs_local"] = {
        split: {form: ratio(figures["hub"][split]["by_form"][form]["command_correct"],
                            figures["local"][split]["by_form"][form]["command_correct"])
                for form in figures["hub"][split]["by_form"]}
        for split in ("tuning", "held_out")}
    print_table(console, figures)
    tuning = [(h, c) for h, c in zip(hub, local, strict=True) if not h.held]
    held = [(h, c) for h, c in zip(hub, local, strict=True) if h.held]
    figures["tuning_failures"] = failure_rows([h for h, _ in tuning], [c for _, c in tuning])
    figures["held_out_failures"] = failure_rows([h for h, _ in held], [c for _, c in held])
    print_failures(console, "hub: failing tuning cases", figures["tuning_failures"])
    figures["local_only_failures"] = local_only = [
        {"voice": c.voice, "form": c.form, "room": c.what.room, "held": c.held,
         "said": c.recording.utterance.spoken, "heard": c.outcome.heard if c.outcome else "",
         "what_happened": c.failure}
        for h, c in zip(hub, local, strict=True) if h.failure is None and c.failure is not None]
    shown = [r for r in local_only if args.show_held_out or not r["held"]]
    console.print(f"[bold]carried out by the hub, not by the local room[/bold] ({len(shown)}"
                  f"{'' if args.show_held_out else ', tuning'})")
    for r in shown:
        console.print(f"  {r['voice']:<5} {r['form']:<6} {r['room']:<11} said {r['said']!r}, "
                      f"heard {r['heard']!r}: {r['what_happened']}", markup=False,
                      highlight=False)
    if args.show_held_out:
        print_failures(console, "hub: failing held-out cases", figures["held_out_failures"])
    else:
        console.print(f"{len(figures['held_out_failures'])} held-out hub failures (listed with "
                      "--show-held-out)")
    for split in ("tuning", "held_out"):
        for form, r in figures["hub_vs_local"][split].items():
            h = figures["hub"][split]["by_form"][form]["command_correct"]
            c = figures["local"][split]["by_form"][form]["command_correct"]
            console.print(f"{split.replace('_', '-')}, {form}: the hub carries out {_pct(h)} "
                          f"of the commands, the local room {_pct(c)}: ratio "
                          f"{'-' if r is None else f'{r:.3f}'}")
    path = write_results("satellite_accuracy", figures)
    console.print(f"figures in {path.relative_to(ROOT)}; total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
