"""Secrets at rest: AES-256-GCM under named keys, so keys rotate without downtime.

A stored secret is a compact token ``v1.<key id>.<base64url(nonce + ciphertext)>``. The
key id says which key of the :class:`Keyring` sealed it, so old tokens stay readable
after a new key becomes current, and :meth:`Keyring.rotate` moves them over one at a
time. Each token is bound to a caller-chosen ``context`` (for example the table, column
and row id it belongs to): a ciphertext copied to another row does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Mapping
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from luna.errors import LunaError
from luna.settings import MIN_SECRET_LENGTH, Settings

TOKEN_VERSION: Final = "v1"  # noqa: S105  (a format version, not a secret)
KEY_BYTES: Final = 32
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16
SECRET_KEY_INFO: Final = b"luna secrets at rest v1"

_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")


class SecretDecryptionError(LunaError):
    """A stored secret cannot be read: unknown key, tampered token or wrong context.

    The response shows only a generic detail; ``reason`` (also in ``str()`` for the
    logs) says what went wrong. Neither ever holds the plaintext or a key.
    """

    code = "secret-unreadable"
    status = 500
    title = "Internal Server Error"

    def __init__(self, reason: str) -> None:
        super().__init__("A stored secret could not be decrypted.")
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.detail} {self.reason}"


def derive_key(secret_key: str) -> bytes:
    """The 32-byte encryption key derived from the application secret (HKDF-SHA256)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=SECRET_KEY_INFO)
    return hkdf.derive(secret_key.encode())


def key_id_for(key: bytes) -> str:
    """A stable, non-secret id for ``key``: ``k`` and 8 hex digits of its SHA-256."""
    return "k" + hashlib.sha256(key).hexdigest()[:8]


def encode_key(key: bytes) -> str:
    """A key as the unpadded urlsafe base64 text :meth:`Keyring.from_secret` accepts."""
    return _b64encode(key)


def generate_key() -> str:
    """A new random key, encoded for configuration (see :func:`encode_key`)."""
    return encode_key(secrets.token_bytes(KEY_BYTES))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Strict unpadded base64url: any other spelling of the same bytes is refused."""
    if not _BASE64URL.match(text):
        raise ValueError("not base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc
    if _b64encode(data) != text:
        raise ValueError("not canonical base64url")
    return data


def _decode_key(key_id: str, text: str) -> bytes:
    try:
        key = _b64decode(text.rstrip("="))
    except ValueError:
        raise ValueError(f"key {key_id!r} is not urlsafe base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"key {key_id!r} must be {KEY_BYTES} bytes, not {len(key)}")
    return key


class Keyring:
    """Named 32-byte AES-256-GCM keys; ``current`` seals new secrets, all of them open."""

    __slots__ = ("_ciphers", "_current")

    def __init__(self, keys: Mapping[str, bytes], *, current: str) -> None:
        for key_id, key in keys.items():
            if not _KEY_ID.match(key_id):
                raise ValueError(f"key id {key_id!r} must be 1-64 letters, digits, '-' or '_'")
            if len(key) != KEY_BYTES:
                raise ValueError(f"key {key_id!r} must be {KEY_BYTES} bytes, not {len(key)}")
        if current not in keys:
            raise ValueError(f"the current key id {current!r} names no key in the keyring")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = current

    @classmethod
    def from_secret(
        cls,
        secret_key: str,
        extra: Mapping[str, str] | None = None,
        *,
        current: str | None = None,
    ) -> Keyring:
        """A keyring holding the key derived from ``secret_key`` and any ``extra`` keys.

        ``extra`` maps key ids to urlsafe base64 keys of 32 bytes. ``current`` names the
        key that seals new secrets; by default the derived key. To rotate, add a new key
        to ``extra``, make it ``current``, and keep the old ones until
        :meth:`needs_rotation` is false for every stored token.
        """
        if len(secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(f"the secret key needs at least {MIN_SECRET_LENGTH} characters")
        derived = derive_key(secret_key)
        derived_id = key_id_for(derived)
        keys = {derived_id: derived}
        for key_id, text in (extra or {}).items():
            if key_id == derived_id:
                raise ValueError(f"key id {key_id!r} is the id of the key derived from the secret")
            keys[key_id] = _decode_key(key_id, text)
        return cls(keys, current=derived_id if current is None else current)

    @property
    def current(self) -> str:
        """The id of the key that seals new secrets."""
        return self._current

    @property
    def key_ids(self) -> frozenset[str]:
        """The ids of every key in the keyring."""
        return frozenset(self._ciphers)

    def __repr__(self) -> str:
        return f"Keyring(key_ids={sorted(self._ciphers)!r}, current={self.current!r})"

    def encrypt(self, plaintext: bytes, *, context: bytes) -> str:
        """Seal ``plaintext`` under the current key, bound to ``context``."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._ciphers[self.current].encrypt(
            nonce, plaintext, _associated_data(self.current, context)
        )
        return f"{TOKEN_VERSION}.{self.current}.{_b64encode(nonce + sealed)}"

    def decrypt(self, token: str, *, context: bytes) -> bytes:
        """Open a token made by :meth:`encrypt` with the same ``context``."""
        key_id, payload = _parse(token)
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise SecretDecryptionError(f"It was sealed under key {key_id!r}, not in the keyring.")
        nonce, sealed = payload[:NONCE_BYTES], payload[NONCE_BYTES:]
        try:
            return cipher.decrypt(nonce, sealed, _associated_data(key_id, context))
        except InvalidTag:
            raise SecretDecryptionError(
                "It was tampered with or belongs to another context."
            ) from None

    def encrypt_str(self, plaintext: str, *, context: bytes) -> str:
        """:meth:`encrypt` for text, stored as UTF-8."""
        return self.encrypt(plaintext.encode("utf-8"), context=context)

    def decrypt_str(self, token: str, *, context: bytes) -> str:
        """:meth:`decrypt` for a token made by :meth:`encrypt_str`."""
        plaintext = self.decrypt(token, context=context)
        try:
            return plaintext.decode("utf-8")
        except UnicodeDecodeError:
            raise SecretDecryptionError("It is not UTF-8 text.") from None

    def needs_rotation(self, token: str) -> bool:
        """Whether ``token`` was sealed under a key other than the current one."""
        key_id, _ = _parse(token)
        return key_id != self.current

    def rotate(self, token: str, *, context: bytes) -> str:
        """Open ``token`` under its own key and seal the plaintext under the current key."""
        return self.encrypt(self.decrypt(token, context=context), context=context)


def _associated_data(key_id: str, context: bytes) -> bytes:
    # The token header is authenticated along with the caller's context.
    return f"{TOKEN_VERSION}.{key_id}.".encode("ascii") + context


def _parse(token: str) -> tuple[str, bytes]:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != TOKEN_VERSION:
        raise SecretDecryptionError(f"It is not a {TOKEN_VERSION} secret token.")
    _, key_id, encoded = parts
    if not _KEY_ID.match(key_id):
        raise SecretDecryptionError("Its key id is malformed.")
    try:
        payload = _b64decode(encoded)
    except ValueError:
        raise SecretDecryptionError("Its payload is not base64url.") from None
    if len(payload) < NONCE_BYTES + TAG_BYTES:
        raise SecretDecryptionError("Its payload is too short.")
    return key_id, payload


def column_context(table: str, column: str, row_id: str) -> bytes:
    """The associated data that binds a stored secret to its table, column and row.

    A ciphertext copied into another row or column then fails to decrypt.
    """
    return f"{table}.{column}:{row_id}".encode()


def keyring_for(settings: Settings) -> Keyring:
    """The keys that seal secrets at rest, from the settings."""
    if settings.secret_key is None:
        raise ValueError("the settings have no secret key")
    extra = {key_id: key.get_secret_value() for key_id, key in settings.encryption_keys.items()}
    return Keyring.from_secret(
        settings.secret_key.get_secret_value(), extra, current=settings.encryption_key_current
    )
