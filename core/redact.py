"""One place that knows the house's secrets and scrubs them from everything it prints or logs.

The config loader registers every value that came from `!secret` (secrets.yaml or the
environment), every `SecretStr` field and the userinfo of every URL in the config; plugins
register secrets they find elsewhere (an API key from the environment). `redact` replaces them,
and also hides URL credentials and credential-looking query parameters it has never seen
(`http://user:pw@host`, `?key=...`). The CLI routes its standard output, standard error and
every log handler through it, so an error message, an HTTP error body or a traceback at -vv
cannot quote a secret.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

MASK = "***"
MIN_SECRET_CHARS = 4  # shorter values ("on", "1") would garble every line they appear in

_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/\s:@?#]*)"
                           r"(?::(?P<pw>[^/\s@?#]*))?@")
_URL_IN_TEXT = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S+")
_CREDENTIAL_PARAM = re.compile(
    r"(?P<name>[?&;](?:api[_-]?key|key|token|access[_-]?token|auth|password|passwd|pass|secret|"
    r"sig|signature|apikey)=)(?P<value>[^&#\s\"']+)", re.IGNORECASE)

_lock = threading.Lock()
_secrets: set[str] = set()
_ordered: list[str] = []  # longest first, so a secret containing another is masked whole


def register(value: Any) -> None:
    """Remember `value` (and the forms it takes when quoted) as a secret to hide."""
    if value is None or isinstance(value, bool):
        return
    text = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
    forms = {text, json.dumps(text)[1:-1], repr(text)[1:-1]}
    new = {f for f in forms if len(f) >= MIN_SECRET_CHARS and f not in _secrets}
    if not new:
        return
    with _lock:
        _secrets.update(new)
        _ordered[:] = sorted(_secrets, key=len, reverse=True)


def register_url(url: str) -> None:
    """Register the password (and user) of a URL's userinfo, and its credential parameters."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return
    for value in (parts.password, parts.username if parts.password else None):
        if value:
            register(value)
            register(unquote(value))
    for match in _CREDENTIAL_PARAM.finditer("?" + parts.query):
        register(match.group("value"))


def register_strings_in(data: Any) -> None:
    """Register the credentials of every URL found in plain config data."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and "://" in item:
            for url in _URL_IN_TEXT.findall(item):
                register_url(url)


def known() -> int:
    return len(_secrets)


def forget_all() -> None:
    """Clear the registry (tests build several houses in one process)."""
    with _lock:
        _secrets.clear()
        _ordered.clear()


def redact(text: str) -> str:
    """`text` with every known secret and every URL credential replaced by ***."""
    if not text:
        return text
    for secret in _ordered:
        if secret in text:
            text = text.replace(secret, MASK)
    if "://" in text:
        text = _URL_USERINFO.sub(_mask_userinfo, text)
    if "=" in text:
        text = _CREDENTIAL_PARAM.sub(lambda m: m.group("name") + MASK, text)
    return text


def _mask_userinfo(match: re.Match[str]) -> str:
    if match.group("pw") is None:
        return f"{match.group('scheme')}{MASK}@"
    return f"{match.group('scheme')}{match.group('user')}:{MASK}@"


def redacted_url(url: str | None) -> str | None:
    """A URL fit to show a person: userinfo password and credential parameters masked."""
    return None if url is None else redact(url)


class RedactingFormatter(logging.Formatter):
    """Wraps a handler's formatter: the whole formatted record (traceback included) is scrubbed."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record))


def redact_logging(logger: logging.Logger | None = None) -> None:
    """Scrub every handler of `logger` (the root logger by default)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not isinstance(handler.formatter, RedactingFormatter):
            handler.setFormatter(RedactingFormatter(handler.formatter))


class RedactingStream(io.TextIOBase):
    """A text stream that scrubs what is written and never fails to encode it.

    Text is encoded in the underlying stream's encoding with replacement, so a stray surrogate
    from raw input becomes '?' instead of a UnicodeEncodeError, and output stays valid.
    """

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner
        self.encoding_name = getattr(inner, "encoding", None) or "utf-8"
        self._binary = getattr(inner, "buffer", None)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.encoding_name

    @property
    def errors(self) -> str:  # type: ignore[override]
        return "replace"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    def write(self, text: str) -> int:
        clean = redact(text)
        if self._binary is None:
            self.inner.write(clean.encode(self.encoding_name, "replace")
                             .decode(self.encoding_name, "replace"))
            return len(text)
        self.inner.flush()
        self._binary.write(clean.encode(self.encoding_name, "replace"))
        if "\n" in clean or self.inner.isatty():
            self._binary.flush()
        return len(text)

    def flush(self) -> None:
        self.inner.flush()
        if self._binary is not None:
            self._binary.flush()


def redact_standard_streams(streams: Iterable[str] = ("stdout", "stderr")) -> None:
    """Route sys.stdout/sys.stderr through RedactingStream (once)."""
    import sys

    for name in streams:
        current = getattr(sys, name)
        if current is not None and not isinstance(current, RedactingStream):
            setattr(sys, name, RedactingStream(current))
