"""Password hashing with argon2id. Cost parameters come from the app config when there is one."""

from __future__ import annotations

import functools
import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10


def _hasher() -> PasswordHasher:
    try:
        from flask import current_app, has_app_context
    except ImportError:  # pragma: no cover
        return PasswordHasher()
    if not has_app_context():
        return PasswordHasher()
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("ARGON2_TIME_COST", 3),
        memory_cost=config.get("ARGON2_MEMORY_COST", 65536),
        parallelism=config.get("ARGON2_PARALLELISM", 4),
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def session_token(password_hash: str) -> str:
    """A short value that changes whenever the password does: it ends old login sessions."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def burn_time(password: str) -> None:
    """Verify against a throwaway hash, so an unknown username costs as long as a known one."""
    hasher = _hasher()
    dummy = _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    try:
        hasher.verify(dummy, password)
    except (VerificationError, InvalidHashError):
        pass


@functools.cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash("not-a-real-password")
