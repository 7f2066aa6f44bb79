"""Settings parsing, the exposure allow-list and room-to-area resolution."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from samantha.plugins.homeassistant.models import Area, Snapshot
from samantha.plugins.homeassistant.settings import ExposureSettings, HomeAssistantSettings


def test_url_forms_and_secret_token() -> None:
    settings = HomeAssistantSettings(url="http://ha.local:8123/api/", token="s3cret")
    assert settings.url == "http://ha.local:8123"
    assert settings.api_url == "http://ha.local:8123/api"
    assert settings.ws_url == "ws://ha.local:8123/api/websocket"
    assert "s3cret" not in repr(settings)
    tls = HomeAssistantSettings(url="https://ha.example/api/websocket", token="t")
    assert tls.ws_url == "wss://ha.example/api/websocket"
    with pytest.raises(ValidationError):
        HomeAssistantSettings(url="ha.local:8123", token="t")
    with pytest.raises(ValidationError):
        HomeAssistantSettings(url="http://ha", token="t", unknown_key=1)  # type: ignore[call-arg]


def test_default_exposure() -> None:
    exposed = ExposureSettings()
    assert exposed.is_exposed("light.kitchen")
    assert exposed.is_exposed("cover.blind", device_class="window")
    assert not exposed.is_exposed("lock.front_door")
    assert not exposed.is_exposed("alarm_control_panel.home")
    assert not exposed.is_exposed("cover.garage_door", device_class="garage")
    assert not exposed.is_exposed("cover.drive", device_class="gate")
    assert not exposed.is_exposed("light.hidden_member", hidden=True)
    assert not exposed.is_exposed("sensor.battery", entity_category="diagnostic")


def test_sensitive_things_need_naming() -> None:
    by_entity = ExposureSettings(entities=["lock.front_door", "cover.garage_door"])
    assert by_entity.is_exposed("lock.front_door")
    assert by_entity.is_exposed("cover.garage_door", device_class="garage")
    assert not by_entity.is_exposed("lock.back_door")
    by_domain = ExposureSettings(domains=["lock"], device_classes=["garage"])
    assert by_domain.is_exposed("lock.back_door")
    assert not by_domain.is_exposed("cover.garage_door", device_class="garage")
    with_covers = ExposureSettings(domains=["cover"], device_classes=["garage"])
    assert with_covers.is_exposed("cover.garage_door", device_class="garage")


def test_areas_and_exclusions() -> None:
    exposed = ExposureSettings(areas=["Kitchen"], exclude_entities=["light.kitchen_spots"])
    assert exposed.is_exposed("light.a", area_id="kitchen", area_name="Kitchen")
    assert not exposed.is_exposed("light.b", area_id="office", area_name="Office")
    assert not exposed.is_exposed("light.c")
    assert not exposed.is_exposed("light.kitchen_spots", area_id="kitchen")
    assert ExposureSettings(areas=["living_room"]).is_exposed(
        "light.d", area_id="living_room", area_name="Living Room"
    )


def test_room_to_area() -> None:
    snapshot = Snapshot(
        ha_version="x",
        areas=[
            Area(id="living_room", name="Living Room", aliases=["Lounge"]),
            Area(id="kitchen", name="Kitchen"),
        ],
    )
    assert snapshot.area_for_room("living room") == snapshot.areas[0]
    assert snapshot.area_for_room("lounge") == snapshot.areas[0]
    assert snapshot.area_for_room("Living_Room") == snapshot.areas[0]
    assert snapshot.area_for_room("cuisine", {"Cuisine": "kitchen"}) == snapshot.areas[1]
    assert snapshot.area_for_room("attic") is None
