"""Time to the first spoken sentence: Samantha vs the model's own, on a streaming local endpoint.

A scripted OpenAI-compatible server (tests/harness/openai_server.py) streams tokens at a fixed
rate. Each round measures, in the same run and against the same server:

- model: a bare openai SDK streaming request, from sending it to the arrival of the text that
  completes the first sentence;
- samantha: `house.handle_text(...)` for a sentence the intent layer does not understand (so it
  pays recognition, prompt building, memory retrieval and tools), from the call to the
  PersonaSentence event that carries the first sentence.

Samantha's added latency = samantha - model (median over rounds). Target: <= 20 ms.
With `--person`, the kitchen is Anna's: each turn also reads how she sounds, updates how she
seems and the relationship (written behind, while the model thinks), and puts both in the prompt.

    .venv/bin/python bench/persona.py [--rounds 30] [--token-ms 20] [--person] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _first_sentence import model_first_sentence
from _results import write_results

from harness.openai_server import Reply, ScriptedOpenAI

ANSWER = ("The moon is about three hundred and eighty four thousand kilometres away. "
          "Light from it takes a little over a second to reach us.")
CONFIG = """\
name: Bench House
rooms: [{name: Kitchen}, {name: Living Room}, {name: Office}]
devices:
  - {name: Kitchen Light, room: Kitchen, kind: light}
  - {name: Ceiling Light, room: Living Room, kind: light}
  - {name: Thermostat, room: Living Room, kind: climate}
  - {name: Desk Lamp, room: Office, kind: light}
persona:
  llm: {base_url: "BASE", model: bench, api_key: none, timeout: 9}
  memory: {path: memory.db}
"""


PERSON = """people:
  anna: {rooms: [Kitchen]}
"""


async def run(rounds: int, token_ms: float, person: bool = False) -> dict[str, object]:
    from samantha.house import House
    from samantha.plugins.persona.events import PersonaSentence

    with tempfile.TemporaryDirectory() as tmp, ScriptedOpenAI(
            token_interval=token_ms / 1000) as server:
        os.environ["SAMANTHA_DATA_DIR"] = tmp
        cfg = Path(tmp) / "samantha.yaml"
        cfg.write_text(CONFIG.replace("BASE", server.base_url) + (PERSON if person else ""))
        server.default = Reply(text=ANSWER)
        house = House.prepare(cfg)
        from openai import AsyncOpenAI

        client = AsyncOpenAI(base_url=server.base_url, api_key="none", max_retries=0)
        async with house:
            first: list[float] = []
            house.bus.subscribe(PersonaSentence,
                                lambda e: first.append(time.perf_counter()) if e.index == 0
                                else None)
            model, samantha = [], []
            for i in range(rounds + 3):  # 3 warm-up rounds: imports, first connections, caches
                m = await model_first_sentence(client, "bench", "how far is the moon")
                first.clear()
                start = time.perf_counter()
                await house.handle_text("how far away is the moon from us", "kitchen")
                s = first[0] - start
                if i >= 3:
                    model.append(m)
                    samantha.append(s)
        await client.close()
        added = [s - m for s, m in zip(samantha, model, strict=True)]
        return {
            "rounds": rounds,
            "token_interval_ms": token_ms,
            "known_speaker": person,
            "median_ms": {"model_first_sentence": round(statistics.median(model) * 1000, 1),
                          "samantha_first_sentence": round(statistics.median(samantha) * 1000,
                                                           1),
                          "added": round(statistics.median(added) * 1000, 1)},
            "p90_added_ms": round(sorted(added)[int(0.9 * (len(added) - 1))] * 1000, 1),
            "target_added_ms": 20,
            "pass": statistics.median(added) * 1000 <= 20,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--token-ms", type=float, default=20.0)
    parser.add_argument("--person", action="store_true",
                        help="the kitchen is Anna's (how she seems, the relationship)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = asyncio.run(run(args.rounds, args.token_ms, args.person))
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    write_results("persona_person" if args.person else "persona", result)


if __name__ == "__main__":
    main()
