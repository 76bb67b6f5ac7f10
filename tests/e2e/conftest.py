"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

Playwright's own browser download does not work here, so the browser is the system's
(`chromium`, which `make test` installs). Screenshots land in `test-artifacts/e2e/`.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail("Chromium is not installed: `make test` installs Debian's chromium package.")
    # Playwright's sync API runs an event loop in the test thread; the ORM calls that set up
    # data in that thread are still synchronous and safe. Only for the browser tests.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, locale="pl-PL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # Chromium reports each thing the Content Security Policy blocked on the console.
    page.csp_violations = []

    def note_violation(message) -> None:
        if "Content Security Policy" in message.text:
            page.csp_violations.append(message.text)

    page.on("console", note_violation)
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    context.close()


def axe_violations(page) -> list[dict]:
    """WCAG 2.1 A and AA violations that axe-core finds on the page as it is now."""
    # Evaluated through the DevTools protocol, not added as a <script>: the page's policy
    # allows no inline script, and the tests must not loosen it to run axe-core.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_no_csp_violations(page) -> None:
    assert not page.csp_violations, f"Content Security Policy violations on {page.url}:\n" + "\n".join(
        page.csp_violations
    )


def assert_accessible(page) -> None:
    """WCAG 2.1 AA by axe-core, and nothing on the page needed what the security policy forbids."""
    assert_no_csp_violations(page)
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{json.dumps(violations, indent=2, ensure_ascii=False)}"
