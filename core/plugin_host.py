"""Loads plugins (built-ins, entry points, local modules) and calls their hooks in isolation."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from samantha import hookspecs
from samantha.deadline import within

log = logging.getLogger(__name__)

hookimpl = pluggy.HookimplMarker("samantha")

# Samantha's own features, registered exactly as third-party plugins are.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "samantha.plugins.virtual_devices",
    "samantha.plugins.builtin_intents",
    "samantha.plugins.custom_sentences",
    "samantha.plugins.automations.plugin",
    "samantha.plugins.speech.plugin",
    "samantha.plugins.homeassistant.plugin",
    "samantha.plugins.audio",
    "samantha.plugins.mqtt.plugin",
    "samantha.plugins.people.plugin",
    "samantha.plugins.persona.plugin",
    "samantha.plugins.satellite.plugin",
)

ENTRY_POINT_GROUP = "samantha"
MAX_TIMEOUTS = 3  # hangs before a plugin is switched off for the rest of the run


def builtin_name(module: str) -> str:
    """'samantha.plugins.mqtt.plugin' -> 'mqtt': the name users see in `samantha plugins`."""
    name = module.removeprefix("samantha.plugins.")
    return name.removesuffix(".plugin")


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
        self.failures: list[HookFailure] = []
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
        text = "timed out" if isinstance(err, TimeoutError) else f"{type(err).__name__}: {err}"
        log.error("plugin %r failed in %s: %s", impl.plugin_name, hook, text)
        self.failures.append(HookFailure(impl.plugin_name, hook, text))
        if isinstance(err, TimeoutError):
            # A plugin that keeps hanging would stall every event behind it.
            count = self._timeouts[impl.plugin_name] = self._timeouts.get(impl.plugin_name, 0) + 1
            if count >= MAX_TIMEOUTS:
                self.disable(impl.plugin_name, f"timed out {count} times")

    def call(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a hook's synchronous implementations in registration order, isolating failures.

        Async implementations are refused here; use `acall` for hooks that may be async.
        """
        results = []
        for impl in self._impls(hook):
            try:
                result = impl.function(*[kwargs[a] for a in impl.argnames])
                if inspect.isawaitable(result):
                    if inspect.iscoroutine(result):
                        result.close()
                    raise TypeError(f"{hook} must be synchronous")
            except Exception as err:
                self._fail(impl, hook, err)
                continue
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
        try:
            result = impl.function(*[kwargs[a] for a in impl.argnames])
            if inspect.isawaitable(result):
                result = await within(result, self.hook_timeout)
        except Exception as err:
            self._fail(impl, hook, err)
            return None
        return result

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
