"""The pseudonymisation key: read from a file or an environment variable, checked, never shown.

The key is the secret that makes every pseudonym unguessable: whoever holds it
can re-create the pseudonym of any name, date or phone number they can guess.
It is kept in memory only; what may be shown or written is its fingerprint.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import LinkageError

__all__ = ["Key", "PseudonymKeyError", "check_key", "load_key", "MIN_KEY_CHARS"]

#: a key shorter than this is refused: 32 random characters (e.g. 64 hex digits) are expected
MIN_KEY_CHARS = 32
#: ... and so is one that repeats a few characters (``aaaa...``, ``abcabc...``)
MIN_DISTINCT_CHARS = 10

_HOW_TO_MAKE = (
    "make one with: python3 -c \"import secrets; print(secrets.token_hex(32))\" > linkage.key "
    "and share it only with the agencies whose data must link"
)


class PseudonymKeyError(LinkageError):
    """The key is missing, unreadable or too weak (the message never contains the key)."""


@dataclass(frozen=True)
class Key:
    """A checked secret key.  ``repr`` and ``str`` show only the fingerprint."""

    secret: bytes
    source: str
    #: the key file it was read from (an output must never be written over it)
    path: Path | None = None

    def __repr__(self) -> str:  # never the secret
        return f"Key(fingerprint={self.fingerprint}, source={self.source!r})"

    __str__ = __repr__

    @property
    def fingerprint(self) -> str:
        """16 hex digits that let two agencies check they hold the same key without revealing it."""
        return hmac.new(self.secret, b"linkage key fingerprint v1", hashlib.sha256).hexdigest()[:16]

    def derive(self, purpose: str) -> bytes:
        """A sub-key for one purpose (ids, names, Bloom filters), so pseudonyms of one kind say nothing of another."""
        return hmac.new(self.secret, f"linkage v1 {purpose}".encode("utf-8"), hashlib.sha256).digest()


def check_key(text: str, source: str) -> Key:
    """``text`` as a Key, or a ``PseudonymKeyError`` saying why it is refused (without quoting it)."""
    secret = text.strip()
    if not secret:
        raise PseudonymKeyError(f"the key in {source} is empty; {_HOW_TO_MAKE}")
    if len(secret) < MIN_KEY_CHARS:
        raise PseudonymKeyError(
            f"the key in {source} is too short ({len(secret)} characters; at least {MIN_KEY_CHARS} are needed); {_HOW_TO_MAKE}"
        )
    if len(set(secret)) < MIN_DISTINCT_CHARS:
        raise PseudonymKeyError(
            f"the key in {source} is too weak (it uses only {len(set(secret))} different characters); {_HOW_TO_MAKE}"
        )
    return Key(secret.encode("utf-8"), source)


def load_key(*, key_file: str | Path | None = None, key_env: str | None = None) -> Key:
    """Read the key from ``key_file`` or the environment variable ``key_env`` (exactly one)."""
    if (key_file is None) == (key_env is None):
        raise PseudonymKeyError("give the key either as --key-file FILE or as --key-env VARIABLE (one of them); " + _HOW_TO_MAKE)
    if key_file is not None:
        path = Path(key_file)
        if not path.is_file():
            raise PseudonymKeyError(f"key file {path} does not exist; pass the file that holds the shared key, or {_HOW_TO_MAKE}")
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise PseudonymKeyError(f"key file {path} is not text; the key must be a line of text such as 64 hex digits") from None
        key = check_key(text, f"key file {path}")
        return Key(key.secret, key.source, path)
    assert key_env is not None
    value = os.environ.get(key_env)
    if value is None:
        raise PseudonymKeyError(f"environment variable {key_env} is not set; export it with the shared key, or use --key-file")
    return check_key(value, f"environment variable {key_env}")
