"""Sunrise and sunset from latitude and longitude (NOAA's simplified solar equations).

Accurate to about a minute between the polar circles, which is what "lights on at dusk" needs.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta, timezone, tzinfo

_ZENITH_DEG = 90.833  # the sun's upper limb on the horizon, with refraction


def _utc_minutes(day: date, latitude: float, longitude: float, rising: bool) -> float | None:
    """Minutes after 00:00 UTC of the event, or None when the sun does not rise/set that day."""
    gamma = 2 * math.pi / 365 * (day.timetuple().tm_yday - 1)
    eqtime = 229.18 * (0.000075 + 0.001868 * math.cos(gamma) - 0.032077 * math.sin(gamma)
                       - 0.014615 * math.cos(2 * gamma) - 0.040849 * math.sin(2 * gamma))
    decl = (0.006918 - 0.399912 * math.cos(gamma) + 0.070257 * math.sin(gamma)
            - 0.006758 * math.cos(2 * gamma) + 0.000907 * math.sin(2 * gamma)
            - 0.002697 * math.cos(3 * gamma) + 0.00148 * math.sin(3 * gamma))
    lat = math.radians(latitude)
    cos_ha = (math.cos(math.radians(_ZENITH_DEG)) / (math.cos(lat) * math.cos(decl))
              - math.tan(lat) * math.tan(decl))
    if not -1 <= cos_ha <= 1:
        return None
    hour_angle = math.degrees(math.acos(cos_ha))
    sign = 1 if rising else -1
    return 720 - 4 * (longitude + sign * hour_angle) - eqtime


def sun_event(day: date, event: str, latitude: float, longitude: float,
              tz: tzinfo | None) -> datetime | None:
    """The local time of "sunrise" or "sunset" on `day`, or None (polar day or night)."""
    minutes = _utc_minutes(day, latitude, longitude, event == "sunrise")
    if minutes is None:
        return None
    midnight = datetime.combine(day, time(0), tzinfo=timezone.utc)
    return (midnight + timedelta(minutes=minutes)).astimezone(tz)
