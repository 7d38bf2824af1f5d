"""Many programmes, one tool: `programmes.toml` lists each programme's key, sources folder and warehouse.

```toml
[[programme]]
plan_id = "slagelse"                     # the programme's key; its schema in PostgreSQL
name = "En fælles boligsocial indsats"
sources = "sample"                       # inbox/ and reference/ (its own catalog); relative to this file
warehouse = "../warehouse/slagelse/slagelse.duckdb"  # a folder of its own (see below)
cron = "0 2 * * *"                       # optional: when its nightly runs under `kpi schedule --programmes`
timezone = "Europe/Copenhagen"           # optional: the zone the cron is read in
```
Each programme has its own catalog and reference folder (files it lacks come from the project's, one by
one) and its own DuckDB file with its own lock, so programmes never block or overwrite each other. Each
warehouse lies in a folder of its own: the lock, the run logs, the run's working folders, the board report
(`reports/`) and `seneste_koersel.md` are written beside it, and programmes run at the same time on a work
pool (`kpi worker`) must not share them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipelines.publish.postgres import PostgresPublishError, check_identifier


class ProgrammesError(ValueError):
    """A malformed programmes file; the message is Danish."""


DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Europe/Copenhagen"


@dataclass(frozen=True)
class Programme:
    plan_id: str
    name: str
    sources: Path
    warehouse: Path
    cron: str = DEFAULT_CRON
    timezone: str = DEFAULT_TIMEZONE


def read_programmes(path: Path) -> list[Programme]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProgrammesError(f"Programfilen {path} kan ikke læses: {exc}") from exc
    programmes = []
    for index, entry in enumerate(document.get("programme", []), start=1):
        missing = [k for k in ("plan_id", "sources", "warehouse") if k not in entry]
        if missing:
            raise ProgrammesError(f"Programfilen {path}, program nr. {index}: mangler {', '.join(missing)}")
        try:
            plan_id = check_identifier(str(entry["plan_id"]), "programnavn (plan_id)")
        except PostgresPublishError as exc:
            raise ProgrammesError(f"Programfilen {path}, program nr. {index}: {exc}") from exc
        programmes.append(Programme(plan_id, str(entry.get("name", plan_id)),
                                    (path.parent / entry["sources"]).resolve(),
                                    (path.parent / entry["warehouse"]).resolve(),
                                    str(entry.get("cron", DEFAULT_CRON)), str(entry.get("timezone", DEFAULT_TIMEZONE))))
    if not programmes:
        raise ProgrammesError(f"Programfilen {path} nævner ingen programmer ([[programme]])")
    keys = [p.plan_id for p in programmes]
    if len(set(keys)) != len(keys) or len({p.warehouse for p in programmes}) != len(programmes):
        raise ProgrammesError(f"Programfilen {path}: hvert program skal have sit eget plan_id og sit eget lager")
    if len({p.warehouse.parent for p in programmes}) != len(programmes):
        raise ProgrammesError(f"Programfilen {path}: hvert programs lager skal ligge i sin egen mappe (låsen, "
                              "loggene, rapporten og seneste_koersel.md skrives ved siden af lageret)")
    return programmes
