"""A throwaway PostgreSQL cluster on 127.0.0.1 from the base image's server binaries (tests, `make demo-postgres`).

`initdb` refuses to run as root, so as root the cluster belongs to the `postgres` system user
(docs/stack_facts.md fact 8): its data directory lives in a temp directory owned by that user, the server listens on
127.0.0.1 only, and `stop()` shuts it down and removes the directory.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "kpi"


def postgres_bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise FileNotFoundError("PostgreSQL-serveren (initdb) findes ikke; installer Debian-pakken postgresql")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LocalCluster:
    root: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def dsn(self, user: str = SUPERUSER, dbname: str = "postgres", password: str | None = None) -> str:
        secret = f" password={password}" if password else ""
        return f"host=127.0.0.1 port={self.port} user={user} dbname={dbname}{secret}"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(postgres_bin_dir() / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)

    def start(self) -> LocalCluster:
        done = self._run("initdb", "-D", str(self.data_dir), "-A", "scram-sha-256", "-U", SUPERUSER,
                         "--pwfile", str(self.root / "pw"), "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8")
        if done.returncode != 0:
            raise RuntimeError(f"initdb fejlede: {done.stderr.strip()}")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        done = self._run("pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", str(self.root / "server.log"),
                         "-w", "start")
        if done.returncode != 0:
            raise RuntimeError(f"PostgreSQL startede ikke: {done.stderr.strip()} {self.log_tail()}")
        return self

    def log_tail(self) -> str:
        log = self.root / "server.log"
        return log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.is_file() else ""

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


SUPERUSER_PASSWORD = "kpi-local-test"  # a throwaway cluster on 127.0.0.1 only; never a real server's password


def start_local_cluster(port: int | None = None, root: Path | None = None) -> LocalCluster:
    """A fresh cluster in `root` (a new temp directory when none is given; an existing one is replaced)."""
    if root is not None:
        stop_cluster_in(root)
        root.mkdir(parents=True)
    root = root or Path(tempfile.mkdtemp(prefix="kpi-pg-"))
    (root / "pw").write_text(SUPERUSER_PASSWORD + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(root / "pw", "postgres", "postgres")
    os.chmod(root, 0o700)
    cluster = LocalCluster(root, port or free_port())
    cluster.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", cluster.port), timeout=1):
                return cluster
        except OSError:
            time.sleep(0.2)
    cluster.stop()
    raise RuntimeError("PostgreSQL svarer ikke på 127.0.0.1")


def stop_cluster_in(root: Path) -> None:
    """Stop a cluster left running in `root` (e.g. by `make demo-postgres`) and remove the directory."""
    if (root / "data" / "postmaster.pid").is_file():
        LocalCluster(root, 0).stop()
    shutil.rmtree(root, ignore_errors=True)
