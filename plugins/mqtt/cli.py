"""`samantha mqtt status`: the MQTT layer's health as a fresh start sees it.

It starts the house as `samantha devices` does (so it waits for the broker's retained
discovery), then prints the connection, refused subscriptions, unreachable devices and the
bad input seen; `--json` for scripts and a future `samantha doctor`. Exit code 1 when the
broker is not connected or something was refused, so it can gate a health check.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from samantha.cli import config_option, fail, with_house

if TYPE_CHECKING:
    from samantha.house import House


@click.group("mqtt")
def mqtt_group() -> None:
    """The MQTT broker connection and devices."""


@mqtt_group.command("status")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the health as JSON.")
def status(config_path: Path | None, as_json: bool) -> None:
    """Connection, refused subscriptions, unreachable devices and bad input seen."""

    from samantha.plugins.mqtt.provider import MqttProvider  # only when the command runs

    async def work(house: House) -> dict[str, Any] | None:
        provider = house.providers.get(MqttProvider.name)
        return provider.health() if isinstance(provider, MqttProvider) else None

    health = with_house(config_path, work, one_shot=True)
    if health is None:
        fail("this configuration has no working `mqtt:` section (see the log above)")
        return
    if as_json:
        click.echo(json.dumps(health, ensure_ascii=False))
    else:
        _print(health)
    devices = health["devices"]
    healthy = health["connected"] and not health["refused_subscriptions"] and not devices.get(
        "refused")
    sys.exit(0 if healthy else 1)


def _print(health: dict[str, Any]) -> None:
    devices = health["devices"]
    state = "connected" if health["connected"] else "NOT connected"
    click.echo(f"broker {health['broker']}: {state} (connects {health['connects']}, "
               f"disconnects {health['disconnects']})")
    if health["last_error"]:
        click.echo(f"  last error: {health['last_error']}")
    click.echo(f"subscriptions: {health['subscriptions']}, refused: "
               f"{len(health['refused_subscriptions'])}")
    for pattern, why in health["refused_subscriptions"].items():
        click.echo(f"  refused {pattern!r}: {why}")
    click.echo(f"devices: {devices.get('entities', 0)} (at most {devices.get('max_entities')}),"
               f" unavailable: {len(devices.get('unavailable', []))}, refused: "
               f"{len(devices.get('refused', {}))}")
    for uid in devices.get("unavailable", []):
        click.echo(f"  unavailable: {uid}")
    for uid, why in devices.get("refused", {}).items():
        click.echo(f"  refused: {uid}: {why}")
    click.echo(f"commands queued: {health['queued_commands']}, refused publishes: "
               f"{health['refused_publishes']}")
    click.echo(f"invalid messages ignored: {devices.get('invalid_messages', 0)}")
    for line in devices.get("recent_problems", []):
        click.echo(f"  {line}")
