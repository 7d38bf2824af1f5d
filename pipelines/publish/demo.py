"""`make demo-postgres`: a local PostgreSQL with both sample programmes, and an evaluator who sees only their own.

Starts a throwaway cluster on 127.0.0.1 (it keeps running so you can connect; `make demo-postgres-stop`
stops it), creates one read-only evaluator login per programme, publishes each programme's warehouse into
its own schema (plus the `all_plans` views), then runs psql as the Slagelse evaluator: the README's first
query answers for its own programme and is refused for the other, `all_plans` shows only its own programme,
and a temporary object (the start of a catalog-shadowing attack) is refused.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipelines.publish.local_cluster import SUPERUSER_PASSWORD, start_local_cluster, stop_cluster_in
from pipelines.publish.postgres import init_roles, publish_to_postgres
from pipelines.publish.programmes import read_programmes

DEMO_ROOT = Path("/tmp/kpi-warehouse-pg-demo")
DEMO_PORT = 54329
FIRST_QUERY = ("select criterion_id, area_key, period, value, status from {schema}.kpi_status "
               "where criterion_id like '%crime%' order by 1, 2, 3 limit 8")
ALL_PLANS_QUERY = "select plan_id, count(*) from all_plans.kpi_status group by 1 order by 1"
TEMP_ATTEMPT = "create temp view pg_roles as select * from pg_catalog.pg_roles"


def _psql(dsn: str, query: str) -> subprocess.CompletedProcess:
    return subprocess.run(["psql", dsn, "-v", "ON_ERROR_STOP=1", "-c", query],
                          capture_output=True, text=True, check=False, timeout=60)


def main(programmes_file: Path) -> int:
    programmes = read_programmes(programmes_file)
    cluster = start_local_cluster(DEMO_PORT, DEMO_ROOT)
    admin = cluster.dsn(password=SUPERUSER_PASSWORD)
    for programme in programmes:
        init_roles(admin, programme.plan_id, f"eva_{programme.plan_id}", f"demo-{programme.plan_id}")
        report = publish_to_postgres(programme.warehouse, admin, programme.plan_id)
        print(f"Publiceret {programme.plan_id}: {sum(report.tables.values())} rækker i {len(report.tables)} tabeller")
    own, other = programmes[0].plan_id, programmes[1].plan_id
    evaluator = cluster.dsn(f"eva_{own}", password=f"demo-{own}")
    print(f"\npsql som eva_{own}, eget program ({own}):")
    answered = _psql(evaluator, FIRST_QUERY.format(schema=own))
    print(answered.stdout or answered.stderr)
    print(f"psql som eva_{own}, det andet program ({other}):")
    refused = _psql(evaluator, FIRST_QUERY.format(schema=other))
    print((refused.stderr or refused.stdout).strip())
    print(f"\npsql som eva_{own}, alle programmer (all_plans):")
    all_plans = _psql(evaluator, ALL_PLANS_QUERY)
    print(all_plans.stdout or all_plans.stderr)
    print(f"psql som eva_{own}, et midlertidigt objekt:")
    no_temp = _psql(evaluator, TEMP_ATTEMPT)
    print((no_temp.stderr or no_temp.stdout).strip())
    print(f"\nPostgreSQL kører på 127.0.0.1:{DEMO_PORT}. Forbind som evaluator:\n"
          f"  psql \"host=127.0.0.1 port={DEMO_PORT} user=eva_{own} dbname=postgres\"  (adgangskode demo-{own})\n"
          "Stop den med: make demo-postgres-stop")
    only_own = all_plans.returncode == 0 and f" {other} " not in all_plans.stdout
    return 0 if answered.returncode == 0 and refused.returncode != 0 and only_own and no_temp.returncode else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["stop"]:
        stop_cluster_in(DEMO_ROOT)
        print("PostgreSQL-demoen er stoppet.")
        sys.exit(0)
    sys.exit(main(Path(sys.argv[1])))
