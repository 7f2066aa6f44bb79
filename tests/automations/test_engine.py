"""The engine with a fake clock and virtual devices: triggers, modes, actions and traces."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from automations_support import BERLIN

from samantha.plugins.automations.traces import stored_traces

Start = Callable[..., Any]


async def test_door_left_open_for_ten_minutes(running: Start) -> None:
    async with running("""\
        - id: door_left_open
          triggers:
            - {trigger: state, device: Front Door, to: "on", for: "00:10:00"}
          actions:
            - {say: "The front door has been open for ten minutes.", room: all}
        """) as h:
        h.set("hallway.front_door", on=True)
        await h.settle()
        await h.clock.advance(9 * 60)
        h.set("hallway.front_door", on=False)  # closed in time: nothing
        await h.settle()
        await h.clock.advance(5 * 60)
        assert h.said == []
        h.set("hallway.front_door", on=True)
        await h.settle()
        await h.clock.advance(10 * 60)
        await h.settle()
        assert len(h.said) == 3 and {room for room, _ in h.said} == {
            "hallway", "kitchen", "living_room"}
        trace = h.traces("door_left_open")[-1]
        assert trace.outcome == "finished" and trace.trigger["for"] == 600


AUTOMATION = """\
- id: slow
  mode: {mode}
  max: 2
  triggers: [{{trigger: state, device: Hall Motion}}]
  actions:
    - delay: 10
    - command: toggle
      device: Hall Light
"""


@pytest.mark.parametrize(("mode", "runs", "outcomes"), [
    ("single", 1, ["finished"]),
    ("restart", 1, ["cancelled", "cancelled", "cancelled", "cancelled", "finished"]),
    ("queued", 3, ["finished", "finished", "finished"]),
    ("parallel", 2, ["finished", "finished"]),
])
async def test_modes_under_rapid_triggers(running: Start, mode: str, runs: int,
                                          outcomes: list[str]) -> None:
    async with running(AUTOMATION.format(mode=mode)) as h:
        for i in range(5):  # five triggers within one second
            h.set("hallway.hall_motion", on=i % 2 == 0)
            await h.settle(0)
            await h.clock.advance(0.2)
        await h.clock.advance(60)
        await h.settle()
        traces = h.traces("slow")
        assert [t.outcome for t in traces] == outcomes
        toggles = sum(1 for t in traces for s in t.steps if s.type == "command")
        assert toggles == runs
        runner = h.engine.runners["slow"]
        assert runner.triggered == 5


async def test_a_failing_action_is_traced_and_other_automations_run(running: Start) -> None:
    async with running("""\
        - id: broken
          triggers: [{trigger: state, device: Kettle, to: "on"}]
          actions:
            - {command: set_brightness, device: Kettle, params: {brightness: 50}}
            - {say: never}
        - id: tolerant
          triggers: [{trigger: state, device: Kettle, to: "on"}]
          actions:
            - {command: lock, device: Lamp, continue_on_error: true}
            - {command: open, device: Lamp, continue_on_error: true}
            - {command: turn_on, device: Lamp}
        """) as h:
        h.set("kitchen.kettle", on=True)
        await h.settle()
        broken = h.traces("broken")[-1]
        assert broken.outcome == "error" and "switch cannot set brightness" in broken.error
        assert [s.outcome for s in broken.steps] == ["error"]
        tolerant = h.traces("tolerant")[-1]
        assert [s.outcome for s in tolerant.steps] == ["error", "error", "ok"]
        assert "light cannot open" in tolerant.steps[1].error
        assert tolerant.outcome == "finished" and h.state("living_room.lamp")["on"] is True


async def test_flow_actions_and_variables(running: Start) -> None:
    async with running("""\
        - id: flow
          variables: {greeting: "Hello"}
          triggers: [{trigger: state, device: Thermometer, id: temp}]
          conditions:
            - {condition: trigger, id: temp}
          actions:
            - variables: {level: "{{ 'cold' if trigger.to < 18 else 'fine' }}"}
            - choose:
                - conditions: ["{{ level == 'cold' }}"]
                  sequence:
                    - {command: turn_on, device: Kettle}
              default:
                - {command: turn_off, device: Kettle}
            - if: [{condition: numeric_state, device: Thermometer, below: 10}]
              then: [{stop: "freezing"}]
            - repeat:
                for_each: [Kitchen, Living Room]
                sequence:
                  - {say: "{{ greeting }} {{ repeat.index }}", room: "{{ repeat.item }}",
                     verbatim: true}
            - wait_for_trigger: [{trigger: state, device: Hall Motion, to: "on"}]
              timeout: 30
            - {say: "{{ 'seen' if wait.completed else 'nobody' }}", room: Hallway}
        """) as h:
        h.set("living_room.thermometer", value=15)
        await h.settle()
        await h.clock.advance(5)
        h.set("hallway.hall_motion", on=True)
        await h.settle()
        assert h.state("kitchen.kettle")["on"] is True
        assert h.said == [("kitchen", "Hello 1"), ("living_room", "Hello 2"),
                          ("hallway", "seen")]
        trace = h.traces("flow")[-1]
        assert trace.outcome == "finished"
        assert [c.path for c in trace.conditions][:2] == ["conditions/0",
                                                          "actions/1/choose/0/conditions/0"]
        h.set("living_room.thermometer", value=5)
        await h.settle()
        trace = h.traces("flow")[-1]
        assert trace.outcome == "stopped" and trace.error == "freezing"
        assert len(h.said) == 3  # stopped before the greetings


async def test_time_triggers_and_sunset_condition(running: Start) -> None:
    async with running("""\
        - id: every
          triggers: [{trigger: time, every: 90s}]
          actions: [{command: toggle, device: Lamp}]
        - id: cron
          triggers: [{trigger: time, cron: "*/30 * * * *"}]
          actions: [{command: toggle, device: Kettle}]
        - id: dusk
          triggers: [{trigger: time, at: "sunset-00:15"}]
          actions: [{command: turn_on, device: Hall Light}]
        - id: at_startup
          triggers: [{trigger: startup}]
          actions: [{say: "I'm awake", room: Kitchen}]
        """) as h:
        await h.settle()
        assert h.said == [("kitchen", "I'm awake")]
        await h.clock.advance(3 * 60)  # 12:03
        assert len(h.traces("every")) == 2 and h.traces("cron") == []
        await h.clock.advance_to(datetime(2024, 6, 1, 13, 1, tzinfo=BERLIN))
        assert len(h.traces("cron")) == 2  # 12:30 and 13:00
        await h.clock.advance_to(datetime(2024, 6, 1, 21, 0, tzinfo=BERLIN))
        assert h.traces("dusk") == []
        await h.clock.advance_to(datetime(2024, 6, 1, 21, 10, tzinfo=BERLIN))
        dusk = h.traces("dusk")
        assert len(dusk) == 1 and h.state("hallway.hall_light")["on"] is True
        fired = datetime.fromisoformat(dusk[0].trigger["now"])
        assert datetime(2024, 6, 1, 21, 3, tzinfo=BERLIN) <= fired <= datetime(
            2024, 6, 1, 21, 7, tzinfo=BERLIN)


async def test_traces_are_kept_per_automation_and_written_to_disk(
        running: Start, tmp_path: Path) -> None:
    async with running("""\
        - id: counter
          triggers: [{trigger: state, device: Hall Motion}]
          actions: [{command: toggle, device: Lamp}]
        """, extra="") as h:
        h.engine.traces.keep = 3
        for i in range(10):
            h.set("hallway.hall_motion", on=i % 2 == 0)
            await h.settle(0)
        await h.settle()
        assert [t.run for t in h.traces("counter")] == [8, 9, 10]
        h.engine.traces.flush()
        on_disk = stored_traces(tmp_path / ".samantha" / "automations" / "traces", "counter")
        assert [t.run for t in on_disk][-3:] == [8, 9, 10] and len(on_disk) == 3
        for i in range(30):  # past 2 * keep + slack lines the file is cut back to `keep`
            h.set("hallway.hall_motion", on=i % 2 == 0)
            await h.settle()
            h.engine.traces.flush()
        h.engine.traces.flush()
        on_disk = stored_traces(tmp_path / ".samantha" / "automations" / "traces", "counter")
        assert [t.run for t in on_disk][-3:] == [38, 39, 40] and len(on_disk) < 30
        line = (tmp_path / ".samantha/automations/traces/counter.jsonl").read_text().splitlines()
        assert json.loads(line[-1])["steps"][0]["outcome"] == "ok"
