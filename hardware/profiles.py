"""Room audio profiles (YAML) and built-in profiles for common microphone arrays.

Built-in geometries follow the ODAS configuration files (introlab/odas,
``config/odaslive/*.cfg``), which match the vendors' published spacing (ReSpeaker
4-mic: 81.27 mm between opposite mics; 6-mic: 46.3 mm radius). Positions are in mm,
x/y in the board plane, channel order as the device delivers them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML, YAMLError

from samantha.hardware.errors import ProfileError

Position = tuple[float, float] | tuple[float, float, float]


class ProcessingConfig(BaseModel):
    """Which array processing a room applies (in this order)."""

    model_config = ConfigDict(extra="forbid")

    dc_removal: bool = True
    mode: Literal["beamform", "best_channel", "channel"] = "beamform"
    channel: int = Field(0, ge=0, description="mic used when mode is 'channel'")
    doa: bool = True
    doa_window_ms: int = Field(256, ge=32, le=2000)
    doa_min_confidence: float = Field(
        0.1, ge=0, le=1, description="mean GCC-PHAT peak below which a window is ignored"
    )
    dead_channel_check: bool = True
    dead_channel_db: float = Field(-15.0, lt=0)
    agc: bool = True
    agc_target_dbfs: float = Field(-20.0, le=0)
    agc_max_gain_db: float = Field(30.0, ge=0)
    max_delay_samples: float = Field(
        64.0, gt=0, description="GCC-PHAT search range when the geometry is unknown"
    )


class AudioProfile(BaseModel):
    """How one room's microphone and speaker are wired up.

    ``channels`` is what the device delivers; ``channel_map`` picks and orders the mic
    channels among them (others, like a loopback or a firmware-processed channel, are
    ignored); ``geometry_mm`` gives one position per mapped mic.
    """

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    backend: Literal["portaudio", "file", "network"] = "portaudio"
    device: str | int | None = Field(None, description="capture device name (substring) or index")
    device_match: list[str] = Field(
        default_factory=list, description="device-name substrings used by platform detection"
    )
    file: Path | None = Field(None, description="WAV file for the 'file' backend")
    realtime: bool = True
    sample_rate: int = Field(16000, gt=0, description="rate the device is opened at")
    channels: int = Field(1, ge=1, le=32)
    channel_map: list[int] | None = None
    geometry_mm: list[Position] | None = None
    gain_db: float = Field(0.0, ge=-40, le=40)
    frame_ms: int = Field(32, ge=5, le=500)
    output_device: str | int | None = None
    output_sample_rate: int | None = None
    led_ring: str | None = Field(None, description="LED ring driver name, if the array has one")
    processing: ProcessingConfig = Field(default_factory=ProcessingConfig)

    @field_validator("channel_map")
    @classmethod
    def _unique(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError(f"channel_map has repeated channels: {value}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> AudioProfile:
        mics = self.mic_channels
        bad = [c for c in mics if c < 0 or c >= self.channels]
        if bad:
            raise ValueError(
                f"channel_map {mics} refers to channels {bad}, "
                f"but the device has {self.channels} channels (0..{self.channels - 1})"
            )
        if self.geometry_mm is not None and len(self.geometry_mm) != len(mics):
            raise ValueError(
                f"geometry_mm has {len(self.geometry_mm)} positions for {len(mics)} mics"
            )
        if self.processing.mode == "channel" and self.processing.channel >= len(mics):
            raise ValueError(
                f"processing.channel {self.processing.channel} is not one of the {len(mics)} mics"
            )
        if self.backend == "file" and self.file is None:
            raise ValueError("backend 'file' needs a 'file' path")
        return self

    @property
    def mic_channels(self) -> list[int]:
        if self.channel_map is not None:
            return list(self.channel_map)
        return list(range(self.channels))

    @property
    def frame_size(self) -> int:
        return max(1, self.sample_rate * self.frame_ms // 1000)


_BUILTIN: dict[str, dict[str, Any]] = {
    "respeaker_4mic_hat": {
        "description": "Seeed ReSpeaker 4-Mic Array HAT for Raspberry Pi (AC108, 12 APA102 LEDs)",
        "device": "seeed-4mic-voicecard",
        "device_match": ["seeed-4mic-voicecard", "ac108"],
        "channels": 4,
        "geometry_mm": [(-40.5, 0.0), (0.0, 40.5), (40.5, 0.0), (0.0, -40.5)],
        "led_ring": "apa102",
    },
    "respeaker_6mic_hat": {
        "description": "Seeed ReSpeaker 6-Mic Circular Array for Raspberry Pi "
        "(8 channels: 6 mics + 2 playback loopback)",
        "device": "seeed-8mic-voicecard",
        "device_match": ["seeed-8mic-voicecard", "seeed-6mic"],
        "channels": 8,
        "channel_map": [0, 1, 2, 3, 4, 5],
        "geometry_mm": [
            (-23.2, 40.1),
            (-46.3, 0.0),
            (-23.2, -40.1),
            (23.2, -40.1),
            (46.3, 0.0),
            (23.2, 40.1),
        ],
        "led_ring": "apa102",
    },
    "respeaker_usb_4mic": {
        "description": "Seeed ReSpeaker USB Mic Array v2.0, 6-channel firmware "
        "(ch0 processed, ch1-4 raw mics, ch5 playback)",
        "device": "ReSpeaker 4 Mic Array",
        "device_match": ["ReSpeaker 4 Mic Array", "ReSpeaker USB", "SEEED"],
        "channels": 6,
        "channel_map": [1, 2, 3, 4],
        "geometry_mm": [(-32.0, 0.0), (0.0, -32.0), (32.0, 0.0), (0.0, 32.0)],
        "led_ring": "respeaker_usb",
    },
    "ps3_eye": {
        "description": "Sony PlayStation Eye camera, 4-mic linear array",
        "device": "USB Camera-B4.09.24.1",
        "device_match": ["USB Camera-B4.09.24.1", "CameraB409241", "OV534"],
        "channels": 4,
        "geometry_mm": [(0.0, -30.0), (0.0, 10.0), (0.0, -10.0), (0.0, 30.0)],
    },
    "generic_usb_mic": {
        "description": "Any mono USB or I2S microphone (no array processing)",
        "device": None,
        "channels": 1,
        "processing": {"mode": "channel", "doa": False},
    },
}


def builtin_profiles() -> dict[str, AudioProfile]:
    """All built-in profiles by name."""
    return {name: AudioProfile(name=name, **spec) for name, spec in _BUILTIN.items()}


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def profile_from_dict(data: dict[str, Any], *, where: str = "profile") -> AudioProfile:
    """Build a profile; ``base: <built-in name>`` inherits a built-in and overrides it."""
    spec = dict(data)
    base = spec.pop("base", None)
    if base is not None:
        if base not in _BUILTIN:
            known = ", ".join(sorted(_BUILTIN))
            raise ProfileError(where, f"unknown base profile {base!r}", f"known: {known}")
        spec = _merge({"name": base, **_BUILTIN[base]}, spec)
    spec.setdefault("name", base or Path(where).stem)
    try:
        return AudioProfile.model_validate(spec)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'profile'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ProfileError(where, f"invalid profile: {problems}") from None


def load_profile(name_or_path: str | Path) -> AudioProfile:
    """A built-in profile by name, or a profile from a YAML file."""
    key = str(name_or_path)
    if key in _BUILTIN:
        return builtin_profiles()[key]
    path = Path(key)
    if not path.is_file():
        raise ProfileError(
            key,
            "no such built-in profile or YAML file",
            f"built-ins: {', '.join(sorted(_BUILTIN))}",
        )
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (YAMLError, OSError, UnicodeDecodeError) as exc:
        raise ProfileError(str(path), f"cannot read YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ProfileError(str(path), "the YAML must be a mapping of profile fields")
    return profile_from_dict(data, where=str(path))
