"""A real Mosquitto broker for tests and benchmarks.

Usage::

    broker = Mosquitto(tmp_path)            # or Mosquitto() for a private temp dir
    broker.start("plain")                   # "plain" | "password" | "tls"
    ...  broker.host, broker.port, broker.username, broker.password, broker.ca_cert ...
    broker.restart()                        # same port, same mode, no persistence
    broker.stop()                           # by PID, also safe to call twice

Or as a context manager: ``with Mosquitto().start("tls") as broker: ...``.

Every broker listens on 127.0.0.1 only, on a free port (a taken port is retried), with
``set_tcp_nodelay true`` (supported since Mosquitto 2.0; checked on 2.0.11) because without
it a QoS1 round trip costs ~44-88 ms of Nagle/delayed-ACK stalls on loopback. Persistence
stays off so that ``restart()`` really loses the broker's state, like a crash would.

TLS material (CA, server cert for 127.0.0.1/localhost, client cert) is generated with
``cryptography``; ``tls_files`` gives the paths. ``tls_client_certs=True`` makes the
listener require a client certificate.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Mode = Literal["plain", "password", "tls"]

_START_TIMEOUT_S = 5.0
_PORT_ATTEMPTS = 8


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the generated TLS material."""

    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


class MosquittoError(RuntimeError):
    """The broker could not be started."""


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago (the caller must still check)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Mosquitto:
    """One Mosquitto process with a generated config in its own directory."""

    host = "127.0.0.1"

    def __init__(
        self,
        workdir: Path | str | None = None,
        *,
        username: str = "samantha",
        password: str = "correct horse battery staple",
        tls_client_certs: bool = False,
        extra_config: str = "",
    ) -> None:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(binary).exists():
            raise MosquittoError("mosquitto is not installed (apt-get install mosquitto)")
        self.binary = binary
        self._own_tmp = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="mosquitto-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.username = username
        self.password = password
        self.tls_client_certs = tls_client_certs
        self.extra_config = extra_config
        self.mode: Mode | None = None
        self.port: int = 0
        self.tls_files: TlsFiles | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = self.workdir / "mosquitto.log"

    # -- lifecycle ---------------------------------------------------------------------

    def start(self, mode: Mode = "plain", port: int | None = None) -> Mosquitto:
        """Start the broker; returns self once the port accepts connections."""
        if self.running:
            raise MosquittoError("broker already running")
        self.mode = mode
        if mode == "password":
            self._write_passwd()
        if mode == "tls" and self.tls_files is None:
            self.tls_files = _generate_tls(self.workdir / "tls")
        ports = [port] if port else [free_port() for _ in range(_PORT_ATTEMPTS)]
        last_error = ""
        for candidate in ports:
            try:
                self._spawn(candidate)
                return self
            except MosquittoError as exc:
                last_error = str(exc)
        raise MosquittoError(f"could not start mosquitto: {last_error}")

    def stop(self) -> None:
        """Stop the broker by PID (SIGTERM, then SIGKILL after 5 s). Idempotent."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def kill(self) -> None:
        """Stop the broker abruptly (SIGKILL), like a crash."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)

    def restart(self, *, hard: bool = False) -> None:
        """Stop and start again on the same port and mode; the broker's state is lost."""
        if self.mode is None or not self.port:
            raise MosquittoError("restart() before start()")
        port, mode = self.port, self.mode
        self.kill() if hard else self.stop()
        # The old listening socket is closed by now; retry briefly in case TIME_WAIT bites.
        deadline = time.monotonic() + _START_TIMEOUT_S
        while True:
            try:
                self.start(mode, port=port)
                return
            except MosquittoError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        """Stop the broker and remove the private temp dir, if one was created."""
        self.stop()
        if self._own_tmp:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Mosquitto:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def log_text(self) -> str:
        """The broker's log so far (useful in assertion messages)."""
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    # -- internals ---------------------------------------------------------------------

    def _spawn(self, port: int) -> None:
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(self._config(port))
        with self._log.open("ab") as log:
            proc = subprocess.Popen(
                [self.binary, "-c", str(conf)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C on the test run must not kill it mid-test
            )
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                # Exited: most often "address already in use" because the port got taken.
                raise MosquittoError(f"exited with {proc.returncode} on port {port}")
            if _port_accepts(self.host, port):
                self._proc, self.port = proc, port
                return
            time.sleep(0.01)
        proc.kill()
        proc.wait(timeout=5)
        raise MosquittoError(f"port {port} never accepted connections")

    def _config(self, port: int) -> str:
        lines = [
            f"listener {port} {self.host}",
            "set_tcp_nodelay true",
            "persistence false",
            "log_dest stdout",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "connection_messages true",
        ]
        if os.geteuid() == 0:
            # Mosquitto drops to the "mosquitto" user before reading the password file and
            # keys; our 0600 files in a 0700 temp dir would then be unreadable.
            lines.append("user root")
        if self.mode == "password":
            lines += ["allow_anonymous false", f"password_file {self.workdir / 'passwd'}"]
        else:
            lines.append("allow_anonymous true")
        if self.mode == "tls":
            assert self.tls_files is not None
            lines += [
                f"cafile {self.tls_files.ca_cert}",
                f"certfile {self.tls_files.server_cert}",
                f"keyfile {self.tls_files.server_key}",
                f"require_certificate {'true' if self.tls_client_certs else 'false'}",
            ]
        if self.extra_config:
            lines.append(self.extra_config)
        return "\n".join(lines) + "\n"

    def _write_passwd(self) -> None:
        passwd = self.workdir / "passwd"
        passwd.write_text("")
        tool = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
        # -b takes the password on the command line: acceptable for a throwaway test broker.
        subprocess.run(
            [tool, "-b", str(passwd), self.username, self.password],
            check=True,
            capture_output=True,
        )
        os.chmod(passwd, 0o600)


def _port_accepts(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.2):
        return True
    return False


def _generate_tls(directory: Path) -> TlsFiles:
    """A throwaway CA, a server cert for 127.0.0.1/localhost and a client cert."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
        os.chmod(path, 0o600)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(name("Samantha Test CA"))
        .issuer_name(name("Samantha Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    def leaf(cn: str, usage: x509.ObjectIdentifier, san: list[x509.GeneralName]) -> tuple:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(cn))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
        )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return key, builder.sign(ca_key, hashes.SHA256())

    server_key, server_cert = leaf(
        "localhost",
        ExtendedKeyUsageOID.SERVER_AUTH,
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
    )
    client_key, client_cert = leaf("samantha-client", ExtendedKeyUsageOID.CLIENT_AUTH, [])

    files = TlsFiles(
        ca_cert=directory / "ca.crt",
        server_cert=directory / "server.crt",
        server_key=directory / "server.key",
        client_cert=directory / "client.crt",
        client_key=directory / "client.key",
    )
    pem = serialization.Encoding.PEM
    files.ca_cert.write_bytes(ca_cert.public_bytes(pem))
    files.server_cert.write_bytes(server_cert.public_bytes(pem))
    files.client_cert.write_bytes(client_cert.public_bytes(pem))
    write_key(server_key, files.server_key)
    write_key(client_key, files.client_key)
    return files
