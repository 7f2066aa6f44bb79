"""`samantha doctor`'s language model check against the scripted OpenAI-compatible server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.cli import samantha_cli
from harness.mosquitto import free_port
from harness.openai_server import ScriptedOpenAI
from samantha.doctor import Finding, run_checks
from samantha.plugins.persona.checks import model_check
from samantha.plugins.persona.settings import ModelSettings

KEY = "sk-doctor-secret-9876"


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedOpenAI]:
    with ScriptedOpenAI(model="tiny-llama") as running:
        yield running


@pytest.fixture(autouse=True)
def no_sdk_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


async def check(**settings: object) -> Finding:
    [found] = await run_checks([("persona", model_check(ModelSettings(**settings)))])
    return found


async def test_served_model_is_a_tick(server: ScriptedOpenAI) -> None:
    found = await check(base_url=server.base_url, model="tiny-llama", api_key=KEY)
    assert found.status == "ok", found
    assert found.detail == f"tiny-llama at {server.base_url}"


async def test_a_model_the_server_lacks_is_a_warning(server: ScriptedOpenAI) -> None:
    found = await check(base_url=server.base_url, model="gpt-9", api_key=KEY)
    assert found.status == "warn"
    assert "'gpt-9'" in found.detail and "tiny-llama" in found.detail
    assert "persona.llm.model" in found.fix


async def test_unreachable_endpoint_is_a_cross() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    found = await check(base_url=url, model="x", timeout=2)
    assert found.status == "fail"
    assert f"{url} is unreachable" in found.detail
    assert "persona.llm.base_url" in found.fix and "offline self" in found.fix


async def test_no_model_configured_is_fine() -> None:
    found = await check()
    assert found.status == "ok" and "offline self" in found.detail


def test_doctor_command_never_prints_the_key(server: ScriptedOpenAI, tmp_path: Path) -> None:
    (tmp_path / "secrets.yaml").write_text(f"openai_api_key: {KEY}\n")
    cfg = tmp_path / "samantha.yaml"
    cfg.write_text(f"rooms: [{{name: Kitchen}}]\npersona:\n  llm: {{base_url: "
                   f"'{server.base_url}', model: tiny-llama, api_key: !secret openai_api_key}}\n")
    out = samantha_cli("doctor", "--json", "-c", str(cfg), timeout=60)
    found = {f["name"]: f for f in json.loads(out.stdout)}
    assert found["language model"]["status"] == "ok", found["language model"]
    assert KEY not in out.stdout + out.stderr
