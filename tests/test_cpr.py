"""CPR numbers: format and date only (no modulus-11), the century rule, pseudonyms and the key fingerprint."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.privacy.cpr import MissingKeyError, birth_date, is_valid_cpr, load_key, pseudonymise
from pipelines.privacy.detector import century, contains_cpr
from pipelines.privacy.keys import KeyMismatchError, fingerprint, stored_fingerprint, verify_key


@pytest.mark.parametrize(("text", "born"), [
    ("010194-7551", date(1894, 1, 1)),  # 7th digit 7, YY 94 > 57: the 1800s
    ("0101947551", date(1894, 1, 1)),  # 10 digits without the dash
    ("010194-3551", date(1994, 1, 1)),  # 0-3: always the 1900s
    ("010136-4551", date(2036, 1, 1)),  # 4: 2000s up to YY 36 ...
    ("010137-4551", date(1937, 1, 1)),  # ... 1900s after
    ("010136-9551", date(2036, 1, 1)),  # 9 like 4
    ("010137-9551", date(1937, 1, 1)),
    ("010157-5551", date(2057, 1, 1)),  # 5-8: 2000s up to YY 57 ...
    ("010158-8551", date(1858, 1, 1)),  # ... 1800s after
    ("290200-4000", date(2000, 2, 29)),  # 2000 is a leap year
    ("1201182329", date(1918, 1, 12)),  # 7th digit 2: the 1900s (the example of source_formats.md 10)
    (" 300109-4685 ", date(2009, 1, 30)),  # surrounding spaces are trimmed
])
def test_birth_date_follows_the_century_rule(text: str, born: date) -> None:
    assert birth_date(text) == born
    assert is_valid_cpr(text)


@pytest.mark.parametrize("text", [
    "310298-1234",  # 31 February
    "290299-1234",  # 1899 and 1999 are not leap years
    "290200-1234",  # 7th digit 1: 1900, not a leap year
    "000194-1234", "320194-1234", "011394-1234", "010094-1234",  # day 0/32, month 13/0
    "01019-41234", "010194_1234", "010194-123", "01019412345", "0101941234x", "", "abcdef-ghij",
])
def test_impossible_dates_and_malformed_numbers_are_not_cprs(text: str) -> None:
    assert birth_date(text) is None
    assert not is_valid_cpr(text)


def test_no_modulus_11_check() -> None:
    # 010194-7550 fails the old modulus-11 check but is a valid CPR since 2007.
    assert is_valid_cpr("010194-7550") and is_valid_cpr("010194-7551")


@given(born=st.dates(min_value=date(1858, 1, 1), max_value=date(2057, 12, 31)),
       serial=st.integers(min_value=0, max_value=999), dash=st.booleans())
def test_round_trip_from_birth_date(born: date, serial: int, dash: bool) -> None:
    """Every date of the CPR range can be written with a 7th digit that gives it back."""
    yy = born.year % 100
    digit = next(d for d in range(10) if century(yy, d) + yy == born.year)
    text = f"{born:%d%m}{yy:02d}{'-' if dash else ''}{digit}{serial:03d}"
    assert birth_date(text) == born
    assert contains_cpr(f"række med {text};")
    assert pseudonymise(text, b"k") == pseudonymise(text.replace("-", ""), b"k")


@given(text=st.text(alphabet="0123456789-", min_size=0, max_size=12))
def test_birth_date_never_raises(text: str) -> None:
    result = birth_date(text)
    assert result is None or is_valid_cpr(text)


def test_pseudonym_depends_on_the_key_and_hides_the_number() -> None:
    first, second = pseudonymise("0101947551", b"one"), pseudonymise("0101947551", b"two")
    assert first != second and len(first) == 64 and int(first, 16) >= 0
    assert "0101947551" not in first and not contains_cpr(first)


def test_missing_key_is_a_clear_danish_error(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("KPI_HMAC_KEY", raising=False)
    monkeypatch.setenv("KPI_HMAC_KEY_FILE", str(tmp_path / "none.key"))
    with pytest.raises(MissingKeyError, match="Ingen pseudonymiseringsnøgle"):
        load_key()
    (tmp_path / "none.key").write_text("\n")
    with pytest.raises(MissingKeyError, match="tom"):
        load_key()


def test_fingerprint_is_stored_once_and_another_key_stops(monkeypatch) -> None:
    con = duckdb.connect()
    monkeypatch.setenv("KPI_HMAC_KEY", "first-key")
    assert verify_key(con) == b"first-key"
    assert stored_fingerprint(con) == fingerprint(b"first-key") != fingerprint(b"second-key")
    verify_key(con)  # the same key again: fine, nothing added
    assert con.execute("select count(*) from raw.key_fingerprint").fetchone() == (1,)
    monkeypatch.setenv("KPI_HMAC_KEY", "second-key")
    with pytest.raises(KeyMismatchError, match="Pseudonymiseringsnøglen er ikke den"):
        verify_key(con)
    assert "first-key" not in stored_fingerprint(con)


def test_digits_of_other_scripts_are_not_cpr_digits() -> None:
    """Found by hypothesis: `0١01000000` (an Arabic-Indic one) passed the date check, then the HMAC failed."""
    from pipelines.privacy.cpr import is_valid_cpr

    assert not is_valid_cpr("0\u066101000000")
    assert not is_valid_cpr("\uff10\uff11\uff10\uff11\uff10\uff10-0000")  # full-width digits
    assert is_valid_cpr("010100-0000")
