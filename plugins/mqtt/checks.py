"""`samantha doctor`: can Samantha reach the MQTT broker, log in and agree on TLS?

A throwaway paho connection under its own client id: it neither takes over a running house's
session nor publishes anything (no birth or will message on Samantha's status topic).
"""

from __future__ import annotations

import os
import ssl
import threading
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from samantha.checks import Check, CheckResult, fail, ok

from .client import _AUTH_REASON_CODES, tls_context
from .provider import resolve_paths
from .settings import MqttSettings

CREDENTIALS_FIX = ("check mqtt.username and the password (`password: !secret mqtt_password` "
                   "with mqtt_password in secrets.yaml, or $MQTT_PASSWORD)")


def _connect(settings: MqttSettings, timeout: float) -> CheckResult:
    where = f"{settings.host}:{settings.port}"
    client = paho.Client(CallbackAPIVersion.VERSION2,
                         client_id=f"{settings.client_id}-doctor-{os.getpid()}",
                         protocol=MQTTProtocolVersion.MQTTv311, clean_session=True)
    client.connect_timeout = timeout
    if settings.username is not None:
        password = settings.password.get_secret_value() if settings.password else None
        client.username_pw_set(settings.username, password)
    if settings.tls is not None:
        try:
            client.tls_set_context(tls_context(settings.tls))
        except (OSError, ssl.SSLError) as err:
            return fail(f"the TLS files cannot be used: {err}",
                        "check the paths under mqtt.tls (ca_certs, certfile, keyfile)")
        client.tls_insecure_set(bool(settings.tls.insecure))
    answered = threading.Event()
    reason: list[Any] = []

    def on_connect(_c: Any, _u: Any, _flags: Any, code: Any, _props: Any) -> None:
        reason.append(code)
        answered.set()

    client.on_connect = on_connect
    try:
        client.connect(settings.host, settings.port, keepalive=10)
    except ssl.SSLError as err:
        return fail(f"TLS with {where} failed: {err}",
                    "point mqtt.tls.ca_certs at the CA that signed the broker's certificate, "
                    "and use the host name the certificate names")
    except OSError as err:
        return fail(f"{where} is unreachable: {err.strerror or err}",
                    "start the broker (e.g. `systemctl start mosquitto`) or fix mqtt.host "
                    "and mqtt.port")
    client.loop_start()
    try:
        if not answered.wait(timeout):
            return fail(f"{where} accepted the connection but did not answer the login",
                        "is this port an MQTT listener (1883, 8883 with TLS)?")
    finally:
        client.disconnect()
        client.loop_stop()
    code = reason[0]
    user = settings.username or "(anonymous)"
    if code.is_failure:
        if code.value in _AUTH_REASON_CODES:
            return fail(f"{where} refused user {user!r}: {code}", CREDENTIALS_FIX)
        return fail(f"{where} refused the connection: {code}",
                    "see the broker's log for why")
    how = " with TLS" if settings.tls is not None else ""
    who = f"as {settings.username!r}" if settings.username else "anonymously"
    return ok(f"logged in to {where}{how} {who}")


def broker_check(settings: MqttSettings, base: Path | None) -> Check:
    settings = resolve_paths(settings, base)
    timeout = settings.connect_timeout

    def run() -> CheckResult:
        return _connect(settings, timeout)

    return Check("MQTT broker", run, timeout=timeout + 2)
