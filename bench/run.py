"""`make bench`: the nightly at demo, programme and municipal scale, against its two floors.

For each scale, in one run on this machine:
  (a) raw floor: DuckDB alone reading the scale's CSV deliveries into tables;
  (b) a full `kpi nightly` from an empty warehouse;   (c) a second one with no new files, the same day;
  (c′) nothing new on the next day (as-of + 1 day), each time on a copy of the full warehouse;
  (d) one new quarter of deliveries on top of the full warehouse;
  (e) orchestration floor: a one-task Prefect flow, run the same way (temporary server);
  (f) c, c′ and e again against a running Prefect server (as `kpi schedule` runs);
  (g) evaluator latency: median and p95 of the cookbook queries (docs/evaluator_guide.md) on the published file;
  (h) `kpi watch`: a dropped file to published and to the report, with and without the running server
      (bench/watch_latency.py).
Per nightly: wall time, the time to published and to the report (the marks the nightly logs), peak RSS of the
process tree, and the stage timings. Results go to bench/results/<date>.json and .md with the core count and
versions, and the goals (bench/goals.py) as the README's table to bench/results/<date>-readme.md.
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
from datetime import date, timedelta
from pathlib import Path

import duckdb
import psutil

from bench.deliveries import DROPOUT_SOURCE, dropout_file_name, next_quarter_delivery, quarters_after_sample
from bench.goals import DROP_KINDS, MEASURED_RUNS, data_slope, goals, goals_table, ratio, to_published
from bench.watch_latency import watch_latency
from pipelines.evaluator_cookbook import cookbook
from pipelines.settings import REPO_ROOT
from pipelines.timings import parse_timings

MARK_PUBLISHED, MARK_REPORT_DONE = "published", "report_done"

RESULTS_DIR = REPO_ROOT / "bench" / "results"
KPI = Path(sys.executable).with_name("kpi")
AS_OF = "2026-11-23"
NEXT_DAY = (date.fromisoformat(AS_OF) + timedelta(days=1)).isoformat()  # (c′): the next night, nothing new
DEFAULT_SCALES = {"demo": 1, "programme": 2, "municipal": 20}  # × the sample population (bench/README.md)
QUERY_REPEATS = 20
FLOOR_REPEATS = 3  # (a) is ~1 s: its median, since the data slope divides by the difference of two floors
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
    published_s: float | None = None  # the nightly's marks: seconds since its process started
    report_done_s: float | None = None


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
    published, report_done = stages.pop(MARK_PUBLISHED, None), stages.pop(MARK_REPORT_DONE, None)
    return Measurement(round(wall, 2), round(peak / 2**20, 1), process.returncode, stages, published, report_done)


def raw_floor(inbox: Path) -> tuple[float, int]:
    """(a): DuckDB alone reading every CSV delivery into a table (XLSX needs an extension DuckDB lacks here);
    one reading (`raw_floors` keeps the median of several)."""
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


def raw_floors(inbox: Path, times: int = FLOOR_REPEATS) -> dict:
    """(a) read `times` times: the median, every reading, and the CSV rows read."""
    readings = [raw_floor(inbox) for _ in range(times)]
    seconds = [reading[0] for reading in readings]
    return {"a_raw_floor_s": round(statistics.median(seconds), 2), "a_raw_floors_s": seconds,
            "csv_rows": readings[0][1]}


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
    """The run with the median time to published, or wall time for a run without the mark (stages and RSS are
    that run's), with every run's wall time, time to published and stages (the data slope takes the median of
    each run's data stages, bench/goals.py)."""
    ordered = sorted(runs, key=lambda m: (m.published_s is None, m.published_s or m.wall_s))
    chosen = asdict(ordered[(len(ordered) - 1) // 2])
    chosen["walls_s"] = [m.wall_s for m in runs]
    chosen["published_all_s"] = [m.published_s for m in runs]
    chosen["stages_all"] = [m.stages for m in runs]
    return chosen


def repeated(label: str, times: int, run: Callable[[], Measurement]) -> dict:
    print(label, flush=True)
    return median_of([run() for _ in range(times)])


def bench_scale(name: str, scale: int, work: Path, env: dict[str, str], server: RunningServer | None,
                repeats: int = 3, drops: int = 5, full_repeats: int | None = None) -> dict:
    """Every measurement of one scale. The nightlies of d run `repeats - 1` times (at least once), those of b
    `full_repeats` times (default: as d), the cheap runs c, c′, e and f `repeats` times; the median is kept
    (start-up varies by several seconds)."""
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
    logs = warehouse.parent / "logs"
    heavy = max(1, repeats - 1)
    full_runs = max(1, full_repeats or heavy)
    result: dict = {"scale": scale, "generate_s": generated, "delivered_mib": round(delivered_bytes / 2**20, 1),
                    "repeats": repeats, "full_repeats": full_runs}
    print(f"[{name}] (a) DuckDB-gulv ×{FLOOR_REPEATS} …", flush=True)
    result.update(raw_floors(inbox))

    def nightly(run_env: dict[str, str], as_of: str = AS_OF) -> Measurement:
        return measured([str(KPI), "nightly", "--sources", str(sources), "--warehouse", str(warehouse),
                         "--as-of", as_of], run_env, logs)

    def from_empty() -> Measurement:
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        return nightly(env)

    full_copy = root / "warehouse-full"
    quarter_file = inbox / DROPOUT_SOURCE / dropout_file_name(*quarters_after_sample(1)[0])

    def restore_full() -> None:
        """The warehouse as the full build (b, then c) left it, and the inbox it was built from."""
        quarter_file.unlink(missing_ok=True)
        shutil.rmtree(warehouse.parent)
        shutil.copytree(full_copy, warehouse.parent)  # copy2 keeps the times the inputs record checks

    def next_day(run_env: dict[str, str]) -> Callable[[], Measurement]:
        def run() -> Measurement:
            restore_full()
            return nightly(run_env, NEXT_DAY)
        return run

    def new_quarter() -> Measurement:
        restore_full()
        next_quarter_delivery(inbox, scale).touch()
        return nightly(env)

    result["b_full"] = repeated(f"[{name}] (b) fuld natkørsel ×{full_runs} …", full_runs, from_empty)
    result["c_nothing_new"] = repeated(f"[{name}] (c) natkørsel uden nye filer, samme dag ×{repeats} …", repeats,
                                       lambda: nightly(env))
    shutil.rmtree(full_copy, ignore_errors=True)
    shutil.copytree(warehouse.parent, full_copy)
    result["c_next_day"] = repeated(f"[{name}] (c′) natkørsel uden nye filer, næste dag ×{repeats} …", repeats,
                                    next_day(env))
    result["e_orchestration_floor"] = repeated(f"[{name}] (e) ét-trins Prefect-flow ×{repeats} …", repeats,
                                               lambda: measured(floor_command(), env))
    result["d_new_quarter"] = repeated(f"[{name}] (d) ét nyt kvartal ×{heavy} …", heavy, new_quarter)
    if server is not None:
        result["f_c_running_server"] = repeated(f"[{name}] (f) c med kørende Prefect-server ×{repeats} …", repeats,
                                                lambda: nightly(server.env))
        result["f_c_next_day_running_server"] = repeated(
            f"[{name}] (f) c′ med kørende Prefect-server ×{repeats} …", repeats, next_day(server.env))
        result["f_e_running_server"] = repeated(f"[{name}] (f) e med kørende Prefect-server ×{repeats} …", repeats,
                                                lambda: measured(floor_command(), server.env))
    print(f"[{name}] (g) evaluatorforespørgsler …", flush=True)
    result["g_evaluator"] = evaluator_latency(warehouse)
    if drops > 0:
        modes = {"temporary_server": env, **({"running_server": server.env} if server is not None else {})}
        result["h_watch"] = {}
        for mode, mode_env in modes.items():
            print(f"[{name}] (h) kpi watch, {drops} + {drops} filer, {mode.replace('_', ' ')} …", flush=True)
            restore_full()
            result["h_watch"][mode] = watch_latency(KPI, sources, warehouse, mode_env, scale, drops, AS_OF,
                                                    root / f"watch-{mode}")
    shutil.rmtree(full_copy, ignore_errors=True)
    return result


def floor_command() -> list[str]:
    return [sys.executable, "-c", ONE_TASK_FLOW]


def ratios(scales: dict[str, dict]) -> dict[str, float | None]:
    """Every ratio of the goals on time to published (c, c′, d; e on wall time), and the data slopes."""
    out: dict[str, float | None] = {}
    for name, r in scales.items():
        e = r["e_orchestration_floor"]["wall_s"]
        for key, label in (("c_nothing_new", "c"), ("c_next_day", "c′")):
            out[f"{label}/e {name}"] = ratio(to_published(r[key]), e)
        if "f_e_running_server" in r:
            for key, label in (("f_c_running_server", "c"), ("f_c_next_day_running_server", "c′")):
                out[f"{label}/e {name} (running server)"] = ratio(to_published(r[key]), r["f_e_running_server"][
                    "wall_s"])
        out[f"d/c {name}"] = ratio(to_published(r["d_new_quarter"]), to_published(r["c_nothing_new"]))
    for basis, value in data_slope(scales).items():
        if basis != "raw_floor_delta_s":
            out[f"data slope ({basis})"] = value
    return out


NIGHTLY_RUNS = {"b_full": "(b) fuld", "c_nothing_new": "(c) intet nyt, samme dag",
                "c_next_day": "(c′) intet nyt, næste dag", "d_new_quarter": "(d) nyt kvartal",
                "f_c_running_server": "(f) c, kørende server", "f_c_next_day_running_server": "(f) c′, kørende server"}
STAGES = ["start-up", "prepare", "discover", "parse", "validate", "load", "dbt", "publish", "report"]


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def markdown(result: dict) -> str:
    lines = [f"# Benchmark {result['date']}", "", f"{result['machine']['cores']} kerner, Python "
             f"{result['machine']['python']}, " + ", ".join(f"{k} {v}" for k, v in result["versions"].items()), "",
             "| skala | leveret | CSV-rækker | (a) gulv | (e) flow-gulv | (f) e med server | (g) median / p95 "
             "| peak RSS |", "|---|---|---|---|---|---|---|---|"]
    for name, r in result["scales"].items():
        rss = max(r[k]["peak_rss_mib"] for k in MEASURED_RUNS if k in r)
        server_floor = f"{r['f_e_running_server']['wall_s']} s" if "f_e_running_server" in r else "–"
        lines.append(f"| {name} (×{r['scale']}) | {r['delivered_mib']} MiB | {r['csv_rows']} | {r['a_raw_floor_s']} s "
                     f"| {r['e_orchestration_floor']['wall_s']} s | {server_floor} "
                     f"| {r['g_evaluator']['median_ms']} / {r['g_evaluator']['p95_ms']} ms | {rss:.0f} MiB |")
    lines += ["", "## Natkørsler: tid til publiceret, rapport færdig og procesafslutning (s), og trin (s)", "",
              "| skala | kørsel | publiceret | rapport færdig | væg | " + " | ".join(STAGES) + " |",
              "|---|---|---|---|---|" + "---|" * len(STAGES)]
    for name, r in result["scales"].items():
        for run, label in NIGHTLY_RUNS.items():
            if run in r:
                m = r[run]
                lines.append(f"| {name} | {label} | {_seconds(m.get('published_s'))} | "
                             f"{_seconds(m.get('report_done_s'))} | {m['wall_s']} | "
                             + " | ".join(str(m["stages"].get(s, "")) for s in STAGES) + " |")
    lines += watch_markdown(result["scales"])
    lines += ["", "## Mål (bedømt på tid til publiceret; væg i parentes)", "", *goals_table(result["scales"])]
    return "\n".join(lines) + "\n"


def watch_markdown(scales: dict[str, dict]) -> list[str]:
    rows = [f"| {name} | {mode.replace('_', ' ')} | {kind} | {_seconds(k.get('median_published_s'))} | "
            f"{_seconds(k.get('p95_published_s'))} | {_seconds(k.get('median_report_after_s'))} | "
            f"{_seconds(k.get('p95_report_after_s'))} | {k['published']}/{len(k['drops'])} | "
            f"{'ja' if not session['stop']['left_processes'] and session['stop']['exit_code'] == 0 else 'nej'} |"
            for name, r in scales.items() for mode, session in r.get("h_watch", {}).items()
            for kind, k in ((kind, session[kind]) for kind in DROP_KINDS if kind in session)]
    if not rows:
        return []
    return ["", "## (h) kpi watch: fil lagt → publiceret, og rapporten derefter (s)", "",
            "| skala | server | fil | median | p95 | rapport efter, median | p95 | publiceret | stoppet rent |",
            "|---|---|---|---|---|---|---|---|---|", *rows]


def readme_table(result: dict) -> str:
    """The README's speed table, ready to paste."""
    return "\n".join([f"Measured in one `make bench` run on {result['machine']['cores']} cores "
                      f"(`bench/results/{result['date']}.md`); goals judged on the time to published, "
                      "wall time (to process exit) in parentheses:", "", *goals_table(result["scales"])]) + "\n"


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
    parser.add_argument("--no-server", action="store_true", help="skip (f) and (h)'s running Prefect server")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of c, c′, e and f per scale (b and d: one fewer, at least one); the median is kept")
    parser.add_argument("--full-repeats", type=int, default=None,
                        help="runs of b per scale (default: as d); the data slope takes the median of their data "
                             "stages")
    parser.add_argument("--drops", type=int, default=5,
                        help="(h): files of each kind dropped for `kpi watch` per scale and server mode (0: no h)")
    args = parser.parse_args(argv)
    scales = {k: int(v) for k, v in (item.split("=") for item in args.scales.split(","))}
    args.work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KPI_HMAC_KEY": os.environ.get("KPI_HMAC_KEY", "bench-key-not-secret")}
    server = None if args.no_server else RunningServer(args.work / "prefect_home", env)
    results: dict[str, dict] = {}
    started = time.perf_counter()
    try:
        if server is not None:
            server.wait()
        for name, scale in scales.items():
            results[name] = bench_scale(name, scale, args.work, env, server, args.repeats, args.drops,
                                        args.full_repeats)
    finally:
        if server is not None:
            server.stop()
    machine = {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    result = {"date": date.today().isoformat(), "machine": machine, "versions": versions(), "scales": results,
              "as_of": AS_OF, "next_day": NEXT_DAY, "drops": args.drops,
              "bench_s": round(time.perf_counter() - started, 1)}
    result["ratios"] = ratios(results)
    result["goals"] = [asdict(goal) for goal in goals(results)]
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / result["date"]
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    stem.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    readme = args.out / f"{result['date']}-readme.md"
    readme.write_text(readme_table(result), encoding="utf-8")
    print(markdown(result))
    print(f"Resultater: {stem}.json, {stem}.md og {readme.name} (tabellen til README.md); "
          f"benchmarken tog {result['bench_s'] / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
