"""Board detection (Raspberry Pi, NVIDIA Jetson) and a proposed audio profile for ``init``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from samantha.hardware.portaudio import DeviceInfo
from samantha.hardware.profiles import builtin_profiles

MODEL_PATH = Path("/proc/device-tree/model")


@dataclass(frozen=True, slots=True)
class PlatformInfo:
    kind: Literal["raspberry_pi", "jetson", "other"]
    model: str
    pi_generation: int | None = None


@dataclass(frozen=True, slots=True)
class ProfileProposal:
    profile: str
    device: str | int | None
    reason: str


def detect_platform(model_path: str | Path = MODEL_PATH) -> PlatformInfo:
    """Read the device-tree model string (NUL-terminated) and classify the board."""
    try:
        model = Path(model_path).read_bytes().rstrip(b"\0").decode("utf-8", "replace").strip()
    except OSError:
        return PlatformInfo("other", "")
    if model.startswith("Raspberry Pi"):
        match = re.search(r"Raspberry Pi (?:Compute Module |Zero )?(\d+)", model)
        gen = int(match.group(1)) if match else (1 if "Zero" in model else None)
        return PlatformInfo("raspberry_pi", model, gen)
    if "jetson" in model.lower() or "nvidia" in model.lower():
        return PlatformInfo("jetson", model)
    return PlatformInfo("other", model)


def propose_profile(platform: PlatformInfo, devices: Iterable[DeviceInfo]) -> ProfileProposal:
    """Pick the built-in profile whose device names match a capture device.

    Known arrays win; otherwise the capture device with the most channels is proposed
    with the generic profile (the user then adds geometry if it is an array).
    """
    inputs = [d for d in devices if d.max_input_channels > 0]
    for name, profile in builtin_profiles().items():
        for dev in inputs:
            if any(pat.lower() in dev.name.lower() for pat in profile.device_match):
                return ProfileProposal(name, dev.name, f"found {dev.name!r}")
    board = platform.model or "this machine"
    if not inputs:
        hint = (
            " (ReSpeaker HATs need the seeed-voicecard driver)"
            if platform.kind == "raspberry_pi"
            else ""
        )
        return ProfileProposal("generic_usb_mic", None, f"no capture device on {board}{hint}")
    best = max(inputs, key=lambda d: d.max_input_channels)
    return ProfileProposal(
        "generic_usb_mic", best.name, f"no known array on {board}; using {best.name!r}"
    )
