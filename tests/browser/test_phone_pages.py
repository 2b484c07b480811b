"""Every page a phone role reaches fits a 390 px phone, loads without console errors, the
resident's pages are light and pass axe-core (no serious or critical violations).

The walk starts at the home page and follows every same-site link each role sees (the menu
included), breadth first, so a new page is walked as soon as anything links to it.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from tests.browser.conftest import PHONE
from tests.matrix_world import build_matrix_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_ROLES = ("resident", "gridworker", "gridleader", "buildinghead", "property", "partner")
SKIP = ("/logout/", "/i18n/", "/admin/", "/api/", "/static/", "/media/", "export.xlsx", "template.xlsx", "/photos/", "/proof/")
MAX_PAGES = 60
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def _walk(page, base: str, start: str = "/"):
    """Breadth-first over the links a user sees; yields each page's path once it has loaded."""
    seen, queue = set(), deque([start])
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        key = path.split("?page=")[0]
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(base + path)
        if response is None or response.status >= 400 or "spreadsheet" in (response.headers.get("content-type") or ""):
            continue
        yield path
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            url = urlparse(urljoin(base + path, href))
            if url.netloc != urlparse(base).netloc or any(s in url.path for s in SKIP) or "page=" in (url.query or ""):
                continue
            queue.append(url.path + (f"?{url.query}" if url.query else ""))


@pytest.mark.parametrize("role", PHONE_ROLES)
def test_every_page_of_a_phone_role_fits_390px_without_console_errors(browser, live_server, role):
    o = build_matrix_world()
    from tests.conftest import PASSWORD

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", o.users[role].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    too_wide, walked = [], 0
    for path in _walk(page, live_server.url):
        walked += 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append(f"{path}: {width}px")
    context.close()
    print(f"{role}: {walked} pages walked at 390×844")
    assert walked >= 8, f"{role} reached only {walked} pages"
    assert not too_wide, f"{role}: pages wider than the phone: {too_wide}"
    assert not errors, f"{role}: console errors: {errors[:10]}"


def _resident_pages(o, base):
    from linli.appeals.access import tracking_signature

    a = o.a_res
    return [
        f"/appeals/report/?place={o.b1.pk}&qr=1",
        f"/t/{a.number}/{tracking_signature(a)}/",
        f"/appeals/{o.a_sub.pk}/",
        "/appeals/mine/",
        f"/wishes/wall/{o.community.pk}/",
        f"/appeals/board/{o.community.pk}/",
        f"/councils/public/{o.community.pk}/",
        f"/councils/public/topics/{o.t_done.pk}/",
        "/wishes/post/",
    ]


def test_resident_pages_are_light_and_accessible(browser, live_server):
    """Report and status pages ≤ 150 KB on first load; axe-core finds no serious or critical
    violation on the resident's pages."""
    if not AXE.exists():
        pytest.skip("axe-core is installed by `make assets` (npm ci)")
    o = build_matrix_world()
    from tests.conftest import PASSWORD

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", o.users["resident"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    weights, problems = {}, []
    for path in _resident_pages(o, live_server.url):
        # axe-core is injected as an inline script: the test's tool, not the page, so past the CSP.
        fresh = browser.new_context(viewport=PHONE, locale="zh-CN", storage_state=context.storage_state(), bypass_csp=True)
        p = fresh.new_page()
        sizes = []
        p.on("response", lambda r, sizes=sizes: sizes.append(len(r.body())) if r.ok and r.request.method == "GET" else None)
        p.goto(live_server.url + path, wait_until="networkidle")
        weights[path] = sum(sizes)
        p.add_script_tag(path=str(AXE))
        result = p.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        for v in result["violations"]:
            if v["impact"] in ("serious", "critical"):
                problems.append(f"{path}: {v['id']} ({v['impact']}): {v['help']}")
        fresh.close()
    context.close()
    print("first-load bytes:", weights)
    for path in _resident_pages(o, live_server.url)[:3]:
        assert weights[path] <= 150 * 1024, f"{path} is {weights[path]} bytes"
    assert not problems, "\n".join(problems)
