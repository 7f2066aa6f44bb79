"""A house with one virtual device of every kind (a list twice, people twice)."""

from __future__ import annotations

from pathlib import Path

EVERY_KIND = """
name: Every Kind House
language: en
rooms:
  - {name: Kitchen, floor: ground floor}
  - {name: Living Room, floor: ground floor}
  - {name: Bedroom, floor: first floor}
alarm:
  code: !secret alarm_code
devices:
  - {name: Ceiling Light, room: Kitchen, kind: light}
  - {name: Counter Lights, room: Kitchen, kind: light}
  - {name: Kettle, room: Kitchen, kind: switch}
  - {name: Desk Fan, room: Bedroom, kind: fan}
  - {name: Bedroom Blinds, room: Bedroom, kind: cover, device_class: blind}
  - {name: Thermostat, room: Living Room, kind: climate,
     state: {target_temperature: 21, current_temperature: 19.5}}
  - {name: Back Door, room: Kitchen, kind: lock}
  - {name: Furnace, room: Kitchen, kind: sensor, device_class: temperature,
     state: {value: 48.5, unit: "°C"}}
  - {name: Window Contact, room: Bedroom, kind: binary_sensor, device_class: window}
  - {name: Living Room TV, room: Living Room, kind: media_player, aliases: [tv]}
  - {name: Movie Night, kind: scene}
  - {name: Bedtime, kind: script}
  - {name: Doorbell, room: Kitchen, kind: button}
  - {name: Weather Station, kind: weather,
     state: {condition: rainy, temperature: 11.5,
             forecast: [{datetime: tomorrow, condition: sunny, temperature: 18, templow: 9}]}}
  - {name: Shopping List, kind: todo}
  - {name: Chores, kind: todo}
  - {name: Garden Tap, room: Kitchen, kind: valve}
  - {name: Robot Vacuum, kind: vacuum}
  - {name: Mower, kind: lawn_mower}
  - {name: House Alarm, kind: alarm_control_panel, code: !secret alarm_code}
  - {name: Anna, kind: person, state: {state: home}}
  - {name: Ben, kind: person, state: {state: not_home}}
"""
ALARM_CODE = "4711-secret"


def write_house(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "secrets.yaml").write_text(f"alarm_code: '{ALARM_CODE}'\n")
    path = directory / "samantha.yaml"
    path.write_text(EVERY_KIND)
    return path
