"""A second, newer Home Assistant Core for the Wyoming conversation agent (HA 2024.9+).

HA's Wyoming integration turns a `handle` program into a conversation agent only since 2024.9
(core PR #124373), and those releases need Python 3.12. This builds HA 2024.12.5, the newest
release that still runs on 3.12 and the one whose Wyoming integration pins `wyoming==1.5.4`,
in its own cached venv (beside the 2024.3 one of `harness.homeassistant`), and runs it with
an offline configuration: no default_config, no demo, only what the Wyoming agent needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.ha_venv import HaVenv
from harness.homeassistant import HomeAssistant, offline_configuration

VERSION = "2024.12.5"
# What HA 2024.12 always sets up without default_config, plus the Wyoming integration and its
# dependencies (assist_pipeline needs pymicro-vad and pyspeex-noise, or conversation fails).
REQUIREMENTS: tuple[str, ...] = (
    "home-assistant-frontend==20241127.8",
    "hassil==2.0.5",
    "home-assistant-intents==2024.12.9",
    "SQLAlchemy==2.0.36",
    "fnv-hash-fast==1.0.2",
    "psutil-home-assistant==0.0.1",
    "securetar==2024.11.0",
    "ha-ffmpeg==3.2.2",
    "mutagen==1.47.0",
    "pymicro-vad==1.0.1",
    "pyspeex-noise==1.0.2",
    "wyoming==1.5.4",
    # The Wyoming config flow imports HA's zeroconf component (for its discovery step); the
    # zeroconf integration itself is never set up here, so nothing is multicast.
    "zeroconf==0.136.2",
)
SPEC = HaVenv(
    version=VERSION,
    requirements=REQUIREMENTS,
    constraints=("josepy<2",),
    pythons=((3, 12),),
    python_env="SAMANTHA_HA_VOICE_PYTHON",
    probe=("import homeassistant.const as c, wyoming, hass_frontend, pymicro_vad, zeroconf;"
           f"assert c.__version__ == {VERSION!r}, c.__version__"),
)

CONFIGURATION_YAML = offline_configuration("Samantha Voice Test Home") + "conversation:\n"

EMPTY_LAYOUT: dict[str, Any] = {"floors": [], "areas": [], "device_areas": {},
                                "entity_areas": {}, "entity_aliases": {}}


class VoiceHomeAssistant(HomeAssistant):
    """HA 2024.12.5 with conversation and the Wyoming integration available, nothing else."""

    configuration_yaml = CONFIGURATION_YAML

    def __init__(self, workdir: Path | str, **kwargs: Any) -> None:
        kwargs.setdefault("layout", EMPTY_LAYOUT)
        super().__init__(workdir, **kwargs)

    def start(self) -> None:
        if self.venv is None:
            self.venv = SPEC.ensure_installed()
        super().start()
