"""The `wyoming:` section: validation, and engines found through the speech registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from samantha.config import ConfigError
from samantha.house import House
from samantha.plugins.speech.engines import EngineError, EngineRegistry
from samantha.plugins.wyoming.engines import WyomingStt, WyomingTts, WyomingWake

BASE = "name: Flat\nrooms: [{name: Study}]\n"


def _house(tmp_path: Path, text: str) -> House:
    path = tmp_path / "samantha.yaml"
    path.write_text(BASE + text)
    return House.prepare(path)


@pytest.mark.parametrize("uri", ["http://127.0.0.1:10300", "tcp://127.0.0.1", "127.0.0.1:1"])
def test_a_bad_uri_is_a_config_error_with_its_place(tmp_path: Path, uri: str) -> None:
    with pytest.raises(ConfigError) as err:
        _house(tmp_path, f"wyoming: {{engines: {{stt: {{uri: '{uri}'}}}}}}\n")
    text = str(err.value.issues[0])
    assert "wyoming" in text and "tcp://" in text


def test_a_bad_allow_list_entry_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        _house(tmp_path, "wyoming: {server: {allow: [not-an-address]}}\n")
    assert "allow" in str(err.value.issues[0])


async def test_engines_named_wyoming_come_from_the_plugin(tmp_path: Path) -> None:
    house = _house(tmp_path, "speech: {stt: {engine: wyoming}}\nwyoming: {engines: {"
                   "stt: {uri: 'tcp://127.0.0.1:10300'}, tts: {uri: 'tcp://127.0.0.1:10200', "
                   "voice: en_US-lessac-medium}, wake: {uri: 'tcp://127.0.0.1:10400', "
                   "names: [ok_nabu]}}}\n")
    async with house:
        registry = EngineRegistry.from_host(house.host)
        speech = house.section("speech")
        assert isinstance(registry.build("stt", "wyoming", speech, "en"), WyomingStt)
        tts = registry.build("tts", "wyoming", speech, "en")
        assert isinstance(tts, WyomingTts) and tts.endpoint.voice == "en_US-lessac-medium"
        wake = registry.build("wake", "wyoming", speech, "en")
        assert isinstance(wake, WyomingWake) and wake.names == ["ok_nabu"]


async def test_an_engine_without_its_server_says_what_to_configure(tmp_path: Path) -> None:
    house = _house(tmp_path, "speech: {stt: {engine: wyoming}}\n")
    async with house:
        registry = EngineRegistry.from_host(house.host)
        with pytest.raises(EngineError, match=r"wyoming: \{engines: \{tts: \{uri"):
            registry.build("tts", "wyoming", house.section("speech"), "en")


def test_zeroconf_is_only_advertised_off_loopback_by_default() -> None:
    import importlib.util

    from samantha.plugins.wyoming.zeroconf import wanted

    assert wanted(None, "127.0.0.1") is False and wanted(None, "localhost") is False
    assert wanted(False, "192.168.1.5") is False and wanted(True, "127.0.0.1") is True
    installed = importlib.util.find_spec("zeroconf") is not None
    assert wanted(None, "192.168.1.5") is installed
