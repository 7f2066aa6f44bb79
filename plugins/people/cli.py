"""`samantha people list|enroll|forget|identify`: who the house knows, and their voices."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from samantha.cli import config_option, fail, prepare

if TYPE_CHECKING:
    from samantha.plugins.persona.runtime import Runtime


def _configured(config_path: Path | None) -> dict[str, Any]:
    house = prepare(config_path)
    section = house.section("people")
    people = {name: p.model_dump() for name, p in (section.root if section else {}).items()}
    persona = house.section("persona")
    for name, legacy in (persona.people.items() if persona else []):
        people.setdefault(name, {"aliases": [], "voice": None, "persona": legacy.persona,
                                 "rooms": legacy.rooms})
    return people


def _runtime(config_path: Path | None) -> Runtime:
    # The persona owns the memory file that voice profiles live in.
    from samantha.plugins.persona.cli import _runtime as persona_runtime

    return persona_runtime(config_path)


def _profiles(rt: Runtime) -> Any:
    from .voice import VoiceEncoder
    from .voices import VoiceProfiles

    return VoiceProfiles(rt.memory, VoiceEncoder.name)


def _embed(files: tuple[Path, ...]) -> tuple[list[Any], float]:
    from .voice import RATE, encoder, read_wav

    try:
        model = encoder()
    except Exception as err:
        fail(f"speaker identification is not installed: {err}")
    vectors, seconds = [], 0.0
    for path in files:
        try:
            audio = read_wav(path)
        except Exception as err:  # wave.Error, EOFError, OSError, ValueError: all the same here
            fail(f"{path}: not a readable WAV file ({err})")
        if len(audio) < RATE // 2:
            fail(f"{path}: {len(audio) / RATE:.1f} s of audio; at least 0.5 s is needed")
        vectors.append(model.embed(audio))
        seconds += len(audio) / RATE
    return vectors, seconds


@click.group("people")
def people_group() -> None:
    """The people of the house and their voices."""


@people_group.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True)
def people_list(config_path: Path | None, as_json: bool) -> None:
    """List the configured people, their usual rooms, persona and enrolled voice."""
    people = _configured(config_path)
    rt = _runtime(config_path)
    try:
        voices = _profiles(rt).listing() if rt.memory.path.exists() else {}
    finally:
        rt.memory.close()
    for name, person in people.items():
        person["voice_enrolled"] = voices.get(name)
    if as_json:
        click.echo(json.dumps({"people": people}, indent=2))
        return
    if not people:
        click.echo("no people configured (add a `people:` section)")
    for name, person in people.items():
        extra = f" aka {', '.join(person['aliases'])}" if person["aliases"] else ""
        rooms = ", ".join(person["rooms"]) or "-"
        voice = (f"{person['voice_enrolled']['samples']} recording(s)"
                 if person["voice_enrolled"] else "not enrolled")
        click.echo(f"{name}{extra}: rooms {rooms}; persona {person['persona'] or '-'}; "
                   f"voice {voice}")


@people_group.command("enroll")
@click.argument("name")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
def people_enroll(name: str, files: tuple[Path, ...], config_path: Path | None) -> None:
    """Learn NAME's voice from a few WAV recordings (a sentence or more each)."""
    name = name.casefold()
    if name not in _configured(config_path):
        fail(f"no person called {name!r} in the config; add them under `people:` first")
    vectors, seconds = _embed(files)
    rt = _runtime(config_path)
    try:
        _profiles(rt).enroll(name, vectors, seconds)
    finally:
        rt.memory.close()
    click.echo(f"enrolled {name}: {len(vectors)} recording(s), {seconds:.1f} s")


@people_group.command("forget")
@click.argument("name")
@config_option
def people_forget(name: str, config_path: Path | None) -> None:
    """Erase everything kept about NAME: voice, memories and conversations."""
    name = name.casefold()
    rt = _runtime(config_path)
    try:
        voice = _profiles(rt).forget(name)
        memories = rt.memory.forget_person(name)
        conversations = rt.forget_conversations(name)
        from samantha.plugins.care.store import CareStore

        care = CareStore(rt.memory).forget(name)  # habits, check-ins, where last heard
    finally:
        rt.memory.close()
    click.echo(f"forgot {name}: voice {'erased' if voice else 'none'}, {memories} memories, "
               f"{conversations} conversation record(s), {care} care record(s)")


@people_group.command("identify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@click.option("--json", "as_json", is_flag=True)
def people_identify(file: Path, config_path: Path | None, as_json: bool) -> None:
    """Who is speaking in FILE (a WAV), or null for nobody enrolled."""
    [vector], _ = _embed((file,))
    rt = _runtime(config_path)
    try:
        match = _profiles(rt).identify(vector)
    finally:
        rt.memory.close()
    if as_json:
        click.echo(json.dumps({"person": match.person, "score": round(match.score, 3),
                               "closest": match.closest}))
    else:
        click.echo(f"{match.person or 'unknown'} (score {match.score:.2f}, closest "
                   f"{match.closest or '-'})")

