"""Hardware abstraction layer: microphones, mic arrays and speakers behind one interface.

The speech pipeline only ever sees clean mono 16 kHz frames per room
(:class:`~samantha.hardware.pipeline.RoomAudio`); device quirks, channel maps,
array processing and resampling stay in this package. ``sounddevice`` is imported
lazily, so this package imports on machines without ``libportaudio2``.
"""

from samantha.hardware.errors import (
    AudioDeviceError,
    AudioError,
    AudioFileError,
    ChannelCountError,
    DeviceBusyError,
    DeviceLostError,
    DeviceNotFoundError,
    ProfileError,
    SampleRateError,
)
from samantha.hardware.frames import AudioFrame, Direction, ProcessedFrame
from samantha.hardware.leds import LedRing, LoggingLedRing, RoomActivity
from samantha.hardware.profiles import AudioProfile, builtin_profiles, load_profile

__all__ = [
    "AudioDeviceError",
    "AudioError",
    "AudioFileError",
    "AudioFrame",
    "AudioProfile",
    "ChannelCountError",
    "DeviceBusyError",
    "DeviceLostError",
    "DeviceNotFoundError",
    "Direction",
    "LedRing",
    "LoggingLedRing",
    "ProcessedFrame",
    "ProfileError",
    "RoomActivity",
    "SampleRateError",
    "builtin_profiles",
    "load_profile",
]
