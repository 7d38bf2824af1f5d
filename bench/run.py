"""`make bench`: the nightly at demo, programme and municipal scale, against its two floors.

For each scale, in one run on this machine:
  (a) raw floor: DuckDB alone reading the scale's CSV deliveries into tables;
  (b) a full `kpi nightly` from an empty warehouse;   (c) a second one with no new files;
  (d) one new quarter of deliveries on top of the full warehouse;
  (e) orchestration floor: a one-task Prefect flow, run the same way (temporary server);
  (f) c and e again against a running Prefect server (as `kpi schedule` runs);
  (g) evaluator latency: median and p95 of the cookbook queries (docs/evaluator_guide.md) on the published file.
Per run: wall time, peak RSS of the process tree, and the stage timings the nightly logs. Results go to
bench/results/<date>.json and .md with the core count and versions; the goals are checked as ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import psutil

from pipelines.evaluator_cookbook import cookbook
from pipelines.settings import REPO_ROOT
from pipelines.timings import parse_timings

RESULTS_DIR = REPO_ROOT / "bench" / "results"
KPI = Path(sys.executable).with_name("kpi")
AS_OF = "2026-11-23"
DEFAULT_SCALES = {"demo": 1, "programme": 2, "municipal": 20}  # × the sample population (bench/README.md)
QUERY_REPEATS = 20
RUN_LOGS = "kpi-nightly-*.log"  # a run's own log (not parse-workers.log beside it)
ONE_TASK_FLOW = """
from pipelines.settings import apply_quiet_offline_env
apply_quiet_offline_env()
from prefect import flow, task

@task
def one() -> int:
    return 1

@flow
def floor() -> int:
    return one()

floor()
"""


@dataclass
class Measurement:
    wall_s: float
    peak_rss_mib: float
    returncode: int
    stages: dict[str, float] = field(default_factory=dict)


def measured(command: list[str], env: dict[str, str], log_dir: Path | None = None) -> Measurement:
    """Run a command; wall time and the peak RSS summed over its process tree, sampled every 50 ms."""
    before = set(log_dir.glob(RUN_LOGS)) if log_dir and log_dir.is_dir() else set()
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    watched = psutil.Process(process.pid)
    while process.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - start
    stages: dict[str, float] = {}
    if log_dir and log_dir.is_dir():
        new = sorted(set(log_dir.glob(RUN_LOGS)) - before)
        if new:
            stages = parse_timings(new[-1].read_text(encoding="utf-8", errors="replace"))
    return Measurement(round(wall, 2), round(peak / 2**20, 1), process.returncode, stages)


def raw_floor(inbox: Path) -> tuple[float, int]:
    """(a): DuckDB alone reading every CSV delivery into a table (XLSX needs an extension DuckDB lacks here)."""
    files = sorted(inbox.rglob("*.csv"))
    start = time.perf_counter()
    rows = 0
    with duckdb.connect() as con:
        for index, path in enumerate(files):
            encoding = "utf-8"
            try:
                path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                encoding = "latin-1"
            con.execute(f"create table t{index} as select * from read_csv(?, delim=';', header=false, "
                        f"all_varchar=true, null_padding=true, strict_mode=false, encoding='{encoding}')",
                        [str(path)])
            rows += con.execute(f"select count(*) from t{index}").fetchone()[0]
    return round(time.perf_counter() - start, 2), rows


def next_quarter_delivery(inbox: Path, scale: int) -> Path:
    """(d): the school dropout list of the quarter after the sample's last (2025Q4), person level, as the
    sample generator writes it at this scale."""
    from pipelines.sample._person_files import write_frame
    from pipelines.sample.school_absence import QUARTERS, dropout_list

    year, quarter = QUARTERS[-1]
    year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    delivered = date(year + (quarter == 4), 3 * quarter % 12 + 1, 15)
    target = inbox / "school_absence" / f"school_absence_dropout_{year}Q{quarter}_{delivered:%Y%m%d}.csv"
    return write_frame(target, dropout_list(year, quarter, scale), encoding="utf-8")


def evaluator_latency(warehouse: Path) -> dict[str, float]:
    """(g): every cookbook query QUERY_REPEATS times on a read-only connection; median and p95 in ms."""
    times = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for sql in cookbook().values():
            for _ in range(QUERY_REPEATS):
                start = time.perf_counter()
                con.execute(sql).fetchall()
                times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
            "queries": len(cookbook()), "repeats": QUERY_REPEATS}


class RunningServer:
    """(f): a Prefect server started once (SQLite in a temp PREFECT_HOME), as `kpi server` runs it."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}/api"
        self.env = {**env, "PREFECT_HOME": str(home), "PREFECT_API_URL": self.url}
        server_env = {**self.env, "PREFECT_UI_ENABLED": "false"}
        server_env.pop("PREFECT_API_URL")
        self.process = subprocess.Popen([str(Path(sys.executable).with_name("prefect")), "server", "start",
                                         "--host", "127.0.0.1", "--port", str(port)], env=server_env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait(self, timeout: float = 180) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(1)
        raise RuntimeError("the Prefect server did not answer")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def median_of(runs: list[Measurement]) -> dict:
    """The run with the median wall time (stages and RSS are that run's), with every run's wall time."""
    ordered = sorted(runs, key=lambda m: m.wall_s)
    chosen = asdict(ordered[(len(ordered) - 1) // 2])
    chosen["walls_s"] = [m.wall_s for m in runs]
    return chosen


def repeated(label: str, times: int, run: Callable[[], Measurement]) -> dict:
    print(label, flush=True)
    return median_of([run() for _ in range(times)])


def bench_scale(name: str, scale: int, work: Path, env: dict[str, str], server: RunningServer | None,
                repeats: int = 3) -> dict:
    """Every measurement of one scale. The nightlies of b and d run `repeats - 1` times (at least once), the
    cheap runs c, e and f `repeats` times; the median is kept (start-up varies by several seconds)."""
    print(f"[{name}] skala {scale}: genererer leverancer …", flush=True)
    root = work / name
    shutil.rmtree(root, ignore_errors=True)
    sources, warehouse = root / "sources", root / "warehouse" / "kpi.duckdb"
    generated = time.perf_counter()
    subprocess.run([str(KPI), "sample", "--target", str(sources), "--scale", str(scale)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    generated = round(time.perf_counter() - generated, 2)
    inbox = sources / "inbox"
    delivered_bytes = sum(p.stat().st_size for p in inbox.rglob("*") if p.is_file())
    nightly = [str(KPI), "nightly", "--sources", str(sources), "--warehouse", str(warehouse), "--as-of", AS_OF]
    logs = warehouse.parent / "logs"
    floor = [sys.executable, "-c", ONE_TASK_FLOW]
    heavy = max(1, repeats - 1)
    result: dict = {"scale": scale, "generate_s": generated, "delivered_mib": round(delivered_bytes / 2**20, 1),
                    "repeats": repeats}
    print(f"[{name}] (a) DuckDB-gulv …", flush=True)
    result["a_raw_floor_s"], result["csv_rows"] = raw_floor(inbox)

    def from_empty() -> Measurement:
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        return measured(nightly, env, logs)

    result["b_full"] = repeated(f"[{name}] (b) fuld natkørsel ×{heavy} …", heavy, from_empty)
    result["c_nothing_new"] = repeated(f"[{name}] (c) natkørsel uden nye filer ×{repeats} …", repeats,
                                       lambda: measured(nightly, env, logs))
    result["e_orchestration_floor"] = repeated(f"[{name}] (e) ét-trins Prefect-flow ×{repeats} …", repeats,
                                               lambda: measured(floor, env))
    full = root / "warehouse-full"
    shutil.rmtree(full, ignore_errors=True)
    shutil.copytree(warehouse.parent, full)  # copy2 keeps the times the inputs record checks

    def new_quarter() -> Measurement:
        shutil.rmtree(warehouse.parent)
        shutil.copytree(full, warehouse.parent)
        next_quarter_delivery(inbox, scale).touch()
        return measured(nightly, env, logs)

    result["d_new_quarter"] = repeated(f"[{name}] (d) ét nyt kvartal ×{heavy} …", heavy, new_quarter)
    shutil.rmtree(full, ignore_errors=True)
    if server is not None:
        result["f_c_running_server"] = repeated(f"[{name}] (f) c med kørende Prefect-server ×{repeats} …", repeats,
                                                lambda: measured(nightly, server.env, logs))
        result["f_e_running_server"] = repeated(f"[{name}] (f) e med kørende Prefect-server ×{repeats} …", repeats,
                                                lambda: measured(floor, server.env))
    print(f"[{name}] (g) evaluatorforespørgsler …", flush=True)
    result["g_evaluator"] = evaluator_latency(warehouse)
    return result


def ratios(scales: dict[str, dict]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for name, r in scales.items():
        out[f"c/e {name}"] = round(r["c_nothing_new"]["wall_s"] / r["e_orchestration_floor"]["wall_s"], 2)
        if "f_c_running_server" in r:
            out[f"c/e {name} (running server)"] = round(
                r["f_c_running_server"]["wall_s"] / r["f_e_running_server"]["wall_s"], 2)
        out[f"d/c {name}"] = round(r["d_new_quarter"]["wall_s"] / r["c_nothing_new"]["wall_s"], 2)
    if {"programme", "municipal"} <= set(scales):
        p, m = scales["programme"], scales["municipal"]
        floor_delta = m["a_raw_floor_s"] - p["a_raw_floor_s"]
        out["data slope (b) / (a)"] = round((m["b_full"]["wall_s"] - p["b_full"]["wall_s"]) / floor_delta, 2) \
            if floor_delta > 0 else None
    return out


GOALS = {  # ratio key prefix → (limit, meaning)
    "data slope": (3.0, "hver ekstra leveret række koster højst 3× DuckDB's egen indlæsning"),
    "c/e": (1.5, "intet nyt: højst 1,5× orkestreringsgulvet"),
    "d/c municipal": (1.5, "et nyt kvartal: højst 1,5× en kørsel uden nyt (kommuneskala)"),
}


def goal_lines(result: dict) -> list[str]:
    lines = []
    for key, value in result["ratios"].items():
        for prefix, (limit, meaning) in GOALS.items():
            if key.startswith(prefix) and value is not None:
                lines.append(f"| {key} | {value:.2f} | ≤ {limit} | {'ja' if value <= limit else 'nej'} | {meaning} |")
    for name, r in result["scales"].items():
        rss = max(r[k]["peak_rss_mib"] for k in ("b_full", "c_nothing_new", "d_new_quarter"))
        if name == "municipal":
            lines.append(f"| peak RSS {name} | {rss:.0f} MiB | < 4096 MiB | {'ja' if rss < 4096 else 'nej'} | "
                         "hukommelse |")
            p95 = r["g_evaluator"]["p95_ms"]
            lines.append(f"| p95 evaluator {name} | {p95:.0f} ms | < 1000 ms | {'ja' if p95 < 1000 else 'nej'} | "
                         "kogebogens forespørgsler |")
    return lines


def markdown(result: dict) -> str:
    stages = ["start-up", "prepare", "discover", "parse", "validate", "load", "dbt", "publish", "report"]
    lines = [f"# Benchmark {result['date']}", "", f"{result['machine']['cores']} kerner, Python "
             f"{result['machine']['python']}, " + ", ".join(f"{k} {v}" for k, v in result["versions"].items()), "",
             "| skala | leveret | CSV-rækker | (a) gulv | (b) fuld | (c) intet nyt | (d) nyt kvartal | (e) flow-gulv "
             "| (f) c / e med server | (g) median / p95 | peak RSS |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in result["scales"].items():
        server = (f"{r['f_c_running_server']['wall_s']} / {r['f_e_running_server']['wall_s']} s"
                  if "f_c_running_server" in r else "–")
        rss = max(r[k]["peak_rss_mib"] for k in ("b_full", "c_nothing_new", "d_new_quarter"))
        runs = " | ".join(f"{r[k]['wall_s']} s" for k in ("b_full", "c_nothing_new", "d_new_quarter",
                                                          "e_orchestration_floor"))
        lines.append(f"| {name} (×{r['scale']}) | {r['delivered_mib']} MiB | {r['csv_rows']} | {r['a_raw_floor_s']} s "
                     f"| {runs} | {server} | {r['g_evaluator']['median_ms']} / {r['g_evaluator']['p95_ms']} ms "
                     f"| {rss:.0f} MiB |")
    lines += ["", "## Stages (s)", "", "| skala | kørsel | " + " | ".join(stages) + " |",
              "|---|---|" + "---|" * len(stages)]
    for name, r in result["scales"].items():
        for run in ("b_full", "c_nothing_new", "d_new_quarter"):
            values = r[run]["stages"]
            lines.append(f"| {name} | {run} | " + " | ".join(str(values.get(s, "")) for s in stages) + " |")
    lines += ["", "## Mål", "", "| forhold | målt | mål | opfyldt | betydning |", "|---|---|---|---|---|",
              *goal_lines(result)]
    return "\n".join(lines) + "\n"


def versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("duckdb", "dbt-core", "dbt-duckdb", "polars", "great-expectations",
                                             "prefect")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kpi-warehouse benchmark (bench/README.md)")
    parser.add_argument("--scales", default=",".join(f"{k}={v}" for k, v in DEFAULT_SCALES.items()),
                        help="name=factor,… (factor × the sample population)")
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "kpi-bench")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--no-server", action="store_true", help="skip (f), the running Prefect server")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of c, e and f per scale (b and d: one fewer, at least one); the median is kept")
    args = parser.parse_args(argv)
    scales = {k: int(v) for k, v in (item.split("=") for item in args.scales.split(","))}
    args.work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KPI_HMAC_KEY": os.environ.get("KPI_HMAC_KEY", "bench-key-not-secret")}
    server = None if args.no_server else RunningServer(args.work / "prefect_home", env)
    results: dict[str, dict] = {}
    try:
        if server is not None:
            server.wait()
        for name, scale in scales.items():
            results[name] = bench_scale(name, scale, args.work, env, server, args.repeats)
    finally:
        if server is not None:
            server.stop()
    machine = {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    result = {"date": date.today().isoformat(), "machine": machine, "versions": versions(), "scales": results}
    result["ratios"] = ratios(results)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / result["date"]
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    stem.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    print(f"Resultater: {stem}.json og {stem}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
