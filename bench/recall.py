"""Recall by meaning: embedding cost per sentence and recall@3 on the paraphrase set.

    .venv/bin/python bench/recall.py [--rounds 200]

Baseline: word overlap (the fallback), which finds nothing on this set by construction (no
question shares a content word with its memory). Prints recall@3 for both, the sentence
model's load time, milliseconds per sentence (one at a time, as a spoken question is), and per
sentence in a batch (as old memories are filled in), in CPU and wall time; writes
bench/results/recall.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "people"))

from _results import write_results
from paraphrases import DISTRACTORS, PAIRS

from samantha.plugins.people.minilm import load
from samantha.plugins.people.recall import Embedder
from samantha.plugins.persona.memory import MemoryStore


def recall_at_3(store_dir: Path, model: Embedder | None) -> float:
    store = MemoryStore(store_dir / f"{'meaning' if model else 'words'}.db", model)
    ids = {memory: store.add(memory).id for _, memory in PAIRS}
    for memory in DISTRACTORS:
        store.add(memory)
    hits = sum(ids[m] in [x.id for x in store.relevant(q, None, 3)] for q, m in PAIRS)
    store.close()
    return hits / len(PAIRS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    started, cpu = time.perf_counter(), time.process_time()
    model = load()
    load_s, load_cpu = time.perf_counter() - started, time.process_time() - cpu
    sentences = [q for q, _ in PAIRS]
    model.encode(sentences[:4])  # warm up
    walls, cpus = [], []
    for i in range(args.rounds):
        text = sentences[i % len(sentences)]
        w, c = time.perf_counter(), time.process_time()
        model.encode([text])
        walls.append((time.perf_counter() - w) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    w, c = time.perf_counter(), time.process_time()
    model.encode([m for _, m in PAIRS] + DISTRACTORS)
    count = len(PAIRS) + len(DISTRACTORS)
    batch_wall, batch_cpu = (time.perf_counter() - w) * 1000 / count, \
        (time.process_time() - c) * 1000 / count
    with tempfile.TemporaryDirectory() as tmp:
        meaning = recall_at_3(Path(tmp), model)
        words = recall_at_3(Path(tmp), None)
    figures = {
        "model": model.name, "pairs": len(PAIRS), "distractors": len(DISTRACTORS),
        "recall_at_3": round(meaning, 3), "recall_at_3_word_overlap": round(words, 3),
        "load_s": round(load_s, 2), "load_cpu_s": round(load_cpu, 2),
        "ms_per_sentence_median": round(statistics.median(walls), 2),
        "cpu_ms_per_sentence_median": round(statistics.median(cpus), 2),
        "ms_per_sentence_in_batch": round(batch_wall, 2),
        "cpu_ms_per_sentence_in_batch": round(batch_cpu, 2),
    }
    print(f"recall@3: {meaning:.3f} by meaning vs {words:.3f} by shared words "
          f"({len(PAIRS)} pairs, {len(DISTRACTORS)} distractors)")
    print(f"load {load_s:.2f} s; one sentence: median {figures['ms_per_sentence_median']} ms "
          f"({figures['cpu_ms_per_sentence_median']} ms CPU); in a batch "
          f"{batch_wall:.2f} ms per sentence")
    print(f"wrote {write_results('recall', figures)}")


if __name__ == "__main__":
    main()
