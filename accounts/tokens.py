"""Random tokens and key hashing, PostHog-style (base62 bodies, sha256 storage)."""

import hashlib
import secrets
import string

BASE62 = string.digits + string.ascii_lowercase + string.ascii_uppercase
PERSONAL_API_KEY_PREFIX = "phx_"
PROJECT_TOKEN_PREFIX = "phc_"
SHA256_HASH_PREFIX = "sha256$"


def generate_random_token(nbytes: int = 32) -> str:
    """A base62 string carrying `nbytes` of randomness (top bit forced so the length is stable)."""
    number = secrets.randbits(nbytes * 8) | (1 << (nbytes * 8 - 1))
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(BASE62[rest])
    return "".join(reversed(digits))


def generate_personal_api_key() -> str:
    # 35 bytes: 32 bytes of entropy plus the 4 characters shown in clear in the mask.
    return PERSONAL_API_KEY_PREFIX + generate_random_token(35)


def generate_project_token() -> str:
    return PROJECT_TOKEN_PREFIX + generate_random_token(32)


def hash_key_value(value: str) -> str:
    return SHA256_HASH_PREFIX + hashlib.sha256(value.encode()).hexdigest()


def mask_key_value(value: str) -> str:
    if len(value) < 16:
        return "********"
    return f"{value[:4]}...{value[-4:]}"
