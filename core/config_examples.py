"""One example per config section, shown in the configuration reference (samantha.config_docs).

The tests load the core example together with every other one, as a single file, through
`config check`'s own validation: an example that stops being valid fails the suite.
"""

from __future__ import annotations

CORE_KEYS = ("name", "language", "rooms", "plugins")

INTRO = """
One YAML file, `samantha.yaml`, plus `secrets.yaml` beside it. `samantha init DIR` writes a
commented starter; `samantha config check -c samantha.yaml` validates it and names every problem
with file:line:column and a hint (exit code 2). `samantha config schema` prints the JSON Schema
this page is generated from (for editor completion).

- `!secret NAME` reads NAME from `secrets.yaml` (else the environment variable `NAME` in upper
  case); `!include FILE` reads another YAML file relative to the including one.
- Unknown keys are errors, with a "did you mean ...?".
- **Names must be declared**: every room named anywhere (a device's `room`, automations,
  persona, people, satellites, speech, the Home Assistant and MQTT room maps) must be in `rooms:`
  (by name, alias or id, in any case); people are declared in `people:` (or `persona.people`),
  personas in `persona.personas`, devices in `devices:` or `mqtt.devices`. A name nothing
  declares is an error with "did you mean ...?". Device names are not checked when Home
  Assistant or MQTT discovery may add devices at run time.
- Every section but the core's belongs to a plugin; plugins you install contribute theirs:
  `samantha config docs` prints this page for the plugins installed with your copy.
"""

EXAMPLES: dict[str, str] = {
    "core": """\
name: Our Home
language: en
rooms:
  - {name: Kitchen, floor: ground floor}
  - {name: Living Room, aliases: [lounge], floor: ground floor}
  - {name: Office, id: study}
# plugins: [my_plugin.py]
""",
    "floors": """\
floors:
  - {name: Ground Floor, aliases: [downstairs], level: 0}
  - {name: First Floor, aliases: [upstairs], level: 1}
""",
    "devices": """\
devices:
  - {name: Ceiling Light, room: Kitchen, kind: light}
  - {name: Blinds, room: Living Room, kind: cover, device_class: blind}
  - {name: Thermostat, room: Living Room, kind: climate, state: {target_temperature: 21}}
  - {name: Front Door, room: Kitchen, kind: lock}
""",
    "intents": """\
intents:
  GoodNight:
    sentences: ["good night", "[it's] bed time"]
    reply: "Good night."
    actions:
      - {action: turn_off, kind: light, room: all}
""",
    "lists": """\
lists:
  scene: [relax, {in: "movie night", out: movie}]
""",
    "automations": """\
automations:
  - id: evening_lights
    alias: Lamps on at sunset
    triggers: [{trigger: time, at: "19:00"}]
    conditions: [{condition: state, device: Ceiling Light, state: "off"}]
    actions:
      - {command: turn_on, device: Ceiling Light}
      - {say: "I've put the lights on.", room: Kitchen}
""",
    "automation_settings": """\
automation_settings:
  latitude: 51.51
  longitude: -0.13
  timezone: Europe/London
  keep_traces: 20
""",
    "mqtt": """\
mqtt:
  host: 127.0.0.1
  port: 1883
  username: samantha
  password: !secret mqtt_password
  rooms: {lounge_area: Living Room}
  devices:
    - {name: Desk Plug, room: Office, kind: switch, command_topic: cmnd/plug/POWER,
       state_topic: stat/plug/POWER}
""",
    "homeassistant": """\
homeassistant:
  url: http://homeassistant.local:8123
  token: !secret ha_token
  exposed: {entities: [lock.front_door]}
  rooms: {Office: Study}
""",
    "persona": """\
persona:
  personas: [{name: Ada, traits: [precise]}]
  default: Samantha
  rooms: {Office: Ada}
  llm: {base_url: "http://127.0.0.1:11434/v1", model: llama3.2}
  quiet_hours: {start: "22:00", end: "07:00"}
""",
    "people": """\
people:
  anna: {aliases: [annie], rooms: [Living Room], persona: Ada}
""",
    "alarm": """\
alarm:
  code: !secret alarm_code   # sent to alarm panels; never spoken, printed or logged
""",
    "conversation": """\
conversation:
  follow_up_seconds: 120   # "turn it off", "and the bedroom" within two minutes
""",
    "care": """\
care:
  speak_first:
    daily_budget: 2
    presence:
      anna: {device: Front Door, room: Kitchen}   # a device whose on/home means she is in
  habits: {min_days: 4, window_minutes: 30}
""",
    "speech": """\
speech:
  wake: {engine: pocketsphinx, phrases: [hey samantha]}
  stt: {engine: pocketsphinx, mode: grammar}
  tts: {engine: espeak, voice: en-us}
  rooms:
    kitchen: {input: {profile: generic_usb_mic}, output: {sink: device}}
""",
    "satellite": """\
satellite:
  rooms:
    kitchen: {input: {profile: respeaker_4mic_hat}, output: {sink: device}, stt: stream}
""",
    "web": """\
web:
  host: 127.0.0.1
  port: 8770
""",
    "wyoming": """\
wyoming:
  server: {uri: "tcp://127.0.0.1:10700", default_room: Living Room}
""",
}
