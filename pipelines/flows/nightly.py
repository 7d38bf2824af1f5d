"""The nightly Prefect flow: discover → ingest (parse, validate, load) → dbt build → publish.

One task per stage; the stages themselves (pipelines.ingest, pipelines.transform,
pipelines.warehouse) know nothing of Prefect.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from pipelines.settings import apply_quiet_offline_env

apply_quiet_offline_env()

import duckdb  # noqa: E402
from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from pipelines import progress  # noqa: E402
from pipelines.ingest.discover import Decision, Delivery, discover  # noqa: E402
from pipelines.ingest.ingest import IngestOutcome, ingest, parse_context  # noqa: E402
from pipelines.ingest.parsers import registry  # noqa: E402
from pipelines.settings import RunConfig  # noqa: E402
from pipelines.transform.dbt import DbtOutcome, run_dbt_build  # noqa: E402
from pipelines.warehouse.build import (  # noqa: E402
    assessment_sources,
    ledger_entries,
    measurement_sources,
    prepare_build,
)
from pipelines.warehouse.publish import publish  # noqa: E402


@dataclass
class NightlyResult:
    """What a run did. `failure` set means nothing was published and the old warehouse stands."""

    outcomes: list[IngestOutcome] = field(default_factory=list)
    failure: str | None = None
    published: bool = False
    report_error: str | None = None  # the warehouse is published; only the board report failed

    @property
    def rejected(self) -> list[IngestOutcome]:
        return [o for o in self.outcomes if o.status == "rejected"]

    def as_dict(self) -> dict:
        return asdict(self)


@task(name="prepare-build", cache_policy=NO_CACHE)
def prepare_build_task(config: RunConfig) -> Path:
    progress.report("Forbereder byggefil")
    return prepare_build(config.internal_warehouse, config.catalog_file)


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(config: RunConfig, build: Path) -> list[Delivery]:
    progress.report("Finder nye leverancer")
    return discover(config.inbox, ledger_entries(build), registry())


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(config: RunConfig, build: Path, deliveries: list[Delivery]) -> list[IngestOutcome]:
    context = parse_context(config.reference)
    outcomes = []
    to_do = [d for d in deliveries if d.decision is not Decision.SEEN]
    with duckdb.connect(str(build)) as con:
        for index, delivery in enumerate(to_do, start=1):
            progress.report(f"Indlæser {delivery.file_name}", index, len(to_do))
            outcomes.append(ingest(con, delivery, context))
    return outcomes


@task(name="dbt-build", cache_policy=NO_CACHE)
def transform_task(build: Path, as_of: date) -> DbtOutcome:
    progress.report("Beregner kriterier (dbt build)")
    return run_dbt_build(build, as_of, measurement_sources(), assessment_sources())


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(config: RunConfig, build: Path) -> None:
    progress.report("Publicerer lageret")
    publish(build, config.internal_warehouse, config.warehouse)


@task(name="report", cache_policy=NO_CACHE)
def report_task(config: RunConfig) -> None:
    from pipelines.report.build import nightly_report_dir, write_report

    progress.report("Danner bestyrelsesrapporten")
    write_report(config.warehouse, nightly_report_dir(config.warehouse))


@flow(name="kpi-nightly", log_prints=False, validate_parameters=False)
def nightly_flow(sources_dir: str, warehouse: str, as_of: str | None = None) -> NightlyResult:
    config = RunConfig(Path(sources_dir), Path(warehouse), date.fromisoformat(as_of) if as_of else date.today())
    result = NightlyResult()
    build: Path | None = None
    try:
        build = prepare_build_task(config)
        deliveries = discover_task(config, build)
        result.outcomes = ingest_task(config, build, deliveries)
        dbt = transform_task(build, config.as_of)
        if not dbt.success:
            result.failure = "dbt build fejlede: " + "; ".join(dbt.failures[:5])
            return result
        publish_task(config, build)
        result.published = True
        try:
            report_task(config)
        except Exception as exc:  # the new warehouse stands; the board keeps the previous report
            result.report_error = f"Rapporten blev ikke dannet: {type(exc).__name__}: {exc}"
    except Exception as exc:  # the run fails as a whole; the last good warehouse stays published
        result.failure = f"{type(exc).__name__}: {exc}"
    finally:
        if build is not None:
            build.unlink(missing_ok=True)
    return result
