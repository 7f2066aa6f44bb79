"""`samantha persona status`, `samantha memory list|forget|export` and `samantha chat`."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from samantha.cli import config_option, fail, prepare, with_house
from samantha.home import Room, slugify

if TYPE_CHECKING:
    from samantha.house import House

    from .runtime import Runtime


def person_data(rt: Runtime, person: str) -> dict[str, Any]:
    """A person's conversations (episodes, open threads, an unfinished conversation), how they
    seemed, the relationship with them, and what the care plugin keeps about them
    (docs/care.md)."""
    from samantha.plugins.care.store import CareStore

    return {**rt.conversations.export(person),
            "how_they_seem": rt.person_states.export(person),
            **rt.relationships.export(person),
            "care": CareStore(rt.memory).export(person)}


def _runtime(config_path: Path | None) -> Runtime:
    """A runtime without starting the house: status and memory need rooms, not devices."""
    house = prepare(config_path)
    for room in house.config.rooms:
        house.home.add_room(Room(id=room.id or slugify(room.name), name=room.name,
                                 aliases=room.aliases, floor=room.floor))
    from .runtime import Runtime  # the persona's machinery: only when a command runs

    return Runtime(house)


@click.group("persona")
def persona_group() -> None:
    """The persona: character, mood and model."""


def person_status(rt: Runtime, person: str) -> dict[str, Any]:
    """How the relationship with one person stands, how it changed and why, how they seem."""
    rooms = rt.people()[person].rooms if person in rt.people() else []
    room = rt.house.home.find_room(rooms[0]) if rooms else None
    persona = rt.persona_for(room.id if room else "", person)
    relationship = rt.relationships.get(person, persona)
    state = rt.person_states.state(person)
    return {
        "name": person, "persona": persona.name,
        "relationship": {"band": relationship.band(), "verbosity": relationship.verbosity,
                         "reply_token_limit": relationship.max_tokens(rt.section.llm.max_tokens),
                         "conversations": relationship.turns,
                         "shorter_asks": relationship.shorter_asks,
                         "longer_asks": relationship.longer_asks, "laughs": relationship.laughs,
                         "no_joke_asks": relationship.no_joke_asks, **relationship.as_data()},
        "bounds": persona.growth.model_dump(),
        "seems": state.as_data(person) if state is not None else None,
        "events": rt.relationships.events(person),
    }


def _show_person(data: dict[str, Any]) -> None:
    rel = data["relationship"]
    click.echo(f"{data['name']} (with {data['persona']}): {rel['band']}, familiarity "
               f"{rel['familiarity']:.2f} after {rel['conversations']} conversation(s)")
    click.echo(f"  replies: {rel['verbosity']} (limit {rel['reply_token_limit']} tokens); "
               f"humour {rel['humour']:.1f}")
    for label, key in (("asked not to", "asked_you_not_to"),
                       ("shared references", "shared_references")):
        if rel[key]:
            click.echo(f"  {label}: " + "; ".join(rel[key]))
    seems = data["seems"]
    if seems is not None:
        click.echo(f"  seems: {', '.join(seems['seems']) or 'as usual'} (valence "
                   f"{seems['valence']:+.2f}, energy {seems['energy']:+.2f}, terseness "
                   f"{seems['terseness']:.2f})")
    click.echo(f"  changes: {len(data['events']) or 'none yet'}")
    for event in data["events"]:
        when = datetime.fromtimestamp(event["at"]).strftime("%Y-%m-%d %H:%M")
        change = (f"{event['before']} -> {event['after']}" if event["before"] is not None
                  else event["after"])
        click.echo(f"    {when}  {event['what']}: {change}  because {data['name']} "
                   f"{event['reason']}")


@persona_group.command("status")
@config_option
@click.option("--person", help="How the relationship with this person changed, and why.")
@click.option("--json", "as_json", is_flag=True)
def status(config_path: Path | None, person: str | None, as_json: bool) -> None:
    """Show the personas, where each speaks, the mood, the model and what is scheduled."""
    rt = _runtime(config_path)
    if person is not None:
        try:
            data = person_status(rt, person.casefold())
        finally:
            rt.memory.close()
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
        else:
            _show_person(data)
        return
    try:
        mood = rt.mood
        data: dict[str, Any] = {
            "default": rt.default.name,
            "personas": [{"name": p.name, "traits": p.traits, "verbosity": p.verbosity,
                          "voice": p.voice, "wake_phrases": p.wake_phrases}
                         for p in rt.personas.values()],
            "rooms": {r.name: rt.persona_for(r.id, rt.person_in(r.id)).name
                      for r in rt.house.home.rooms.values()},
            "mood": {"warmth": round(mood.warmth, 3), "energy": round(mood.energy, 3),
                     "feels": mood.describe()},
            "model": rt.endpoint.describe() if rt.endpoint else None,
            "memories": rt.memory.count(),
            "memory_file": str(rt.memory.path),
            "scheduled": [i.listing() for i in rt.scheduler.stored()],
        }
    finally:
        rt.memory.close()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"default persona: {data['default']}")
    for p in data["personas"]:
        click.echo(f"  {p['name']}: {', '.join(p['traits']) or '-'} ({p['verbosity']})")
    for room, name in data["rooms"].items():
        click.echo(f"  {room}: {name}")
    m = data["mood"]
    click.echo(f"mood: {m['feels']} (warmth {m['warmth']:+.2f}, energy {m['energy']:+.2f})")
    model = data["model"]
    click.echo(f"model: {model['model']} at {model['base_url']}" if model
               else "model: none (the offline self answers)")
    click.echo(f"memories: {data['memories']} in {data['memory_file']}")
    click.echo(f"scheduled: {len(data['scheduled']) or 'nothing pending'}")
    for item in data["scheduled"]:
        when = datetime.fromtimestamp(item["due"]).strftime("%Y-%m-%d %H:%M:%S")
        late = ("  (paused, {:.0f} s left)".format(item["paused"]) if item["paused"] is not None
                else "  (due while offline)" if item["due"] <= time.time() else "")
        who = item["person"] or "-"
        click.echo(f"{item['id']:>4}  {when}  {item['kind']:<8} {item['room']:<12} "
                   f"{item['text']}  (by {who}, {item['source']}){late}")


@click.group("memory")
def memory_group() -> None:
    """What the persona remembers about people and the household."""


@memory_group.command("list")
@config_option
@click.option("--person", help="Only this person's memories (and the household's).")
@click.option("--json", "as_json", is_flag=True)
def memory_list(config_path: Path | None, person: str | None, as_json: bool) -> None:
    rt = _runtime(config_path)
    try:
        memories = rt.memory.all(person.casefold() if person else None)
    finally:
        rt.memory.close()
    if as_json:
        click.echo(json.dumps([m.model_dump() for m in memories], ensure_ascii=False))
        return
    if not memories:
        click.echo("no memories")
    for m in memories:
        click.echo(f"{m.id:>4}  {m.owner():<12} {m.text}  ({m.source})")


@memory_group.command("forget")
@click.argument("ids", nargs=-1, type=int)
@config_option
@click.option("--person", help="Forget everything about this person.")
@click.option("--all", "everything", is_flag=True, help="Forget every memory.")
def memory_forget(ids: tuple[int, ...], config_path: Path | None, person: str | None,
                  everything: bool) -> None:
    """Forget memories by id (see `memory list`), a person's, or all of them."""
    if not ids and not person and not everything:
        fail("give memory ids, --person NAME or --all")
    rt = _runtime(config_path)
    try:
        targets = list(ids)
        if person:
            targets += [m.id for m in rt.memory.all(person.casefold(), include_household=False)]
        if everything:
            targets += [m.id for m in rt.memory.all()]
        forgotten = [i for i in dict.fromkeys(targets) if rt.memory.forget(i)]
    finally:
        rt.memory.close()
    missing = set(ids) - set(forgotten)
    click.echo(f"forgot {len(forgotten)} memor{'y' if len(forgotten) == 1 else 'ies'}")
    if missing:
        fail(f"no memory with id {', '.join(str(i) for i in sorted(missing))}", code=1)


@memory_group.command("export")
@config_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.option("--person", help="Only what is kept about this person (their own data).")
def memory_export(config_path: Path | None, output: Path | None, person: str | None) -> None:
    """Export every memory (or one person's data) as JSON."""
    rt = _runtime(config_path)
    try:
        data: dict[str, Any] = {"memories": rt.memory.export(
            person.casefold() if person else None)}
        if person:
            data = {"person": person.casefold(), **data, **person_data(rt, person.casefold())}
        text = json.dumps(data, ensure_ascii=False, indent=2)
    finally:
        rt.memory.close()
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text)


@click.command("chat")
@click.option("--room", "-r", help="The room you are talking in (default: the first room).")
@config_option
def chat(room: str | None, config_path: Path | None) -> None:
    """Talk with the persona in the terminal (one line per turn; Ctrl-D or /quit ends)."""

    from .events import PersonaSentence

    async def work(house: House) -> None:
        if room is not None:
            where = house.room(room)
        elif not house.home.rooms:
            fail("this home has no rooms; add some under rooms: in the config")
        else:
            # Like `samantha run`: the first room, said so when there was a choice.
            rooms = list(house.home.rooms.values())
            where = rooms[0]
            if len(rooms) > 1:
                click.echo(f"talking in {where.name} (--room to choose: "
                           f"{', '.join(r.id for r in rooms)})", err=True)
        streamed: list[str] = []

        def show(event: PersonaSentence) -> None:
            if event.room == where.id:
                streamed.append(event.text)
                click.echo(f"{event.persona}: {event.text}")

        house.bus.subscribe(PersonaSentence, show)
        interactive = sys.stdin.isatty()
        while True:
            if interactive:
                click.echo("> ", nl=False)
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line or line.strip() in {"/quit", "/exit"}:
                return
            if not line.strip():
                continue
            streamed.clear()
            outcome = await house.handle_text(line.strip(), where.id)
            if not streamed and outcome.reply:
                click.echo(f"{outcome.persona or 'Samantha'}: {outcome.reply}")

    with_house(config_path, work)

