"""Many programmes in one PostgreSQL database: `all_plans` views with a `plan_id` column, one programme per reader.

Each programme's tables live in its own schema `<plan_id>`. The contract tables and `kpi_baselines` of every
programme are also kept, with a `plan_id` column, in `all_plans_data.<table>`, which no evaluator may read, use or
see statistics of. `all_plans.<table>` is a view over `all_plans_data.read_<table>()`, a SECURITY DEFINER function
that returns only the rows of the programmes whose `<plan_id>_evaluator` role the logged-in user (`session_user`)
is a member of. The function takes no argument (no membership oracle), names every object with its schema and runs
with `search_path = pg_catalog, pg_temp` (PostgreSQL's guidance for security-definer functions), and the planner
sees a function scan with a fixed estimate, so `EXPLAIN` tells nothing about other programmes' rows.
The rows of a programme are replaced inside its publish's swap transaction.

An owner of many programmes gets the overview role (`kpi_overview`): its members read every programme's
`kpi_status` and `data_gaps` through the same views (`all_plans_data.overview_plans()` gives them every
programme for these two tables only) and are granted nothing else, so no `measurements` or ledger rows.
"""

from __future__ import annotations

from pipelines.contract_columns import CONTRACT_TABLES, EXTENSION_TABLES

DATA_SCHEMA = "all_plans_data"
VIEW_SCHEMA = "all_plans"
READABLE_PLANS_FUNCTION = f"{DATA_SCHEMA}.readable_plans"
OVERVIEW_PLANS_FUNCTION = f"{DATA_SCHEMA}.overview_plans"
OVERVIEW_ROLE = "kpi_overview"
OVERVIEW_TABLES = ("kpi_status", "data_gaps")  # what an owner of many programmes compares; no person-near rows
# The contract tables and the baselines (the evaluator cookbook's question 6 reads them) of every programme.
ALL_PLANS_TABLES: dict[str, list[str]] = {**CONTRACT_TABLES, "kpi_baselines": EXTENSION_TABLES["kpi_baselines"]}
# The planner's row estimate of every read function: a constant, so EXPLAIN tells nothing about the data.
READ_FUNCTION_ROWS = 1000
SAFE_SEARCH_PATH = "pg_catalog, pg_temp"  # pg_temp last: temp objects never shadow catalog names
# The settings of every security-definer function: the safe search_path, and no dump of the body's parse tree
# or plan to the client (debug_print_* are user settings, and the plan would carry the planner's estimates of
# the data table, i.e. of every programme's rows).
DEFINER_SETTINGS = (f"set search_path = {SAFE_SEARCH_PATH} set debug_print_parse = off "
                    "set debug_print_rewritten = off set debug_print_plan = off")


def evaluator_role(plan_id: str) -> str:
    return f"{plan_id}_evaluator"


def read_function(table: str) -> str:
    return f"{DATA_SCHEMA}.read_{table}"


def _drop_old_policies(pg) -> None:
    """An older version guarded the data tables with a policy calling readable_plans(name): drop them first."""
    from psycopg import sql

    for (table,) in pg.execute("select c.relname from pg_catalog.pg_policy as p join pg_catalog.pg_class as c "
                               "on c.oid = p.polrelid where c.relnamespace = %s::regnamespace "
                               "and p.polname = 'plan_readers'", [DATA_SCHEMA]).fetchall():
        pg.execute(sql.SQL("drop policy plan_readers on {}").format(sql.Identifier(DATA_SCHEMA, table)))


def _ensure_readable_plans(pg) -> None:
    # No argument: the reader is the logged-in user (session_user), never a name the caller passes. Inside a
    # SECURITY DEFINER function current_user is the owner, and SET ROLE can only reach roles the login is a
    # member of anyway. Only the owner may execute it (the read functions run as the owner).
    _drop_old_policies(pg)
    pg.execute(f"drop function if exists {READABLE_PLANS_FUNCTION}(name)")  # the old oracle, if still there
    pg.execute(f"""
        create or replace function {READABLE_PLANS_FUNCTION}() returns text[]
        language sql stable security definer {DEFINER_SETTINGS} as $$
            select coalesce(pg_catalog.array_agg(p.plan_id order by p.plan_id), '{{}}'::pg_catalog.text[])
            from {DATA_SCHEMA}.plans as p
            join pg_catalog.pg_roles as r
                on r.rolname operator(pg_catalog.=) (p.plan_id operator(pg_catalog.||) '_evaluator')
            where pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER')
        $$""")
    pg.execute(f"revoke all on function {READABLE_PLANS_FUNCTION}() from public")
    # Every programme for a member of the overview role, else the reader's own; used by OVERVIEW_TABLES only.
    pg.execute(f"""
        create or replace function {OVERVIEW_PLANS_FUNCTION}() returns text[]
        language sql stable security definer {DEFINER_SETTINGS} as $$
            select case when exists (
                select 1 from pg_catalog.pg_roles as r
                where r.rolname operator(pg_catalog.=) '{OVERVIEW_ROLE}'
                  and pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER'))
            then (select coalesce(pg_catalog.array_agg(p.plan_id order by p.plan_id), '{{}}'::pg_catalog.text[])
                  from {DATA_SCHEMA}.plans as p)
            else {READABLE_PLANS_FUNCTION}() end
        $$""")
    pg.execute(f"revoke all on function {OVERVIEW_PLANS_FUNCTION}() from public")


def _ensure_read_function(pg, table: str) -> None:
    """The rows of the reader's programmes; the sub-select makes the plans function run once, not once a row."""
    from psycopg import sql

    plans = OVERVIEW_PLANS_FUNCTION if table in OVERVIEW_TABLES else READABLE_PLANS_FUNCTION
    pg.execute(sql.SQL("""
        create or replace function {function}() returns setof {data}
        language sql stable security definer {settings} rows {rows} as $$
            select t.* from {data} as t
            where t.plan_id operator(pg_catalog.=) any ((select {readable}())::pg_catalog.text[])
        $$""").format(function=sql.SQL(read_function(table)), data=sql.Identifier(DATA_SCHEMA, table),
                      settings=sql.SQL(DEFINER_SETTINGS), rows=sql.Literal(READ_FUNCTION_ROWS),
                      readable=sql.SQL(plans)))
    pg.execute(sql.SQL("revoke all on function {}() from public").format(sql.SQL(read_function(table))))


def _ensure_view(pg, table: str) -> None:
    """A plain view over the read function; replacing it in place keeps its grants.

    An older version was a security_invoker view straight over the data table, with the same columns.
    """
    from psycopg import sql

    view = sql.Identifier(VIEW_SCHEMA, table)
    pg.execute(sql.SQL("create or replace view {} as select * from {}()").format(view, sql.SQL(read_function(table))))
    pg.execute(sql.SQL("alter view {} reset (security_invoker)").format(view))


def refresh_plan_rows(pg, plan_id: str, column_types: dict[str, dict[str, str]]) -> None:
    """Replace the programme's rows in every all_plans table (inside the caller's transaction)."""
    from psycopg import sql

    pg.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(DATA_SCHEMA)))
    pg.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(VIEW_SCHEMA)))
    pg.execute(f"create table if not exists {DATA_SCHEMA}.plans (plan_id text primary key)")
    pg.execute(f"insert into {DATA_SCHEMA}.plans values (%s) on conflict do nothing", [plan_id])
    _ensure_readable_plans(pg)
    for table, columns in ALL_PLANS_TABLES.items():
        types = column_types.get(table, {})
        if any(c not in types for c in columns):
            continue  # a programme published with an older contract version: not in the union
        data = sql.Identifier(DATA_SCHEMA, table)
        definition = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(types[c])) for c in columns)
        pg.execute(sql.SQL("create table if not exists {} (plan_id text not null, {})").format(data, definition))
        # No policy: row-level security then refuses every row to anyone but the owner (and superusers), so
        # a SELECT granted by mistake shows nothing. The read function runs as the owner.
        pg.execute(sql.SQL("alter table {} enable row level security").format(data))
        pg.execute(sql.SQL("delete from {} where plan_id = %s").format(data), [plan_id])
        names = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        pg.execute(sql.SQL("insert into {} (plan_id, {}) select %s, {} from {}").format(
            data, names, names, sql.Identifier(plan_id, table)), [plan_id])
        _ensure_read_function(pg, table)
        _ensure_view(pg, table)


def grant_all_plans(pg, role: str) -> None:
    """The role reads the all_plans views (through the read functions) and nothing in all_plans_data."""
    from psycopg import sql

    if pg.execute("select 1 from pg_namespace where nspname = %s", [VIEW_SCHEMA]).fetchone() is None:
        return
    grantee = sql.Identifier(role)
    data = sql.Identifier(DATA_SCHEMA)
    # An older version granted the data tables (guarded by a policy) and the oracle function: take them back.
    pg.execute(sql.SQL("revoke all on all tables in schema {} from {}").format(data, grantee))
    pg.execute(sql.SQL("revoke all on schema {} from {}").format(data, grantee))
    pg.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(VIEW_SCHEMA), grantee))
    for (view,) in pg.execute("select c.relname from pg_catalog.pg_class as c where c.relkind = 'v' "
                              "and c.relnamespace = %s::regnamespace", [VIEW_SCHEMA]).fetchall():
        pg.execute(sql.SQL("grant select on {} to {}").format(sql.Identifier(VIEW_SCHEMA, view), grantee))
        pg.execute(sql.SQL("grant execute on function {}() to {}").format(sql.SQL(read_function(view)), grantee))


def grant_overview(pg, role: str = OVERVIEW_ROLE) -> None:
    """The overview role reads the all_plans views of OVERVIEW_TABLES and nothing else of any programme."""
    from psycopg import sql

    if pg.execute("select 1 from pg_namespace where nspname = %s", [VIEW_SCHEMA]).fetchone() is None:
        return
    grantee = sql.Identifier(role)
    pg.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(VIEW_SCHEMA), grantee))
    for (view,) in pg.execute("select c.relname from pg_catalog.pg_class as c where c.relkind = 'v' "
                              "and c.relnamespace = %s::regnamespace", [VIEW_SCHEMA]).fetchall():
        verb = "grant" if view in OVERVIEW_TABLES else "revoke"
        preposition = "to" if verb == "grant" else "from"
        pg.execute(sql.SQL(f"{verb} select on {{}} {preposition} {{}}").format(
            sql.Identifier(VIEW_SCHEMA, view), grantee))
        pg.execute(sql.SQL(f"{verb} execute on function {{}}() {preposition} {{}}").format(
            sql.SQL(read_function(view)), grantee))
