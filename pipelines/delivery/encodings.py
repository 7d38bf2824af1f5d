"""Which character set a delivered text file is in (source_formats.md 0 and 0.4).

The contract's files are UTF-8 (with or without BOM) or Windows-1252, and are read exactly as before. Beyond
that (0.4: "any common encoding, detected") charset-normalizer picks among the single-byte sets Danish
suppliers' systems still write (Mac Roman, DOS code pages 850/865, ISO 8859-15). A detected set is only
believed when it leaves no sign of a wrong guess: no letter–symbol–letter such as `Sk›lsk›r` (cp850's ø read
as Windows-1252). UTF-16 and NUL bytes stay rejected (0).
"""

from __future__ import annotations

import re

import charset_normalizer

# The single-byte sets a detected guess may be.
CANDIDATES = ("cp1252", "iso8859_15", "mac_roman", "cp850", "cp865")
# A symbol between two letters: how æ, ø and å look when read in the wrong single-byte set.
_SYMBOL = re.compile("[\u0080-\u00bf\u2010-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6"
                     "\u02dc\u2122\u2020\u2021\u2030\u2022]")
_LETTER = re.compile(r"[^\W\d_]")
_PLAIN_APOSTROPHES = frozenset("'’‘´`")
_DANISH_LETTERS = "æøåÆØÅéÉüÜöÖäÄ"
_FOREIGN_LETTER = re.compile(f"[^\\W\\d_a-zA-Z{_DANISH_LETTERS}]")
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")


def looks_misread(text: str) -> bool:
    """True when a symbol stands between two letters (`Sk›lsk›r`), as after a wrong character-set guess.

    The letter–symbol–letter triples are taken from the left without overlapping (as a regex's `finditer`
    takes them), found from the symbols: a whole extract has few of them, but letters everywhere.
    """
    end = 0  # where the last triple ended
    for match in _SYMBOL.finditer(text):
        at = match.start()
        if at - 1 < end or at + 1 >= len(text) or not (_LETTER.match(text, at - 1) and _LETTER.match(text, at + 1)):
            continue
        end = at + 2
        if text[at] not in _PLAIN_APOSTROPHES and text[at] not in "ªº":
            return True
    return False


def decode_single_byte(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) of a file that is not UTF-8, or None when no candidate reads it plausibly.

    Each candidate that reads the bytes without a sign of a wrong guess is scored by how Danish its letters
    look; ties go to Windows-1252, then to charset-normalizer's order. A Windows-1252 file (the contract's)
    reads as before: any other set turns its æ, ø, å into symbols or foreign letters.
    """
    guesses = [match.encoding for match in charset_normalizer.from_bytes(data, cp_isolation=list(CANDIDATES))]
    order = list(dict.fromkeys(["cp1252", *guesses, *CANDIDATES]))
    readings = []
    for encoding in order:
        try:
            text = data.decode(encoding, errors="strict")
        except UnicodeDecodeError:
            continue
        if not looks_misread(text):
            readings.append((danish_likeness(text), -order.index(encoding), text, encoding))
    if not readings:
        return None
    _, _, text, encoding = max(readings)
    return text, encoding


def danish_likeness(text: str) -> int:
    """Danish letters minus other non-ASCII letters: DOS code page 850 read as Mac Roman gives `Skëlskõr`."""
    beyond_ascii = _ASCII_RUNS.sub("", text)  # every letter counted here is beyond ASCII
    return sum(beyond_ascii.count(letter) for letter in _DANISH_LETTERS) - len(_FOREIGN_LETTER.findall(beyond_ascii))
