"""Access to the dashboard: loopback without a password; with one, logins, sessions, CSRF,
API tokens and TLS; the password is kept only hashed."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from harness.mosquitto import Mosquitto
from harness.web import csrf_of, running, write_house
from samantha.config import ConfigError
from samantha.house import House

PASSWORD = "correct horse battery staple"
SECRETS = f"dashboard_password: {PASSWORD}\n"
WEB = "web: {host: 127.0.0.1, port: 0, password: !secret dashboard_password}\n"


async def test_with_a_password_everything_needs_a_login(tmp_path: Path) -> None:
    config = write_house(tmp_path, web=WEB, secrets=SECRETS)
    async with running(config) as (house, dash, client):
        assert PASSWORD not in repr(house.section("web"))
        assert dash.access.hashed and PASSWORD not in dash.access.hashed
        for path in ("/api/rooms", "/api/devices", "/api/turns", "/api/memory/export",
                     "/api/events"):
            refused = await client.get(path)
            assert refused.status_code == 401, path
            assert "log in" in refused.json()["error"]
        page = await client.get("/devices", headers={"Accept": "text/html"})
        assert page.status_code == 303 and page.headers["location"] == "/login"
        said = await client.post("/api/say", json={"room": "kitchen", "text": "hi"})
        assert said.status_code == 401
        # A wrong password: back to the form, no session.
        wrong = await client.post("/login", data={"password": "nope"})
        assert wrong.status_code == 303 and "failed" in wrong.headers["location"]
        assert "samantha_session" not in client.cookies
        # The right one: a session cookie, HttpOnly and SameSite=Strict.
        right = await client.post("/login", data={"password": PASSWORD})
        assert right.status_code == 303 and right.headers["location"] == "/"
        cookie = right.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert (await client.get("/api/rooms")).status_code == 200
        # Logged in, an unsafe request still needs the session's CSRF token.
        no_csrf = await client.post("/api/say", json={"room": "kitchen", "text": "hi"})
        assert no_csrf.status_code == 403 and "CSRF" in no_csrf.json()["error"]
        token = csrf_of((await client.get("/turns")).text)
        assert token != dash.access.open_csrf
        ok = await client.post("/api/say", json={"room": "kitchen", "text": "hi"},
                               headers={"X-CSRF-Token": token})
        assert ok.status_code == 200
        # Log out: the session is gone.
        out = await client.post("/logout", headers={"X-CSRF-Token": token})
        assert out.status_code == 303
        assert (await client.get("/api/rooms")).status_code == 401


async def test_api_token_and_cross_site_login(tmp_path: Path) -> None:
    config = write_house(tmp_path, web=WEB, secrets=SECRETS)
    async with running(config) as (_house, _dash, client):
        bearer = {"Authorization": f"Bearer {PASSWORD}"}
        assert (await client.get("/api/rooms", headers=bearer)).status_code == 200
        said = await client.post("/api/say", json={"room": "kitchen", "text": "hi"},
                                 headers=bearer)
        assert said.status_code == 200
        bad = await client.get("/api/rooms", headers={"Authorization": "Bearer guess"})
        assert bad.status_code == 401
        foreign = await client.post("/login", data={"password": PASSWORD},
                                    headers={"Origin": "http://evil.example"})
        assert foreign.status_code == 403


async def test_without_a_password_only_loopback_and_csrf(tmp_path: Path) -> None:
    async with running(write_house(tmp_path)) as (_house, _dash, client):
        assert (await client.get("/api/rooms")).status_code == 200
        rebound = await client.get("/api/rooms", headers={"Host": "attacker.example:8770"})
        assert rebound.status_code == 403
        forged = await client.post("/api/devices/hallway.front_door",
                                   json={"action": "unlock", "confirm": True})
        assert forged.status_code == 403
    with pytest.raises(ConfigError, match=r"set web\.password"):
        House.prepare(write_house(tmp_path, web="web: {host: 0.0.0.0}\n"))


async def test_tls_when_a_certificate_is_configured(tmp_path: Path,
                                                   tls_broker: Mosquitto) -> None:
    files = tls_broker.tls_files  # the harness's CA and a certificate for 127.0.0.1
    assert files is not None
    web = f"web: {{port: 0, certfile: {files.server_cert}, keyfile: {files.server_key}}}\n"
    async with running(write_house(tmp_path, web=web)) as (_house, dash, _client):
        assert dash.address.startswith("https://127.0.0.1:")
        async with httpx.AsyncClient(verify=ssl.create_default_context(
                cafile=str(files.ca_cert))) as tls:
            answer = await tls.get(dash.address + "api/rooms")
        assert answer.status_code == 200
        async with httpx.AsyncClient() as plain:
            with pytest.raises(httpx.HTTPError):
                await plain.get(dash.address.replace("https", "http") + "api/rooms")
