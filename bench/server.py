"""gunicorn as the README runs it in production, on a free port of loopback, for the benchmarks
that load it (``bench.load`` and ``bench.certificates``): the environment, starting and
stopping the server, one plain GET, and what in its log means a request went wrong.
"""

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

PROJECT = Path(__file__).resolve().parents[1]

# High enough that a benchmark's own requests, all from 127.0.0.1, are never limited: the
# certificate verification page answers 60 a minute per address, the PDF address 20.
UNLIMITED_PER_MINUTE = "1000000"
RATE_LIMITS = ("CERTIFICATE_PDFS_PER_MINUTE", "CERTIFICATE_VERIFICATIONS_PER_MINUTE")

# What in gunicorn's log (workers' stderr included) means a request went wrong or a worker died.
LOG_PROBLEM = re.compile(
    r"Traceback \(most recent call last\)|\[(ERROR|CRITICAL)\]|WORKER TIMEOUT|Internal Server Error"
)


def production_environment(workdir: Path, database_url: str | None = None, extra: Iterable[str] = ()) -> dict[str, str]:
    """Production mode on loopback in a throwaway ``VAR_DIR``, for the script and gunicorn alike:
    ``database_url``, or a throwaway SQLite database; the rate limits raised (the limiting
    still runs and costs what it costs); ``extra`` settings as KEY=VALUE."""
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(workdir / "var"),
        "MEDIA_ROOT": str(workdir / "var" / "media"),
        "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),
        # testserver: the script's own in-process requests through Django's test client.
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # Plain HTTP on loopback: the redirect to HTTPS would answer every request with a 301.
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        **dict.fromkeys(RATE_LIMITS, UNLIMITED_PER_MINUTE),
    }
    for item in extra:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"--env wants KEY=VALUE, not {item!r}")
        env[key] = value
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_ports(count: int, attempts: int = 50) -> list[int]:
    """``count`` consecutive free ports of 127.0.0.1 (instances "behind the same port range", as
    a load balancer's pool is written); free when looked at, like ``free_port``'s."""
    for _attempt in range(attempts):
        first = free_port()
        if first + count > 65536:
            continue
        with contextlib.ExitStack() as held:
            try:
                for port in range(first, first + count):
                    probe = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                    probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return list(range(first, first + count))
    raise SystemExit(f"no {count} consecutive free ports found")


class Answer(NamedTuple):
    status: int
    location: str
    size: int
    page_cache: str = ""  # the X-Page-Cache header: "hit", "miss", or empty (not a cached page)


def get(port: int, path: str, timeout: float = 60.0) -> Answer:
    """One GET on a new connection, as a browser's first request; http.client follows no
    redirect, so a 301 shows as one."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        size = len(response.read())
        return Answer(response.status, response.getheader("Location", ""), size, response.getheader("X-Page-Cache", ""))
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int, log: Path, threads: int = 1, port: int | None = None):
    """gunicorn on ``port`` (else a free port) of 127.0.0.1, up once /healthz answers; always
    stopped on leaving. Sync workers, or gunicorn's gthread workers with ``threads`` above 1."""
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--threads",
        str(threads),
        "--error-logfile",
        str(log),
        # Django writes its tracebacks to the workers' stderr (LOGGING's console handler);
        # captured, they land in the log that is checked.
        "--capture-output",
        "--log-level",
        "info",
        "--graceful-timeout",
        "5",
        "--chdir",
        str(PROJECT),
    ]
    # Its own session: Ctrl-C reaches the script, which then stops the whole server itself.
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own interpreter
        command, env={**os.environ, **env}, cwd=PROJECT, start_new_session=True, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited with status {process.returncode}:\n{tail(log)}")
            with contextlib.suppress(OSError):
                if get(port, "/healthz", timeout=2).status == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer /healthz within 60 s:\n{tail(log)}")
            time.sleep(0.2)
        yield port
    finally:
        if process.poll() is None:
            # The master alone: it stops its workers gracefully; a signal to the whole group
            # would kill them under it, which it logs as errors.
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def problems(text: str) -> list[str]:
    """The lines of a piece of gunicorn's log that say something went wrong; a traceback as its
    last lines, the exception and where it rose."""
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        if LOG_PROBLEM.search(line):
            if "Traceback" in line:
                end = next((j for j in range(index + 1, len(lines)) if not lines[j].startswith(" ")), index)
                found.append("\n".join(lines[max(0, end - 4) : end + 1]))
            else:
                found.append(line)
    return found


class LogWatch:
    """The part of gunicorn's log written since the last look, and what in it is a problem."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.offset = log.stat().st_size if log.exists() else 0

    def new_problems(self) -> list[str]:
        if not self.log.exists():
            return []
        with self.log.open("rb") as handle:
            handle.seek(self.offset)
            text = handle.read().decode("utf-8", errors="replace")
            self.offset = handle.tell()
        return problems(text)
