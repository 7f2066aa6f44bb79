"""A private PulseAudio server with a virtual speaker and virtual microphones, for tests.

There is no sound card on CI machines; this gives real-time paced, bit-exact audio
devices that PortAudio/sounddevice reach through the ALSA ``pulse`` plugin:

=================  =============================  ====================================
ALSA device name   PulseAudio object              use
=================  =============================  ====================================
``vmic``           pipe-source, 1 ch, 16 kHz      virtual mic; inject audio with
                                                  :meth:`PulseAudio.inject`
``vmic4``          pipe-source, 4 ch, 16 kHz      virtual 4-mic array
``vspeaker``       null sink, 1 ch, 16 kHz        virtual speaker
``vspeaker_mon``   ``vspeaker.monitor``           what was played on ``vspeaker``
``varray``         null sink, 4 ch, 16 kHz        4-channel playback
``varray_mon``     ``varray.monitor``             its monitor
=================  =============================  ====================================

Usage::

    with PulseAudio() as pa:              # starts the server, stops it by PID on exit
        env = {**os.environ, **pa.env}    # for the process that imports sounddevice
        child = subprocess.Popen([...], env=env)
        pa.inject("vmic4", samples_int16_n_by_4)   # or a WAV path
        pa.wait_injected("vmic4")
        heard = pa.record("vspeaker.monitor", seconds=2.0)  # parec, int16 (n, ch)

Why a subprocess for the code under test: PortAudio reads the ALSA configuration
(``$HOME/.asoundrc``) once, when ``sounddevice`` is imported. In a pytest process,
another test may already have imported it with a different ``HOME``, so setting
``os.environ`` late would silently see no devices. A child process started with
``env=pa.env`` is always right, and also isolates a PortAudio crash from pytest.

Facts this relies on (checked on Debian 12, PulseAudio 16.1): as root, PulseAudio
runs in user mode with its own ``HOME``/``XDG_RUNTIME_DIR``/``PULSE_RUNTIME_PATH``;
4-channel objects need ``channel_map=front-left,front-right,rear-left,rear-right``
(PulseAudio's default 4-ch map differs from ALSA's and would remix channels); a
pipe-source without a writer stalls capture, so feeder threads write silence in
real time whenever nothing is injected.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.io import wavfile

CHANNEL_MAP_4 = "front-left,front-right,rear-left,rear-right"
RATE = 16000
_CHUNK_S = 0.05


def _raise_priority() -> None:
    """Audio threads of a real system run above ordinary work; so do ours (as root), so a
    busy machine delays the virtual microphone less."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), -10)


@dataclass
class _Feeder:
    """Keeps one pipe-source FIFO fed in real time: injected audio, else silence."""

    name: str
    path: Path
    channels: int
    pending: queue.Queue[np.ndarray] = field(default_factory=queue.Queue)
    idle: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    error: BaseException | None = None

    def start(self) -> None:
        self.idle.set()
        self.thread = threading.Thread(
            target=self._run, name=f"pulse-feed-{self.name}", daemon=True
        )
        self.thread.start()

    def _run(self) -> None:
        _raise_priority()
        chunk = int(RATE * _CHUNK_S)
        silence = np.zeros((chunk, self.channels), dtype="<i2").tobytes()
        current = b""
        try:
            # O_RDWR never blocks on open and never gets SIGPIPE if Pulse reopens.
            fd = os.open(self.path, os.O_RDWR)
        except OSError as exc:
            self.error = exc
            return
        try:
            deadline = time.monotonic()
            while not self.stop.is_set():
                if not current:
                    try:
                        current = self.pending.get_nowait().astype("<i2").tobytes()
                        self.idle.clear()
                    except queue.Empty:
                        self.idle.set()
                step = chunk * self.channels * 2
                if current:
                    data, current = current[:step], current[step:]
                    data = data.ljust(step, b"\0")
                else:
                    data = silence
                os.write(fd, data)
                # Absolute schedule: the FIFO has no clock, the writer is the clock.
                deadline += _CHUNK_S
                time.sleep(max(0.0, deadline - time.monotonic()))
        except OSError as exc:
            if not self.stop.is_set():
                self.error = exc
        finally:
            os.close(fd)


class PulseAudio:
    """A private PulseAudio daemon under ``base_dir`` (a new short temp dir by default).

    The socket path must stay under ~100 characters (AF_UNIX limit), which is why
    the default is a fresh ``/tmp/pa-*`` directory rather than pytest's tmp_path.
    """

    def __init__(self, base_dir: str | Path | None = None) -> None:
        self._own_dir = base_dir is None
        self.dir = Path(base_dir) if base_dir else Path(tempfile.mkdtemp(prefix="pa-"))
        self.home = self.dir / "home"
        self.runtime = self.dir / "run"
        self.socket = self.dir / "native"
        self.log_path = self.dir / "pulse.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._feeders: dict[str, _Feeder] = {}

    # --- lifecycle --------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def env(self) -> dict[str, str]:
        """Variables a client process needs (merge into ``os.environ``)."""
        return {
            "PULSE_SERVER": f"unix:{self.socket}",
            "HOME": str(self.home),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "PULSE_RUNTIME_PATH": str(self.runtime),
        }

    def start(self, timeout: float = 10.0) -> PulseAudio:
        if shutil.which("pulseaudio") is None:
            raise RuntimeError("pulseaudio is not installed (apt-get install pulseaudio)")
        for d in (self.home, self.runtime):
            d.mkdir(parents=True, exist_ok=True)
        os.chmod(self.runtime, 0o700)
        (self.home / ".asoundrc").write_text(self._asoundrc())
        script = self.dir / "default.pa"
        script.write_text(self._script())
        env = {**os.environ, **self.env}
        env.pop("PULSE_SERVER")  # the daemon must not try to connect to itself
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [
                    "pulseaudio", "-n", "-F", str(script), "--daemonize=no",
                    "--exit-idle-time=-1", "--use-pid-file=no", "--system=no",
                    "--realtime=no", "--high-priority=yes", "--enable-memfd=no",
                    "--log-target=stderr", "--log-level=notice",
                ],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        try:
            self._wait_ready(timeout)
            for name, channels in (("vmic", 1), ("vmic4", 4)):
                feeder = _Feeder(name, self.dir / f"{name}.fifo", channels)
                feeder.start()
                self._feeders[name] = feeder
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"pulseaudio exited early:\n{self.log_text()}")
            fifos_ready = all((self.dir / f"{n}.fifo").exists() for n in ("vmic", "vmic4"))
            if self.socket.exists() and fifos_ready and self.pactl("info", check=False) == 0:
                return
            time.sleep(0.05)
        raise RuntimeError(f"pulseaudio not ready after {timeout} s:\n{self.log_text()}")

    def stop(self) -> None:
        """Stop feeders and the daemon (SIGTERM, then SIGKILL), by PID."""
        for feeder in self._feeders.values():
            feeder.stop.set()
        for feeder in self._feeders.values():
            if feeder.thread is not None:
                feeder.thread.join(timeout=2)
        self._feeders.clear()
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PulseAudio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- audio in and out -------------------------------------------------------
    def inject(self, mic: str, audio: np.ndarray | str | Path) -> None:
        """Queue int16 ``(n, channels)`` samples or a 16 kHz WAV into ``vmic``/``vmic4``."""
        feeder = self._feeders[mic]
        if isinstance(audio, str | Path):
            rate, data = wavfile.read(audio)
            if rate != RATE:
                raise ValueError(f"{audio}: {rate} Hz, the virtual mics run at {RATE} Hz")
            audio = data
        samples = audio if audio.ndim == 2 else audio[:, None]
        if samples.shape[1] != feeder.channels:
            raise ValueError(f"{mic} has {feeder.channels} channels, got {samples.shape[1]}")
        if samples.dtype != np.int16:
            samples = np.clip(np.rint(samples * 32768.0), -32768, 32767).astype(np.int16)
        feeder.idle.clear()
        feeder.pending.put(samples)

    def wait_injected(self, mic: str, timeout: float = 30.0) -> None:
        """Block until everything injected into ``mic`` has been written to the FIFO."""
        feeder = self._feeders[mic]
        if not feeder.idle.wait(timeout):
            raise TimeoutError(f"{mic}: injected audio not consumed after {timeout} s")
        if feeder.error is not None:
            raise RuntimeError(f"{mic} feeder failed: {feeder.error}")

    def record(self, source: str, seconds: float, *, channels: int = 1) -> np.ndarray:
        """Record ``seconds`` from a PulseAudio source with ``parec``; int16 ``(n, ch)``."""
        with self.recording(source, channels=channels) as rec:
            time.sleep(seconds)
        return rec.samples

    @contextlib.contextmanager
    def recording(self, source: str, *, channels: int = 1, tail: float = 0.5):  # type: ignore[no-untyped-def]
        """Record from ``source`` while the ``with`` body runs (+ ``tail`` s); ``.samples``.

        The tail covers PulseAudio's buffering: a player returns before its last
        samples have reached the sink's monitor.
        """
        out = self.dir / f"rec-{time.monotonic_ns()}.raw"
        rec = _Recording(channels)
        cmd = [
            "parec", "-d", source, "--raw", "--format=s16le", f"--rate={RATE}",
            f"--channels={channels}", "--latency-msec=20", str(out),
        ]  # fmt: skip
        if channels == 4:
            cmd.insert(-1, f"--channel-map={CHANNEL_MAP_4}")
        proc = subprocess.Popen(cmd, env={**os.environ, **self.env}, stderr=subprocess.PIPE)
        try:
            time.sleep(0.2)  # let parec connect before the body starts playing
            yield rec
            time.sleep(tail)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        data = np.fromfile(out, dtype="<i2") if out.exists() else np.zeros(0, dtype=np.int16)
        rec.samples = data[: data.size - data.size % channels].reshape(-1, channels)

    def pactl(self, *args: str, check: bool = True) -> int:
        result = subprocess.run(
            ["pactl", *args], env={**os.environ, **self.env}, capture_output=True, timeout=10
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)} failed: {result.stderr.decode()}")
        return result.returncode

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # --- configuration ----------------------------------------------------------
    def _script(self) -> str:
        d = self.dir
        return "\n".join(
            [
                f"load-module module-native-protocol-unix socket={self.socket} auth-anonymous=1",
                f"load-module module-null-sink sink_name=vspeaker rate={RATE} channels=1",
                f"load-module module-null-sink sink_name=varray rate={RATE} channels=4 "
                f"channel_map={CHANNEL_MAP_4}",
                f"load-module module-pipe-source source_name=vmic file={d}/vmic.fifo "
                f"format=s16le rate={RATE} channels=1",
                f"load-module module-pipe-source source_name=vmic4 file={d}/vmic4.fifo "
                f"format=s16le rate={RATE} channels=4 channel_map={CHANNEL_MAP_4}",
                "set-default-sink vspeaker",
                "set-default-source vmic",
                "",
            ]
        )

    @staticmethod
    def _asoundrc() -> str:
        names = {
            "vmic": "vmic",
            "vmic4": "vmic4",
            "vspeaker": "vspeaker",
            "vspeaker_mon": "vspeaker.monitor",
            "varray": "varray",
            "varray_mon": "varray.monitor",
        }
        return "".join(f'pcm.{a} {{ type pulse; device "{p}" }}\n' for a, p in names.items())


@dataclass
class _Recording:
    channels: int
    samples: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), dtype=np.int16))
