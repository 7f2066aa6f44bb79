"""Runs the house's speech pipeline on a PortAudio mic (started with the PulseAudio env);
prints 'ready', then one JSON line per speech event, and exits after the first intent."""

from __future__ import annotations

import asyncio
import sys

from samantha.house import House
from samantha.plugins.speech.messages import IntentFound, to_json
from samantha.plugins.speech.plugin import manual
from samantha.plugins.speech.service import SpeechService


async def main(config: str) -> None:
    house = House.prepare(config)
    manual.add(house)
    done = asyncio.Event()

    def report(message: object) -> None:
        print(to_json(message), flush=True)  # type: ignore[arg-type]
        if isinstance(message, IntentFound):
            done.set()

    async with house:
        service = SpeechService(house, house.section("speech"), report=report)
        await service.start()
        print("ready", flush=True)
        try:
            await asyncio.wait_for(done.wait(), 20)
        finally:
            await service.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
