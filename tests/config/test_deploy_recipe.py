"""The deployment recipe (Dockerfile, compose.yaml) names only what the application reads: no
container engine runs here, so the files are checked against the settings instead, and the
processes they wire are run for real by the services tests (test_services.py)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

yaml = pytest.importorskip("yaml", reason="PyYAML (installed with the test dependencies) reads compose.yaml")

ROOT = Path(settings.BASE_DIR)
# Read by boto3 itself, not by the settings module.
READ_BY_BOTO3 = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


def settings_read() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z0-9_]+)"', source))


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_two_web_instances_a_worker_and_the_shared_services(compose):
    services = compose["services"]
    assert {"web-a", "web-b", "worker", "postgres", "redis", "minio"} <= set(services)
    assert services["worker"]["command"] == ["python", "manage.py", "worker"]
    assert "worker" in get_commands()
    for name in ("web-a", "web-b", "worker"):
        assert services[name]["build"] == "."


def test_every_setting_compose_gives_the_application_is_one_it_reads(compose):
    read = settings_read() | READ_BY_BOTO3
    for name in ("web-a", "web-b", "worker", "migrate"):
        environment = compose["services"][name]["environment"]
        assert set(environment) <= read, set(environment) - read
        # What several machines need shared (docs/deploy.md).
        assert {"DATABASE_URL", "CACHE_URL", "AWS_STORAGE_BUCKET_NAME", "SECRET_KEY", "TASKS_BACKEND"} <= set(
            environment
        )


def test_the_image_is_python_3_11_with_pango_gunicorn_and_collected_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "libpango-1.0-0" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert '"gunicorn", "config.wsgi:application"' in dockerfile
