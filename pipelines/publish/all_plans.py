"""Many programmes in one PostgreSQL database: `all_plans` views with a `plan_id` column, guarded by row-level security.

Each programme's tables live in its own schema `<plan_id>`. The contract tables of every programme are also
kept, with a `plan_id` column, in `all_plans_data.<table>`, whose row-level security policy shows a row only
to members of that programme's evaluator role (`<plan_id>_evaluator`). `all_plans.<table>` are views over
them with `security_invoker`, so the policy is applied for the evaluator who queries the view.
The rows of a programme are replaced inside its publish's swap transaction.
"""

from __future__ import annotations

from pipelines.warehouse.contract import CONTRACT_TABLES

DATA_SCHEMA = "all_plans_data"
VIEW_SCHEMA = "all_plans"
READABLE_PLANS_FUNCTION = f"{DATA_SCHEMA}.readable_plans"


def evaluator_role(plan_id: str) -> str:
    return f"{plan_id}_evaluator"


def _ensure_function(pg) -> None:
    # SECURITY DEFINER so that an evaluator need not read the plans table; the querying user is passed in,
    # because inside the function current_user is its owner. A missing role is simply not a member.
    pg.execute(f"""
        create or replace function {READABLE_PLANS_FUNCTION}(reader name) returns text[]
        language sql stable security definer set search_path = pg_catalog as $$
            select coalesce(array_agg(p.plan_id), '{{}}')
            from {DATA_SCHEMA}.plans as p
            join pg_roles as r on r.rolname = p.plan_id || '_evaluator'
            where pg_has_role(reader, r.oid, 'MEMBER')
        $$""")


def refresh_plan_rows(pg, plan_id: str, column_types: dict[str, dict[str, str]]) -> None:
    """Replace the programme's rows in every all_plans table (inside the caller's transaction)."""
    from psycopg import sql

    pg.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(DATA_SCHEMA)))
    pg.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(VIEW_SCHEMA)))
    pg.execute(f"create table if not exists {DATA_SCHEMA}.plans (plan_id text primary key)")
    pg.execute(f"insert into {DATA_SCHEMA}.plans values (%s) on conflict do nothing", [plan_id])
    _ensure_function(pg)
    for table, columns in CONTRACT_TABLES.items():
        types = column_types.get(table, {})
        if any(c not in types for c in columns):
            continue  # a programme published with an older contract version: not in the union
        data = sql.Identifier(DATA_SCHEMA, table)
        definition = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(types[c])) for c in columns)
        pg.execute(sql.SQL("create table if not exists {} (plan_id text not null, {})").format(data, definition))
        pg.execute(sql.SQL("alter table {} enable row level security").format(data))
        pg.execute(sql.SQL("drop policy if exists plan_readers on {}").format(data))
        policy = "create policy plan_readers on {} for select using (plan_id = any ({}(current_user)))"
        pg.execute(sql.SQL(policy).format(data, sql.SQL(READABLE_PLANS_FUNCTION)))
        pg.execute(sql.SQL("delete from {} where plan_id = %s").format(data), [plan_id])
        names = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        pg.execute(sql.SQL("insert into {} (plan_id, {}) select %s, {} from {}").format(
            data, names, names, sql.Identifier(plan_id, table)), [plan_id])
        pg.execute(sql.SQL("create or replace view {} with (security_invoker = true) as select * from {}").format(
            sql.Identifier(VIEW_SCHEMA, table), data))


def grant_all_plans(pg, role: str) -> None:
    from psycopg import sql

    if pg.execute("select 1 from pg_namespace where nspname = %s", [VIEW_SCHEMA]).fetchone() is None:
        return
    for schema in (DATA_SCHEMA, VIEW_SCHEMA):
        pg.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), sql.Identifier(role)))
        pg.execute(sql.SQL("grant select on all tables in schema {} to {}").format(sql.Identifier(schema),
                                                                                   sql.Identifier(role)))
    pg.execute(sql.SQL("grant execute on function {}(name) to {}").format(sql.SQL(READABLE_PLANS_FUNCTION),
                                                                    sql.Identifier(role)))
