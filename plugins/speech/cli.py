"""`samantha listen` (a room's pipeline over a recording) and `samantha models download`."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click
from pydantic import BaseModel

from samantha.cli import config_option, fail, prepare
from samantha.config import ConfigError

if TYPE_CHECKING:
    from samantha.house import House
    from samantha.plugins.speech.messages import ListenSummary


@click.command()
@click.argument("wav", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--room", "-r", required=True, help="The room the recording was made in.")
@config_option
@click.option("--realtime", is_flag=True, help="Pace the recording as a live microphone.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per event.")
@click.option("--partials", is_flag=True, help="Also report partial transcripts.")
@click.option("--reply-wav", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the spoken replies to this WAV file.")
def listen(wav: Path, room: str, config_path: Path | None, realtime: bool, as_json: bool,
           partials: bool, reply_wav: Path | None) -> None:
    """Run ROOM's speech pipeline over WAV: wake, transcript, intent and reply events."""
    # The speech machinery loads only when the command runs, not for --help.
    from samantha.hardware.errors import AudioError
    from samantha.hardware.sinks import NullSink, WavFileSink
    from samantha.house import UnknownRoom
    from samantha.plugins.speech.engines import EngineError
    from samantha.plugins.speech.messages import to_json
    from samantha.plugins.speech.plugin import manual
    from samantha.plugins.speech.service import SpeechService

    seen: list[BaseModel] = []

    def report(message: BaseModel) -> None:
        seen.append(message)
        if as_json:
            click.echo(to_json(message))
            return
        data = message.model_dump()
        detail = {k: v for k, v in data.items() if k not in {"event", "t", "room"} and v}
        shown = json.dumps(detail, ensure_ascii=False)
        click.echo(f"{data['t']:7.2f}s {data['event']:<10} {shown}")

    async def work(house: House) -> None:
        settings = house.section("speech")
        if settings is None:
            fail(f"{house.config_path or 'the demo house'} has no speech: section; use a config "
                 "such as examples/voice_en_pocketsphinx.yaml")
        service = SpeechService(house, settings, report=report, partials=partials)
        try:
            # A recording is not a live room: replies go to --reply-wav, not its speaker.
            sink = WavFileSink(reply_wav) if reply_wav else NullSink()
            speech = await service.listen_file(room, wav, realtime=realtime, sink=sink)
        except (AudioError, EngineError, FileNotFoundError) as err:
            fail(str(err))
        finally:
            await service.stop()
        summary = summarize(seen, speech.room, speech.now, settings.wake.phrases,
                            settings.wake.engine)
        if as_json:
            click.echo(to_json(summary))
        else:
            click.echo(f"{summary.outcome}", err=True)

    house = prepare(config_path)
    house.one_shot = True
    manual.add(house)  # `listen` drives one room itself; startup must not start the others

    async def go() -> None:
        async with house:
            await work(house)

    try:
        asyncio.run(go())
    except (UnknownRoom, ConfigError) as err:
        fail(str(err))


def summarize(messages: list[BaseModel], room: str, audio_s: float, phrases: list[str],
              engine: str) -> ListenSummary:
    """One line on what came of a recording, and why nothing did when nothing did."""
    from samantha.plugins.speech.messages import (
        IntentFound,
        ListenSummary,
        ListenTimeout,
        TranscriptHeard,
        WakeHeard,
    )

    wakes = [m for m in messages if isinstance(m, WakeHeard)]
    heard = [m for m in messages if isinstance(m, TranscriptHeard)]
    intents = [m for m in messages if isinstance(m, IntentFound)]
    timeouts = [m for m in messages if isinstance(m, ListenTimeout)]
    commands = sum(len(m.commands) for m in intents)
    if not wakes:
        wanted = " or ".join(repr(p) for p in phrases)
        outcome = (f"no wake phrase heard in {audio_s:.1f} s of audio (listening for {wanted} "
                   f"with the {engine} wake engine); nothing was done")
    elif intents:
        names = ", ".join(m.name for m in intents)
        outcome = f"understood {names}; {commands} device command(s) sent"
    elif heard and any(h.text for h in heard):
        said = "; ".join(repr(h.text) for h in heard if h.text)
        outcome = f"heard {said}, which is not a command; the persona answered"
    elif heard:
        reasons = "; ".join(h.reason or "not understood" for h in heard)
        outcome = f"woke, but the command was not understood ({reasons})"
    elif timeouts:
        outcome = "woke, but nothing was said after the wake phrase"
    else:
        outcome = "woke, but the recording ended before a command was heard"
    return ListenSummary(room=room, t=audio_s, audio_s=round(audio_s, 3),
                         wake_heard=bool(wakes), wakes=len(wakes),
                         heard=[h.heard for h in heard], intents=[m.name for m in intents],
                         commands=commands, outcome=outcome)


@click.group()
def models() -> None:
    """Speech models: download Vosk models from the model site (or a mirror)."""


@models.command("list")
def models_list() -> None:
    """Models known to work on a Raspberry Pi (any model on the site can be downloaded)."""
    from samantha.plugins.speech.models import KNOWN_MODELS

    for name, what in KNOWN_MODELS.items():
        click.echo(f"{name:<32} {what}")


@models.command("download")
@click.argument("name", required=False)
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("models"), show_default=True, help="Where models are kept.")
@click.option("--url", "base_url", envvar="SAMANTHA_MODEL_URL", help="Base URL of the model "
              "site or a mirror (default: the Vosk site).")
@click.option("--sha256", help="Expected sha256 of NAME.zip.")
def models_download(name: str | None, directory: Path, base_url: str | None,
                    sha256: str | None) -> None:
    """Download NAME.zip, resuming a partial download, check it and unzip it into DIR/NAME.

    Without network, fetch NAME.zip elsewhere and give its folder as --url file:///FOLDER.
    """
    from samantha.plugins.speech.models import KNOWN_MODELS

    if name is None:
        click.echo("Models known to work on a Raspberry Pi (any model of the Vosk site can be "
                   "downloaded by name):")
        for known, what in KNOWN_MODELS.items():
            click.echo(f"  {known:<32} {what}")
        fail(f"which model? e.g. samantha models download {next(iter(KNOWN_MODELS))} "
             f"--dir {directory}")
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TransferSpeedColumn,
    )

    from samantha.plugins.speech.models import DEFAULT_URL, DownloadError, download, offline_help

    # Progress bars only on a terminal; logs and tests get the summary line alone.
    quiet = not os.isatty(2)
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), disable=quiet, transient=True) as bar:
        task = bar.add_task(name, total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        try:
            result = download(name, directory, base_url=base_url or DEFAULT_URL, sha256=sha256,
                              progress=progress)
        except DownloadError as err:
            if err.unreachable:
                fail(f"{err}\n{offline_help(name, directory, base_url or DEFAULT_URL)}")
            fail(str(err))
    if result.resumed_from:
        click.echo(f"resumed at {result.resumed_from} bytes")
    if not result.verified:
        click.echo("warning: no checksum to verify against (give --sha256)", err=True)
    click.echo(f"{result.path} (sha256 {result.sha256})")
