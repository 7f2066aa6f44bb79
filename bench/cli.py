"""Benchmark: how long the `samantha` command takes before it answers.

Runs the installed `samantha` for `--help`, `--version`, a usage error and several subcommands'
`--help` (each N times, in fresh processes, as a user would), and `python -c "import click"` as
the baseline: nothing can start faster than the library that parses the arguments. Prints the
median wall and CPU time of each and its ratio to the baseline, and writes
bench/results/cli.json. `--compare DIR` times another tree too (e.g. an older commit:
`git archive OLD core plugins hardware`, with DIR/samantha holding core/'s files and links to
plugins/ and hardware/), interleaving the runs.

    .venv/bin/python bench/cli.py [--runs 7] [--compare DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from _results import write_results

SAMANTHA = str(Path(sys.executable).parent / "samantha")

COMMANDS: list[list[str]] = [
    ["--help"],
    ["--version"],
    ["say"],  # usage error: no TEXT
    ["models", "download", "--help"],
    ["say", "--help"],
    ["devices", "--help"],
    ["doctor", "--help"],
    ["config", "check", "--help"],
    ["mqtt", "--help"],
    ["listen", "--help"],
    ["automations", "--help"],
    ["persona", "--help"],
    ["chat", "--help"],
    ["people", "--help"],
    ["satellite", "--help"],
    ["wyoming", "--help"],
    ["audio", "devices", "--help"],
]


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system: less hurt by a busy machine
    code: int = 0

    def add(self, argv: list[str], env: dict[str, str] | None) -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, check=False, env=env)
        self.wall.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        self.code = done.returncode

    def figures(self, baseline: Timing | None = None) -> dict[str, float]:
        out = {"median_s": statistics.median(self.wall),
               "median_cpu_s": statistics.median(self.cpu), "exit": float(self.code)}
        if baseline is not None:
            out["ratio_to_import_click"] = out["median_s"] / statistics.median(baseline.wall)
            out["cpu_ratio_to_import_click"] = (out["median_cpu_s"]
                                                / statistics.median(baseline.cpu))
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="also time another tree: a directory holding a `samantha` package, "
                        "put first on PYTHONPATH (runs interleave, so load hits both alike)")
    args = parser.parse_args()
    other = ({**os.environ, "PYTHONPATH": str(args.compare.resolve())}
             if args.compare else None)

    baseline = Timing()
    for _ in range(args.runs):
        baseline.add([sys.executable, "-c", "import click"], None)
    base = baseline.figures()
    print(f"baseline  python -c 'import click': {base['median_s'] * 1000:7.1f} ms wall, "
          f"{base['median_cpu_s'] * 1000:6.1f} ms cpu")
    figures: dict[str, object] = {"runs": args.runs, "baseline_import_click_s": base["median_s"],
                                  "baseline_import_click_cpu_s": base["median_cpu_s"],
                                  "commands": {}}
    for command in COMMANDS:
        this, that = Timing(), Timing()
        for _ in range(args.runs):
            this.add([SAMANTHA, *command], None)
            if other is not None:
                that.add([SAMANTHA, *command], other)
        name = "samantha " + " ".join(command)
        now = this.figures(baseline)
        entry: dict[str, object] = dict(now)
        line = (f"{name:<36} {now['median_s'] * 1000:7.1f} ms  x{now['ratio_to_import_click']:5.1f}"
                f"  cpu {now['median_cpu_s'] * 1000:6.1f} ms  exit {now['exit']:.0f}")
        if other is not None:
            then = that.figures(baseline)
            entry["compared"] = then
            line += (f"   | compared: {then['median_s'] * 1000:7.1f} ms  cpu "
                     f"{then['median_cpu_s'] * 1000:6.1f} ms  exit {then['exit']:.0f}  (cpu "
                     f"{then['median_cpu_s'] / now['median_cpu_s']:.1f}x this)")
        print(line)
        figures["commands"][name] = entry  # type: ignore[index]
    print(f"wrote {write_results('cli', figures)}")


if __name__ == "__main__":
    main()
