"""Fuzzing the config loader: every input is a clean config or a located ConfigError, fast."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.fuzzcount import FuzzCount, Record
from samantha.config import DEMO_CONFIG, ConfigError, CoreConfig, validate
from samantha.config_loader import load_yaml
from samantha.house import House
from samantha.plugin_host import PluginHost

SEEDS = [
    DEMO_CONFIG.read_bytes(),
    b"name: Home\nrooms:\n  - name: Kitchen\ndevices:\n  - {name: Lamp, room: Kitchen, "
    b"kind: light}\nsecret_thing: !secret token\nincluded: !include other.yaml\n",
]
# Bytes that break YAML in interesting ways: structure, tags, anchors, encodings, controls.
NASTY = [b"[", b"{", b"- ", b": ", b"\t", b"\x00", b"\x01", b"\xff", b"\xc3", b"&a ", b"*a",
         b"!!float ", b"!!int ", b"!!bool ", b"!!binary ", b"!secret ", b"!include ",
         b"!!python/object:os.system ", b"'", b'"', b"\n", b"  ", b"9" * 5000, b"<<: ",
         b"? ", b"%YAML 1.1\n", b"---\n", b"\xef\xbb\xbf",
         "\ud800".encode("utf-8", "surrogatepass")]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "delete", "repeat", "byte"]))
        if op == "insert":
            data[at:at] = draw(st.sampled_from(NASTY) | st.binary(max_size=8))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif op == "repeat":
            piece = bytes(data[at:at + draw(st.integers(1, 20))])
            data[at:at] = piece * draw(st.integers(1, 200))
        elif data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
    return bytes(data)


inputs = mutated() | st.binary(max_size=200) | st.text(max_size=200).map(
    lambda t: t.encode("utf-8", "surrogatepass"))


@pytest.fixture(scope="module")
def model() -> type[CoreConfig]:
    host = PluginHost()
    host.load()
    return House.config_model(host)


@pytest.mark.fuzz
def test_config_loader_never_raises_anything_but_a_located_config_error(
        model: type[CoreConfig], record_property: Record) -> None:
    count = FuzzCount("config loader")
    folder = Path(tempfile.mkdtemp(prefix="samantha-fuzz-config-"))
    (folder / "other.yaml").write_text("- name: Office\n")
    (folder / "secrets.yaml").write_text("token: abcdefgh\n")
    path = folder / "samantha.yaml"

    @given(inputs)
    def one(data: bytes) -> None:
        path.write_bytes(data)
        start = time.monotonic()
        try:
            validate(load_yaml(path), model)
        except ConfigError as err:
            assert err.issues
            for issue in err.issues:
                assert issue.position is not None, str(issue)
            count.saw("rejected")
        else:
            count.saw("accepted")
        # Generous for a loaded machine; the one-second target is checked case by case in
        # test_config_hostile.py.
        assert time.monotonic() - start < 3.0

    one()
    count.report(record_property)
    assert count.total > 0
