"""Keyed pseudonymisation of CPR numbers (HMAC-SHA256); finding them in text is `pipelines/privacy/detector.py`.

The key lives outside the repository and the warehouse: `KPI_HMAC_KEY` (hex or text) or the file
named by `KPI_HMAC_KEY_FILE` (default `~/.config/kpi-warehouse/hmac.key`). Without the key the
pseudonyms cannot be linked back to a CPR number, and the same CPR always gets the same pseudonym
under the same key, so persons can be linked across deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pipelines.privacy.detector import century

_STRICT_CPR = re.compile(r"^(\d{2})(\d{2})(\d{2})-?(\d{4})$", re.ASCII)  # ASCII digits only: `١` is no CPR digit
DEFAULT_KEY_FILE = Path.home() / ".config" / "kpi-warehouse" / "hmac.key"


class MissingKeyError(RuntimeError):
    pass


def birth_date(text: str) -> date | None:
    """The birth date a CPR number states (`DDMMYY-SSSS` or `DDMMYYSSSS`), or None when it is not a CPR."""
    match = _STRICT_CPR.match(text.strip())
    if not match:
        return None
    day, month, year_2 = int(match[1]), int(match[2]), int(match[3])
    try:
        return date(century(year_2, int(match[4][0])) + year_2, month, day)
    except ValueError:
        return None


def is_valid_cpr(text: str) -> bool:
    """DDMMYY-SSSS or DDMMYYSSSS stating a real date (no modulus-11 check: it was dropped in 2007)."""
    return birth_date(text) is not None


def normalise_cpr(text: str) -> str:
    return text.strip().replace("-", "")


def key_file() -> Path:
    return Path(os.environ.get("KPI_HMAC_KEY_FILE", DEFAULT_KEY_FILE)).expanduser()


def load_key() -> bytes:
    if value := os.environ.get("KPI_HMAC_KEY"):
        return value.encode("utf-8")
    path = key_file()
    if not path.is_file():
        raise MissingKeyError(
            f"Ingen pseudonymiseringsnøgle: sæt KPI_HMAC_KEY eller læg en nøglefil i {path} (kør 'kpi init-key')."
        )
    key = path.read_bytes().strip()
    if not key:
        raise MissingKeyError(f"Pseudonymiseringsnøglen i {path} er tom (kør 'kpi init-key' eller sæt KPI_HMAC_KEY).")
    return key


def ensure_key_file() -> Path:
    """Create a random local key (demo, first run) unless a key is configured already."""
    path = key_file()
    if os.environ.get("KPI_HMAC_KEY") or path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
    path.chmod(0o600)
    return path


def pseudonymise(cpr: str, key: bytes) -> str:
    """The person's pseudonym: HMAC-SHA256 of the normalised CPR under the key, as hex."""
    return hmac.new(key, normalise_cpr(cpr).encode("ascii"), hashlib.sha256).hexdigest()


def pseudonymiser(key: bytes) -> Callable[[str], str]:
    """`pseudonymise` under one key for many CPR numbers: the keyed HMAC state is set up once and copied."""
    keyed = hmac.new(key, digestmod=hashlib.sha256)

    def pseudonym(cpr: str) -> str:
        digest = keyed.copy()
        digest.update(normalise_cpr(cpr).encode("ascii"))
        return digest.hexdigest()

    return pseudonym
