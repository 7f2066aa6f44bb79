"""The `homeassistant:` section of Samantha's configuration."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

DEFAULT_DOMAINS: tuple[str, ...] = (
    "light",
    "switch",
    "cover",
    "climate",
    "fan",
    "media_player",
    "sensor",
    "binary_sensor",
    # the kinds named after HA's newer domains; people (`person`) only when listed
    "scene",
    "script",
    "button",
    "input_button",
    "weather",
    "todo",
    "valve",
    "vacuum",
    "lawn_mower",
)
# Things that open a house to strangers: never exposed by a broad rule such as the default
# domains or an area, only when the user names them.
SENSITIVE_DOMAINS: frozenset[str] = frozenset({"lock", "alarm_control_panel"})
SENSITIVE_COVER_CLASSES: frozenset[str] = frozenset({"garage", "gate"})


def is_sensitive(domain: str, device_class: str | None) -> bool:
    return domain in SENSITIVE_DOMAINS or (
        domain == "cover" and device_class in SENSITIVE_COVER_CLASSES
    )


def _fold(text: str) -> str:
    return " ".join(text.replace("_", " ").casefold().split())


class ExposureSettings(BaseModel):
    """The allow-list of entities Samantha may see and act on."""

    model_config = ConfigDict(extra="forbid")

    domains: list[str] = Field(
        default_factory=lambda: list(DEFAULT_DOMAINS), description="Entity domains exposed by "
        "default (light, switch, ...); locks and alarm panels only when listed here by name.")
    areas: list[str] = Field(
        default_factory=list, description="When non-empty, only entities in these HA areas (id or"
        " name) pass the domain rule.")
    entities: list[str] = Field(
        default_factory=list, description="Entity ids always exposed, even sensitive ones and "
        "ones outside domains/areas.")
    exclude_entities: list[str] = Field(
        default_factory=list, description="Entity ids never exposed.")
    device_classes: list[str] = Field(
        default_factory=list, description="Sensitive cover classes exposed as a whole, e.g. "
        "[garage].")

    def is_exposed(
        self,
        entity_id: str,
        *,
        device_class: str | None = None,
        area_id: str | None = None,
        area_name: str | None = None,
        hidden: bool = False,
        entity_category: str | None = None,
    ) -> bool:
        if entity_id in self.exclude_entities:
            return False
        if entity_id in self.entities:
            return True
        domain = entity_id.partition(".")[0]
        if domain not in self.domains:
            return False
        if domain == "cover" and device_class in SENSITIVE_COVER_CLASSES:
            return device_class in self.device_classes
        # Hidden entities and config/diagnostic ones are plumbing, not things people talk to.
        if hidden or entity_category is not None:
            return False
        if self.areas:
            wanted = {_fold(a) for a in self.areas}
            return any(v is not None and _fold(v) in wanted for v in (area_id, area_name))
        return True


class HomeAssistantSettings(BaseModel):
    """`homeassistant: {url, token: !secret ha_token, verify_ssl, exposed, rooms}`."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        description="HA's base address, e.g. http://homeassistant.local:8123 (a pasted .../api is"
        " trimmed).")
    token: SecretStr = Field(
        description="Long-lived access token (HA profile > Security); use !secret ha_token. Never"
        " logged.")
    verify_ssl: bool = Field(
        True, description="Check HA's TLS certificate (turn off only for a self-signed one you "
        "trust).")
    timeout: float = Field(default=10.0, gt=0, description="Seconds to wait for one HA request.")
    exposed: ExposureSettings = Field(
        default_factory=ExposureSettings, description="The allow-list of entities Samantha may "
        "see and act on.")
    rooms: dict[str, str] = Field(
        default_factory=dict, description="Samantha room (declared in rooms:) -> HA area id or "
        "name, where the names differ.")
    reconnect_initial_delay: float = Field(
        default=1.0, gt=0, description="Seconds before the first attempt to reach HA again; "
        "doubles each time.")
    reconnect_max_delay: float = Field(
        default=60.0, gt=0, description="The longest wait, in seconds, between attempts to reach "
        "HA.")

    @field_validator("url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"expected an http(s) URL such as http://homeassistant.local:8123, got {value!r}"
            )
        path = parts.path.rstrip("/")
        # People paste the API or websocket address too; keep only the base.
        for suffix in ("/api/websocket", "/api"):
            if path.endswith(suffix):
                path = path[: -len(suffix)]
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    @property
    def ws_url(self) -> str:
        scheme, _, rest = self.url.partition("://")
        return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/api/websocket"
