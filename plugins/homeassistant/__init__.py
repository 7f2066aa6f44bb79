"""Home Assistant as the source of areas, devices and states, acted on through its API."""
