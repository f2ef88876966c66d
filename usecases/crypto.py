"""Sealing stored secrets and digests of random secrets.

AES-256-GCM from ``cryptography`` seals what must be readable again (stored idempotent
responses, which may carry a one-time secret). Random, long secrets that need only be
recognised (client secrets, refresh tokens, invite codes) are kept as SHA-256 digests: with
256 random bits a slow hash adds nothing."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


class Sealer:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        # Keys of their own for one purpose each (HMACs: phone digests, check-in tokens),
        # derived from the data key: none doubles as the sealing key, and none is in the database.
        self._derive = hmac.new(key, b"bilin:derived-keys", hashlib.sha256).digest()
        self._phone_key = self.derived_key(b"phone digest v1")

    def seal(self, plaintext: bytes, context: bytes = b"") -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, context)

    def open(self, sealed: bytes, context: bytes = b"") -> bytes:
        return self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], context)

    def derived_key(self, purpose: bytes) -> bytes:
        """A key of its own for one purpose (an HMAC), derived from the data key."""
        return hmac.new(self._derive, purpose, hashlib.sha256).digest()

    def phone_digest(self, normalized_phone: str) -> bytes:
        """HMAC-SHA256 of a normalised number (domain.people.normalize_phone). Keyed, unlike
        the digests below: mainland mobile numbers are few enough (~10⁹) that a plain hash
        would be reversed by trying them all."""
        return hmac.new(self._phone_key, normalized_phone.encode(), hashlib.sha256).digest()


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def matches(secret: str, stored_digest: bytes) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)
