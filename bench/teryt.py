"""The import of the official TERYT register (TERC, CSV and XML) into an empty database and
again into one that already matches it.

    TERYT_CSV=… TERYT_XML=… .venv/bin/python -m bench.teryt                 # SQLite, throwaway
    TERYT_CSV=… DATABASE_URL=postgresql://…/rejestr_bench_teryt .venv/bin/python -m bench.teryt

The PostgreSQL database is created and emptied by the script (its name must end in
``_teryt``, so that no other database is ever flushed). Writes ``bench/results/teryt-<db>.json``.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.prepare import create_postgresql_database

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "bench" / "results"


def run(environment: dict, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run(  # noqa: S603 (the project's own manage.py)
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=environment, check=True, capture_output=True
    )
    return time.perf_counter() - start


def main() -> int:
    argparse.ArgumentParser(
        prog="python -m bench.teryt",
        description=__doc__.split("\n\n")[0],
        epilog="The files come from TERYT_CSV and TERYT_XML, the database from DATABASE_URL (SQLite when unset).",
    ).parse_args()
    files = {kind: os.environ.get(f"TERYT_{kind.upper()}", "") for kind in ("csv", "xml")}
    files = {kind: path for kind, path in files.items() if path and Path(path).is_file()}
    if not files:
        print("Set TERYT_CSV (and TERYT_XML) to the official files.", file=sys.stderr)
        return 2
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as workdir:
        environment = {**os.environ, "VAR_DIR": workdir, "CACHE_URL": "locmem://"}
        if url:
            if not url.rstrip("/").endswith("_teryt"):
                raise SystemExit("The PostgreSQL database of this benchmark must be named …_teryt: it is flushed.")
            create_postgresql_database(url)
        vendor = "postgresql" if url else "sqlite"
        figures = {}
        for kind, path in files.items():
            run(environment, "migrate", "--noinput")
            run(environment, "flush", "--noinput")
            # Into empty tables, as on a new installation.
            figures[f"{kind}_into_empty_s"] = round(run(environment, "import_teryt", path), 2)
            figures[f"{kind}_again_unchanged_s"] = round(run(environment, "import_teryt", path), 2)
    report = {"database": vendor, "files": {k: Path(v).name for k, v in files.items()}, **figures}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"teryt-{vendor}.json").write_text(json.dumps(report, indent=2) + "\n")
    for name, value in figures.items():
        print(f"{vendor:10} {name:28} {value:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
