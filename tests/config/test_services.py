"""Two application instances and a background worker on one PostgreSQL database, one Redis and
one S3-compatible store (moto's server), as several machines run the site (docs/deploy.md, and
the processes compose.yaml wires): two gunicorn processes and ``manage.py worker``, each with
its own VAR_DIR, so nothing they share goes through a local file. What one instance does, the
other sees at once: a record's change on a cached public page, a staff session, a login
lockout, a printing job's progress and its PDF; certificate numbers stay unique when both
issue at once; a worker killed midway is replaced and finishes its job with no duplicate.

Marked ``services``: run by ``.ci/run`` with ``-m services``; skipped, saying why, when
PostgreSQL or Redis does not answer on 127.0.0.1.
"""

import contextlib
import html
import http.client
import io
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from http.cookies import SimpleCookie

import pytest

from bench.server import PROJECT, gunicorn, production_environment
from tests.builders import png_bytes
from tests.partnerships.test_certificates_s3 import s3_server

pytestmark = pytest.mark.services

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "rejestr_services_test"
# A database of Redis of its own, and a prefix of this run's own within it: the test removes
# only its own keys.
REDIS_URL = "redis://127.0.0.1:6379/13"
PASSWORD = "Haslo-do-testu-uslug-7"  # a throwaway account in a throwaway database
FAILURE_LIMIT = 3
BUCKET = "rejestr-services-test"
# A running job whose progress stood still this long is taken over by the next worker to start.
STALE_SECONDS = 3
PRINTED = 200  # members of the partnership printed as one job
KILLED = 60  # members of the partnership whose worker is killed midway
# Partnerships of Mazowieckie: two with many members (printed as jobs), twenty without (issued
# by both instances at once).
PARTNERSHIPS = f"""
from members.models import Institution
from partnerships.models import Membership, Partnership

for slug, size in {{"drukowane": {PRINTED}, "przerwane": {KILLED}}}.items():
    partnership = Partnership.objects.create(name=slug, slug=slug, home_voivodeship_id="14")
    members = Institution.objects.bulk_create(
        Institution(name=f"Ośrodek {{slug}} {{n}}", slug=f"osrodek-{{slug}}-{{n}}", kind="mops", commune_id="1465011")
        for n in range(size)
    )
    Membership.objects.bulk_create(Membership(partnership=partnership, institution=i) for i in members)
Partnership.objects.bulk_create(
    Partnership(name=f"Równoległe {{n:02d}}", slug=f"rownolegle-{{n:02d}}", home_voivodeship_id="14") for n in range(20)
)
"""


def answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def unreachable() -> str:
    if not answers(5432):
        return "PostgreSQL does not answer on 127.0.0.1:5432"
    if not answers(6379):
        return "Redis does not answer on 127.0.0.1:6379"
    return ""


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """The environment both instances share: one new PostgreSQL database, migrated, with a
    superuser and one institution; one Redis database under a prefix of this run's."""
    if reason := unreachable():
        pytest.skip(reason)
    import psycopg
    import redis

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    prefix = f"services-test-{secrets.token_hex(4)}"
    workdir = tmp_path_factory.mktemp("services")
    # The store every process reads and writes the media through; closed with the fixture.
    store = contextlib.ExitStack()
    endpoint = store.enter_context(s3_server())
    credentials = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
    import boto3

    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    ).create_bucket(Bucket=BUCKET)
    extra = [
        *(f"{key}={value}" for key, value in credentials.items()),
        f"AWS_STORAGE_BUCKET_NAME={BUCKET}",
        f"AWS_S3_ENDPOINT_URL={endpoint}",
        "AWS_S3_REGION_NAME=us-east-1",
        f"JOBS_STALE_SECONDS={STALE_SECONDS}",
        f"CACHE_URL={REDIS_URL}",
        f"CACHE_KEY_PREFIX={prefix}",
        # One key for both: each signs the sessions the other reads.
        f"SECRET_KEY={secrets.token_urlsafe(48)}",
        # Plain HTTP on loopback: secure-only cookies would never be sent back.
        "SESSION_COOKIE_SECURE=0",
        "CSRF_COOKIE_SECURE=0",
        "LANGUAGE_COOKIE_SECURE=0",
        f"AXES_FAILURE_LIMIT={FAILURE_LIMIT}",
    ]
    env = production_environment(workdir / "setup", f"{POSTGRES}/{DATABASE}", extra)
    run = {**os.environ, **env}

    def manage(*args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=run, check=True, capture_output=True)

    manage("migrate", "--verbosity", "0")
    manage("load_territory")
    manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model;"
        "from members.models import Institution;"
        "User = get_user_model();"
        f"User.objects.create_superuser('admin', 'admin@example.invalid', {PASSWORD!r});"
        f"User.objects.create_superuser('zablokowany', 'lock@example.invalid', {PASSWORD!r});"
        "Institution.objects.create(name='Instytucja przed zmianą', slug='instytucja-uslug', kind='mops',"
        " commune_id='1465011')",
    )
    # Partnerships of Mazowieckie: two with many members (printed as jobs), twenty without
    # (issued by both instances at once).
    manage("shell", "-c", PARTNERSHIPS)
    try:
        yield workdir, extra
    finally:
        store.close()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


@pytest.fixture(scope="module")
def instances(shared):
    """Ports of instances A and B: separate processes, separate VAR_DIRs, one database and cache."""
    workdir, extra = shared
    with contextlib.ExitStack() as stack:
        ports = []
        for name in ("a", "b"):
            env = production_environment(workdir / name, f"{POSTGRES}/{DATABASE}", extra)
            (workdir / name).mkdir(exist_ok=True)
            ports.append(stack.enter_context(gunicorn(env, workers=1, log=workdir / f"{name}.log")))
        yield tuple(ports)


class Browser:
    """One visitor's cookies across any instances: a request goes to the port given."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self,
        port: int,
        method: str,
        path: str,
        data: list[tuple[str, str]] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ):
        """``files``: field name -> (file name, bytes, type), sent with ``data`` as a browser
        sends a form with a file (multipart/form-data)."""
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if files:
            boundary = secrets.token_hex(16)
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                for name, value in data or []
            ]
            for name, (filename, content, kind) in files.items():
                head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                parts.append(f"{head}Content-Type: {kind}\r\n\r\n".encode() + content + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", errors="replace")
            for header in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.getheader("Location", ""), content
        finally:
            connection.close()

    def login(self, port: int, username: str, password: str) -> int:
        status, _, page = self.request(port, "GET", "/admin/login/")
        assert status == 200, page
        data = [("csrfmiddlewaretoken", form_fields(page)["csrfmiddlewaretoken"]), ("username", username)]
        data += [("password", password), ("next", "/admin/")]
        status, _, _ = self.request(port, "POST", "/admin/login/?next=/admin/", data)
        return status


class FormReader(HTMLParser):
    """What a browser submits of the page's form with id ``*_form`` (or its only form) unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in {"submit", "file", "button", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            self.fields.append((name, attributes.get("value", "on" if kind == "checkbox" else "") or ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attributes:
            self.fields.append((self.select, attributes.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def form_data(page: str) -> list[tuple[str, str]]:
    reader = FormReader()
    reader.feed(page)
    return reader.fields


def form_fields(page: str) -> dict[str, str]:
    return dict(form_data(page))


def institution_change_form(staff, instance) -> tuple[str, str]:
    """``staff`` logs in as the superuser on ``instance`` and opens the institution's change
    page, found as the list links it: (its address, its HTML)."""
    assert staff.login(instance, "admin", PASSWORD) == 302
    status, _, content = staff.request(instance, "GET", "/admin/members/institution/")
    assert status == 200
    links = [part.split('"')[0] for part in content.split('href="')]
    change = next(link for link in links if link.startswith("/admin/members/institution/") and "/change/" in link)
    status, _, form = staff.request(instance, "GET", change)
    assert status == 200
    return change, form


def test_a_change_through_one_instance_is_fresh_at_once_on_the_others_cached_page(instances):
    a, b = instances
    visitor = Browser()
    page = "/instytucje/instytucja-uslug/"
    for _ in range(2):  # the second answer comes from the page cache
        status, _, content = visitor.request(b, "GET", page)
        assert status == 200
        assert "Instytucja przed zmianą" in content
    assert not visitor.cookies, "a visitor gets no cookie, or the page would not be cached"

    staff = Browser()
    change, form = institution_change_form(staff, a)
    data = [(name, "Instytucja po zmianie" if name == "name" else value) for name, value in form_data(form)]
    data = [(name, value) for name, value in data if name != "_saveasnew"]
    status, _, content = staff.request(a, "POST", change, data)
    assert status == 302, content[:3000]

    status, _, content = visitor.request(b, "GET", page)
    assert status == 200
    assert "Instytucja po zmianie" in content
    assert "Instytucja przed zmianą" not in content


def test_a_logo_uploaded_through_one_instance_is_served_through_the_other(instances):
    a, b = instances
    staff = Browser()
    change, form = institution_change_form(staff, a)
    data = [(name, value) for name, value in form_data(form) if name not in {"_saveasnew", "logo"}]
    logo = png_bytes()
    status, _, content = staff.request(a, "POST", change, data, files={"logo": ("herb.png", logo, "image/png")})
    assert status == 302, content[:3000]

    # The change form, read through the other instance, links the file in the store (a signed
    # address); the registry serves the same file at /media/<its name>, as the certificates read it.
    status, _, form = staff.request(b, "GET", change)
    assert status == 200
    hrefs = [html.unescape(part.split('"')[0]) for part in form.split('href="')]
    stored = next(h for h in hrefs if f"/{BUCKET}/logos/" in h and "/thumbnails/" not in h)
    media = "/media/" + urllib.parse.urlsplit(stored).path.split(f"/{BUCKET}/", 1)[1]
    with urllib.request.urlopen(stored, timeout=30) as signed:  # noqa: S310 (the test's own store)
        assert signed.read() == logo
    connection = http.client.HTTPConnection("127.0.0.1", b, timeout=30)
    try:
        connection.request("GET", media)
        response = connection.getresponse()
        served = response.read()
        assert response.status == 200
        assert response.getheader("Content-Type") == "image/png"
        assert response.getheader("X-Content-Type-Options") == "nosniff"
    finally:
        connection.close()
    assert served.startswith(b"\x89PNG")


def test_a_staff_session_made_on_one_instance_works_on_the_other(instances):
    a, b = instances
    staff = Browser()
    assert staff.login(a, "admin", PASSWORD) == 302
    status, location, _ = staff.request(b, "GET", "/admin/")
    assert (status, location) == (200, "")
    # And without that session, B sends the visitor to log in.
    status, location, _ = Browser().request(b, "GET", "/admin/")
    assert status == 302
    assert location.startswith("/admin/login/")


def test_a_lockout_made_on_one_instance_holds_on_the_other(instances):
    a, b = instances
    intruder = Browser()
    for _ in range(FAILURE_LIMIT):
        intruder.login(a, "zablokowany", "zle-haslo-zle-haslo")
    # The right password now, on the other instance: still refused.
    assert Browser().login(b, "zablokowany", PASSWORD) == 429
    # Another account is not locked there.
    assert Browser().login(b, "admin", PASSWORD) == 302


def test_both_instances_are_ready_and_one_without_its_database_is_not(instances, shared):
    for port in instances:
        status, _, content = Browser().request(port, "GET", "/readyz")
        assert (status, json.loads(content)["ready"]) == (200, True)
    workdir, extra = shared
    env = production_environment(workdir / "no-database", f"{POSTGRES}/{DATABASE}_missing", extra)
    (workdir / "no-database").mkdir(exist_ok=True)
    with gunicorn(env, workers=1, log=workdir / "no-database.log") as port:
        status, _, content = Browser().request(port, "GET", "/readyz")
        assert status == 503
        assert json.loads(content)["checks"] == {"database": "failed", "cache": "ok", "storage": "ok"}
        # Alive all the same: the liveness check asks no service.
        assert Browser().request(port, "GET", "/healthz")[0] == 200


class Worker:
    """``manage.py worker`` as a process of its own (its own VAR_DIR), started and killed at will."""

    def __init__(self, workdir, extra) -> None:
        self.env = {**os.environ, **production_environment(workdir / "worker", f"{POSTGRES}/{DATABASE}", extra)}
        (workdir / "worker").mkdir(exist_ok=True)
        self.log = workdir / "worker.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "worker", "--", "--interval", "0.2", "--no-startup-delay"],
                cwd=PROJECT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """As a machine that dies: SIGKILL, no chance to finish or to record anything."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def worker(shared, instances):
    workdir, extra = shared
    process = Worker(workdir, extra)
    process.start()
    try:
        yield process
    finally:
        process.stop()


def query(sql: str, *params) -> list[tuple]:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/{DATABASE}") as connection:
        return connection.execute(sql, params).fetchall()


def partnership_id(slug: str) -> int:
    return query("SELECT id FROM partnerships_partnership WHERE slug = %s", slug)[0][0]


def start_printing(staff: Browser, port: int, slug: str) -> str:
    """Ask instance ``port`` for every member's certificate of a partnership; the job's page."""
    page = f"/admin/partnerships/partnership/{partnership_id(slug)}/certificates/issue/"
    status, _, form = staff.request(port, "GET", page)
    assert status == 200, form[:2000]
    data = [("csrfmiddlewaretoken", form_fields(form)["csrfmiddlewaretoken"]), ("apply", "1"), ("kind", "membership")]
    data += [("signatory_name", "Jan Testowy"), ("signatory_function", "dyrektor"), ("issued_on", "2026-11-23")]
    status, location, content = staff.request(port, "POST", page, data)
    assert status == 302, content[:3000]
    assert location.startswith("/admin/core/job/"), location
    return location.removesuffix("change/")


def follow(staff: Browser, port: int, job: str, *, until=lambda progress: progress["finished"], timeout=150):
    """The job's progress as instance ``port`` reports it, polled until ``until``; every answer."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        status, _, content = staff.request(port, "GET", f"{job}progress/")
        assert status == 200, content[:2000]
        seen.append(json.loads(content))
        if until(seen[-1]):
            return seen
        assert time.monotonic() < deadline, f"the job did not get there in {timeout} s: {seen[-1]}"
        time.sleep(0.3)


def certificates_of(slug: str) -> list[tuple[str, int]]:
    return query(
        "SELECT number, institution_id FROM partnerships_certificate WHERE partnership_id = %s", partnership_id(slug)
    )


def test_a_printing_job_started_on_one_instance_shows_its_progress_and_pdf_on_the_other(instances, worker):
    from pypdf import PdfReader

    a, b = instances
    staff = Browser()
    assert staff.login(a, "admin", PASSWORD) == 302
    job = start_printing(staff, a, "drukowane")
    seen = follow(staff, b, job)
    assert seen[-1]["state"] == "done", seen[-1]
    assert seen[-1]["done"] == seen[-1]["total"] == PRINTED
    # The bar moved while the worker printed: B saw some of the certificates done, not all.
    assert any(0 < progress["done"] < PRINTED for progress in seen), seen

    status, _, page = staff.request(b, "GET", f"{job}change/")
    assert status == 200
    assert f"{job}download/" in page
    connection = http.client.HTTPConnection("127.0.0.1", b, timeout=60)
    connection.request("GET", f"{job}download/", headers={"Cookie": f"sessionid={staff.cookies['sessionid']}"})
    response = connection.getresponse()
    pdf = response.read()
    connection.close()
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/pdf"
    assert "attachment" in response.getheader("Content-Disposition")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == PRINTED
    issued = certificates_of("drukowane")
    assert len(issued) == PRINTED
    assert len({number for number, _ in issued}) == len({member for _, member in issued}) == PRINTED


def test_certificate_numbers_issued_on_both_instances_at_once_are_unique(instances, worker):
    a, b = instances
    ids = [row[0] for row in query("SELECT id FROM partnerships_partnership WHERE slug LIKE 'rownolegle-%%'")]
    assert len(ids) == 20
    before = query("SELECT count(*) FROM partnerships_certificate")[0][0]
    answers = []

    def issue(port: int, chosen: list[int]) -> None:
        staff = Browser()
        assert staff.login(port, "admin", PASSWORD) == 302
        listing = "/admin/partnerships/partnership/?zakres=wszystkie"
        status, _, page = staff.request(port, "GET", listing)
        assert status == 200
        data = [("csrfmiddlewaretoken", form_fields(page)["csrfmiddlewaretoken"]), ("action", "issue_certificates")]
        data += [("_selected_action", str(pk)) for pk in chosen]
        data += [("apply", "1"), ("kind", "partnership"), ("signatory_name", "Jan Testowy")]
        data += [("signatory_function", "dyrektor"), ("issued_on", "2026-11-23")]
        answers.append(staff.request(port, "POST", listing, data)[0])

    # Four requests at once, two on each instance, five partnerships each: within the inline
    # limit, so each request issues its certificates itself, as two staff members would.
    threads = [
        threading.Thread(target=issue, args=(port, ids[n * 5 : n * 5 + 5])) for n, port in enumerate((a, b, a, b))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert answers == [302] * 4
    numbers = [
        row[0] for row in query("SELECT number FROM partnerships_certificate WHERE partnership_id = ANY(%s)", ids)
    ]
    assert len(numbers) == len(set(numbers)) == 20
    assert query("SELECT count(*) FROM partnerships_certificate")[0][0] == before + 20


def test_a_worker_killed_midway_is_replaced_and_the_job_ends_without_a_duplicate(instances, worker):
    a, b = instances
    staff = Browser()
    assert staff.login(a, "admin", PASSWORD) == 302
    job = start_printing(staff, a, "przerwane")
    follow(staff, b, job, until=lambda progress: progress["done"] >= 10 or progress["finished"])
    worker.kill()
    stopped = follow(staff, b, job, until=lambda progress: True)[-1]
    assert stopped["state"] == "running" and stopped["done"] < KILLED, stopped
    issued = certificates_of("przerwane")
    assert len(issued) == KILLED  # issued in one transaction before printing began

    time.sleep(STALE_SECONDS + 1)
    worker.start()  # takes the job over: its progress stood still
    finished = follow(staff, b, job)[-1]
    assert finished["state"] == "done" and finished["done"] == KILLED, finished
    assert sorted(certificates_of("przerwane")) == sorted(issued)
    status, _, page = staff.request(b, "GET", f"{job}change/")
    assert status == 200 and f"{job}download/" in page


def test_the_rq_backend_runs_a_job_queued_in_redis(shared):
    """TASKS_BACKEND=rq: the job is queued in Redis and run by `manage.py worker` (RQ's worker)."""
    import redis

    workdir, extra = shared
    env = production_environment(workdir / "rq", f"{POSTGRES}/{DATABASE}", [*extra, "TASKS_BACKEND=rq"])
    env["TASKS_REDIS_URL"] = REDIS_URL
    (workdir / "rq").mkdir(exist_ok=True)
    run = {**os.environ, **env}
    start = (
        "from django.contrib.auth import get_user_model\n"
        "from django.db import transaction\n"
        "from core import jobs\n"
        "from partnerships import tasks\n"
        "from partnerships.certificates import issue_partnership_certificate\n"
        "from partnerships.models import Partnership\n"
        "admin = get_user_model().objects.get(username='admin')\n"
        "ids = []\n"
        "for n in range(3):\n"
        "    p = Partnership.objects.create(name=f'RQ {n}', slug=f'rq-{n}', home_voivodeship_id='14')\n"
        "    ids.append(issue_partnership_certificate(p, admin, 'Jan Testowy', pdfs_after_commit=False).pk)\n"
        "with transaction.atomic():\n"
        "    job = jobs.start(tasks.print_certificates, kind='print', title='rq', user=admin, region='14',"
        " params={'certificates': ids})\n"
        "print(job.pk)\n"
    )
    try:
        shell = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", start], cwd=PROJECT, env=run, capture_output=True, text=True
        )
        assert shell.returncode == 0, shell.stderr
        job = int(shell.stdout.split()[-1])
        assert query("SELECT state FROM core_job WHERE id = %s", job) == [("queued",)]
        assert redis.Redis.from_url(REDIS_URL).llen("rq:queue:default") == 1
        worker = subprocess.run(
            [sys.executable, "manage.py", "worker", "--", "--burst"], cwd=PROJECT, env=run, capture_output=True
        )
        assert worker.returncode == 0, worker.stderr[-3000:]
        assert query("SELECT state, done, total FROM core_job WHERE id = %s", job) == [("done", 3, 3)]
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter("rq:*"):
            client.delete(key)
