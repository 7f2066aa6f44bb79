"""Benchmark: Samantha's recognizer against plain hassil `recognize_best`, same home, same text.

A home of ~100 devices in 12 rooms; sentences sampled at random from every template of the
language's intents with this home's names (plus negatives that should match nothing). Both
recognizers get the same slot lists, context (the room) and tie-break settings. Prints accuracy,
agreement and the speed ratio (median of several passes), and writes bench/results/intents.json.

    .venv/bin/python bench/intents.py [--samples-per-template 3] [--passes 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _results import write_results
from hassil import recognize_best
from hassil.recognize import RecognizeResult

from samantha.house import BEST_METADATA, BEST_SLOT, House
from samantha.sampling import sample_intents

ROOMS = ["Kitchen", "Living Room", "Dining Room", "Hallway", "Bedroom", "Guest Room", "Office",
         "Bathroom", "Garage", "Basement", "Laundry Room", "Nursery"]
DEVICES = [("Ceiling Light", "light"), ("Lamp", "light"), ("Spotlights", "light"),
           ("Blinds", "cover"), ("Fan", "fan"), ("Heater", "switch"), ("Thermostat", "climate"),
           ("Speaker", "media_player")]
NEGATIVES = [
    "what is the meaning of life", "tell me a story about dragons", "how old are you",
    "i feel a bit tired today", "can you recommend a good book", "sing me a song",
    "who won the football match", "what should i cook tonight", "do you love me",
    "the purple elephant sings", "remind me why the sky is blue", "banana keyboard window",
    "please be quiet", "that was funny", "thank you so much", "where did i put my keys",
]


def write_home(directory: Path) -> Path:
    lines = ["name: Bench House", "rooms:"]
    lines += [f"  - {{name: {r}, floor: {'ground floor' if i < 6 else 'first floor'}}}"
              for i, r in enumerate(ROOMS)]
    lines.append("devices:")
    for room in ROOMS:
        for name, kind in DEVICES:
            lines.append(f"  - {{name: {room} {name}, room: {room}, kind: {kind}}}")
    path = directory / "samantha.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def build_corpus(house: House, per_template: int, seed: int) -> list[tuple[str, str, str | None]]:
    """(text, room, expected intent) triples."""
    rng = random.Random(seed)
    recognizer = house.recognizer()
    rooms = list(house.home.rooms)
    corpus: list[tuple[str, str, str | None]] = [
        (text, rng.choice(rooms), intent)
        for intent, text in sample_intents(recognizer.intents, recognizer.slot_lists,
                                           per_template=per_template, seed=seed)
    ]
    for text in NEGATIVES:
        for room in rng.sample(rooms, 3):
            corpus.append((text, room, None))
    rng.shuffle(corpus)
    return corpus


def key(result: RecognizeResult | None) -> tuple[Any, ...] | None:
    if result is None:
        return None
    return (result.intent.name,
            tuple(sorted((k, repr(v.value)) for k, v in result.entities.items())))


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        house = House.prepare(write_home(Path(tmp)))
        asyncio.run(house.start())
    ours = house.recognizer()
    corpus = build_corpus(house, args.samples_per_template, args.seed)
    kwargs = {"best_metadata_key": BEST_METADATA, "best_slot_name": BEST_SLOT}

    def samantha(text: str, room: str) -> RecognizeResult | None:
        return ours.recognize_best(text, {"area": room}, **kwargs)

    def hassil(text: str, room: str) -> RecognizeResult | None:
        return recognize_best(text, ours.intents, slot_lists=ours.slot_lists,
                              intent_context={"area": room}, language=ours.language, **kwargs)

    results: dict[str, list[Any]] = {"samantha": [], "hassil": []}
    times: dict[str, list[float]] = {"samantha": [], "hassil": []}
    for p in range(args.passes):
        # alternate the order so neither side always runs on a warmer cache
        order = [("samantha", samantha), ("hassil", hassil)]
        for name, fn in order if p % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            out = [key(fn(text, room)) for text, room, _ in corpus]
            times[name].append(time.perf_counter() - start)
            results[name] = out

    def accuracy(name: str) -> float:
        right = sum(1 for (_, _, expected), got in zip(corpus, results[name], strict=True)
                    if (got[0] if got else None) == expected)
        return right / len(corpus)

    agree = sum(a == b for a, b in zip(results["samantha"], results["hassil"], strict=True))
    med = {name: statistics.median(t) for name, t in times.items()}
    return {
        "sentences": len(corpus),
        "negatives": sum(1 for c in corpus if c[2] is None),
        "devices": len(house.home.devices),
        "rooms": len(house.home.rooms),
        "passes": args.passes,
        "accuracy": {name: round(accuracy(name), 4) for name in results},
        "agreement": round(agree / len(corpus), 4),
        "median_pass_seconds": {name: round(v, 3) for name, v in med.items()},
        "ms_per_sentence": {name: round(v / len(corpus) * 1000, 3) for name, v in med.items()},
        "speedup_vs_hassil": round(med["hassil"] / med["samantha"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples-per-template", type=int, default=3)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="Also write the figures here.")
    report = run(parser.parse_args())
    args = parser.parse_args()
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    write_results("intents", report)
    print(f"corpus: {report['sentences']} sentences ({report['negatives']} negatives), "
          f"{report['devices']} devices in {report['rooms']} rooms, {report['passes']} passes")
    print(f"{'':<10}{'accuracy':>10}{'ms/sentence':>14}")
    for name in ("samantha", "hassil"):
        print(f"{name:<10}{report['accuracy'][name]:>10.4f}"
              f"{report['ms_per_sentence'][name]:>14.3f}")
    print(f"agreement (same intent and slots): {report['agreement']:.4f}")
    print(f"speed ratio (hassil / samantha, median pass): {report['speedup_vs_hassil']}x")
    sys.exit(0)


if __name__ == "__main__":
    main()
