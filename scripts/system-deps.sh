#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (broker, audio, speech, browser).
# Idempotent: does nothing when every tool is already present.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have mosquitto || need+=(mosquitto mosquitto-clients)
have sox || need+=(sox libsox-fmt-all)
have flite || need+=(flite)
have espeak-ng || need+=(espeak-ng)
have pulseaudio || need+=(pulseaudio pulseaudio-utils libasound2-plugins)
have openssl || need+=(openssl)
# the dashboard's browser tests drive the system Chromium through its WebDriver
have chromium || need+=(chromium)
have chromedriver || need+=(chromium-driver)
ldconfig -p 2>/dev/null | grep -q libportaudio.so.2 || need+=(libportaudio2)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
