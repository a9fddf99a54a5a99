"""Password hashing with argon2id (memory-hard); the clear password is never stored or logged."""
from __future__ import annotations

import functools
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
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


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the most common passwords, lower case (read once per process).

    Guessing tools try these first, so a length rule alone lets "1234567890" or "qwertyuiop" in.
    """
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and not line.startswith("#"))


def check_policy(password: str, username: str = "") -> None:
    """Refuse a password that is short, blank, unusable, the username or a common one; each
    refusal has its own code so the message can say why."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError("pw_too_short")
    if not password.strip():  # ten spaces: as easy to guess as none
        raise PasswordPolicyError("pw_blank")
    if len(password) > MAX_LENGTH or "\x00" in password:  # could never be used to sign in
        raise PasswordPolicyError("pw_unusable")
    if username and password.strip().lower() == username.strip().lower():
        raise PasswordPolicyError("pw_is_username")
    if password.strip().lower() in common_passwords():
        raise PasswordPolicyError("pw_common")


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
