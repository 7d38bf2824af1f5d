"""Text damaged before it reached us: lost letters (U+FFFD) and mojibake (UTF-8 read as Windows-1252).

A DST download or a partner's export that someone opened in the wrong character set and saved again no
longer holds æ, ø and å: either the letters were replaced by U+FFFD (`Sk�lsk�r`), or the UTF-8 bytes of
each letter were read as two Windows-1252 characters and saved like that (`SkÃ¦lskÃ¸r`, `Ã˜`, `â€“`).
Neither can be repaired safely (`Ã` + a lost byte is ambiguous, U+FFFD is gone for good), and a guessed
repair would load area or indicator names nobody delivered, so the file is rejected and a fresh,
unedited copy is asked for.

What counts as mojibake: the lead characters of a two-byte UTF-8 sequence for Latin-1 letters (`Â`, `Ã`)
followed by a character whose Windows-1252 byte is a UTF-8 continuation byte (0x80-0xBF), the
three-byte forms of the dashes, quotes and euro sign (`â€`, `â‚`) and a BOM read as text (`ï»¿`).
No Danish word contains these pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _continuation_characters() -> str:
    """The characters Windows-1252 (or Latin-1, for its undefined bytes) shows for bytes 0x80-0xBF."""
    out = []
    for byte in range(0x80, 0xC0):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


REPLACEMENT_CHARACTER = "\ufffd"
_MOJIBAKE = re.compile(f"[ÂÃ][{re.escape(_continuation_characters())}]|â€|â‚|ï»¿")
_MOJIBAKE_LEADS = "ÂÃâï"  # the first characters of `_MOJIBAKE`'s pairs


@dataclass(frozen=True)
class Damage:
    """The first damaged spot of a text: where it is and what it shows."""

    position: int
    shown: str
    lost_letters: bool  # True: U+FFFD (the letters are gone); False: mojibake

    @property
    def found(self) -> str:
        """Danish description for an error message; quotes only the damaged characters, never the word."""
        if self.lost_letters:
            return ("erstatningstegnet '\ufffd' hvor der har stået et bogstav (æ, ø og å gik tabt, da filen blev "
                    "åbnet og gemt igen med et forkert tegnsæt)")
        return (f"ødelagte tegn '{self.shown}' (æ, ø og å i UTF-8 læst som Windows-1252 og gemt igen, "
                "fx 'Ã¸' for ø)")


EXPECTED = ("æ, ø og å som i leverandørens originalfil; bed leverandøren om en frisk, uredigeret download/eksport "
            "(filen må ikke åbnes og gemmes igen i Excel eller en teksteditor, før den lægges i indbakken)")


def find_damage(text: str) -> Damage | None:
    """The first U+FFFD or mojibake pair in `text`, or None when the text is clean."""
    lost = text.find(REPLACEMENT_CHARACTER)
    end = lost if lost >= 0 else len(text)
    # A pair begins with one of a few letters: the search starts at the first of them (most texts have none).
    starts = [at for at in (text.find(lead, 0, end) for lead in _MOJIBAKE_LEADS) if at >= 0]
    match = _MOJIBAKE.search(text, min(starts), end) if starts else None
    if match is not None:
        return Damage(match.start(), match.group(), lost_letters=False)
    if lost >= 0:
        return Damage(lost, REPLACEMENT_CHARACTER, lost_letters=True)
    return None


def line_of(text: str, position: int) -> int:
    """1-based line number of a position (CRLF, LF or a lone CR end a line)."""
    return len(re.findall(r"\r\n|\r|\n", text[:position])) + 1
