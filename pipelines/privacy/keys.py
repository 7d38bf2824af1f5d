"""The pseudonymisation key's fingerprint in the internal warehouse: one key for the warehouse's lifetime.

The fingerprint is an HMAC of a fixed label under the key, so it identifies the key without revealing it.
The first run stores it; a later run with another key would give every person a new pseudonym and
silently break the links across deliveries, so it stops before anything is loaded.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import duckdb

from pipelines.privacy.cpr import MissingKeyError, key_file, load_key

FINGERPRINT_LABEL = b"kpi-warehouse pseudonymisation key fingerprint v1"
FINGERPRINT_DDL = """
create table if not exists raw.key_fingerprint (
    fingerprint varchar not null,
    recorded_at timestamp not null
)
"""


class KeyMismatchError(RuntimeError):
    pass


def fingerprint(key: bytes) -> str:
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def stored_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    con.execute("create schema if not exists raw")
    con.execute(FINGERPRINT_DDL)
    row = con.execute("select fingerprint from raw.key_fingerprint order by recorded_at limit 1").fetchone()
    return row[0] if row else None


def verify_key(con: duckdb.DuckDBPyConnection) -> bytes:
    """The run's key, checked against the warehouse's fingerprint (stored on the first run).

    Raises `MissingKeyError` without a key and `KeyMismatchError` for another key; both say so in Danish.
    """
    key = load_key()
    have = fingerprint(key)
    stored = stored_fingerprint(con)
    if stored is None:
        con.execute("insert into raw.key_fingerprint values (?, ?)", [have, datetime.now()])
    elif stored != have:
        raise KeyMismatchError(
            "Pseudonymiseringsnøglen er ikke den, lageret blev bygget med (nøglens fingeraftryk er et andet). "
            "Kørslen er stoppet før indlæsning, så personer ikke mister deres sammenhæng på tværs af leverancer. "
            f"Brug den oprindelige nøgle (KPI_HMAC_KEY eller {key_file()})."
        )
    return key


__all__ = ["KeyMismatchError", "MissingKeyError", "fingerprint", "stored_fingerprint", "verify_key"]
