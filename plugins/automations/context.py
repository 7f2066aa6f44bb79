"""What a running trigger and a running automation see: the house, the clock, variables."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from samantha.plugins.automations.expr import render_data
from samantha.plugins.automations.spec import (
    ActionError,
    ActionSpec,
    ConditionSpec,
    Detach,
)
from samantha.plugins.automations.traces import ConditionTrace, StepTrace, Trace, jsonable

if TYPE_CHECKING:
    from samantha.house import House
    from samantha.plugins.automations.clock import Clock
    from samantha.plugins.automations.engine import Engine
    from samantha.plugins.mqtt.client import MqttClient

Fire = Callable[[dict[str, Any], "str | None"], None]


class StopRun(Exception):
    """The `stop` action: end this run here."""


class RunFailed(Exception):
    """An action failed without continue_on_error; the run ends with outcome `error`."""


class TriggerContext:
    """Handed to `TriggerSpec.attach`: where to listen and how to fire."""

    def __init__(self, engine: Engine, automation: str, path: str, fire: Fire) -> None:
        self.engine = engine
        self.house: House = engine.house
        self.clock: Clock = engine.clock
        self.automation = automation
        self.path = path
        self.fire = fire

    def on_state(self, device_id: str, callback: Callable[[Any], None]) -> Detach:
        """Call `callback(DeviceStateChanged)` for each state change of one device."""
        return self.engine.dispatch.on_state(device_id, callback)

    def on_event(self, event_type: str | None, callback: Callable[[Any], None]) -> Detach:
        """Call `callback(event)` for each bus event of `event_type` (None: every event)."""
        return self.engine.dispatch.on_event(event_type, callback)

    async def mqtt(self) -> MqttClient:
        """The house's MQTT connection (shared with the MQTT plugin when it runs)."""
        return await self.engine.mqtt()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run background work for this trigger; cancel it in the detacher."""
        return self.engine.spawn(coro)


class RunContext:
    """One run of one automation: variables, the trace, and helpers to run nested steps."""

    def __init__(self, engine: Engine, automation: str, trace: Trace,
                 variables: dict[str, Any], room: str | None) -> None:
        self.engine = engine
        self.house: House = engine.house
        self.clock: Clock = engine.clock
        self.automation = automation
        self.trace = trace
        self.variables = variables
        self.room = room
        self.current = ""  # path of the condition being checked, for nested and/or/not
        self.step = ""  # path of the action that is starting, for nested sequences

    @property
    def functions(self) -> dict[str, Callable[..., Any]]:
        return self.engine.functions

    def render(self, value: Any) -> Any:
        """Render templates in `value` (a Template, text, or nested lists and mappings)."""
        return render_data(value, self.variables, self.engine.functions)

    async def check(self, condition: ConditionSpec, path: str) -> bool:
        """Evaluate one condition and record its result in the trace."""
        error = None
        self.current = path
        try:
            result = condition.check(self)
            if inspect.isawaitable(result):
                result = await result
            passed = bool(result)
        except Exception as err:
            passed, error = False, f"{type(err).__name__}: {err}" if not isinstance(
                err, (ValueError, ActionError)) else str(err)
        self.trace.conditions.append(ConditionTrace.model_construct(
            path=path, type=condition.condition, result=passed, error=error))
        return passed

    async def check_all(self, conditions: Sequence[ConditionSpec], path: str) -> bool:
        for i, condition in enumerate(conditions):
            if not await self.check(condition, f"{path}/{i}"):
                return False
        return True

    async def run_sequence(self, actions: Sequence[ActionSpec], path: str) -> None:
        for i, action in enumerate(actions):
            await self.run_action(action, f"{path}/{i}")

    async def run_action(self, action: ActionSpec, path: str) -> None:
        step = StepTrace.model_construct(
            path=path, type=action.key, alias=action.alias, started=self.clock.now().timestamp(),
            duration_ms=0.0, outcome="running", result=None, error=None)
        self.trace.steps.append(step)
        if not action.enabled:
            step.outcome = "skipped"
            return
        began = self.clock.monotonic()
        self.step = path
        try:
            step.result = jsonable(await action.run(self))
            step.outcome = "ok"
        except StopRun as stop:
            step.outcome, step.result = "stopped", str(stop) or None
            raise
        except asyncio.CancelledError:
            step.outcome = "cancelled"
            raise
        except (RunFailed, asyncio.TimeoutError) as err:
            step.outcome = "timeout" if isinstance(err, asyncio.TimeoutError) else "error"
            step.error = str(err) or "timed out"
            if not action.continue_on_error:
                raise RunFailed(step.error) from None
        except Exception as err:
            step.outcome = "error"
            step.error = str(err) if isinstance(err, (ActionError, ValueError)) else (
                f"{type(err).__name__}: {err}")
            if not action.continue_on_error:
                raise RunFailed(f"{path} ({action.key}): {step.error}") from None
        finally:
            step.duration_ms = round((self.clock.monotonic() - began) * 1000, 3)
