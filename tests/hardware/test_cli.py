"""`samantha audio analyze` and `audio devices` through the click group."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from samantha.hardware.cli import audio

from .conftest import ArrayRecordings


def test_analyze_json_without_profile(recordings: ArrayRecordings) -> None:
    result = CliRunner().invoke(audio, ["analyze", str(recordings.array4), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    delays = [c["delay_samples"] for c in report["per_channel"]]
    assert [round(d) for d in delays] == [0, 8, 16, 24]
    assert report["direction"] is None  # geometry-free without a profile
    assert report["dead_channels"] == []
    assert report["beamforming_gain_db"] >= 3.0
    assert report["snr_beamformed_db"] > report["snr_best_channel_db"]


def test_analyze_dead_channel_and_profile(recordings: ArrayRecordings) -> None:
    result = CliRunner().invoke(
        audio, ["analyze", str(recordings.dead4), "--profile", "respeaker_4mic_hat", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["dead_channels"] == [3]
    assert report["profile"] == "respeaker_4mic_hat"
    assert report["direction"] is not None


def test_analyze_errors_are_one_clear_line(tmp_path: Path, recordings: ArrayRecordings) -> None:
    runner = CliRunner()
    missing = runner.invoke(audio, ["analyze", str(tmp_path / "none.wav")])
    assert missing.exit_code == 1
    assert "none.wav: file does not exist" in missing.output
    assert "Traceback" not in missing.output
    args = ["analyze", str(recordings.array4), "--profile", "respeaker_6mic_hat"]
    wrong = runner.invoke(audio, args)
    assert wrong.exit_code == 1
    assert "has 4 channels; profile 'respeaker_6mic_hat' expects 8" in wrong.output
    human = runner.invoke(audio, ["analyze", str(recordings.array4)])
    assert human.exit_code == 0 and "beamformed" in human.output
