"""The ``samantha audio`` command group (registered into the main CLI by the core)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from samantha.hardware.errors import AudioError


@click.group(name="audio")
def audio() -> None:
    """Microphones, speakers and mic arrays."""


@audio.command()
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def devices(as_json: bool) -> None:
    """List capture and playback devices with their channel counts."""
    from samantha.hardware.portaudio import list_devices

    try:
        found = list_devices()
    except AudioError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps([d.as_dict() for d in found], indent=2))
        return
    table = Table(title="Audio devices")
    for col in ("#", "name", "host API", "in", "out", "default rate"):
        table.add_column(col)
    for d in found:
        table.add_row(
            str(d.index), d.name, d.hostapi, str(d.max_input_channels),
            str(d.max_output_channels), f"{d.default_samplerate:.0f}",
        )  # fmt: skip
    Console().print(table)
    if not found:
        click.echo("PortAudio sees no devices (no sound card, or missing ALSA/Pulse config).")


@audio.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--profile", "profile_name", help="built-in profile name or YAML file")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def analyze(file: Path, profile_name: str | None, as_json: bool) -> None:
    """Per-channel level, delay vs channel 0, direction, dead channels, SNR gain."""
    try:
        # numpy/scipy load only when analysing, so `samantha` itself starts fast.
        from samantha.hardware.analyze import analyze_file
        from samantha.hardware.profiles import load_profile

        profile = load_profile(profile_name) if profile_name else None
        report = analyze_file(file, profile)
    except AudioError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    table = Table(title=f"{file} ({report.channels} ch, {report.sample_rate} Hz)")
    for col in ("ch", "rms dBFS", "peak dBFS", "delay (samples)", "SNR dB", "dead"):
        table.add_column(col)
    for c in report.per_channel:
        table.add_row(
            str(c.index), f"{c.rms_dbfs:.1f}", f"{c.peak_dbfs:.1f}", f"{c.delay_samples:+.2f}",
            f"{c.snr_db:.1f}", "DEAD" if c.dead else "",
        )  # fmt: skip
    console = Console()
    console.print(table)
    if report.direction:
        side = " (angle to array axis)" if report.direction.ambiguous else ""
        console.print(f"direction of arrival: {report.direction.azimuth_deg:.0f}°{side}")
    beam = report.snr_beamformed_db
    console.print(
        f"SNR best channel ({report.best_channel}): {report.snr_best_channel_db:.1f} dB"
        + (f", beamformed: {beam:.1f} dB" if beam is not None else "")
    )
