"""One-time invite codes: 12 characters of Crockford base32 (60 random bits), shown in
groups of four, typed back in any case, with or without separators, with the letters that
look like digits read as those digits."""

from __future__ import annotations

import secrets

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LENGTH = 12
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, _LENGTH, 4))


def normalize_code(text: str) -> str:
    """The canonical form a code is stored (digested) under; '' when it cannot be a code."""
    cleaned = "".join(ch for ch in text.upper() if ch not in "- ").translate(_LOOKALIKES)
    if len(cleaned) != _LENGTH or any(ch not in _ALPHABET for ch in cleaned):
        return ""
    return cleaned
