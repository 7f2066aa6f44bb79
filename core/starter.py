"""`samantha init`: a commented starter configuration."""

from __future__ import annotations

from pathlib import Path

STARTER = """\
# samantha.yaml: your home. Check it with:  samantha config check -c samantha.yaml
# Every section and key:  samantha config docs  (the reference for the plugins installed here;
# the same page is docs/configuration.md in Samantha's source, next to docs/getting-started.md
# and docs/troubleshooting.md). Secrets go in secrets.yaml and are used with !secret NAME.
# Rooms are declared in rooms:; devices, automations and the rest may only name declared rooms.
name: My Home
language: en            # sentences and replies; any language home-assistant-intents has

floors:                 # level: 0 ground, 1 above ("upstairs"), -1 below
  - {name: ground floor, level: 0}

rooms:                  # what people call each room; aliases are other names for it
  - name: Kitchen
    floor: ground floor
  - name: Living Room
    aliases: [lounge]
    floor: ground floor

devices:                # virtual devices; real ones come from mqtt: or homeassistant:
  - {name: Ceiling Light, room: Kitchen, kind: light}
  - {name: Floor Lamp, room: Living Room, kind: light}
  - {name: Thermostat, room: Living Room, kind: climate}

intents:                # your own sentences
  GoodMorning:
    sentences: ["good morning"]
    reply: "Good morning! I've opened up the kitchen."
    actions:
      - {action: turn_on, kind: light, room: Kitchen}

# plugins: [my_plugin.py]   # local plugins, relative to this file
{audio}"""

SECRETS = """\
# secrets.yaml: values used with !secret NAME in samantha.yaml. Keep this file private.
# mqtt_password: change-me
"""


def audio_proposal() -> str:
    """A commented note on the microphone found here, for the speech section."""
    from samantha.hardware.platform import detect_platform, propose_profile

    platform = detect_platform()
    try:
        from samantha.hardware.portaudio import list_devices

        devices = list_devices()
    except Exception:  # no PortAudio library: propose from the board alone
        devices = []
    proposal = propose_profile(platform, devices)
    board = platform.model or "this machine"
    return (f"\n# Audio: on {board}, the proposed microphone profile is "
            f"'{proposal.profile}' ({proposal.reason}).\n"
            f"# Use it per room in the speech: section; see docs/hardware.md.\n")


def write_starter(directory: Path, *, force: bool = False) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    config, secrets = directory / "samantha.yaml", directory / "secrets.yaml"
    if config.exists() and not force:
        raise FileExistsError(str(config))
    config.write_text(STARTER.replace("{audio}", audio_proposal()), encoding="utf-8")
    written = [config]
    if not secrets.exists():
        secrets.write_text(SECRETS, encoding="utf-8")
        secrets.chmod(0o600)
        written.append(secrets)
    return written
