"""Password hashing (scrypt from the standard library) and constant-time checking."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "scrypt$"
_N, _R, _P = 2**14, 8, 1


def _derive(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    b64 = base64.urlsafe_b64encode
    return f"{PREFIX}{b64(salt).decode()}${b64(_derive(password, salt)).decode()}"


def is_hash(text: str) -> bool:
    return text.startswith(PREFIX) and text.count("$") == 2


def check_password(password: str, hashed: str) -> bool:
    try:
        salt_b64, digest_b64 = hashed.removeprefix(PREFIX).split("$")
        salt = base64.urlsafe_b64decode(salt_b64)
        digest = base64.urlsafe_b64decode(digest_b64)
    except ValueError:
        return False
    if len(password) > 1024:  # scrypt on megabytes of hostile input costs real time
        return False
    return hmac.compare_digest(_derive(password, salt), digest)
