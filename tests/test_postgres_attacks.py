"""Attacks on the PostgreSQL publication by a real evaluator login of one programme (issue 19 §1).

One throwaway cluster for the module, two programmes (`alpha`, `beta`) published from small synthetic
warehouse files whose row counts differ, and the attacker logs in over TCP with a password as `eva_alpha`,
a member of `alpha_evaluator` only. Every attack must tell it nothing about `beta`: not its rows, not its row
counts, not that it is in the `all_plans` tables.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg
import pytest

from pipelines.contract_columns import CONTRACT_TABLES, PUBLISHED_TABLES
from pipelines.publish.all_plans import ALL_PLANS_TABLES, READ_FUNCTION_ROWS
from pipelines.publish.local_cluster import SUPERUSER, SUPERUSER_PASSWORD, LocalCluster, start_local_cluster
from pipelines.publish.postgres import init_overview_role, init_roles, publish_to_postgres

# Row counts of every published table per programme: beta's are what the attacker must not learn.
ROWS = {"alpha": 3, "beta": 17}
ATTACKER, ATTACKER_PASSWORD = "eva_alpha", "pw-alpha"
OWNER, OWNER_PASSWORD = "owner", "pw-owner"  # the overview role, created before the programmes are published
BOTH, BOTH_PASSWORD = "both", "pw-both"  # alpha's evaluator and the overview role, created after


def _warehouse(path: Path, rows: int) -> Path:
    """A published file with every contract table, all columns text, `rows` rows each (no vocabulary values)."""
    with duckdb.connect(str(path)) as con:
        for table, columns in PUBLISHED_TABLES.items():
            con.execute(f"create table {table} ({', '.join(f'{c} varchar' for c in columns)})")
            con.execute(f"insert into {table} ({columns[0]}) select 'r' || i from range({rows}) as t(i)")
    return path


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[LocalCluster]:
    started = start_local_cluster()
    admin = started.dsn(password=SUPERUSER_PASSWORD)
    folder = tmp_path_factory.mktemp("pg_attacks")
    try:
        init_overview_role(admin, OWNER, OWNER_PASSWORD)
        for plan_id, rows in ROWS.items():
            init_roles(admin, plan_id, f"eva_{plan_id}", f"pw-{plan_id}")
            publish_to_postgres(_warehouse(folder / f"{plan_id}.duckdb", rows), admin, plan_id)
        init_roles(admin, "alpha", BOTH, BOTH_PASSWORD)
        init_overview_role(admin, BOTH, BOTH_PASSWORD)
        with psycopg.connect(admin, autocommit=True) as pg:
            pg.execute("analyze")  # what autovacuum does a minute later: reltuples and pg_stats filled in
            pg.execute("select pg_stat_force_next_flush()")
        yield started
    finally:
        started.stop()


@pytest.fixture()
def attacker(cluster: LocalCluster) -> Iterator[psycopg.Connection]:
    with psycopg.connect(cluster.dsn(ATTACKER, password=ATTACKER_PASSWORD), autocommit=True) as con:
        assert con.execute("select session_user, current_user").fetchone() == (ATTACKER, ATTACKER)
        yield con


def _admin(cluster: LocalCluster, statement: str) -> None:
    with psycopg.connect(cluster.dsn(password=SUPERUSER_PASSWORD), autocommit=True) as pg:
        pg.execute(statement)


def _visible_plans(con: psycopg.Connection) -> set[str]:
    seen: set[str] = set()
    for table in ALL_PLANS_TABLES:
        seen |= {p for (p,) in con.execute(f"select distinct plan_id from all_plans.{table}").fetchall()}
    return seen


def _refused(con: psycopg.Connection, statement: str) -> bool:
    """True when PostgreSQL refuses the statement for want of a privilege (or because the object is gone)."""
    try:
        con.execute(statement)
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedFunction):
        return True
    return False


def test_the_attacker_reads_its_own_programme_and_only_that(attacker: psycopg.Connection) -> None:
    assert _visible_plans(attacker) == {"alpha"}
    assert attacker.execute("select count(*) from all_plans.kpi_status").fetchone() == (ROWS["alpha"],)
    assert attacker.execute("select count(*) from alpha.kpi_status").fetchone() == (ROWS["alpha"],)
    assert _refused(attacker, "select count(*) from beta.kpi_status")


# Every role name, each with the oid of the attacker's own evaluator role: a membership test on it says yes.
_OWN_OID = "(select oid from pg_catalog.pg_roles where rolname = 'alpha_evaluator')"
SHADOWS = [
    f"create temp view pg_roles as select rolname, {_OWN_OID} as oid from pg_catalog.pg_roles",
    "create temp table plans as select 'beta'::text as plan_id",
    "create function pg_temp.pg_has_role(name, oid, text) returns boolean language sql as 'select true'",
]


def test_the_evaluator_may_not_create_temporary_objects(attacker: psycopg.Connection) -> None:
    for statement in [*SHADOWS, "create temp table scratch (x int)"]:
        assert _refused(attacker, statement), statement
    assert _visible_plans(attacker) == {"alpha"}


def test_temporary_objects_named_like_catalogs_change_nothing_even_with_temp_granted(
        cluster: LocalCluster) -> None:
    """If a DBA gives TEMP back (PostgreSQL's default), the security-definer functions still ignore pg_temp."""
    _admin(cluster, f"grant temporary on database postgres to {ATTACKER}")
    try:
        with psycopg.connect(cluster.dsn(ATTACKER, password=ATTACKER_PASSWORD), autocommit=True) as con:
            for statement in SHADOWS:
                con.execute(statement)
            assert _visible_plans(con) == {"alpha"}
            con.execute("set search_path = pg_temp, all_plans, pg_catalog")
            assert _visible_plans(con) == {"alpha"}
    finally:
        _admin(cluster, f"revoke temporary on database postgres from {ATTACKER}")


def test_the_evaluator_controls_no_schema_for_search_path_tricks(attacker: psycopg.Connection) -> None:
    for statement in ["create schema mine", "create table public.pg_roles (rolname name, oid oid)",
                      "create view alpha.pg_roles as select 1", "create table all_plans.pg_roles (x int)",
                      "create table all_plans_data.pg_roles (x int)"]:
        assert _refused(attacker, statement), statement
    writable = attacker.execute(
        "select nspname from pg_catalog.pg_namespace where pg_catalog.has_schema_privilege(oid, 'CREATE')"
    ).fetchall()
    assert writable == []
    attacker.execute("set search_path = public, alpha, all_plans, all_plans_data, pg_catalog")
    assert _visible_plans(attacker) == {"alpha"}


def test_no_function_answers_for_another_role(attacker: psycopg.Connection) -> None:
    for statement in ["select all_plans_data.readable_plans('beta_evaluator')",
                      "select all_plans_data.readable_plans('eva_beta')",
                      f"select all_plans_data.readable_plans('{SUPERUSER}')",
                      "select all_plans_data.readable_plans()"]:
        assert _refused(attacker, statement), statement
    callable_definers = attacker.execute(
        "select p.oid::regprocedure::text from pg_catalog.pg_proc as p where p.prosecdef "
        "and pg_catalog.has_function_privilege(p.oid, 'EXECUTE') order by 1").fetchall()
    assert all(name.endswith("()") for (name,) in callable_definers), callable_definers  # nothing to pass a name to


def test_the_list_of_programmes_is_not_readable(attacker: psycopg.Connection) -> None:
    assert _refused(attacker, "select plan_id from all_plans_data.plans")
    assert _refused(attacker, "select distinct plan_id from all_plans_data.kpi_status")
    texts = [
        "select schema_name from information_schema.schemata",
        "select table_schema || '.' || table_name from information_schema.tables",
        "select table_schema from information_schema.columns",
        # (the catalogs' own statistics repeat pg_namespace, which everybody reads: see docs/postgresql.md)
        "select coalesce(most_common_vals::text, '') || schemaname || tablename from pg_catalog.pg_stats "
        "where schemaname <> 'pg_catalog'",
        "select coalesce(histogram_bounds::text, '') from pg_catalog.pg_stats where schemaname <> 'pg_catalog'",
        "select routine_schema || routine_name || coalesce(routine_definition, '') from information_schema.routines",
    ]
    for query in texts:
        leaked = [row for row in attacker.execute(query).fetchall() if "beta" in str(row)]
        assert leaked == [], query


def _plan_nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


def test_explain_estimates_tell_nothing_about_other_programmes(attacker: psycopg.Connection) -> None:
    for table in ALL_PLANS_TABLES:
        (document,) = attacker.execute(f"explain (format json) select * from all_plans.{table}").fetchone()
        nodes = list(_plan_nodes((document if isinstance(document, list) else json.loads(document))[0]["Plan"]))
        assert [n["Plan Rows"] for n in nodes] == [READ_FUNCTION_ROWS], (table, nodes)
        assert not [n for n in nodes if "Relation Name" in n], (table, nodes)
    for statement in ["explain select * from all_plans_data.kpi_status", "explain select * from beta.kpi_status",
                      "explain select * from all_plans_data.plans"]:
        assert _refused(attacker, statement), statement


STATISTICS = [
    "select reltuples, relpages from pg_catalog.pg_class where relnamespace = 'beta'::regnamespace",
    "select reltuples, relpages, relallvisible from pg_catalog.pg_class "
    "where relnamespace = 'all_plans_data'::regnamespace",
    "select * from pg_catalog.pg_class",
    "select n_live_tup, n_tup_ins from pg_catalog.pg_stat_user_tables where schemaname = 'beta'",
    "select n_live_tup, n_tup_ins from pg_catalog.pg_stat_all_tables where schemaname = 'all_plans_data'",
    "select n_tup_ins from pg_catalog.pg_stat_xact_user_tables",
    "select heap_blks_read from pg_catalog.pg_statio_user_tables where schemaname = 'beta'",
    "select pg_catalog.pg_stat_get_live_tuples('beta.kpi_status'::regclass)",
    "select pg_catalog.pg_stat_get_tuples_inserted('all_plans_data.kpi_status'::regclass)",
    "select pg_catalog.pg_relation_size('beta.kpi_status')",
    "select pg_catalog.pg_total_relation_size('all_plans_data.measurements')",
    "select pg_catalog.pg_table_size('beta.measurements')",
    "select tup_inserted from pg_catalog.pg_stat_database",
]


def test_catalog_statistics_do_not_give_other_programmes_row_counts(attacker: psycopg.Connection) -> None:
    for query in STATISTICS:
        assert _refused(attacker, query), query
    for schema in ("beta", "all_plans_data"):
        stats = attacker.execute("select attname from pg_catalog.pg_stats where schemaname = %s", [schema]).fetchall()
        assert stats == [], schema
    # Its own schema's table names stay listable, as psql's \d needs.
    names = attacker.execute("select relname from pg_catalog.pg_class where relnamespace = 'alpha'::regnamespace "
                             "and relkind = 'r'").fetchall()
    assert {n for (n,) in names} == set(PUBLISHED_TABLES)


def test_psql_still_describes_the_programme_for_the_evaluator(cluster: LocalCluster) -> None:
    done = subprocess.run(["psql", cluster.dsn(ATTACKER, password=ATTACKER_PASSWORD), "-v", "ON_ERROR_STOP=1",
                           "-c", r"\dt alpha.*", "-c", r"\d alpha.kpi_status", "-c", r"\dv all_plans.*"],
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "kpi_status" in done.stdout and "criterion_id" in done.stdout and "measurements" in done.stdout


def test_the_evaluator_can_become_no_other_role(attacker: psycopg.Connection) -> None:
    for statement in ["set role beta_evaluator", "set role eva_beta", f"set role {SUPERUSER}",
                      f"set session authorization {SUPERUSER}", "set session authorization eva_beta",
                      "set role pg_read_server_files", "set role pg_execute_server_program"]:
        assert _refused(attacker, statement), statement
    roles = attacker.execute(
        "select r.rolname from pg_catalog.pg_roles as r where pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER') "
        "order by 1").fetchall()
    assert roles == [("alpha_evaluator",), (ATTACKER,)]
    attributes = attacker.execute(
        "select bool_or(rolsuper or rolcreaterole or rolcreatedb or rolreplication or rolbypassrls) "
        "from pg_catalog.pg_roles where rolname in ('alpha_evaluator', %s)", [ATTACKER]).fetchone()
    assert attributes == (False,)


def test_the_evaluator_can_run_no_program_and_read_no_file(attacker: psycopg.Connection) -> None:
    for statement in ["copy (select 1) to program 'true'", "copy alpha.areas from program 'echo x'",
                      "copy (select 1) to '/tmp/kpi-attack.txt'", "copy alpha.areas from '/etc/passwd'",
                      "select pg_catalog.pg_read_file('/etc/passwd')", "select pg_catalog.pg_ls_dir('.')",
                      "select pg_catalog.lo_import('/etc/passwd')", "create extension if not exists file_fdw"]:
        assert _refused(attacker, statement), statement


def test_the_evaluator_writes_nothing(attacker: psycopg.Connection) -> None:
    assert _refused(attacker, "delete from alpha.kpi_status")
    assert _refused(attacker, "update all_plans_data.plans set plan_id = 'alpha'")
    with pytest.raises((psycopg.errors.ObjectNotInPrerequisiteState,  # a view over a function: not updatable
                        psycopg.errors.InsufficientPrivilege)):
        attacker.execute("insert into all_plans.kpi_status (plan_id) values ('alpha')")


def test_debug_output_shows_no_plan_of_the_rows_behind_the_views(attacker: psycopg.Connection) -> None:
    """debug_print_plan is a user setting: the plan of the function body must not reach the client."""
    data_oids = {oid for (oid,) in attacker.execute(
        "select c.oid::int from pg_catalog.pg_class as c where c.relnamespace = 'all_plans_data'::regnamespace "
        "and c.relkind = 'r'").fetchall()}
    notices: list[str] = []
    attacker.add_notice_handler(lambda diagnostic: notices.append(
        f"{diagnostic.message_primary} {diagnostic.message_detail}"))
    for setting in ("debug_print_plan", "debug_print_parse", "debug_print_rewritten"):
        attacker.execute(f"set {setting} = on")
    attacker.execute("set client_min_messages = debug5")
    rows = attacker.execute("select count(*) from all_plans.kpi_status").fetchone()
    attacker.execute("reset all")
    assert rows == (ROWS["alpha"],)
    assert notices, "debug_print_plan sends nothing: the attack was not tried"
    shown = " ".join(notices)
    assert not [oid for oid in data_oids if f":relid {oid} " in shown], "the function body's plan was shown"
    assert _refused(attacker, "load 'auto_explain'")


OLD_LAYOUT = """
    create function all_plans_data.readable_plans(reader name) returns text[]
    language sql stable security definer set search_path = pg_catalog as $$
        select coalesce(array_agg(p.plan_id), '{}') from all_plans_data.plans as p
        join pg_roles as r on r.rolname = p.plan_id || '_evaluator' where pg_has_role(reader, r.oid, 'MEMBER')
    $$;
    grant temporary on database postgres to public;
    grant usage on schema all_plans_data to beta_evaluator;
    grant select on all tables in schema all_plans_data to beta_evaluator;
    grant execute on function all_plans_data.readable_plans(name) to beta_evaluator;
"""


def test_a_publish_takes_back_what_the_previous_layout_gave(tmp_path: Path) -> None:
    """A database published by the earlier version (policy + oracle + grants on the data tables) is repaired."""
    started = start_local_cluster()
    admin = started.dsn(password=SUPERUSER_PASSWORD)
    try:
        for plan_id, rows in ROWS.items():
            init_roles(admin, plan_id, f"eva_{plan_id}", f"pw-{plan_id}")
            publish_to_postgres(_warehouse(tmp_path / f"{plan_id}.duckdb", rows), admin, plan_id)
        with psycopg.connect(admin, autocommit=True) as pg:
            pg.execute(OLD_LAYOUT)
            for table in CONTRACT_TABLES:
                pg.execute(f"create policy plan_readers on all_plans_data.{table} for select "
                           "using (plan_id = any (all_plans_data.readable_plans(current_user)))")
        publish_to_postgres(tmp_path / "alpha.duckdb", admin, "alpha")  # beta itself is not republished
        with psycopg.connect(started.dsn("eva_beta", password="pw-beta"), autocommit=True) as con:
            assert _visible_plans(con) == {"beta"}
            assert _refused(con, "select all_plans_data.readable_plans('alpha_evaluator')")
            assert _refused(con, "select plan_id from all_plans_data.plans")
            assert _refused(con, "create temp table scratch (x int)")
    finally:
        started.stop()


def test_init_roles_warns_when_the_publisher_cannot_take_the_rights_away(cluster: LocalCluster) -> None:
    """A publisher that is neither superuser nor the database's owner gets Danish warnings, not silence."""
    admin = cluster.dsn(password=SUPERUSER_PASSWORD)
    with psycopg.connect(admin, autocommit=True) as pg:
        pg.execute("create database unhardened")
        pg.execute("create role publisher login createrole password 'pw-publisher'")
        pg.execute("grant create on database unhardened to publisher")
    publisher = cluster.dsn("publisher", dbname="unhardened", password="pw-publisher")
    said = init_roles(publisher, "gamma", "eva_gamma", "pw-gamma")
    warnings = [line for line in said if line.startswith("ADVARSEL")]
    assert any("TEMP" in w for w in warnings) and any("reltuples" in w for w in warnings), said
    assert all("eva_gamma" in w for w in warnings)
    assert [line for line in init_roles(admin, "alpha") if line.startswith("ADVARSEL")] == []


def _login(cluster: LocalCluster, login: str, password: str) -> psycopg.Connection:
    return psycopg.connect(cluster.dsn(login, password=password), autocommit=True)


OVERVIEW_READABLE = ("kpi_status", "data_gaps")


def test_the_overview_role_reads_every_programmes_statuses_and_gaps_and_nothing_else(cluster: LocalCluster) -> None:
    with _login(cluster, OWNER, OWNER_PASSWORD) as owner:
        for table in OVERVIEW_READABLE:
            counts = dict(owner.execute(f"select plan_id, count(*) from all_plans.{table} group by 1").fetchall())
            assert counts == ROWS, table
        for table in ALL_PLANS_TABLES:
            if table not in OVERVIEW_READABLE:
                assert _refused(owner, f"select count(*) from all_plans.{table}"), table
        for plan_id in ROWS:
            assert _refused(owner, f"select count(*) from {plan_id}.kpi_status")
        assert _refused(owner, "select count(*) from all_plans_data.kpi_status")
        assert _refused(owner, "select * from all_plans_data.read_measurements()")


def test_an_evaluator_who_is_also_an_overview_member_reads_only_its_own_measurements(cluster: LocalCluster) -> None:
    with _login(cluster, BOTH, BOTH_PASSWORD) as both:
        assert both.execute("select count(*) from all_plans.kpi_status").fetchone() == (sum(ROWS.values()),)
        for table in ALL_PLANS_TABLES:
            if table not in OVERVIEW_READABLE:
                plans = {p for (p,) in both.execute(f"select distinct plan_id from all_plans.{table}").fetchall()}
                assert plans == {"alpha"}, table


def test_an_evaluator_is_not_made_an_overview_reader(attacker: psycopg.Connection) -> None:
    for table in OVERVIEW_READABLE:
        assert {p for (p,) in attacker.execute(f"select distinct plan_id from all_plans.{table}").fetchall()} \
            == {"alpha"}
