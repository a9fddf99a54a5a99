"""Password hashing with argon2id (memory-hard); the clear password is never stored or logged."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
MAX_LENGTH = 1024  # a sign-in with more is refused unchecked: hashing megabytes costs the server
# argon2-cffi's RFC 9106 "low memory" profile: 64 MiB, 3 passes — about 50 ms a check here.
_hasher = PasswordHasher()
# Verified against when the username is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("halfsky-no-such-user")


class PasswordPolicyError(ValueError):
    """A new password that breaks the policy; ``code`` is an i18n key."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check_policy(password: str, username: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError("pw_too_short")
    if len(password) > MAX_LENGTH or "\x00" in password:  # could never be used to sign in
        raise PasswordPolicyError("pw_unusable")
    if username and password.strip().lower() == username.strip().lower():
        raise PasswordPolicyError("pw_is_username")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing or malformed hash is a mismatch, never an error."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
