"""The Prefect flows: the nightly run, its per-delivery parse → validate → load step, and its deployment."""
