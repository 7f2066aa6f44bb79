"""Benchmark: how long the `samantha` command takes before it answers.

Runs the installed `samantha` for `--help`, `--version`, a usage error and several subcommands'
`--help` (each N times, in fresh processes, as a user would), and `python -c "import click"` as
the baseline: nothing can start faster than the library that parses the arguments. Prints the
median wall time of each and its ratio to the baseline, and writes bench/results/cli.json.

    .venv/bin/python bench/cli.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
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


def median_seconds(argv: list[str], runs: int) -> tuple[float, int]:
    times = []
    code = 0
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
        code = done.returncode
    return statistics.median(times), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    baseline, _ = median_seconds([sys.executable, "-c", "import click"], args.runs)
    print(f"baseline  python -c 'import click': {baseline * 1000:7.1f} ms")
    figures: dict[str, object] = {"runs": args.runs, "baseline_import_click_s": baseline,
                                  "commands": {}}
    for command in COMMANDS:
        seconds, code = median_seconds([SAMANTHA, *command], args.runs)
        name = "samantha " + " ".join(command)
        print(f"{name:<36} {seconds * 1000:7.1f} ms  x{seconds / baseline:5.1f}  exit {code}")
        figures["commands"][name] = {  # type: ignore[index]
            "median_s": seconds, "ratio_to_import_click": seconds / baseline, "exit": code}
    print(f"wrote {write_results('cli', figures)}")


if __name__ == "__main__":
    main()
