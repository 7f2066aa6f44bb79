"""The wake engine a satellite builds, without a house (tests and benchmarks use it too)."""

from __future__ import annotations

from samantha.plugins.speech.engines import EngineRegistry, WakeEngine
from samantha.plugins.speech.settings import SpeechSettings


def wake_engine(speech: SpeechSettings, language: str = "en") -> WakeEngine:
    """The configured wake engine, found through the plugins' engine registry."""
    from samantha.plugin_host import PluginHost

    host = PluginHost()
    host.load(use_entry_points=False)
    engine: WakeEngine = EngineRegistry.from_host(host).build("wake", speech.wake.engine, speech,
                                                              language)
    return engine
