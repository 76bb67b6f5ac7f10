"""Two application instances on one PostgreSQL database and one Redis, as several machines
run the site (docs/deploy.md): two gunicorn processes, each with its own VAR_DIR, so nothing
they share goes through a local file. What one instance does, the other sees at once: a
record's change on a cached public page, a staff session, a login lockout.

Marked ``services``: run by ``.ci/run`` with ``-m services``; skipped, saying why, when
PostgreSQL or Redis does not answer on 127.0.0.1.
"""

import contextlib
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import urllib.parse
from html.parser import HTMLParser
from http.cookies import SimpleCookie

import pytest

from bench.server import PROJECT, gunicorn, production_environment

pytestmark = pytest.mark.services

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "rejestr_services_test"
# A database of Redis of its own, and a prefix of this run's own within it: the test removes
# only its own keys.
REDIS_URL = "redis://127.0.0.1:6379/13"
PASSWORD = "Haslo-do-testu-uslug-7"  # a throwaway account in a throwaway database
FAILURE_LIMIT = 3


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
    extra = [
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
    try:
        yield workdir, extra
    finally:
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

    def request(self, port: int, method: str, path: str, data: list[tuple[str, str]] | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
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
    assert staff.login(a, "admin", PASSWORD) == 302
    status, _, content = staff.request(a, "GET", "/admin/members/institution/")
    assert status == 200
    # The change page's address, as the list links it.
    links = [part.split('"')[0] for part in content.split('href="')]
    change = next(link for link in links if link.startswith("/admin/members/institution/") and "/change/" in link)
    status, _, form = staff.request(a, "GET", change)
    assert status == 200
    data = [(name, "Instytucja po zmianie" if name == "name" else value) for name, value in form_data(form)]
    data = [(name, value) for name, value in data if name != "_saveasnew"]
    status, _, content = staff.request(a, "POST", change, data)
    assert status == 302, content[:3000]

    status, _, content = visitor.request(b, "GET", page)
    assert status == 200
    assert "Instytucja po zmianie" in content
    assert "Instytucja przed zmianą" not in content


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
