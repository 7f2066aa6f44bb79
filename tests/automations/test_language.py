"""The automation language: expressions, times, validation with file:line, plugin types."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from automations_support import BERLIN, write_house

from harness.cli import samantha_cli
from harness.waiting import until
from samantha.config import ConfigError
from samantha.house import House
from samantha.plugins.automations.compiler import collect_types, compile_all
from samantha.plugins.automations.cron import Cron, CronError
from samantha.plugins.automations.expr import ExprError, Expression, Template
from samantha.plugins.automations.models import Automation
from samantha.plugins.automations.plugin import engine_for
from samantha.plugins.automations.spec import parse_duration
from samantha.plugins.automations.sun import sun_event
from samantha.plugins.automations.timespec import TimeOfDay
from samantha.plugins.automations.traces import ConditionTrace, StepTrace, Trace


def test_expressions_compute_over_plain_data() -> None:
    variables = {"trigger": {"to": "21.5", "slots": {"name": "Ann"}}, "n": 3}
    assert Expression("trigger.to > 20 and n * 2 == 6").evaluate(variables) is True
    assert Expression("upper(trigger['slots'].name)").evaluate(variables) == "ANN"
    assert Template("{{ n + 4 }}").render(variables) == 7
    assert Template("hi {{ trigger.slots.name }}, {{ n }} left").render(variables) == (
        "hi Ann, 3 left")
    assert Template("{{ 'on' if n > 2 else 'off' }}").render(variables) == "on"


@pytest.mark.parametrize("source", [
    "().__class__", "x.__class__", "open('f')", "[x for x in y]", "lambda: 1", "2 ** 8",
    "n.bit_length()", "len(x=1)",
])
def test_expressions_refuse_what_could_reach_python(source: str) -> None:
    with pytest.raises(ExprError):
        Expression(source).evaluate({"n": 1, "x": {}, "y": []})


def test_expressions_cannot_build_huge_values() -> None:
    with pytest.raises(ExprError, match="longer"):
        Expression("'a' * 100000000").evaluate({})
    with pytest.raises(ExprError, match="unknown name"):
        Expression("nope + 1").evaluate({})


def test_cron_next_times() -> None:
    at = datetime(2024, 6, 1, 12, 0, tzinfo=BERLIN)  # a Saturday
    assert Cron.parse("*/15 * * * *").next_after(at) == at.replace(minute=15)
    assert Cron.parse("30 7 * * mon-fri").next_after(at) == datetime(2024, 6, 3, 7, 30,
                                                                     tzinfo=BERLIN)
    assert Cron.parse("0 0 29 feb *").next_after(at).date() == date(2028, 2, 29)
    for bad in ("* * *", "61 * * * *", "*/0 * * * *", "0 0 * * funday"):
        with pytest.raises(CronError):
            Cron.parse(bad)


def test_sun_times_match_published_tables() -> None:
    # Berlin, 1 June 2024: sunrise 04:49, sunset 21:20 (timeanddate.com); within 2 minutes.
    rise = sun_event(date(2024, 6, 1), "sunrise", 52.52, 13.40, BERLIN)
    sset = sun_event(date(2024, 6, 1), "sunset", 52.52, 13.40, BERLIN)
    assert rise is not None and sset is not None
    assert abs((rise - datetime(2024, 6, 1, 4, 49, tzinfo=BERLIN)).total_seconds()) < 120
    assert abs((sset - datetime(2024, 6, 1, 21, 20, tzinfo=BERLIN)).total_seconds()) < 120
    assert sun_event(date(2024, 6, 21), "sunset", 78.2, 15.6, BERLIN) is None  # polar day
    point = TimeOfDay.parse("sunset-00:30")
    when = point.on(date(2024, 6, 1), BERLIN, (52.52, 13.40))
    assert when is not None and abs((when - sset).total_seconds() + 1800) < 1


def test_durations() -> None:
    assert parse_duration(5) == 5
    assert parse_duration("10 min") == 600
    assert parse_duration("01:30:00") == 5400
    assert parse_duration("-00:30") == -1800
    assert parse_duration({"minutes": 2, "seconds": 3}) == 123
    with pytest.raises(ValueError):
        parse_duration("soon")


AUTOMATIONS = """\
- id: ok_one
  triggers: {trigger: state, device: Hall Motion, to: "on", for: "00:01:00"}
  conditions:
    - "{{ now().hour > 6 }}"
    - condition: or
      conditions:
        - {condition: time, after: sunset, weekday: [sat, sun]}
        - {condition: numeric_state, device: Thermometer, below: 18}
  actions:
    - command: turn_on
      device: Hall Light
    - if: [{condition: state, device: Kettle, state: "off"}]
      then: {say: "Kettle is off"}
      else: [{delay: 1}]
    - repeat: {count: 2, sequence: [{variables: {x: "{{ repeat.index }}"}}]}
    - wait_for_trigger: [{trigger: mqtt, topic: "home/+/door", payload: {state: open}}]
      timeout: 5s
"""


def test_models_round_trip(tmp_path: Path) -> None:
    house = House.prepare(write_house(tmp_path, AUTOMATIONS))
    automation = house.section("automations").root[0]
    dumped = automation.model_dump(by_alias=True)
    assert Automation.model_validate(dumped) == automation
    trace = Trace(automation="a", run=1, started=1.5, trigger={"platform": "state", "to": True},
                  conditions=[ConditionTrace(path="conditions/0", type="time", result=True)],
                  steps=[StepTrace(path="actions/0", type="say", started=2.0, outcome="ok",
                                   result={"kitchen": "hi"})], outcome="finished")
    assert Trace.model_validate_json(trace.model_dump_json()) == trace


def _issues(tmp_path: Path, automations: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        house = House.prepare(write_house(tmp_path, automations))
        section = house.section("automations")
        _good, issues = compile_all(list(section.root), collect_types(house), house.loaded, None)
        raise ConfigError(issues)
    return [str(i) for i in caught.value.issues]


def test_errors_point_at_the_file_and_line(tmp_path: Path) -> None:
    issues = _issues(tmp_path, """\
        - id: a
          triggers:
            - trigger: state
              device: Hall Motion
              too: "on"
          actions: [{say: hi}]
        """)
    assert any("automations.yaml:5:" in i and "too" in i for i in issues), issues
    issues = _issues(tmp_path, """\
        - id: a
          triggers: [{trigger: time, cron: "61 * * * *"}]
          actions:
            - say: "{{ 1 + }}"
        """)
    assert any("automations.yaml:2:" in i and "61" in i for i in issues), issues
    assert any("automations.yaml:4:" in i and "does not parse" in i for i in issues), issues


def test_duplicate_ids_and_unknown_types_name_their_lines(tmp_path: Path) -> None:
    issues = _issues(tmp_path, """\
        - id: same
          triggers: [{trigger: startup}]
          actions: [{say: one}]
        - id: same
          triggers: [{trigger: startup}]
          actions:
            - sey: two
        """)
    assert any("automations.yaml:4:" in i and "duplicate automation id 'same'" in i
               and "automations.yaml:1:" in i for i in issues), issues
    assert any("automations.yaml:7:" in i and "unknown action type 'sey'" in i
               for i in issues), issues


PLUGIN = '''
from typing import ClassVar, Literal
from samantha import hookimpl
from samantha.plugins.automations.spec import ActionSpec, ConditionSpec, TriggerSpec

class Beep(ActionSpec):
    key: ClassVar[str] = "beep"
    beep: int

    async def run(self, ctx):
        ctx.variables["beeped"] = self.beep
        await ctx.house.speak("kitchen", "beep" * self.beep)
        return self.beep

class Odd(ConditionSpec):
    condition: Literal["odd"]
    number: int

    def check(self, ctx):
        return self.number % 2 == 1

class Manual(TriggerSpec):
    trigger: Literal["manual"]
    name: str

    async def attach(self, ctx):
        FIRES[self.name] = ctx.fire
        return lambda: FIRES.pop(self.name, None)

FIRES = {}

@hookimpl
def samantha_automation_types(house):
    return {"triggers": {"manual": Manual}, "conditions": {"odd": Odd},
            "actions": {"beep": Beep}}
'''


async def test_plugins_add_types_validated_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "beeper.py").write_text(PLUGIN, encoding="utf-8")
    config = write_house(tmp_path, """\
        - id: beeps
          triggers: [{trigger: manual, name: go}]
          conditions: [{condition: odd, number: 3}]
          actions:
            - beep: lots
        """, extra="plugins: [beeper.py]\n")
    result = samantha_cli("automations", "check", "-c", str(config))
    assert result.returncode == 2
    assert "automations.yaml:5:" in result.stderr and "beep" in result.stderr, result.stderr
    (tmp_path / "automations.yaml").write_text(
        "- id: beeps\n  triggers: [{trigger: manual, name: go}]\n"
        "  conditions: [{condition: odd, number: 3}]\n  actions: [{beep: 2}]\n")
    result = samantha_cli("automations", "check", "-c", str(config))
    assert result.returncode == 0, result.stderr
    assert "OK (1 automations)" in result.stdout
    house = House.prepare(config)
    async with house:
        sys.modules["samantha_local_beeper"].FIRES["go"]({"why": "test"}, None)
        engine = engine_for(house)
        assert engine is not None
        await until(lambda: engine.traces.traces("beeps"), 5, "a trace of the beeps run")
        trace = engine.traces.traces("beeps")[-1]
        assert trace.outcome == "finished", trace
        assert trace.steps[0].type == "beep" and trace.steps[0].result == 2


async def test_the_example_house_checks_and_starts(repo: Path, tmp_path: Path) -> None:
    result = samantha_cli("automations", "check", "-c",
                          str(repo / "examples" / "automations_house.yaml"))
    assert result.returncode == 0, result.stderr
    assert "OK (13 automations)" in result.stdout
    # Started from a copy, so the state directory lands in tmp_path.
    (tmp_path / "automations").mkdir()
    for name in ("automations_house.yaml", "automations/automations.yaml"):
        (tmp_path / name).write_text((repo / "examples" / name).read_text())
    house = House.prepare(tmp_path / "automations_house.yaml")
    async with house:
        engine = engine_for(house)
        assert engine is not None and engine.issues == [] and len(engine.runners) == 13
        outcome = await house.handle_text("good night", "bedroom")
        assert outcome.reply == "Good night."
