"""Operating the runs: the lock, state checks and healing, alerts, status, the watcher and the Prefect server."""
