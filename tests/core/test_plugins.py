"""Plugins load from built-ins, entry points and local files; a broken one is isolated."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from harness.cli import samantha_cli
from samantha.config import ConfigError
from samantha.events import PluginFailed
from samantha.house import House

BROKEN = '''
import asyncio
from samantha import hookimpl

@hookimpl
def samantha_startup(house):
    raise RuntimeError("kaboom at startup")

@hookimpl
async def samantha_event(house, event):
    if event.type == "utterance_heard":
        await asyncio.sleep(3600)  # hangs: must be abandoned, not wait forever

@hookimpl
def samantha_device_providers(house):
    raise ValueError("no devices today")
'''

GOOD_PLUGIN = '''
from samantha import Command, Device, DeviceProvider, Kind, hookimpl

class Garden(DeviceProvider):
    name = "garden"
    async def start(self, house):
        room = house.home.ensure_room("Garden")
        house.home.add_device(Device(id="garden.sprinkler", name="Sprinkler", kind=Kind.SWITCH,
                                     room=room.id, provider=self.name))
    async def execute(self, device, command):
        house_state = {"on": command.action == "turn_on"}
        self.house.home.update_state(device.id, house_state)

@hookimpl
def samantha_device_providers(house):
    g = Garden()
    g.house = house
    return [g]

@hookimpl
def samantha_intent_handlers(house):
    async def hello(request):
        return request.outcome("Hello from the garden plugin.")
    return {"HassNevermind": hello}
'''

CONFIG = """\
rooms: [{name: Kitchen}]
devices: [{name: Lamp, room: Kitchen, kind: light}]
plugins: [{plugins}]
"""


def make_house(tmp_path: Path, *files: tuple[str, str]) -> Path:
    for name, text in files:
        (tmp_path / name).write_text(text)
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(CONFIG.replace("{plugins}", ", ".join(n for n, _ in files)))
    return cfg


async def test_broken_plugin_is_isolated_and_reported(tmp_path: Path) -> None:
    cfg = make_house(tmp_path, ("broken.py", BROKEN), ("garden.py", GOOD_PLUGIN))
    house = House.prepare(cfg)
    house.host.hook_timeout = 0.5
    failures: list[PluginFailed] = []
    house.bus.subscribe(PluginFailed, failures.append)
    async with house:
        outcome = await house.handle_text("turn on the lamp", "kitchen")
        assert house.home.devices["kitchen.lamp"].state["on"] is True
        assert outcome.intent == "HassTurnOn"
        # the good local plugin still works beside the broken one
        await house.handle_text("turn on the sprinkler", "garden")
        assert house.home.devices["garden.sprinkler"].state["on"] is True
        assert (await house.handle_text("never mind", "kitchen")).reply.startswith("Hello")
    reported = {(f.plugin, f.hook) for f in house.host.failures}
    assert ("broken", "samantha_startup") in reported
    assert ("broken", "samantha_device_providers") in reported
    assert ("broken", "samantha_event") in reported
    assert any(f.plugin == "broken" for f in failures)
    assert "kaboom" in next(f.error for f in house.host.failures if f.hook == "samantha_startup")


def test_misspelled_hook_is_a_clear_error(tmp_path: Path) -> None:
    cfg = make_house(tmp_path, ("typo.py", "from samantha import hookimpl\n\n@hookimpl\n"
                                           "def samantha_startpu(house):\n    pass\n"))
    with pytest.raises(ConfigError) as info:
        House.prepare(cfg)
    text = str(info.value)
    assert "samantha_startpu" in text and "samantha_startup" in text
    assert f"{cfg}:3:" in text


def test_missing_local_plugin_file(tmp_path: Path) -> None:
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text("plugins: [nowhere.py]\n")
    with pytest.raises(ConfigError, match=r"nowhere\.py does not exist"):
        House.prepare(cfg)


def test_entry_point_plugin_is_loaded(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "samantha_sprinklers").mkdir(parents=True)
    (site / "samantha_sprinklers" / "__init__.py").write_text(GOOD_PLUGIN)
    dist = site / "samantha_sprinklers-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: samantha-sprinklers\n"
                                   "Version: 1.0\n")
    (dist / "entry_points.txt").write_text("[samantha]\nsprinklers = samantha_sprinklers\n")
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = samantha_cli("plugins", "--json", env=env)
    assert out.returncode == 0, out.stderr
    names = [p["name"] for p in json.loads(out.stdout)]
    intents = [n for n in names if n.startswith("intents.")]
    assert names[0] == "virtual_devices" and names[1:1 + len(intents)] == intents
    assert len(intents) >= 10 and names[1 + len(intents)] == "custom_sentences"
    assert "sprinklers" in names
    said = samantha_cli("say", "turn on the sprinkler", "--room", "garden", "--json", env=env)
    assert json.loads(said.stdout)["commands"] == [
        {"device": "garden.sprinkler", "action": "turn_on", "params": {}}]


def test_plugin_section_validated_with_the_rest(tmp_path: Path) -> None:
    plugin = ('from samantha import Section, hookimpl\n'
              'class Garden(Section):\n    zones: int\n'
              '@hookimpl\ndef samantha_config_sections():\n    return {"garden": Garden}\n')
    cfg = make_house(tmp_path, ("gardenconf.py", plugin))
    cfg.write_text(cfg.read_text() + "garden: {zones: many}\n")
    with pytest.raises(ConfigError) as info:
        House.prepare(cfg)
    assert f"{cfg}:4:" in str(info.value) and "garden.zones" in str(info.value)
    cfg.write_text(cfg.read_text().replace("many", "3"))
    assert House.prepare(cfg).section("garden").zones == 3


def test_no_pytest_module_leaks_into_sys_path() -> None:
    assert "core" not in sys.modules


async def test_outcome_hooks_chain_in_plugin_order(tmp_path: Path) -> None:
    first = ("from samantha import hookimpl\n@hookimpl\ndef samantha_outcome(house, outcome):\n"
             "    return outcome.model_copy(update={'reply': outcome.reply + ' [one]'})\n")
    second = ("from samantha import hookimpl\n@hookimpl\n"
              "async def samantha_outcome(house, outcome):\n"
              "    return outcome.model_copy(update={'reply': outcome.reply + ' [two]'})\n")
    cfg = make_house(tmp_path, ("one.py", first), ("two.py", second))
    async with House.prepare(cfg) as house:
        outcome = await house.handle_text("turn on the lamp", "kitchen")
    assert outcome.reply.endswith("[one] [two]")


async def test_plugin_that_keeps_hanging_is_switched_off(tmp_path: Path) -> None:
    calls = tmp_path / "calls.txt"
    hanging = ("import asyncio\nfrom samantha import hookimpl\n@hookimpl\n"
               "async def samantha_event(house, event):\n"
               f"    with open({str(calls)!r}, 'a') as f: f.write('call\\n')\n"
               "    await asyncio.sleep(3600)\n")
    cfg = make_house(tmp_path, ("hangs.py", hanging))
    house = House.prepare(cfg)
    house.host.hook_timeout = 0.05
    async with house:
        for _ in range(3):
            await house.handle_text("turn on the lamp", "kitchen")
        await house.bus.drain()
        assert "hangs" in house.host.disabled
        before = calls.read_text().count("call")
        assert before >= 3
        await house.handle_text("turn off the lamp", "kitchen")
        await house.bus.drain()
        # No longer called, so never waited for (a count, not a clock: a loaded machine can
        # take longer than the hook's budget over the whole sentence).
        assert calls.read_text().count("call") == before
    assert house.home.devices["kitchen.lamp"].state["on"] is False
