"""The habit miner on hand-made logs: routines (weekdays, weekends), sequences, devices left on
at night, and what is never learned; plus a fuzz test over random logs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from care_support import BERLIN
from hypothesis import given
from hypothesis import strategies as st

from harness.fuzzcount import FuzzCount, Record
from samantha.plugins.care import habits
from samantha.plugins.care.store import Interaction
from samantha.plugins.care.words import habit_question, spoken_time

FRIDAY_NOON = datetime(2026, 11, 27, 12, 0, tzinfo=BERLIN)
LIGHT_ON = ("kitchen.light", "turn_on", "{}")
KETTLE_ON = ("kitchen.kettle", "turn_on", "{}")
NAMES = {"kitchen.light": "Kitchen Light", "kitchen.kettle": "Kettle"}
RULES = habits.Rules()


def at(days_ago: int, hour: int, minute: int, second: int = 0) -> float:
    day = FRIDAY_NOON - timedelta(days=days_ago)
    return day.replace(hour=hour, minute=minute, second=second).timestamp()


def did(when: float, *commands: habits.Command, person: str | None = "anna",
        room: str = "kitchen") -> Interaction:
    return Interaction(person, room, when, "HassTurnOn", "x", tuple(commands))


def test_a_weekday_routine_needs_most_weekdays_at_about_the_same_time() -> None:
    log = [did(at(d, 7, m), LIGHT_ON) for d, m in [(4, 2), (3, 0), (2, 9), (1, 0), (0, 4)]]
    found = habits.routines(log, FRIDAY_NOON, RULES)
    assert [(h.kind, h.at, h.days, h.seen) for h in found] == [
        ("routine", "07:00", "weekdays", 5)], found
    assert habit_question(found[0], NAMES).startswith(
        "You turn on the kitchen light around seven on weekdays")
    # Three days are not most of a week; far-apart times are not one routine.
    assert habits.routines(log[:3], FRIDAY_NOON, RULES) == []
    scattered = [did(at(d, h, 0), LIGHT_ON) for d, h in [(4, 7), (3, 9), (2, 12), (1, 18)]]
    assert habits.routines(scattered, FRIDAY_NOON, RULES) == []
    # Someone else doing it, or in another room, is another habit.
    mixed = [did(at(d, 7, 0), LIGHT_ON, person="anna" if d % 2 else "ben") for d in range(5)]
    assert habits.routines(mixed, FRIDAY_NOON, RULES) == []


def test_a_weekend_routine_and_the_key_ignores_small_shifts() -> None:
    sunday = FRIDAY_NOON + timedelta(days=2, hours=-2)  # Sunday 10:00
    weekend = [did((sunday - timedelta(days=d)).replace(hour=9, minute=30 + d).timestamp(),
                   KETTLE_ON) for d in (0, 1, 7, 8)]
    found = habits.routines(weekend, sunday, RULES)
    assert [(h.days, h.at) for h in found] == [("weekend", "09:35")]
    shifted = [did(i.at + 600, KETTLE_ON) for i in weekend]
    assert habits.routines(shifted, sunday + timedelta(minutes=20), RULES)[0].key == found[0].key


def test_a_command_that_always_follows_another() -> None:
    log = []
    for d in range(5):
        log += [did(at(d, 19, 0), LIGHT_ON), did(at(d, 19, 1), KETTLE_ON)]
    found = habits.sequences(log, FRIDAY_NOON, RULES)
    assert [(h.after, h.commands) for h in found] == [(LIGHT_ON, (KETTLE_ON,))]
    assert "you usually turn on the kettle right after" in habit_question(found[0], NAMES)
    # Only two times in five: not "always".
    sometimes = [i for i in log if i.commands != (KETTLE_ON,)] + log[1:4:2]
    assert habits.sequences(sometimes, FRIDAY_NOON, RULES) == []


def test_a_device_left_on_at_night() -> None:
    nights = [(at(d, 1, 0), ["hall.light"] + (["kitchen.light"] if d < 2 else []))
              for d in range(7)]
    found = habits.left_on(nights, FRIDAY_NOON, "01:00")
    assert [(h.commands, h.seen) for h in found] == [((("hall.light", "turn_off", "{}"),), 7)]
    assert habits.left_on(nights, FRIDAY_NOON, "01:00", frozenset({"hall.light"})) == []


def test_sensitive_devices_are_never_learned() -> None:
    lock = ("hall.front_door", "unlock", "{}")
    log = [did(at(d, 7, 0), lock) for d in range(5)]
    assert habits.routines(log, FRIDAY_NOON, RULES, frozenset({"hall.front_door"})) == []


@pytest.mark.parametrize(("clock", "words"), [
    ("07:00", "seven"), ("07:30", "half past seven"), ("19:15", "quarter past seven"),
    ("06:45", "quarter to seven"), ("00:00", "midnight"), ("12:00", "twelve"),
    ("07:10", "7:10")])
def test_spoken_times(clock: str, words: str) -> None:
    assert spoken_time(clock) == words


fuzzed = FuzzCount("habit miner")
COMMANDS = st.sampled_from([LIGHT_ON, KETTLE_ON, ("hall.front_door", "unlock", "{}"),
                            ("kitchen.light", "set_brightness", '{"brightness": 40}')])
ENTRIES = st.lists(st.tuples(st.integers(0, 20), st.integers(0, 23), st.integers(0, 59),
                             st.sampled_from(["anna", "ben", None]),
                             st.sampled_from(["kitchen", "hall"]),
                             st.lists(COMMANDS, min_size=0, max_size=2)), max_size=60)


@pytest.mark.fuzz
@given(ENTRIES, st.lists(st.tuples(st.integers(0, 10), st.lists(
    st.sampled_from(["hall.light", "kitchen.light", "hall.front_door"]), max_size=3)),
    max_size=12))
def test_any_log_gives_well_formed_habits_without_sensitive_devices(
        entries: list[tuple[int, int, int, str | None, str, list[habits.Command]]],
        nights: list[tuple[int, list[str]]]) -> None:
    log = [did(at(d, h, m), *cmds, person=p, room=r) for d, h, m, p, r, cmds in entries]
    skip = frozenset({"hall.front_door"})
    found = (habits.routines(log, FRIDAY_NOON, RULES, skip)
             + habits.sequences(log, FRIDAY_NOON, RULES, skip)
             + habits.left_on([(at(d, 1, 0), n) for d, n in nights], FRIDAY_NOON, "01:00", skip))
    for habit in found:
        assert all(c[0] not in skip for c in habit.commands)
        assert habit.seen >= 2 and habit.key
        if habit.at is not None:
            hour, minute = (int(x) for x in habit.at.split(":"))
            assert 0 <= hour < 24 and 0 <= minute < 60
        assert habit_question(habit, NAMES).endswith("?")
    fuzzed.saw("with habits" if found else "without")


def test_fuzz_count_reported(record_property: Record) -> None:
    if fuzzed.total:
        fuzzed.report(record_property)
