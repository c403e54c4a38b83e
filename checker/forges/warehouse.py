"""The organisation report's records, for years of history beyond one runner: appended to a
DuckDB file (the embedded default), or written as Parquet files any engine reads (DuckDB,
BigQuery, Snowflake, Spark, pandas). One run adds one row per repository and one per objective
and repository, stamped with the run's time; exporting the same run again replaces its rows.

    duckdb:history.duckdb     tables repository_alignment and objective_status
    parquet:DIR               DIR/repository_alignment/<run>.parquet, DIR/objective_status/<run>.parquet

DuckDB comes with the `warehouse` extra (`pip install 'clew[warehouse]'`); nothing else needs it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checker.errors import ClewError

REPOSITORY_COLUMNS = (
    ("run_at", "TIMESTAMP"),
    ("owner", "VARCHAR"),
    ("repository", "VARCHAR"),
    ("merged", "INTEGER"),
    ("aligned", "INTEGER"),
    ("waste", "INTEGER"),
    ("report_generated_at", "VARCHAR"),
    ("error", "VARCHAR"),
)
OBJECTIVE_COLUMNS = (
    ("run_at", "TIMESTAMP"),
    ("owner", "VARCHAR"),
    ("repository", "VARCHAR"),
    ("objective", "VARCHAR"),
    ("title", "VARCHAR"),
    ("status", "VARCHAR"),
    ("progress", "DOUBLE"),
    ("reason", "VARCHAR"),
)


def records(doc: Mapping[str, Any]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows of one run: one per repository, one per objective in each repository."""
    run, owner = str(doc["generated_at"]).replace("Z", "+00:00"), str(doc["owner"])
    repos, objectives = [], []
    for r in doc["repositories"]:
        h = r.get("headline") or {}
        repos.append(
            (run, owner, r["repository"], h.get("merged"), h.get("aligned"), h.get("waste"), r.get("generated_at"), r.get("error"))
        )
        for o in r.get("objectives") or []:
            reason = o["reasons"][0] if o.get("reasons") else None
            objectives.append((run, owner, r["repository"], o["id"], o["title"], o["status"], o.get("progress"), reason))
    return repos, objectives


def check_target(target: str) -> tuple[str, str]:
    """`duckdb:FILE` or `parquet:DIR`, checked before anything is read; DuckDB must be installed."""
    kind, _, where = target.partition(":")
    if kind not in ("duckdb", "parquet") or not where:
        raise ClewError(f"--export {target!r}: write `duckdb:FILE` (e.g. duckdb:history.duckdb) or `parquet:DIR`")
    try:
        import duckdb  # noqa: F401 -- only whether it is there
    except ImportError:
        raise ClewError("--export needs DuckDB: pip install 'clew[warehouse]'") from None
    return kind, where


def export(doc: Mapping[str, Any], target: str) -> str:
    """Write the run's records to `duckdb:FILE` or `parquet:DIR`; what was written, in words."""
    kind, where = check_target(target)
    import duckdb

    repos, objectives = records(doc)
    tables = (("repository_alignment", REPOSITORY_COLUMNS, repos), ("objective_status", OBJECTIVE_COLUMNS, objectives))
    run = str(doc["generated_at"]).replace("Z", "+00:00")
    if kind == "duckdb":
        Path(where).parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(where) as con:
            for name, columns, rows in tables:
                con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(f'{c} {t}' for c, t in columns)})")
                con.execute(f"DELETE FROM {name} WHERE run_at = CAST(? AS TIMESTAMP) AND owner = ?", [run, doc["owner"]])
                if rows:
                    con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in columns)})", rows)
        return f"{len(repos)} repository rows and {len(objectives)} objective rows added to {where}"
    stamp = re.sub(r"[^0-9A-Za-z]", "", str(doc["generated_at"]))[:15]
    with duckdb.connect() as con:
        for name, columns, rows in tables:
            folder = Path(where) / name
            folder.mkdir(parents=True, exist_ok=True)
            con.execute(f"CREATE TEMP TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns)})")
            if rows:
                con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in columns)})", rows)
            out = folder / f"{doc['owner']}-{stamp}.parquet"
            con.execute(f"COPY {name} TO '{out.as_posix().replace(chr(39), chr(39) * 2)}' (FORMAT PARQUET)")
    return f"{len(repos)} repository rows and {len(objectives)} objective rows written under {where}"
