"""Inbox scan and the ledger decisions: new, duplicate, superseding, ambiguous or already seen.

source_formats.md, section 0 ("Re-delivery / corrections"): files of one source with the same
period token form a chain and the latest delivery date wins; a byte-identical file is a duplicate
whatever its name; two files of a chain with the same delivery date are ambiguous; a rejected file
never supersedes anything.

A file name is data too: a name (or folder) holding a CPR number in any written form is rejected here,
before anything is logged, under its masked name (`kmd_opera_<CPR skjult>_20261101.csv`). Only the masked
name ever leaves this module: terminal, run log, alert mail, load_ledger, data_gaps, load_runs and the
inputs record see that. The file is not parsed; every other delivery loads, and the next run finds the
masked name with the same content in the ledger and leaves it alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.delivery.errors import DeliveryRejected
from pipelines.delivery.filenames import FileName, parse_file_name
from pipelines.privacy.detector import mask_cpr

if TYPE_CHECKING:
    from pipelines.parse.base import SourceParser


class Decision(Enum):
    LOAD = "load"
    DUPLICATE = "duplicate"
    REJECT = "reject"
    SEEN = "seen"  # already in the ledger with the same content: nothing to do, no new ledger row


@dataclass(frozen=True)
class LedgerEntry:
    source_system: str
    file_name: str
    file_type: str | None
    period_token: str | None
    sha256: str | None
    status: str
    delivered_at: object


@dataclass
class Delivery:
    """One file found in the inbox and what the ledger says must happen to it."""

    path: Path
    source_system: str
    sha256: str
    decision: Decision
    name: FileName | None = None
    rejection: DeliveryRejected | None = None
    duplicate_of: str | None = None
    masked_name: str | None = None  # set when the name holds a CPR number: the only name that may be shown

    @property
    def file_name(self) -> str:
        return self.masked_name or self.path.name


CPR_IN_NAME_FOUND = "filnavnet indeholder et CPR-nummer (her vist som <CPR skjult>); filen er ikke læst"
CPR_IN_NAME_EXPECTED = "et filnavn uden personoplysninger, <kilde>_<periode>_<ÅÅÅÅMMDD>.<endelse>: omdøb filen"


def shown_name(path: Path) -> str:
    """A file's name as it may be shown and stored: with every CPR number masked."""
    return mask_cpr(path.name)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def inbox_files(inbox: Path) -> list[tuple[str, Path]]:
    if not inbox.is_dir():
        return []
    return [
        (folder.name, path)
        for folder in sorted(inbox.iterdir())
        if folder.is_dir() and not folder.name.startswith(".")
        for path in sorted(folder.iterdir())
        if path.is_file() and not path.name.startswith((".", "~$"))
    ]


def _sort_key(item: tuple[str, Path]) -> tuple[str, str, str]:
    # Oldest delivery first, so a later correction in the same run supersedes an earlier one.
    source_system, path = item
    stamp = path.stem.rsplit("_", 1)[-1]
    return (stamp, source_system, path.name)


def discover(inbox: Path, ledger: list[LedgerEntry], parsers: dict[str, SourceParser],
             sha256: Callable[[Path], str] = sha256_of) -> list[Delivery]:
    """Decide, for every inbox file, whether it is loaded, a duplicate, rejected or already seen."""
    by_name = {e.file_name: e for e in ledger}
    loaded_hashes = {e.sha256: e.file_name for e in ledger if e.status in ("loaded", "superseded") and e.sha256}
    chains = {(e.source_system, e.file_type, e.period_token, e.delivered_at): e.file_name
              for e in ledger if e.status in ("loaded", "superseded")}
    deliveries: list[Delivery] = []
    for folder, path in sorted(inbox_files(inbox), key=_sort_key):
        sha = sha256(path)
        source_system, name_shown = mask_cpr(folder), shown_name(path)
        masked = name_shown if (name_shown, source_system) != (path.name, folder) else None
        known = by_name.get(name_shown)
        if known and (known.sha256 == sha or known.status != "rejected"):
            deliveries.append(Delivery(path, source_system, sha, Decision.SEEN, masked_name=masked))
            continue
        if masked:
            rejection = DeliveryRejected(name_shown, CPR_IN_NAME_FOUND, CPR_IN_NAME_EXPECTED)
            deliveries.append(Delivery(path, source_system, sha, Decision.REJECT, rejection=rejection,
                                       masked_name=masked))
            continue
        parser = parsers.get(source_system)
        if parser is None:
            rejection = DeliveryRejected(path.name, f"ukendt kildesystem (mappen {source_system})",
                                         "en mappe pr. kildesystem: " + ", ".join(sorted(parsers)))
            deliveries.append(Delivery(path, source_system, sha, Decision.REJECT, rejection=rejection))
            continue
        try:
            name = parse_file_name(path, source_system, extensions=parser.extensions, file_types=parser.file_types)
        except DeliveryRejected as rejection:
            deliveries.append(Delivery(path, source_system, sha, Decision.REJECT, rejection=rejection))
            continue
        if sha in loaded_hashes:
            deliveries.append(Delivery(path, source_system, sha, Decision.DUPLICATE, name,
                                       duplicate_of=loaded_hashes[sha]))
            continue
        chain_key = (source_system, name.file_type, name.period_token, name.delivered_at)
        if chain_key in chains:
            rejection = DeliveryRejected(
                path.name, f"tvetydig genlevering: {chains[chain_key]} har samme periode og leveringsdato",
                "en rettet fil med en senere leveringsdato i filnavnet")
            deliveries.append(Delivery(path, source_system, sha, Decision.REJECT, name, rejection=rejection))
            continue
        deliveries.append(Delivery(path, source_system, sha, Decision.LOAD, name))
        loaded_hashes[sha] = path.name
        chains[chain_key] = path.name
    return deliveries
