"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser)."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs /usr/bin/chromium (make system-deps installs it)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def csp_violations():
    """What Chromium refused under the Content-Security-Policy, page by page: every browser test
    that uses ``page_for`` fails when a page needs an inline script, style or eval."""
    found: list[str] = []
    yield found
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)


def watch_csp(context, found: list[str]) -> None:
    context.on(
        "console",
        lambda msg: found.append(f"{msg.page.url if msg.page else ''}: {msg.text}") if "Content Security Policy" in msg.text else None,
    )


@pytest.fixture
def page_for(browser, live_server, csp_violations):
    contexts = []

    def make(user, viewport=DESKTOP, password=None):
        from tests.conftest import PASSWORD

        context = browser.new_context(viewport=viewport, locale="zh-CN")
        watch_csp(context, csp_violations)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password or PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    yield make
    for c in contexts:
        c.close()
