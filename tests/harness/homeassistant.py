"""A real Home Assistant Core for integration tests.

`ensure_installed()` builds HA's cached venv once (harness.ha_venv); `HomeAssistant` runs one
instance from it with a throw-away config dir, a free port on 127.0.0.1 and a long-lived token
made by onboarding.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.ha_venv import HaVenv, log, venv_python

HA_VERSION = "2024.3.3"

# What HA 2024.3 sets up without default_config (frontend & co. are always loaded) plus what
# `demo:` pulls in. With all of them present HA never needs pip at run time.
INTEGRATION_REQUIREMENTS: tuple[str, ...] = (
    "home-assistant-frontend==20240307.0",
    "hassil==1.6.1",
    "home-assistant-intents==2024.3.12",
    "SQLAlchemy==2.0.27",
    "fnv-hash-fast==0.5.0",
    "psutil-home-assistant==0.0.1",
    "securetar==2024.2.1",
    "janus==1.0.0",
    "Pillow==10.2.0",
    "PyTurboJPEG==1.7.1",
    "ha-ffmpeg==3.1.0",
    "mutagen==1.47.0",
)
# josepy 2.x breaks acme (hass-nabucasa), which makes every HTTP request of HA 2024.3 a 500.
EXTRA_CONSTRAINTS: tuple[str, ...] = ("josepy<2",)

SPEC = HaVenv(
    version=HA_VERSION,
    requirements=INTEGRATION_REQUIREMENTS,
    constraints=EXTRA_CONSTRAINTS,
    pythons=((3, 11), (3, 12)),
    python_env="SAMANTHA_HA_PYTHON",
    probe=(
        "import importlib.metadata as m, homeassistant.const as c, josepy, hass_frontend, aiohttp;"
        f"assert c.__version__ == {HA_VERSION!r}, c.__version__;"
        "assert int(m.version('josepy').split('.')[0]) < 2, m.version('josepy')"
    ),
)

# Where the demo entities live. The demo integration creates devices but no areas, and areas
# cannot be declared in YAML, so the harness creates them over the websocket on first start.
# Some go through the device (the common real-world case), some straight on the entity.
DEMO_LAYOUT: dict[str, Any] = {
    # 2024.3 already has a floor registry, but its area commands cannot set floor_id yet.
    "floors": [{"name": "Ground Floor", "level": 0}],
    "areas": [
        {"name": "Living Room", "aliases": ["Lounge"]},
        {"name": "Kitchen"},
        {"name": "Bedroom"},
        {"name": "Office"},
        {"name": "Hallway"},
        {"name": "Garage"},
    ],
    "device_areas": {
        "light.living_room_rgbww_lights": "Living Room",
        "light.bed_light": "Bedroom",
        "light.office_rgbw_lights": "Office",
        "climate.hvac": "Living Room",
        "cover.living_room_window": "Living Room",
    },
    "entity_areas": {
        "light.kitchen_lights": "Kitchen",
        "light.ceiling_lights": "Living Room",
        "light.entrance_color_white_lights": "Hallway",
        "cover.kitchen_window": "Kitchen",
        "cover.hall_window": "Hallway",
        "cover.garage_door": "Garage",
        "climate.ecobee": "Bedroom",
        "climate.heatpump": "Office",
        "switch.decorative_lights": "Living Room",
    },
    "entity_aliases": {
        "light.bed_light": ["Bedside lamp"],
        "light.kitchen_lights": ["Kitchen spots"],
    },
    # Integrations set up through their config flow (no YAML): a to-do list.
    "config_flows": ["shopping_list"],
}


def cache_dir() -> Path:
    return SPEC.cache_dir()


def ensure_installed() -> Path:
    """Return the path of a complete HA venv, building it first if missing or broken."""
    return SPEC.ensure_installed()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def offline_configuration(name: str) -> str:
    """The start of an offline test HA's configuration.yaml (`{port}` still to fill in): no
    default_config, loopback only, a fixed place and time zone."""
    return f"""\
homeassistant:
  name: {name}
  latitude: 52.37
  longitude: 4.89
  elevation: 0
  unit_system: metric
  time_zone: UTC
  currency: EUR
  country: NL
http:
  server_host: 127.0.0.1
  server_port: {{port}}
logger:
  default: warning
api:
"""


CONFIGURATION_YAML = offline_configuration("Samantha Test Home") + """\
demo:
# Kinds the demo integration of 2024.3 lacks: a scene and a script (a to-do list comes from
# the shopping_list config flow at bootstrap, see DEMO_LAYOUT).
scene:
  - name: Movie Night
    entities:
      light.ceiling_lights: "off"
script:
  evening:
    alias: Evening Routine
    sequence:
      - service: light.turn_on
        target:
          entity_id: light.bed_light
"""

# Run with the HA venv's python (it has aiohttp). Onboarding over REST gives a 30-minute token;
# only the websocket can turn that into a long-lived one. The core_config onboarding step is
# skipped on purpose: it starts config flows that want pip and the internet.
_BOOTSTRAP = r"""
import asyncio, json, sys, time
import aiohttp

async def ws_session(s, base, token):
    ws = await s.ws_connect(base + "/api/websocket")
    await ws.receive_json()
    await ws.send_json({"type": "auth", "access_token": token})
    reply = await ws.receive_json()
    if reply["type"] != "auth_ok":
        raise SystemExit("websocket auth failed: " + reply["type"])
    return ws

class Ws:
    def __init__(self, ws):
        self.ws, self.n = ws, 0
    async def cmd(self, kind, **data):
        self.n += 1
        await self.ws.send_json({"id": self.n, "type": kind, **data})
        while True:
            msg = await self.ws.receive_json()
            if msg.get("id") == self.n and msg["type"] == "result":
                if not msg["success"]:
                    raise SystemExit(f"{kind} failed: {msg['error']}")
                return msg["result"]

async def wait_running(s, base, token, deadline):
    while True:
        try:
            async with s.get(base + "/api/config",
                             headers={"Authorization": "Bearer " + token}) as r:
                if r.status == 200 and (await r.json()).get("state") == "RUNNING":
                    return
        except aiohttp.ClientError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("Home Assistant did not reach RUNNING in time")
        await asyncio.sleep(0.2)

async def layout(ws, plan):
    floors = {f["name"] for f in await ws.cmd("config/floor_registry/list")}
    for floor in plan.get("floors", []):
        if floor["name"] not in floors:
            await ws.cmd("config/floor_registry/create", **floor)
    areas = {a["area_id"]: a for a in await ws.cmd("config/area_registry/list")}
    by_name = {a["name"]: a["area_id"] for a in areas.values()}
    for area in plan["areas"]:
        if area["name"] not in by_name:
            made = await ws.cmd("config/area_registry/create", **area)
            by_name[area["name"]] = made["area_id"]
        elif area.get("aliases"):
            # Onboarding already made Living Room, Kitchen and Bedroom.
            await ws.cmd("config/area_registry/update", area_id=by_name[area["name"]],
                         aliases=area["aliases"])
    entries = {e["entity_id"]: e for e in await ws.cmd("config/entity_registry/list")}
    for entity_id, area in plan["device_areas"].items():
        await ws.cmd("config/device_registry/update",
                     device_id=entries[entity_id]["device_id"], area_id=by_name[area])
    for entity_id, area in plan["entity_areas"].items():
        await ws.cmd("config/entity_registry/update", entity_id=entity_id,
                     area_id=by_name[area])
    for entity_id, aliases in plan["entity_aliases"].items():
        await ws.cmd("config/entity_registry/update", entity_id=entity_id, aliases=aliases)

async def config_flows(s, base, token, handlers):
    auth = {"Authorization": "Bearer " + token}
    for handler in handlers:
        r = await s.post(base + "/api/config/config_entries/flow", headers=auth,
                         json={"handler": handler, "show_advanced_options": False})
        flow = await r.json()
        if flow.get("type") == "form":
            r = await s.post(base + "/api/config/config_entries/flow/" + flow["flow_id"],
                             headers=auth, json={})
            flow = await r.json()
        if flow.get("type") != "create_entry":
            raise SystemExit(f"config flow {handler} did not finish: {flow}")

async def main():
    base, timeout = sys.argv[1], float(sys.argv[2])
    plan = json.loads(sys.stdin.read())
    deadline = time.monotonic() + timeout
    cid = base + "/"
    async with aiohttp.ClientSession() as s:
        r = await s.post(base + "/api/onboarding/users", json={
            "client_id": cid, "name": "Samantha Tests", "username": "samantha",
            "password": "samantha-test-password", "language": "en"})
        if r.status != 200:
            raise SystemExit(f"onboarding refused: {r.status} {await r.text()}")
        code = (await r.json())["auth_code"]
        r = await s.post(base + "/auth/token", data={
            "grant_type": "authorization_code", "code": code, "client_id": cid})
        access = (await r.json())["access_token"]
        auth = {"Authorization": "Bearer " + access}
        await s.post(base + "/api/onboarding/analytics", headers=auth)
        await s.post(base + "/api/onboarding/integration", headers=auth,
                     json={"client_id": cid, "redirect_uri": cid})
        ws = Ws(await ws_session(s, base, access))
        token = await ws.cmd("auth/long_lived_access_token",
                             client_name="samantha-tests", lifespan=3650)
        await wait_running(s, base, token, deadline)
        await layout(ws, plan)
        await config_flows(s, base, token, plan.get("config_flows", []))
        await ws.ws.close()
    print(json.dumps({"token": token}))

asyncio.run(main())
"""

_RUNNING: set[HomeAssistant] = set()


@atexit.register
def _stop_leftovers() -> None:
    # A crashed test session must not leave hass processes behind.
    for instance in list(_RUNNING):
        with contextlib.suppress(Exception):
            instance.stop()


class HomeAssistantStartError(RuntimeError):
    pass


class HomeAssistant:
    """One Home Assistant Core process with its own config dir under `workdir`."""

    # Subclasses running another release (tests/harness/ha_voice.py) give their own.
    configuration_yaml = CONFIGURATION_YAML

    def __init__(
        self,
        workdir: Path | str,
        *,
        venv: Path | None = None,
        layout: Mapping[str, Any] | None = None,
        start_timeout: float = 120.0,
    ) -> None:
        self.workdir = Path(workdir)
        self.config_dir = self.workdir / "config"
        self.venv = venv
        self.layout = dict(DEMO_LAYOUT if layout is None else layout)
        self.start_timeout = start_timeout
        self.port: int | None = None
        self.token: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    # -- addresses -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("Home Assistant has not been started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/websocket"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def log_path(self) -> Path:
        return self.workdir / "hass.out"

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        """Start HA; the first start also onboards, makes a token and applies the layout."""
        if self.running:
            return
        if self.venv is None:
            self.venv = ensure_installed()
        first = self.token is None
        if first:
            if self.config_dir.exists():
                shutil.rmtree(self.config_dir)
            self.config_dir.mkdir(parents=True)
            self.port = free_port()
            (self.config_dir / "configuration.yaml").write_text(
                self.configuration_yaml.format(port=self.port)
            )
        started = time.monotonic()
        self._spawn()
        try:
            deadline = started + self.start_timeout
            if first:
                self._wait_http(deadline)
                self._bootstrap(deadline)
            else:
                self._wait_running(deadline)
        except BaseException:
            self.stop()
            raise
        took = time.monotonic() - started
        log(f"Home Assistant up on {self.url} (pid {self.pid}) in {took:.1f}s")

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, then SIGKILL after `timeout`; always by PID."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"Home Assistant pid {proc.pid} ignored SIGTERM; killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
        self._proc = None
        _RUNNING.discard(self)

    def restart(self) -> None:
        """Stop and start again on the same port and config dir; the token stays valid."""
        self.stop()
        self.start()

    def __enter__(self) -> HomeAssistant:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # -- internals -----------------------------------------------------------------------
    def _spawn(self) -> None:
        assert self.venv is not None
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            self._proc = subprocess.Popen(
                [
                    str(venv_python(self.venv)),
                    "-m",
                    "homeassistant",
                    "--skip-pip",
                    "--log-no-color",
                    "-c",
                    str(self.config_dir),
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                # Own session: a Ctrl-C aimed at pytest must not kill HA mid-test; we stop it.
                start_new_session=True,
            )
        _RUNNING.add(self)

    def _check_alive(self) -> None:
        if not self.running:
            raise HomeAssistantStartError(
                f"Home Assistant exited during start-up:\n{self.log_tail()}"
            )

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Talk to HA's REST API directly (stdlib only), independent of the code under test."""
        return self._request(method, path, self.token, body)

    def call_service(self, domain: str, service: str, **data: Any) -> Any:
        status, result = self.api("POST", f"/api/services/{domain}/{service}", data)
        if status != 200:
            raise RuntimeError(f"{domain}.{service} failed with HTTP {status}")
        return result

    def state(self, entity_id: str) -> dict[str, Any]:
        status, result = self.api("GET", f"/api/states/{entity_id}")
        if status != 200:
            raise RuntimeError(f"reading {entity_id} failed with HTTP {status}")
        return dict(result)

    def _request(
        self, method: str, path: str, token: str | None, body: Any = None
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, None

    def _get(self, path: str, token: str | None = None) -> tuple[int, Any]:
        return self._request("GET", path, token)

    def _poll(self, deadline: float, ready: Any, what: str) -> None:
        while True:
            self._check_alive()
            with contextlib.suppress(OSError, ValueError):
                if ready():
                    return
            if time.monotonic() > deadline:
                raise HomeAssistantStartError(f"timed out waiting for {what}:\n{self.log_tail()}")
            time.sleep(0.1)

    def _wait_http(self, deadline: float) -> None:
        # /api/onboarding needs no token; 200 means the onboarding views are registered.
        self._poll(deadline, lambda: self._get("/api/onboarding")[0] == 200, "the HTTP API")

    def _wait_running(self, deadline: float) -> None:
        def ready() -> bool:
            status, body = self._get("/api/config", self.token)
            return status == 200 and body.get("state") == "RUNNING"

        self._poll(deadline, ready, "state RUNNING")

    def _bootstrap(self, deadline: float) -> None:
        assert self.venv is not None
        remaining = max(deadline - time.monotonic(), 1.0)
        result = subprocess.run(
            [str(venv_python(self.venv)), "-c", _BOOTSTRAP, self.url, str(remaining)],
            input=json.dumps(self.layout),
            capture_output=True,
            text=True,
            timeout=remaining + 10,
            check=False,
        )
        if result.returncode != 0:
            raise HomeAssistantStartError(
                f"token bootstrap failed: {result.stderr[-2000:]}\n{self.log_tail()}"
            )
        self.token = json.loads(result.stdout)["token"]


@contextlib.contextmanager
def running_home_assistant(workdir: Path | str, **kwargs: Any) -> Iterator[HomeAssistant]:
    """Context manager form, for scripts outside pytest."""
    ha = HomeAssistant(workdir, **kwargs)
    try:
        ha.start()
        yield ha
    finally:
        ha.stop()


__all__: Sequence[str] = [
    "DEMO_LAYOUT",
    "HA_VERSION",
    "HomeAssistant",
    "HomeAssistantStartError",
    "cache_dir",
    "ensure_installed",
    "free_port",
    "running_home_assistant",
]
