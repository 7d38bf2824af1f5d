"""The one CPR detector (pipelines/privacy/detector.py): every written form is found, ordinary numbers are not."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from datetime import date

from hypothesis import assume, given
from hypothesis import strategies as st

from pipelines.privacy.detector import MASK, ascii_form, contains_cpr, cpr_regex, find_cpr, mask_cpr
from pipelines.privacy.log_masking import CprMaskingFilter

# The first code point of every Unicode digit script (ASCII, fullwidth, Arabic-Indic, Devanagari, …).
DIGIT_ZEROS = sorted({code for code in range(0x1FFFF) if unicodedata.decimal(chr(code), None) == 0})
# Every Unicode dash (category Pd: hyphen, en/em dash, non-breaking hyphen U+2011, …) and the minus signs.
DASHES = [chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) == "Pd"] + ["\u2212", "\u02d7", "\u2796"]
# Every Unicode space (category Zs: NBSP, thin space, …), the tab and the invisible zero-width space.
SPACES = [chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) == "Zs"] + ["\t", "\u200b"]
SEPARATORS = ["", *DASHES, *SPACES, " - ", "\u00a0\u2013\u00a0", "  ", " \u2011"]
PREFIXES = ["", "CPR", "cpr", "CPR ", "CPR-nr. ", "cpr:", "CPR-nummer: ", "cpr.nr.", "Cprnr", "personnummer ",
            "\uff23\uff30\uff32"]
# Text around a number: letters, spaces and punctuation, never a digit (so the only number is the one put in).
FILLER = st.text(alphabet=st.characters(blacklist_categories=("Nd", "No", "Nl", "Cs")), max_size=20)


@st.composite
def cprs(draw) -> str:
    """Ten ASCII digits of a real CPR number (20th century: 7th digit 0–3), replacement numbers (day + 60) too."""
    born = draw(st.dates(date(1900, 1, 1), date(1999, 12, 31)))
    day = born.day + (60 if draw(st.booleans()) else 0)
    return f"{day:02d}{born.month:02d}{born.year % 100:02d}{draw(st.integers(0, 3))}{draw(st.integers(0, 999)):03d}"


@st.composite
def written(draw, digits: str) -> str:
    zero = draw(st.sampled_from(DIGIT_ZEROS))
    mixed = draw(st.booleans())  # each digit in its own script, or the whole number in one
    glyphs = [chr((draw(st.sampled_from(DIGIT_ZEROS)) if mixed else zero) + int(d)) for d in digits]
    number = "".join(glyphs[:6]) + draw(st.sampled_from(SEPARATORS)) + "".join(glyphs[6:])
    return draw(st.sampled_from(PREFIXES)) + number


@given(data=st.data(), digits=cprs(), before=FILLER, after=FILLER)
def test_every_written_form_is_found_and_masked(data, digits: str, before: str, after: str) -> None:
    form = data.draw(written(digits))
    text = f"{before} {form} {after}"
    found = find_cpr(text)
    assert digits in [span.digits for span in found]
    span = next(s for s in found if s.digits == digits)
    assert text[span.start:span.end] in form  # the span is the number (its prefix stays readable)
    masked = mask_cpr(text)
    assert MASK in masked and not contains_cpr(masked)
    assert masked.startswith(before) and masked.endswith(after)


@given(data=st.data(), digits=cprs())
def test_the_gx_regex_matches_every_form_with_an_ascii_prefix(data, digits: str) -> None:
    form = data.draw(written(digits))
    assume(not form.startswith("\uff23"))  # a fullwidth prefix glued to the number: only find_cpr folds it
    assert re.search(cpr_regex(), f"x {form} y")


NUMBER_RENDERINGS = [str, lambda n: f"{n}.0", lambda n: f"{n}.00", lambda n: repr(float(n)), lambda n: f"{n:.8E}",
                     lambda n: f"{n:.8e}", lambda n: f"{n:.8E}".replace("E+", "E"),
                     lambda n: f"{n:.8E}".replace("+0", "")]


@given(digits=cprs().filter(lambda d: d.startswith("0")), render=st.sampled_from(NUMBER_RENDERINGS))
def test_a_cpr_column_read_as_a_number_is_found_in_numeric_mode(digits: str, render) -> None:
    text = render(int(digits))
    assert text != digits  # the leading zero is lost
    assert [s.digits for s in find_cpr(text, numeric=True)] == [digits], text
    assert mask_cpr(text, numeric=True) == MASK


def test_the_forms_named_in_the_issue() -> None:
    forms = ["0101871467", "010187-1467", "010187 1467", "010187–1467", "010187—1467", "010187\u20111467",
             "010187\u22121467", "010187\u00a01467", "010187\u20091467", "CPR0101871467", "CPR-nr. 010187-1467",
             "cpr:0101871467", "０１０１８７１４６７", "٠١٠١٨٧١٤٦٧", "۰۱۰۱۸۷-۱۴۶۷"]
    assert {form: [s.digits for s in find_cpr(form)] for form in forms} == {f: ["0101871467"] for f in forms}
    assert [s.digits for s in find_cpr("101871467.0", numeric=True)] == ["0101871467"]
    assert [s.digits for s in find_cpr("1.01871467E8", numeric=True)] == ["0101871467"]
    assert find_cpr("101871467.0") == []  # only a CPR column's values are read as numbers


@given(day=st.dates(date(1900, 1, 1), date(2100, 12, 31)), fmt=st.sampled_from(
    ["%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d%m%Y", "%Y%m%d", "%d-%m-%y", "%Y-%m-%d %H:%M:%S",
     "%d. %B %Y", "%Y%m%d_%H%M%S"]))
def test_dates_are_not_cpr_numbers(day: date, fmt: str) -> None:
    assert find_cpr(day.strftime(fmt)) == []


@given(number=st.integers(10_000_000, 99_999_999), fmt=st.sampled_from(
    ["+45 {a} {b} {c} {d}", "+45{n}", "{a} {b} {c} {d}", "{n}", "(+45) {n}", "{a}{b} {c}{d}", "0045 {n}"]))
def test_phone_numbers_are_not_cpr_numbers(number: int, fmt: str) -> None:
    text = str(number)
    phone = fmt.format(n=text, a=text[:2], b=text[2:4], c=text[4:6], d=text[6:])
    assert find_cpr(phone) == [] and find_cpr(phone, numeric=True) == []


@given(amount=st.decimals(0, 10**9, places=2, allow_nan=False, allow_infinity=False))
def test_amounts_are_not_cpr_numbers(amount) -> None:
    whole, cents = f"{amount:.2f}".split(".")
    danish = f"{int(whole):,}".replace(",", ".") + "," + cents
    for text in (danish, f"{danish} kr.", f"{amount:.2f}", f"kr. {whole},-"):
        assert find_cpr(text) == [], text


@given(whole=st.integers(0, 10**6), digits=cprs(), comma=st.booleans())
def test_a_decimal_fraction_is_not_a_cpr_number(whole: int, digits: str, comma: bool) -> None:
    text = f"{whole}{',' if comma else '.'}{digits}"  # `17.7405976764`: a target value, not a person
    assert find_cpr(text) == [] and find_cpr(text, numeric=True) == [] and not re.search(cpr_regex(), text)


@given(digits=st.from_regex(r"\A[0-9]{11,24}\Z"))
def test_a_cpr_inside_a_longer_digit_run_is_not_searched(digits: str) -> None:
    """The policy (detector.py): 12- and 13-digit identifiers are not taken for CPR numbers."""
    assert find_cpr(digits) == [] and find_cpr(f"EAN {digits}") == []


@given(digits=st.from_regex(r"\A[0-9]{10}\Z"))
def test_ten_digits_are_a_cpr_only_when_they_state_a_date(digits: str) -> None:
    day, month = int(digits[:2]) % 60 or 60, int(digits[2:4])
    if month == 0 or month > 12 or day > 31:
        assert find_cpr(digits) == []


@given(payload=st.binary(max_size=64))
def test_a_hash_is_never_a_cpr_number(payload: bytes) -> None:
    assert find_cpr(hashlib.sha256(payload).hexdigest()) == []
    assert find_cpr(hashlib.md5(payload).hexdigest()) == []


@given(text=st.text(max_size=60))
def test_spans_are_positions_in_the_original_text(text: str) -> None:
    assert len(ascii_form(text)) == len(text)
    for span in find_cpr(text, numeric=True):
        assert 0 <= span.start < span.end <= len(text)


def test_the_log_filter_masks_message_arguments_and_traceback() -> None:
    try:
        raise ValueError("celle " + "".join(["010187", "\u2013", "1467"]))  # the source line shows no CPR
    except ValueError:
        import sys
        record = logging.LogRecord("kpi", logging.ERROR, __file__, 1, "fil %s afvist", ("CPR0101871467.csv",),
                                   sys.exc_info())
    assert CprMaskingFilter().filter(record) is True
    text = logging.Formatter("%(message)s").format(record)
    assert not contains_cpr(text) and text.count(MASK) == 2, text
