"""Publishing to a real, throwaway PostgreSQL cluster on 127.0.0.1 (initdb and pg_ctl from the base image).

Checks: identical results to the DuckDB publication, an atomic swap under a concurrent reader, a failed
publish that leaves the previous version, and evaluator roles that read only their own programme.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import duckdb
import psycopg
import pytest

from pipelines.contract_columns import CONTRACT_TABLES
from pipelines.publish.local_cluster import SUPERUSER_PASSWORD, LocalCluster, start_local_cluster
from pipelines.publish.postgres import PostgresPublishError, init_roles, publish_to_postgres
from tests.conftest import PublishedDemo, run_kpi

READER_QUERY = "select (select count(*) from kpi.kpi_status), (select count(*) from kpi.measurements)"


@pytest.fixture(scope="module")
def cluster() -> LocalCluster:
    started = start_local_cluster()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def dsn(cluster: LocalCluster) -> str:
    return cluster.dsn(password=SUPERUSER_PASSWORD)


def _variant(published: Path, target: Path, sql: str) -> Path:
    """A copy of the published file changed by one statement (another version to publish)."""
    shutil.copy(published, target)
    with duckdb.connect(str(target)) as con:
        con.execute(sql)
    return target


@pytest.fixture(scope="module")
def versions(published_demo: PublishedDemo, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pg_versions")
    return {
        "a": published_demo.warehouse,
        "b": _variant(published_demo.warehouse, folder / "b.duckdb",
                      "delete from kpi_status where period = '2015'; delete from measurements where period = '2016'"),
        "cpr": _variant(published_demo.warehouse, folder / "cpr.duckdb",
                        "update kpi_status set status_reason = 'Se 010194-7551' where period = '2017'"),
    }


def _pair(path: Path) -> tuple[int, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select (select count(*) from kpi_status), (select count(*) from measurements)").fetchone()


def _pg(dsn: str, sql: str, params: list | None = None) -> list[tuple]:
    with psycopg.connect(dsn) as con:
        return con.execute(sql, params or []).fetchall()


def test_postgres_holds_the_same_rows_as_the_duckdb_publication(dsn: str, versions) -> None:
    report = publish_to_postgres(versions["a"], dsn)
    with duckdb.connect(str(versions["a"]), read_only=True) as duck:
        for table in report.tables:
            columns = [c for (c,) in duck.execute(
                "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
                [table]).fetchall()]
            names = ", ".join(f'"{c}"' for c in columns)
            want = sorted(duck.execute(f"select {names} from {table}").fetchall(), key=repr)
            have = sorted(_pg(dsn, f"select {names} from kpi.{table}"), key=repr)
            assert have == want, table
    assert set(CONTRACT_TABLES) <= set(report.tables)


def test_a_concurrent_reader_sees_the_old_or_the_new_version_never_a_mix(dsn: str, versions) -> None:
    expected = {_pair(versions["a"]), _pair(versions["b"])}
    assert len(expected) == 2
    publish_to_postgres(versions["a"], dsn)
    seen: list[tuple[int, int]] = []
    errors: list[str] = []
    stop = threading.Event()

    def read_in_a_loop() -> None:
        with psycopg.connect(dsn, autocommit=True) as con:
            while not stop.is_set():
                try:
                    seen.append(tuple(con.execute(READER_QUERY).fetchone()))
                except psycopg.Error as exc:
                    errors.append(str(exc))

    reader = threading.Thread(target=read_in_a_loop)
    reader.start()
    try:
        for version in ("b", "a", "b"):
            publish_to_postgres(versions[version], dsn)
            time.sleep(0.2)
    finally:
        stop.set()
        reader.join(timeout=30)
    assert not errors, errors[:3]
    assert set(seen) == expected, set(seen) - expected  # both versions were read, nothing in between
    assert _pg(dsn, READER_QUERY) == [_pair(versions["b"])]


def test_a_failed_publish_leaves_the_previous_version(dsn: str, versions) -> None:
    publish_to_postgres(versions["a"], dsn)
    with pytest.raises(PostgresPublishError) as caught:
        publish_to_postgres(versions["cpr"], dsn)
    assert "CPR-lignende værdi" in str(caught.value) and "010194" not in str(caught.value)
    assert _pg(dsn, READER_QUERY) == [_pair(versions["a"])]
    schemas = {s for (s,) in _pg(dsn, "select nspname from pg_namespace")}
    assert "kpi__new" not in schemas and "kpi__old" not in schemas


def test_evaluators_read_only_their_own_programme(cluster: LocalCluster, dsn: str, versions) -> None:
    init_roles(dsn, "kpi", "eva_kpi", "pw-kpi")
    init_roles(dsn, "other", "eva_other", "pw-other")
    publish_to_postgres(versions["a"], dsn, "kpi")
    publish_to_postgres(versions["b"], dsn, "other")
    kpi_reader = cluster.dsn("eva_kpi", password="pw-kpi")
    assert _pg(kpi_reader, READER_QUERY) == [_pair(versions["a"])]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _pg(kpi_reader, "select count(*) from other.kpi_status")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _pg(kpi_reader, "delete from kpi.kpi_status")
    assert _pg(kpi_reader, "select distinct plan_id from all_plans.kpi_status") == [("kpi",)]
    assert _pg(kpi_reader, "select distinct plan_id from all_plans.measurements") == [("kpi",)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # the rows behind the views: never for evaluators
        _pg(kpi_reader, "select distinct plan_id from all_plans_data.measurements")
    other_reader = cluster.dsn("eva_other", password="pw-other")
    assert _pg(other_reader, "select plan_id, count(*) from all_plans.kpi_status group by 1") == [
        ("other", _pair(versions["b"])[0])]
    assert {p for (p,) in _pg(dsn, "select distinct plan_id from all_plans.kpi_status")} == {"kpi", "other"}


def test_kpi_publish_command(dsn: str, versions) -> None:
    done = run_kpi("publish", "--to", dsn, "--warehouse", str(versions["a"]))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Publiceret til PostgreSQL-skemaet kpi" in done.stdout
    refused = run_kpi("publish", "--to", dsn.replace(SUPERUSER_PASSWORD, "forkert"), "--warehouse",
                      str(versions["a"]))
    assert refused.returncode == 4
    said = " ".join((refused.stdout + refused.stderr).split())  # the console wraps long lines
    assert "Den tidligere publicerede version er uændret" in said and "forkert" not in said
    assert "Traceback" not in refused.stdout + refused.stderr


@pytest.mark.parametrize("form", ["CPR0101871467", "010187\u20131467", "010187 1467", "cpr: 010187\u00a0-\u00a01467"])
def test_the_audit_finds_a_cpr_in_any_written_form(dsn: str, versions, tmp_path: Path, form: str) -> None:
    """The PostgreSQL audit uses the one detector (pipelines/privacy/detector.py), not a narrower regex."""
    variant = _variant(versions["a"], tmp_path / "cpr_form.duckdb",
                       f"update kpi_status set status_reason = 'Se {form}' where period = '2017'")
    publish_to_postgres(versions["a"], dsn)
    with pytest.raises(PostgresPublishError) as caught:
        publish_to_postgres(variant, dsn)
    assert "kpi_status.status_reason: CPR-lignende værdi" in str(caught.value) and "1467" not in str(caught.value)
    assert _pg(dsn, READER_QUERY) == [_pair(versions["a"])]


def _comparable(rows: list[tuple]) -> list[tuple]:
    """Rows as both databases' drivers give them: numbers as floats rounded to 6 places, the rest as text."""
    def value(v: object) -> object:
        if v is None or isinstance(v, bool | str):
            return v
        if isinstance(v, int | float) or type(v).__name__ == "Decimal":
            return round(float(v), 6)
        return str(v)

    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


def test_the_cookbook_answers_the_same_on_postgresql_as_an_evaluator(cluster: LocalCluster, dsn: str,
                                                                       versions) -> None:
    """docs/evaluator_guide.md promises that each query runs on PostgreSQL too, in the evaluator's schema and in
    all_plans (row-level security, another programme beside it), with the same answer as on the DuckDB file."""
    from pipelines.evaluator_cookbook import cookbook

    init_roles(dsn, "cook", "eva_cook", "pw-cook")
    init_roles(dsn, "neighbour", "eva_neighbour", "pw-neighbour")
    publish_to_postgres(versions["a"], dsn, "cook")
    publish_to_postgres(versions["b"], dsn, "neighbour")
    with duckdb.connect(str(versions["a"]), read_only=True) as duck, \
            psycopg.connect(cluster.dsn("eva_cook", password="pw-cook")) as pg:
        for question, query in cookbook().items():
            want = _comparable(duck.execute(query).fetchall())
            assert want, question
            for schema in ("cook", "all_plans"):
                pg.execute(f"set search_path = {schema}")
                assert _comparable(pg.execute(query).fetchall()) == want, (schema, question)
