"""Errors of the hardware layer.

Every message says *where* (device, file or profile) and *why*, so the CLI and the
room supervisor can show it as is instead of a traceback.
"""

from __future__ import annotations


class AudioError(Exception):
    """Base class of every error raised by ``samantha.hardware``."""

    def __init__(self, where: str, why: str, hint: str = "") -> None:
        self.where = where
        self.why = why
        self.hint = hint
        message = f"{where}: {why}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class AudioDeviceError(AudioError):
    """A capture or playback device cannot be used right now; worth retrying."""


class DeviceNotFoundError(AudioDeviceError):
    """No device matches the configured name or index (unplugged, wrong name)."""


class DeviceBusyError(AudioDeviceError):
    """The device exists but another program holds it."""


class DeviceLostError(AudioDeviceError):
    """A device that was streaming stopped delivering audio (unplugged at run time)."""


class BackendUnavailableError(AudioDeviceError):
    """The audio backend library (PortAudio) is not installed."""


class ChannelCountError(AudioError):
    """The audio has a different channel count than the profile or device expects."""


class SampleRateError(AudioError):
    """The audio has, or the device cannot do, the configured sample rate."""


class AudioFileError(AudioError):
    """A WAV or raw file is missing, unreadable or malformed."""


class ProfileError(AudioError):
    """A room audio profile is unknown or invalid."""
