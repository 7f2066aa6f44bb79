"""Loads plugins (built-ins, entry points, local modules) and calls their hooks in isolation."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from samantha import hookspecs
from samantha.deadline import within
from samantha.hook_results import problem_with

log = logging.getLogger(__name__)

hookimpl = pluggy.HookimplMarker("samantha")

# Samantha's own features, registered exactly as third-party plugins are.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "samantha.plugins.virtual_devices",
    "samantha.plugins.intents.switching",
    "samantha.plugins.intents.lights",
    "samantha.plugins.intents.climate",
    "samantha.plugins.intents.covers",
    "samantha.plugins.intents.media",
    "samantha.plugins.intents.lists",
    "samantha.plugins.intents.weather",
    "samantha.plugins.intents.cleaning",
    "samantha.plugins.intents.alarm",
    "samantha.plugins.intents.broadcast",
    "samantha.plugins.intents.state",
    "samantha.plugins.custom_sentences",
    "samantha.plugins.context.plugin",
    "samantha.plugins.automations.plugin",
    "samantha.plugins.speech.plugin",
    "samantha.plugins.homeassistant.plugin",
    "samantha.plugins.audio",
    "samantha.plugins.mqtt.plugin",
    "samantha.plugins.people.plugin",
    "samantha.plugins.persona.plugin",
    "samantha.plugins.care.plugin",
    "samantha.plugins.satellite.plugin",
    "samantha.plugins.web.plugin",
    "samantha.plugins.wyoming.plugin",
)

ENTRY_POINT_GROUP = "samantha"
MAX_TIMEOUTS = 3  # hangs before a plugin is switched off for the rest of the run


def builtin_name(module: str) -> str:
    """'samantha.plugins.mqtt.plugin' -> 'mqtt': the name users see in `samantha plugins`."""
    name = module.removeprefix("samantha.plugins.")
    return name.removesuffix(".plugin")


class HookTooSlow(TimeoutError):
    """A synchronous hook blocked the event loop longer than the hook budget."""


class WrongResult(TypeError):
    """A hook returned something its specification does not allow."""


class PluginLoadError(Exception):
    """A plugin could not be loaded or declares hooks that do not exist."""


@dataclass(frozen=True)
class HookFailure:
    plugin: str
    hook: str
    error: str


class PluginHost:
    """A pluggy manager whose calls survive a plugin that raises or hangs."""

    def __init__(self, hook_timeout: float = 10.0) -> None:
        self.pm = pluggy.PluginManager("samantha")
        self.pm.add_hookspecs(hookspecs)
        self.hook_timeout = hook_timeout
        # The first failure of each (plugin, hook), in order; repeats are only counted, so a
        # plugin failing on every event costs neither memory nor a log line per event.
        self.failures: list[HookFailure] = []
        self.failure_counts: dict[tuple[str, str], int] = {}
        self.on_failure: Callable[[HookFailure], None] | None = None
        self.disabled: set[str] = set()
        self._impl_cache: dict[str, list[pluggy.HookImpl]] = {}
        self._timeouts: dict[str, int] = {}

    # --- loading ------------------------------------------------------------------------------

    def load(
        self,
        local: Iterable[str] = (),
        base_dir: Path | None = None,
        *,
        builtins: Iterable[str] = BUILTIN_PLUGINS,
        use_entry_points: bool = True,
    ) -> None:
        for name in builtins:
            self.register(importlib.import_module(name), builtin_name(name))
        if use_entry_points:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                try:
                    self.register(ep.load(), ep.name)
                except Exception as err:
                    # A broken third-party package must not stop the house from starting.
                    log.error("plugin %r (entry point %s) failed to load: %s",
                              ep.name, ep.value, err)
                    self.failures.append(HookFailure(ep.name, "load", str(err)))
        for spec in local:
            self.register(self._import_local(spec, base_dir), Path(spec).stem)
        self.check()

    def register(self, plugin: object, name: str) -> None:
        if self.pm.is_registered(plugin):
            return  # the same module reached twice (e.g. entry point and config)
        if self.pm.has_plugin(name):
            raise PluginLoadError(
                f"two plugins are called {name!r}: {self.pm.get_plugin(name)!r} and {plugin!r}")
        try:
            self.pm.register(plugin, name=name)
            self._impl_cache.clear()
        except pluggy.PluginValidationError as err:
            raise PluginLoadError(f"plugin {name!r}: {err}") from err

    def check(self) -> None:
        """Refuse hook implementations that match no hookspec (usually a misspelling)."""
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as err:
            known = sorted(self.pm.hook.__dict__)
            raise PluginLoadError(
                f"{err}. Known hooks: {', '.join(h for h in known if h.startswith('samantha_'))}"
            ) from err

    @staticmethod
    def _import_local(spec: str, base_dir: Path | None) -> ModuleType:
        path = Path(spec)
        if path.suffix == ".py":
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            if not path.exists():
                raise PluginLoadError(f"local plugin file {path} does not exist")
            module_name = f"samantha_local_{path.stem}"
            module_spec = importlib.util.spec_from_file_location(module_name, path)
            if module_spec is None or module_spec.loader is None:
                raise PluginLoadError(f"cannot import local plugin {path}")
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[module_name] = module
            try:
                module_spec.loader.exec_module(module)
            except Exception as err:
                raise PluginLoadError(f"local plugin {path} failed to import: {err!r}") from err
            return module
        try:
            return importlib.import_module(spec)
        except ImportError as err:
            raise PluginLoadError(f"cannot import plugin module {spec!r}: {err}") from err

    def plugin_names(self) -> list[str]:
        return [name for name, _ in self.pm.list_name_plugin()]

    def describe(self) -> list[dict[str, Any]]:
        out = []
        for name, plugin in self.pm.list_name_plugin():
            hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])
            out.append({"name": name, "module": getattr(plugin, "__name__", repr(plugin)),
                        "hooks": hooks, "disabled": name in self.disabled})
        return out

    # --- calling ------------------------------------------------------------------------------

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        # Hooks like samantha_event run for every state change: look the callers up once.
        impls = self._impl_cache.get(hook)
        if impls is None:
            caller = getattr(self.pm.hook, hook)
            impls = [i for i in caller.get_hookimpls() if i.plugin_name not in self.disabled]
            self._impl_cache[hook] = impls
        return impls

    def disable(self, plugin: str, why: str) -> None:
        """Stop calling `plugin`'s hooks for the rest of the run."""
        log.error("plugin %r disabled: %s", plugin, why)
        self.disabled.add(plugin)
        self._impl_cache.clear()

    def _fail(self, impl: pluggy.HookImpl, hook: str, err: BaseException) -> None:
        self.report(impl.plugin_name, hook, err)

    def report(self, plugin: str, hook: str, err: BaseException) -> None:
        """Record that `plugin`'s `hook` failed; log it the first time, count it after that."""
        if isinstance(err, HookTooSlow | WrongResult):
            text = str(err)
        elif isinstance(err, TimeoutError):
            text = "timed out"
        else:
            text = f"{type(err).__name__}: {err}"
        key = (plugin, hook)
        count = self.failure_counts[key] = self.failure_counts.get(key, 0) + 1
        if count == 1:
            log.error("plugin %r failed in %s: %s", plugin, hook, text)
            failure = HookFailure(plugin, hook, text)
            self.failures.append(failure)
            if self.on_failure is not None:
                self.on_failure(failure)
        else:
            log.debug("plugin %r failed in %s again (%d times): %s", plugin, hook, count, text)
        if isinstance(err, TimeoutError):
            # A plugin that keeps hanging would stall every event behind it.
            timeouts = self._timeouts[plugin] = self._timeouts.get(plugin, 0) + 1
            if timeouts >= MAX_TIMEOUTS and plugin not in self.disabled:
                self.disable(plugin, f"timed out {timeouts} times")

    def _checked(self, impl: pluggy.HookImpl, hook: str, result: Any, started: float) -> Any:
        """`result`, or None after reporting a wrong answer or a sync hook that blocked."""
        elapsed = time.monotonic() - started
        if elapsed > self.hook_timeout:
            self._fail(impl, hook, HookTooSlow(
                f"blocked the house for {elapsed:.1f} s (budget {self.hook_timeout:g} s); "
                "do slow work in an async hook or a thread"))
            return None
        if result is None:
            return None
        problem = problem_with(hook, result)
        if problem:
            self._fail(impl, hook, WrongResult(f"{problem}; its contribution is ignored"))
            return None
        return result

    def call(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a hook's synchronous implementations in registration order, isolating failures.

        Async implementations are refused here; use `acall` for hooks that may be async.
        """
        results = []
        for impl in self._impls(hook):
            started = time.monotonic()
            try:
                result = impl.function(*[kwargs[a] for a in impl.argnames])
                if inspect.isawaitable(result):
                    if inspect.iscoroutine(result):
                        result.close()
                    raise TypeError(f"{hook} must be synchronous")
            except Exception as err:
                self._fail(impl, hook, err)
                continue
            result = self._checked(impl, hook, result, started)
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

    async def achain(self, hook: str, arg: str, value: Any, **kwargs: Any) -> Any:
        """Pass `value` through every implementation as argument `arg`; each may replace it.

        Used for hooks that refine one thing in turn (an outcome's wording, say), so a later
        plugin sees what an earlier one made of it instead of the original.
        """
        for impl in self._impls(hook):
            result = await self._ainvoke(impl, hook, {**kwargs, arg: value})
            if result is not None:
                value = result
        return value

    async def _ainvoke(self, impl: pluggy.HookImpl, hook: str, kwargs: dict[str, Any]) -> Any:
        """One implementation's answer, or None when it raised or timed out (reported)."""
        started = time.monotonic()
        try:
            result = impl.function(*[kwargs[a] for a in impl.argnames])
            if inspect.isawaitable(result):
                result = await within(result, self.hook_timeout)
                return self._checked(impl, hook, result, time.monotonic())
        except Exception as err:
            self._fail(impl, hook, err)
            return None
        return self._checked(impl, hook, result, started)

    async def acall(
        self, hook: str, *, first: bool = False, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """Call every implementation (awaiting async ones with a timeout), isolating failures.

        With `first`, the most recently registered plugin is asked first (as in pluggy's
        firstresult), so a third-party plugin can take over from a built-in one.
        """
        results = []
        impls = self._impls(hook)
        for impl in reversed(impls) if first else impls:
            result = await self._ainvoke(impl, hook, kwargs)
            if result is not None:
                results.append((impl.plugin_name, result))
                if first:
                    break
        return results
