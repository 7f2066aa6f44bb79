"""`samantha satellite`: run one room's satellite (a Pi with a mic) against the hub."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path
from typing import Any

import click

from samantha.cli import config_option, fail, prepare


def _site_id(room: str) -> str:
    if not room or any(c in room for c in "/#+\0 "):
        fail(f"--room {room!r}: a room id is a Hermes siteId and a topic level (no spaces, "
             "'/', '+', '#')")
    return room


@click.command()
@click.option("--room", "-r", required=True, help="This satellite's room id (its siteId).")
@config_option
@click.option("--wav", type=click.Path(dir_okay=False, path_type=Path),
              help="Replay this recording as the room's microphone; exit after the reply.")
@click.option("--fast", is_flag=True, help="With --wav: replay as fast as it is processed.")
@click.option("--start-at", type=float, help="With --wav: start the replay at this UNIX time "
              "(one recording played in several rooms at once).")
@click.option("--timeout", type=float, default=20.0, show_default=True,
              help="With --wav: how long to wait for the hub's answer after the recording.")
@click.option("--reply-wav", type=click.Path(dir_okay=False, path_type=Path),
              help="Write what the hub says to this WAV file instead of the room's speaker.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per event.")
def satellite(room: str, config_path: Path | None, wav: Path | None, fast: bool,
              start_at: float | None, timeout: float, reply_wav: Path | None,
              as_json: bool) -> None:
    """Run ROOM's satellite: wake word and VAD here, the utterance to the hub over MQTT."""
    from samantha.plugins.satellite.runner import SatelliteSetupError, run_satellite

    site = _site_id(room)
    house = prepare(config_path)

    def report(event: dict[str, Any]) -> None:
        if as_json:
            click.echo(json.dumps(event, ensure_ascii=False))
        else:
            detail = {k: v for k, v in event.items() if k not in {"event", "t", "room"}}
            click.echo(f"{event.get('t', 0):7.2f}s {event['event']:<14} "
                       f"{json.dumps(detail, ensure_ascii=False)}")

    async def main() -> int:
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        return await run_satellite(house, site, wav=wav, realtime=not fast, start_at=start_at,
                                   timeout=timeout, reply_wav=reply_wav, report=report,
                                   stopping=stopping)

    try:
        code = asyncio.run(main())
    except SatelliteSetupError as err:
        fail(str(err))
        return
    if code:
        raise SystemExit(code)


def wait_until(start_at: float | None) -> float:
    """Seconds to sleep before `start_at` (a UNIX time), never negative."""
    return 0.0 if start_at is None else max(0.0, start_at - time.time())
