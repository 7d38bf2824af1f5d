"""Scanning what a run wrote for CPR numbers in every written form (tests/test_cpr_scan.py).

Two searches over every text a file yields:

- any CPR number the detector finds (`find_cpr`), in text files only (random bytes of a binary file may
  spell a valid date);
- any of a known set of CPR numbers (the sample's, or one planted by a test) in every form: the digits of
  the text are read with up to three separators (anything but a letter or a digit) between them collapsed,
  so a known number is found with any separator, in any Unicode digit script and inside a longer digit
  run; in readable text also as a number rendering without its leading zero (`find_cpr(numeric=True)`).
  Letters break a run: a pseudonym's hex digits are not read as one long number; the digits of a decimal
  fraction (`12.880733945400001`) are left out.

What a file yields: a DuckDB file its tables' values as text (every column, every schema) and its raw
bytes; a workbook or zip its members' bytes; a PDF the text of `pdftotext` and its raw bytes; every file its
raw bytes decoded as UTF-8, Latin-1 and UTF-16 (both byte orders, both alignments). DuckDB compresses some
strings on disk, which is why its tables are read through DuckDB as well.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import duckdb

from pipelines.privacy.detector import ascii_form, find_cpr

TEXT_SUFFIXES = {".log", ".json", ".jsonl", ".txt", ".csv", ".html", ".md", ".yml", ".yaml", ".sql", ".msgpack",
                 ".eml", ""}
_DIGIT_RUN = re.compile(r"[0-9](?:[^0-9A-Za-z\r\n]{0,3}[0-9])*")
_NOT_DIGIT = re.compile(r"[^0-9]")
_FRACTION = re.compile(r"(?<=[0-9])[.,][0-9]+")  # `12.880733945400001`: the digits of a fraction are no person


def known_in(text: str, known: set[str]) -> list[str]:
    """Known CPR numbers in `text`, whatever separators stand between their digits (up to three)."""
    hits = []
    for run in _DIGIT_RUN.finditer(_FRACTION.sub("", ascii_form(text))):
        digits = _NOT_DIGIT.sub("", run[0])
        if len(digits) >= 10:
            hits += sorted({digits[i:i + 10] for i in range(len(digits) - 9)} & known)
    return hits


def decodings(data: bytes) -> list[str]:
    texts = [data.decode("utf-8", errors="replace"), data.decode("latin-1")]
    for encoding in ("utf-16-le", "utf-16-be"):
        texts += [data[offset:].decode(encoding, errors="replace") for offset in (0, 1)]
    return texts


def duckdb_values(path: Path) -> str:
    """Every distinct value of every column of every table and view, read as text."""
    lines = []
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            "select c.table_schema, c.table_name, c.column_name from information_schema.columns as c "
            "where c.table_catalog = current_database()").fetchall()
        assert columns, path
        for schema, table, column in columns:
            values = con.execute(f'select distinct cast("{column}" as varchar) from "{schema}"."{table}" '
                                 f'where "{column}" is not null').fetchall()
            lines += [f"{schema}.{table}.{column}: {value}" for (value,) in values]
    return "\n".join(lines)


def texts_of(path: Path) -> tuple[list[str], list[str]]:
    """(texts read as text, texts from raw bytes) of one written file."""
    data = path.read_bytes()
    readable: list[str] = []
    if path.suffix == ".duckdb":
        readable.append(duckdb_values(path))
    elif path.suffix == ".pdf":
        readable.append(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                       check=True).stdout)
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            readable += [archive.read(member).decode("utf-8", errors="replace") for member in archive.namelist()]
    elif path.suffix in TEXT_SUFFIXES:
        readable.append(data.decode("utf-8", errors="replace"))
    return readable, decodings(data)


def cpr_findings_in(path: Path, known: set[str]) -> list[str]:
    """What of a CPR number the file holds: any CPR in its readable text, any known CPR anywhere in it."""
    readable, raw = texts_of(path)
    hits = [f"CPR {text[s.start:s.end]!r}" for text in readable for s in find_cpr(text)]
    hits += [f"known CPR {s.digits} as a number" for text in readable for s in find_cpr(text, numeric=True)
             if s.digits in known]
    hits += [f"known CPR {digits}" for text in (*readable, *raw) for digits in known_in(text, known)]
    return sorted(set(hits))


def written_files(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*") if p.is_file())
