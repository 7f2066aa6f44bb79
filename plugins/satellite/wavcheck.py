"""The RIFF/WAVE header of an audio payload from the network, checked before samples are read.

Written out rather than left to the `wave` module: that one trusts declared chunk sizes (and
raises RuntimeError, struct.error or EOFError on some lies), and we must refuse an unusable
format before allocating or resampling anything. Only PCM is accepted (format tag 1, or
WAVE_FORMAT_EXTENSIBLE with the PCM sub-format).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from samantha.plugins.satellite.limits import AudioLimits, InvalidMessage

_PCM = 1
_EXTENSIBLE = 0xFFFE
_CHUNK = struct.Struct("<4sI")
_FMT = struct.Struct("<HHIIHH")


@dataclass(frozen=True)
class WavFormat:
    channels: int
    rate: int
    width: int  # bytes per sample


def wav_chunks(payload: bytes, limits: AudioLimits) -> tuple[WavFormat, memoryview]:
    """(format, the data chunk's whole frames) of a WAV payload within `limits`."""
    if len(payload) > limits.max_bytes:
        raise InvalidMessage(f"audio: {len(payload)} bytes, more than {limits.max_bytes}")
    view = memoryview(payload)
    if len(view) < 12 or view[:4] != b"RIFF" or view[8:12] != b"WAVE":
        raise InvalidMessage("audio: not a WAV payload (no RIFF/WAVE header)")
    fmt: WavFormat | None = None
    offset = 12
    while offset + _CHUNK.size <= len(view):
        kind, size = _CHUNK.unpack_from(view, offset)
        body = offset + _CHUNK.size
        if kind == b"fmt ":
            fmt = _format(view[body:body + size], limits)
        elif kind == b"data":
            if fmt is None:
                raise InvalidMessage("audio: data chunk before the fmt chunk")
            # A streamed WAV may declare more (or 0xFFFFFFFF) than it carries: take what is there.
            return fmt, _frames(view[body:body + size], fmt, limits)
        offset = body + size + (size & 1)  # chunks are padded to even sizes
    raise InvalidMessage("audio: not a WAV payload (no data chunk)"
                         if fmt is not None else "audio: not a WAV payload (no fmt chunk)")


def _format(chunk: memoryview, limits: AudioLimits) -> WavFormat:
    if len(chunk) < _FMT.size:
        raise InvalidMessage(f"audio: fmt chunk of {len(chunk)} bytes, need {_FMT.size}")
    tag, channels, rate, _byte_rate, _align, bits = _FMT.unpack_from(chunk)
    if tag == _EXTENSIBLE and len(chunk) >= 26:
        tag = struct.unpack_from("<H", chunk, 24)[0]  # the sub-format GUID's first two bytes
    if tag != _PCM:
        raise InvalidMessage(f"audio: format tag {tag:#06x} is not PCM")
    if bits != limits.sample_width * 8:
        raise InvalidMessage(f"audio: {bits}-bit samples; Hermes audio is "
                             f"{limits.sample_width * 8}-bit")
    if not 1 <= channels <= limits.max_channels:
        raise InvalidMessage(f"audio: {channels} channels, not 1 to {limits.max_channels}")
    if rate not in limits.rates:
        raise InvalidMessage(f"audio: sample rate {rate} Hz is not one of "
                             f"{', '.join(str(r) for r in sorted(limits.rates))}")
    return WavFormat(channels, rate, limits.sample_width)


def _frames(data: memoryview, fmt: WavFormat, limits: AudioLimits) -> memoryview:
    block = fmt.channels * fmt.width
    if len(data) < block:
        raise InvalidMessage("audio: no samples")
    if len(data) % block:
        raise InvalidMessage(f"audio: {len(data)} data bytes are not whole {block}-byte frames")
    seconds = len(data) // block / fmt.rate
    if seconds > limits.max_seconds:
        raise InvalidMessage(f"audio: {seconds:.2f} s, longer than {limits.max_seconds:g} s")
    return data
