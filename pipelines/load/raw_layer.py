"""Raw tables and the ledger in the build file: the only writer of the raw layer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import duckdb
import polars as pl

from pipelines.delivery.discover import Delivery, LedgerEntry
from pipelines.delivery.errors import DeliveryRejected


@contextmanager
def one_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """A delivery's rows, ledger row and chain as one commit: one write to disk instead of one per statement."""
    con.begin()
    try:
        yield
    except BaseException:
        con.rollback()
        raise
    con.commit()


def read_ledger(con: duckdb.DuckDBPyConnection) -> list[LedgerEntry]:
    rows = con.execute(
        "select source_system, file_name, file_type, period_token, sha256, status, delivered_at from raw.load_ledger"
    ).fetchall()
    return [LedgerEntry(*row) for row in rows]


def _write_ledger_row(con: duckdb.DuckDBPyConnection, delivery: Delivery, *, status: str, rows_loaded: int = 0,
                      error: str | None = None, warnings: list[str] | None = None) -> None:
    name = delivery.name
    con.execute("delete from raw.load_ledger where file_name = ?", [delivery.file_name])
    con.execute(
        "insert into raw.load_ledger (source_system, file_name, file_type, period_token, period_start, period_end,"
        " sha256, rows_loaded, status, error, warnings, delivered_at, loaded_at)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [delivery.source_system, delivery.file_name, name.file_type if name else None,
         name.period_token if name else None, name.first_day if name else None, name.last_day if name else None,
         delivery.sha256, rows_loaded, status, error,
         "\n".join(warnings) if warnings else None, name.delivered_at if name else None, datetime.now()],
    )


def record_rejection(con: duckdb.DuckDBPyConnection, delivery: Delivery, rejection: DeliveryRejected) -> None:
    """A rejected file gets its ledger row and a data gap; nothing else changes."""
    with one_transaction(con):
        _write_ledger_row(con, delivery, status="rejected", error=rejection.message)
        detail = rejection.message
        con.execute(
            "insert into raw.delivery_gaps values (?, ?, ?, ?, ?)",
            [delivery.source_system, delivery.file_name, rejection.gap_type, detail, datetime.now()],
        )


def record_duplicate(con: duckdb.DuckDBPyConnection, delivery: Delivery) -> None:
    with one_transaction(con):
        _write_ledger_row(con, delivery, status="duplicate",
                          warnings=[f"identisk med {delivery.duplicate_of}; intet ændret"])


def load_observations(con: duckdb.DuckDBPyConnection, delivery: Delivery, frame: pl.DataFrame,
                      warnings: list[str], table_name: str | None = None) -> int:
    """Append the delivery's rows to its raw table (default: the source's), then settle its chain."""
    name = delivery.name
    assert name is not None
    now = datetime.now()
    stamped = frame.with_columns(
        pl.lit(delivery.source_system).alias("source_system"),
        pl.lit(delivery.file_name).alias("source_file"),
        pl.lit(delivery.sha256).alias("sha256"),
        pl.lit(name.delivered_at).alias("delivered_at"),
        pl.lit(now).alias("loaded_at"),
    )
    table = f"raw.{table_name or delivery.source_system}"
    columns = [r[0] for r in con.execute(f"select * from {table} limit 0").description]
    con.register("incoming_delivery", stamped.select(columns).to_arrow())
    try:
        with one_transaction(con):
            con.execute(f"delete from {table} where source_file = ?", [delivery.file_name])
            con.execute(f"insert into {table} select * from incoming_delivery")
            _write_ledger_row(con, delivery, status="loaded", rows_loaded=frame.height, warnings=warnings)
            _settle_chain(con, delivery)
    finally:
        con.unregister("incoming_delivery")
    return frame.height


def _settle_chain(con: duckdb.DuckDBPyConnection, delivery: Delivery) -> None:
    """Within a source and file type, a file whose periods a later delivery covers completely is superseded."""
    name = delivery.name
    assert name is not None
    con.execute(
        """
        with files as (
            select file_name, delivered_at, period_start, period_end
            from raw.load_ledger
            where source_system = ? and coalesce(file_type, '') = coalesce(?, '')
                and status in ('loaded', 'superseded')
        ),
        newest_cover as (
            select
                older.file_name,
                first(newer.file_name order by newer.delivered_at desc, newer.file_name desc) as superseded_by
            from files as older
            join files as newer
                on newer.delivered_at > older.delivered_at
                and newer.period_start <= older.period_start
                and newer.period_end >= older.period_end
            group by older.file_name
        )
        update raw.load_ledger as l
        set status = case when c.superseded_by is null then 'loaded' else 'superseded' end,
            superseded_by = c.superseded_by
        from files as f
        left join newest_cover as c on c.file_name = f.file_name
        where l.file_name = f.file_name
        """,
        [delivery.source_system, name.file_type],
    )
