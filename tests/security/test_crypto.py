"""Secrets at rest: authenticated encryption under named, rotatable keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from luna.errors import LunaError
from luna.security.crypto import (
    Keyring,
    SecretDecryptionError,
    derive_key,
    encode_key,
    generate_key,
    key_id_for,
)
from tests.conftest import TEST_SECRET

OTHER_SECRET = "another-secret-key-that-is-long-enough-9876543210"
CONTEXT = b"provider_credentials:api_key:cred_0001"
PLAINTEXT = b"sk-live-do-not-leak-4242"
TOKEN = re.compile(r"^v1\.k[0-9a-f]{8}\.[A-Za-z0-9_-]+$")
BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

KEYRING = Keyring.from_secret(TEST_SECRET)


def unpadded(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def split(token: str) -> tuple[str, str, bytes]:
    version, key_id, payload = token.split(".")
    return version, key_id, base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))


def test_round_trip() -> None:
    token = KEYRING.encrypt(PLAINTEXT, context=CONTEXT)
    assert TOKEN.match(token)
    assert KEYRING.decrypt(token, context=CONTEXT) == PLAINTEXT
    assert PLAINTEXT not in token.encode()


def test_token_is_version_key_id_nonce_and_sealed_text() -> None:
    version, key_id, payload = split(KEYRING.encrypt(PLAINTEXT, context=CONTEXT))
    assert (version, key_id) == ("v1", KEYRING.current)
    assert len(payload) == 12 + len(PLAINTEXT) + 16  # 96-bit nonce, ciphertext, GCM tag


def test_same_plaintext_encrypts_differently_each_time() -> None:
    tokens = {KEYRING.encrypt(PLAINTEXT, context=CONTEXT) for _ in range(20)}
    nonces = {split(token)[2][:12] for token in tokens}
    assert len(tokens) == 20
    assert len(nonces) == 20


def test_changing_any_character_of_the_token_fails() -> None:
    token = KEYRING.encrypt(PLAINTEXT, context=CONTEXT)
    for index, character in enumerate(token):
        replacement = "A" if character != "A" else "B"
        tampered = token[:index] + replacement + token[index + 1 :]
        with pytest.raises(SecretDecryptionError):
            KEYRING.decrypt(tampered, context=CONTEXT)


def test_changing_any_byte_of_the_payload_fails() -> None:
    token = KEYRING.encrypt(PLAINTEXT, context=CONTEXT)
    version, key_id, payload = split(token)
    for index in range(len(payload)):
        flipped = payload[:index] + bytes([payload[index] ^ 0x01]) + payload[index + 1 :]
        with pytest.raises(SecretDecryptionError, match="tampered"):
            KEYRING.decrypt(f"{version}.{key_id}.{unpadded(flipped)}", context=CONTEXT)


def test_padded_spelling_of_the_same_token_is_refused() -> None:
    token = KEYRING.encrypt(PLAINTEXT, context=CONTEXT)
    with pytest.raises(SecretDecryptionError):
        KEYRING.decrypt(token + "=", context=CONTEXT)


def test_ciphertext_moved_to_another_row_fails() -> None:
    token = KEYRING.encrypt(PLAINTEXT, context=b"credentials:secret:cred_0001")
    with pytest.raises(SecretDecryptionError, match="another context"):
        KEYRING.decrypt(token, context=b"credentials:secret:cred_0002")


def test_unknown_key_id_fails_and_names_the_key() -> None:
    token = Keyring.from_secret(OTHER_SECRET).encrypt(PLAINTEXT, context=CONTEXT)
    with pytest.raises(SecretDecryptionError) as caught:
        KEYRING.decrypt(token, context=CONTEXT)
    assert split(token)[1] in caught.value.reason


@pytest.mark.parametrize(
    "token",
    [
        "",
        "v1",
        "v1.k12c531d8",
        "v2.k12c531d8.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "v1..AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "v1.k.12.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "v1.k12c531d8.not+base64/url",
        "v1.k12c531d8.AAAA",
        "v1.k12c531d8.",
        "plaintext that was never encrypted",
    ],
)
def test_malformed_tokens_fail(token: str) -> None:
    with pytest.raises(SecretDecryptionError):
        KEYRING.decrypt(token, context=CONTEXT)
    with pytest.raises(SecretDecryptionError):
        KEYRING.needs_rotation(token)


def test_decryption_error_is_a_generic_500_that_leaks_nothing() -> None:
    token = KEYRING.encrypt(PLAINTEXT, context=CONTEXT)
    with pytest.raises(SecretDecryptionError) as caught:
        KEYRING.decrypt(token, context=b"wrong")
    error = caught.value
    assert isinstance(error, LunaError)
    assert (error.code, error.status, error.title) == (
        "secret-unreadable",
        500,
        "Internal Server Error",
    )
    assert error.detail == "A stored secret could not be decrypted."
    assert error.data == {}
    key = derive_key(TEST_SECRET)
    for text in (str(error), repr(error), error.detail, error.reason):
        for secret in (PLAINTEXT.decode(), TEST_SECRET, key.hex(), encode_key(key)):
            assert secret not in text


def test_key_id_is_derived_deterministically_from_the_secret() -> None:
    first, second = Keyring.from_secret(TEST_SECRET), Keyring.from_secret(TEST_SECRET)
    assert first.current == second.current == "k12c531d8"
    assert first.current == key_id_for(derive_key(TEST_SECRET))
    assert Keyring.from_secret(OTHER_SECRET).current != first.current
    token = first.encrypt(PLAINTEXT, context=CONTEXT)
    assert second.decrypt(token, context=CONTEXT) == PLAINTEXT


def test_derived_key_is_hkdf_sha256_of_the_secret() -> None:
    # RFC 5869 with no salt, written out independently of the implementation.
    pseudo_random_key = hmac.new(b"\0" * 32, TEST_SECRET.encode(), hashlib.sha256).digest()
    expected = hmac.new(pseudo_random_key, b"luna secrets at rest v1\x01", hashlib.sha256).digest()
    assert derive_key(TEST_SECRET) == expected
    assert key_id_for(expected) == "k" + hashlib.sha256(expected).hexdigest()[:8]


def test_rotation_to_a_new_current_key() -> None:
    old_token = KEYRING.encrypt(PLAINTEXT, context=CONTEXT)
    rotated_ring = Keyring.from_secret(
        TEST_SECRET, extra={"k2026a": generate_key()}, current="k2026a"
    )
    assert rotated_ring.current == "k2026a"
    assert rotated_ring.key_ids == {"k2026a", KEYRING.current}
    assert rotated_ring.decrypt(old_token, context=CONTEXT) == PLAINTEXT
    assert rotated_ring.needs_rotation(old_token)

    new_token = rotated_ring.rotate(old_token, context=CONTEXT)
    assert split(new_token)[1] == "k2026a"
    assert not rotated_ring.needs_rotation(new_token)
    assert rotated_ring.decrypt(new_token, context=CONTEXT) == PLAINTEXT
    assert split(rotated_ring.encrypt(PLAINTEXT, context=CONTEXT))[1] == "k2026a"
    with pytest.raises(SecretDecryptionError):
        KEYRING.decrypt(new_token, context=CONTEXT)  # the old ring lacks the new key


def test_rotate_refuses_a_token_of_another_context() -> None:
    ring = Keyring.from_secret(TEST_SECRET, extra={"knew": generate_key()}, current="knew")
    token = KEYRING.encrypt(PLAINTEXT, context=CONTEXT)
    with pytest.raises(SecretDecryptionError):
        ring.rotate(token, context=b"another row")


def test_secret_key_can_change_while_the_old_derived_key_stays_readable() -> None:
    old_key = derive_key(TEST_SECRET)
    old_token = KEYRING.encrypt(PLAINTEXT, context=CONTEXT)
    ring = Keyring.from_secret(OTHER_SECRET, extra={key_id_for(old_key): encode_key(old_key)})
    assert ring.current == key_id_for(derive_key(OTHER_SECRET))
    assert ring.needs_rotation(old_token)
    assert ring.decrypt(ring.rotate(old_token, context=CONTEXT), context=CONTEXT) == PLAINTEXT


def test_explicit_keys_accept_padded_base64() -> None:
    key = bytes(range(32))
    padded = base64.urlsafe_b64encode(key).decode()
    assert padded.endswith("=")
    ring = Keyring.from_secret(TEST_SECRET, extra={"kexplicit": padded}, current="kexplicit")
    token = ring.encrypt(PLAINTEXT, context=CONTEXT)
    assert Keyring({"kexplicit": key}, current="kexplicit").decrypt(token, context=CONTEXT)


@pytest.mark.parametrize(
    ("extra", "current", "message"),
    [
        ({"kshort": unpadded(b"x" * 16)}, None, "must be 32 bytes"),
        ({"kbad": "not base64 at all!"}, None, "not urlsafe base64"),
        ({"bad.id": generate_key()}, None, "key id"),
        ({"k12c531d8": generate_key()}, None, "derived from the secret"),
        (None, "kmissing", "names no key"),
    ],
)
def test_invalid_key_configuration_is_refused(
    extra: dict[str, str] | None, current: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        Keyring.from_secret(TEST_SECRET, extra, current=current)
    for value in (extra or {}).values():
        assert value not in str(caught.value)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 characters"):
        Keyring.from_secret("too-short")


def test_repr_names_key_ids_only() -> None:
    text = repr(KEYRING)
    assert text == "Keyring(key_ids=['k12c531d8'], current='k12c531d8')"


def test_text_round_trip() -> None:
    token = KEYRING.encrypt_str("pässwörd ✓ 🔑", context=CONTEXT)
    assert KEYRING.decrypt_str(token, context=CONTEXT) == "pässwörd ✓ 🔑"


def test_text_decryption_of_binary_secret_fails() -> None:
    token = KEYRING.encrypt(b"\xff\xfe not utf-8", context=CONTEXT)
    with pytest.raises(SecretDecryptionError, match="not UTF-8"):
        KEYRING.decrypt_str(token, context=CONTEXT)


@hypothesis_settings(database=None, max_examples=200)
@given(plaintext=st.binary(max_size=4_096), context=st.binary(max_size=256))
def test_round_trip_of_any_bytes_in_any_context(plaintext: bytes, context: bytes) -> None:
    token = KEYRING.encrypt(plaintext, context=context)
    assert TOKEN.match(token)
    assert KEYRING.decrypt(token, context=context) == plaintext
    with pytest.raises(SecretDecryptionError):
        KEYRING.decrypt(token, context=context + b"\x00")


def test_current_key_cannot_be_reassigned() -> None:
    with pytest.raises(AttributeError):
        KEYRING.current = "kother"  # type: ignore[misc]


def test_payload_must_be_canonical_base64url() -> None:
    token = KEYRING.encrypt(PLAINTEXT, context=CONTEXT)
    version, key_id, payload = token.split(".")
    assert len(payload) % 4 == 2  # so the last character carries unused bits
    last = BASE64URL.index(payload[-1])
    same_bytes = payload[:-1] + BASE64URL[last | 1 if last % 2 == 0 else last & ~1]
    assert split(f"{version}.{key_id}.{same_bytes}")[2] == split(token)[2]
    with pytest.raises(SecretDecryptionError, match="not base64url"):
        KEYRING.decrypt(f"{version}.{key_id}.{same_bytes}", context=CONTEXT)
    with pytest.raises(SecretDecryptionError, match="not base64url"):
        KEYRING.decrypt(f"{version}.{key_id}.{payload[:-1]}", context=CONTEXT)


def test_keyring_refuses_keys_of_the_wrong_size() -> None:
    with pytest.raises(ValueError, match="must be 32 bytes"):
        Keyring({"ksmall": b"\x00" * 16}, current="ksmall")
