"""One automation at run time: its attached triggers, its runs, and its mode."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from typing import TYPE_CHECKING, Any

from samantha.plugins.automations.context import RunContext, RunFailed, StopRun, TriggerContext
from samantha.plugins.automations.expr import ExprError
from samantha.plugins.automations.traces import Trace

if TYPE_CHECKING:
    from samantha.plugins.automations.engine import Engine
    from samantha.plugins.automations.models import Automation
    from samantha.plugins.automations.spec import Detach

log = logging.getLogger(__name__)


class Runner:
    def __init__(self, engine: Engine, automation: Automation) -> None:
        self.engine = engine
        self.automation = automation
        self.detachers: list[Detach] = []
        self.running: list[asyncio.Task[None]] = []
        self.queue: deque[tuple[dict[str, Any], str | None]] = deque()
        self.triggered = 0
        self.dropped = 0

    async def attach(self) -> None:
        """Start every trigger; on failure detach the ones started and raise."""
        try:
            for i, trigger in enumerate(self.automation.triggers):
                trigger_id = trigger.id or str(i)

                def fire(data: dict[str, Any], room: str | None, trigger_id: str = trigger_id,
                         index: int = i) -> None:
                    self.trigger({**data, "id": trigger_id, "idx": index}, room)

                ctx = TriggerContext(self.engine, self.automation.id, f"triggers/{i}", fire)
                self.detachers.append(await trigger.attach(ctx))
        except BaseException:
            await self.detach()
            raise

    async def detach(self) -> None:
        for undo in self.detachers:
            try:
                result = undo()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("detaching a trigger of %s failed", self.automation.id)
        self.detachers.clear()
        self.queue.clear()
        for task in list(self.running):
            task.cancel()
        if self.running:
            await asyncio.gather(*self.running, return_exceptions=True)

    def trigger(self, data: dict[str, Any], room: str | None) -> None:
        """A trigger fired: start, queue, restart or drop a run as the mode says."""
        self.triggered += 1
        mode = self.automation.mode
        if self.running:
            if mode == "single":
                self.dropped += 1
                return
            if mode == "restart":
                for task in self.running:
                    task.cancel()
            elif mode == "queued":
                if len(self.queue) >= self.automation.max:
                    self.dropped += 1
                else:
                    self.queue.append((data, room))
                return
            elif mode == "parallel" and len(self.running) >= self.automation.max:
                self.dropped += 1
                return
        self._start(data, room)

    def _start(self, data: dict[str, Any], room: str | None) -> None:
        engine = self.engine
        engine.runs += 1
        # Built without validation on the hot path; made JSON-safe only when written out.
        trace = Trace.model_construct(automation=self.automation.id, run=engine.runs,
                                      started=engine.clock.now().timestamp(), finished=None,
                                      trigger=data, conditions=[], steps=[],
                                      outcome="running", error=None)
        task = engine.loop.create_task(self._run(trace, data, room))
        self.running.append(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.running.remove(task)
        if self.queue and not self.running and self.detachers:
            self._start(*self.queue.popleft())

    async def _run(self, trace: Trace, data: dict[str, Any], room: str | None) -> None:
        automation = self.automation
        variables: dict[str, Any] = {"trigger": data, "this": {"id": automation.id,
                                                              "alias": automation.alias}}
        ctx = RunContext(self.engine, automation.id, trace, variables, room)
        try:
            for name, value in automation.variables.items():
                variables[name] = ctx.render(value)
            if not await ctx.check_all(automation.conditions, "conditions"):
                trace.outcome = "condition_failed"
                return
            await ctx.run_sequence(automation.actions, "actions")
            trace.outcome = "finished"
        except StopRun as stop:
            trace.outcome, trace.error = "stopped", str(stop) or None
        except (RunFailed, ExprError) as err:
            trace.outcome, trace.error = "error", str(err)
        except asyncio.CancelledError:
            trace.outcome = "cancelled"
        except Exception as err:
            log.exception("automation %s failed", automation.id)
            trace.outcome, trace.error = "error", f"{type(err).__name__}: {err}"
        finally:
            trace.finished = self.engine.clock.now().timestamp()
            self.engine.traces.record(trace)
