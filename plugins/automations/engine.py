"""The automation engine of one house: compiles, attaches, runs, traces and reloads."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samantha.config import ConfigError, validate
from samantha.config_loader import ConfigIssue, load_yaml
from samantha.plugins.automations import control
from samantha.plugins.automations.clock import Clock, SystemClock
from samantha.plugins.automations.compiler import Types, collect_types, compile_all, iter_specs
from samantha.plugins.automations.conditions import StateCondition
from samantha.plugins.automations.dispatch import Dispatch
from samantha.plugins.automations.expr import BUILTINS
from samantha.plugins.automations.models import Automation, AutomationSettings
from samantha.plugins.automations.runner import Runner
from samantha.plugins.automations.sentences import PREFIX, Sentences
from samantha.plugins.automations.spec import ActionError, find_device, primary_attribute
from samantha.plugins.automations.suggested import compile_suggested
from samantha.plugins.automations.traces import TraceStore
from samantha.references import check_config_references

if TYPE_CHECKING:
    from samantha.config_loader import LoadedYaml
    from samantha.house import House
    from samantha.plugins.mqtt.client import MqttClient

log = logging.getLogger(__name__)

_FLUSH_S = 0.5
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class ReloadResult:
    def __init__(self, ok: bool, issues: list[ConfigIssue], loaded: list[str]) -> None:
        self.ok = ok
        self.issues = issues
        self.loaded = loaded

    def public(self) -> dict[str, Any]:
        return {"ok": self.ok, "errors": [str(i) for i in self.issues],
                "automations": self.loaded}


class Engine:
    def __init__(self, house: House, clock: Clock | None = None,
                 mqtt: MqttClient | None = None) -> None:
        self.house = house
        self.settings: AutomationSettings = (house.section("automation_settings")
                                             or AutomationSettings())
        if clock is None:
            from zoneinfo import ZoneInfo

            tz = ZoneInfo(self.settings.timezone) if self.settings.timezone else None
            clock = SystemClock(tz)
        self.clock = clock
        self.state_dir = control.state_dir(house.config_path, self.settings.state_dir)
        self.traces = TraceStore(self.settings.keep_traces,
                                 self.state_dir / "traces" if self.state_dir else None)
        self.dispatch = Dispatch(clock)
        self.sentences = Sentences(house)
        self.types: Types = collect_types(house)
        self.runners: dict[str, Runner] = {}
        self.runs = 0
        self.started = False
        self.issues: list[ConfigIssue] = []
        self._startup: list[Callable[[], None]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._background: list[asyncio.Task[Any]] = []
        self._mqtt = mqtt
        self._own_mqtt: MqttClient | None = None
        self._mqtt_lock = asyncio.Lock()
        self._reload_lock = asyncio.Lock()
        self.functions: dict[str, Callable[..., Any]] = {
            **BUILTINS, "state": self._state, "is_on": self._is_on, "now": self._now}
        section = house.section("automations")
        self.loaded: LoadedYaml = house.loaded
        raw = list(section.root) if section else []
        self._yaml_index = {a.id: i for i, a in enumerate(raw)}
        self.automations, self.issues = compile_all(raw, self.types, house.loaded, house)
        extra, extra_issues, self.suggested_path = compile_suggested(
            house, self.types, {a.id for a in raw})
        self.automations += extra
        self.issues += extra_issues
        self._watcher: control.Watcher | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    # --- template functions -------------------------------------------------------------------

    def _state(self, name: str) -> dict[str, Any]:
        device = find_device(self.house, str(name))
        if device is None:
            raise ActionError(f"no device called {name!r}")
        return dict(device.state)

    def _is_on(self, name: str) -> bool:
        device = find_device(self.house, str(name))
        if device is None:
            raise ActionError(f"no device called {name!r}")
        return bool(device.state.get(primary_attribute(device)))

    def _now(self) -> dict[str, Any]:
        now = self.clock.now()
        return {"hour": now.hour, "minute": now.minute, "second": now.second,
                "weekday": WEEKDAYS[now.weekday()], "day": now.day, "month": now.month,
                "year": now.year, "time": now.strftime("%H:%M"), "iso": now.isoformat(),
                "timestamp": now.timestamp()}

    # --- lifecycle ----------------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = self.loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def on_startup(self, fire: Callable[[], None]) -> Callable[[], None]:
        if not self.started:
            self._startup.append(fire)
        return lambda: None

    async def start(self) -> None:
        for issue in self.issues:
            log.error("automation not loaded: %s", issue)
        await self._attach_all(self.automations, rollback=False)
        self.started = True
        startup, self._startup = self._startup, []
        for fire in startup:
            fire()
        self._write_status()
        self._background.append(self.loop.create_task(self._flush_loop()))
        if self.state_dir is not None and self.settings.watch:
            self._watcher = control.Watcher(self.state_dir, self._watched())
            self._background.append(self.loop.create_task(self._watch_loop()))

    async def _attach_all(self, automations: list[Automation], *, rollback: bool) -> None:
        """Attach every enabled automation. With `rollback`, a failure detaches all and raises
        ConfigError; without, the failing automation is left out and reported."""
        runners: dict[str, Runner] = {}
        issues = []
        for automation in automations:
            runner = Runner(self, automation)
            runners[automation.id] = runner
            if not automation.enabled:
                continue
            try:
                await runner.attach()
            except Exception as err:
                path = ("automations", self._index_of(automation.id), "triggers")
                issue = ConfigIssue(f"automation {automation.id!r} could not start: {err}", path,
                                    self.loaded.position_of(path))
                if rollback:
                    issues.append(issue)
                    continue
                log.error("%s", issue)
                self.issues.append(issue)
                del runners[automation.id]
        if issues:
            for runner in runners.values():
                await runner.detach()
            raise ConfigError(issues)
        self.runners = runners
        self.dispatch.track_changes = any(
            isinstance(spec, StateCondition) and spec.for_
            for a in automations for spec, _path in iter_specs(a))

    def _index_of(self, automation_id: str) -> int:
        return self._yaml_index.get(automation_id, 0)

    async def stop(self) -> None:
        for task in self._background:
            task.cancel()
        for runner in self.runners.values():
            await runner.detach()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self.traces.flush()
        if self._own_mqtt is not None:
            await self._own_mqtt.stop()
            self._own_mqtt = None

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(_FLUSH_S)
            await self.traces.flush_async()

    async def _watch_loop(self) -> None:
        assert self._watcher is not None
        while True:
            await asyncio.sleep(self.settings.watch_interval)
            nonce = self._watcher.request()
            if nonce is None and not self._watcher.files_changed():
                continue
            result = await self.reload()
            # Stamp the files as seen, good or bad: a broken file is reported once, not
            # every interval, and the next save tries again.
            self._watcher.watch(sorted({*self._watcher.files, *self._watched()}))
            if self.state_dir is not None:
                control.write_json(self.state_dir / control.RESULT,
                                   {"nonce": nonce, **result.public()})

    def _watched(self) -> list[Path]:
        # The suggested file is watched even before it exists: the house may write it, and
        # the owner may edit it.
        return [*self.loaded.files, self.suggested_path]

    def _write_status(self, error: list[str] | None = None) -> None:
        if self.state_dir is None:
            return
        with contextlib.suppress(OSError):
            control.write_json(self.state_dir / control.STATUS, {
                "pid": os.getpid(), "automations": sorted(self.runners),
                "errors": error if error is not None else [str(i) for i in self.issues]})

    # --- events -------------------------------------------------------------------------------

    def publish(self, event: Any) -> None:
        self.dispatch.publish(event)

    # --- reload -------------------------------------------------------------------------------

    async def reload(self) -> ReloadResult:
        """Load the automations again; on any problem keep the running ones and say why."""
        async with self._reload_lock:
            result = await self._reload()
        if result.ok:
            log.info("automations reloaded: %d", len(result.loaded))
        else:
            log.error("automations NOT reloaded, the previous ones keep running:\n%s",
                      "\n".join(str(i) for i in result.issues))
        self._write_status([str(i) for i in result.issues] if not result.ok else None)
        return result

    async def _reload(self) -> ReloadResult:
        from samantha.house import House

        house = self.house
        assert house.config_path is not None, "the demo house has no file to reload"
        keep = sorted(self.runners)
        try:
            loaded = load_yaml(house.config_path)
            config = validate(loaded, House.config_model(house.host))
            check_config_references(config, loaded, house.host)
        except ConfigError as err:
            return ReloadResult(False, err.issues, keep)
        section = getattr(config, "automations", None)
        raw = list(section.root) if section else []
        automations, issues = compile_all(raw, self.types, loaded, house)
        extra, extra_issues, self.suggested_path = compile_suggested(
            house, self.types, {a.id for a in raw})
        automations += extra
        issues += extra_issues
        if issues:
            return ReloadResult(False, issues, keep)
        old_automations, old_loaded, old_index = self.automations, self.loaded, self._yaml_index
        self._yaml_index = {a.id: i for i, a in enumerate(raw)}
        for runner in self.runners.values():
            await runner.detach()
        self.automations, self.loaded = automations, loaded
        try:
            await self._attach_all(automations, rollback=True)
        except ConfigError as err:
            self.automations, self.loaded = old_automations, old_loaded
            self._yaml_index = old_index
            await self._attach_all(old_automations, rollback=False)
            return ReloadResult(False, err.issues, keep)
        self.issues = []
        self._refresh_sentences()
        return ReloadResult(True, [], sorted(self.runners))

    def _refresh_sentences(self) -> None:
        house = self.house
        for name in [n for n in house.handlers if n.startswith(PREFIX)]:
            del house.handlers[name]
        house.handlers.update(self.sentences.handlers(self.automations))
        # The house caches its sentences and recognizers; make it ask the plugins again.
        house.invalidate_sentences()

    # --- MQTT ---------------------------------------------------------------------------------

    async def mqtt(self) -> MqttClient:
        """The MQTT plugin's connection when it runs; else one of our own from `mqtt:`."""
        if self._mqtt is not None:
            return self._mqtt
        from samantha.plugins.mqtt.client import MqttClient

        provider = self.house.providers.get("mqtt")
        client = getattr(provider, "client", None)
        if isinstance(client, MqttClient):
            return client
        async with self._mqtt_lock:
            if self._own_mqtt is None:
                settings = self.house.section("mqtt")
                if settings is None:
                    raise ActionError("MQTT triggers and actions need an mqtt: section")
                update: dict[str, Any] = {
                    "client_id": f"{settings.client_id}-automations",
                    # Our own status topic: going offline must not mark Samantha offline.
                    "base_topic": f"{settings.base_topic}/automations"}
                if self.state_dir is not None:
                    update["outbox_path"] = self.state_dir / "mqtt-outbox.sqlite3"
                client = MqttClient(settings.model_copy(update=update))
                await client.start()
                self._own_mqtt = client
        return self._own_mqtt

    async def set_enabled(self, automation_id: str, enabled: bool) -> bool:
        """Switch one automation on or off in the running house (until the next reload, which
        takes `enabled` from the file again). False when there is no such automation."""
        runner = self.runners.get(automation_id)
        if runner is None:
            return False
        automation = runner.automation.model_copy(update={"enabled": enabled})
        self.automations = [automation if a.id == automation_id else a
                            for a in self.automations]
        runner.automation = automation
        if enabled and not runner.detachers:
            await runner.attach()
        elif not enabled:
            await runner.detach()
        return True

    def status(self) -> dict[str, Any]:
        return {"automations": sorted(self.runners), "errors": [str(i) for i in self.issues],
                "runs": self.runs}

