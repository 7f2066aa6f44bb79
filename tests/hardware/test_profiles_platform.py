"""Profiles (built-in and YAML) and board detection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from samantha.hardware.errors import ProfileError
from samantha.hardware.platform import detect_platform, propose_profile
from samantha.hardware.portaudio import DeviceInfo
from samantha.hardware.profiles import builtin_profiles, load_profile


def test_builtin_profiles_have_real_geometries() -> None:
    profiles = builtin_profiles()
    assert {"respeaker_4mic_hat", "respeaker_6mic_hat", "respeaker_usb_4mic", "ps3_eye"} <= set(
        profiles
    )
    hat4 = np.array(profiles["respeaker_4mic_hat"].geometry_mm)
    # Opposite mics 81 mm apart (Seeed's MIC_DISTANCE_4 = 81.27 mm).
    assert abs(np.linalg.norm(hat4[0] - hat4[2]) - 81.0) < 0.5
    hat6 = np.array(profiles["respeaker_6mic_hat"].geometry_mm)
    assert np.allclose(np.linalg.norm(hat6, axis=1), 46.3, atol=0.1)
    assert profiles["respeaker_usb_4mic"].mic_channels == [1, 2, 3, 4]
    eye = np.array(profiles["ps3_eye"].geometry_mm)
    assert np.allclose(np.diff(np.sort(eye[:, 1])), 20.0)


def test_yaml_profile_inherits_a_builtin(tmp_path: Path) -> None:
    path = tmp_path / "kitchen.yaml"
    path.write_text(
        "base: respeaker_4mic_hat\nname: kitchen\ngain_db: 6\n"
        "processing:\n  mode: best_channel\n  agc: false\n"
    )
    p = load_profile(path)
    assert p.name == "kitchen" and p.channels == 4 and p.gain_db == 6
    assert p.processing.mode == "best_channel" and not p.processing.agc
    assert p.processing.doa  # untouched defaults survive the merge


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("channels: 2\nchannel_map: [0, 3]\n", r"channel_map \[0, 3\] refers to channels \[3\]"),
        ("channels: 2\ngeometry_mm: [[0, 0]]\n", "geometry_mm has 1 positions for 2 mics"),
        ("base: respeaker_9mic\n", "unknown base profile 'respeaker_9mic'"),
        ("channels: [oops\n", "cannot read YAML"),
        ("chanels: 2\n", "chanels: Extra inputs are not permitted"),
    ],
)
def test_bad_profiles_say_where_and_why(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "room.yaml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=message) as info:
        load_profile(path)
    assert str(path) in str(info.value)


def test_unknown_profile_lists_builtins() -> None:
    with pytest.raises(ProfileError, match=r"built-ins: .*respeaker_4mic_hat"):
        load_profile("no_such_profile")


@pytest.mark.parametrize(
    ("model", "kind", "gen"),
    [
        (b"Raspberry Pi 4 Model B Rev 1.4\0", "raspberry_pi", 4),
        (b"Raspberry Pi 5 Model B Rev 1.0\0", "raspberry_pi", 5),
        (b"Raspberry Pi Zero 2 W Rev 1.0\0", "raspberry_pi", 2),
        (b"NVIDIA Jetson Nano Developer Kit\0", "jetson", None),
        (b"NVIDIA Jetson Orin Nano Developer Kit\0", "jetson", None),
        (b"Some x86 board\0", "other", None),
    ],
)
def test_platform_detection(tmp_path: Path, model: bytes, kind: str, gen: int | None) -> None:
    path = tmp_path / "model"
    path.write_bytes(model)
    info = detect_platform(path)
    assert (info.kind, info.pi_generation) == (kind, gen)
    assert info.model == model.rstrip(b"\0").decode()


def test_profile_proposal(tmp_path: Path) -> None:
    assert detect_platform(tmp_path / "missing").kind == "other"
    pi = detect_platform(tmp_path / "missing")
    hat = DeviceInfo(2, "seeed-4mic-voicecard: - (hw:1,0)", "ALSA", 4, 0, 16000.0)
    usb = DeviceInfo(3, "USB PnP Sound Device: Audio (hw:2,0)", "ALSA", 1, 0, 44100.0)
    assert propose_profile(pi, [usb, hat]).profile == "respeaker_4mic_hat"
    generic = propose_profile(pi, [usb])
    assert (generic.profile, generic.device) == ("generic_usb_mic", usb.name)
    assert propose_profile(pi, []).device is None
