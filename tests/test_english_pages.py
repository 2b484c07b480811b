"""Every page, in English: no Chinese text that is not data.

For each role the walk follows the links from the home page (as in the browser walk) with the
language switched to English. From each page's visible text (and its placeholders, titles and
labels) every string stored in the database is removed — place and people's names, titles,
notes, category names: data, shown as it was written — and no Chinese character may remain.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from tests.matrix_world import build_matrix_world

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
ROLES = ("staff", "gridworker", "resident", "street", "property", "partner", "buildinghead", "admin")
SKIP = (
    "/logout/",
    "/i18n/",
    "/admin/",
    "/api/schema",
    "/api/docs",
    "/static/",
    "export.xlsx",
    "template.xlsx",
    "/photos/",
    "/proof/",
    "/qr/",
)
MAX_PAGES = 70
# Names of languages are written in their own language on purpose (the switch).
ALLOWED = {"简体中文"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("placeholder", "title", "aria-label", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _data_strings() -> list[str]:
    """Every stored text with Chinese in it, longest first (so a long one is removed whole)."""
    found: set[str] = set()

    def add(value):
        if isinstance(value, str) and CJK.search(value):
            found.add(value)
            found.update(v for v in re.split(r"[\s　]+", value) if CJK.search(v))
        elif isinstance(value, dict):
            for v in value.values():
                add(v)
        elif isinstance(value, list | tuple):
            for v in value:
                add(v)

    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for value in row:
                add(value)
    return sorted(found, key=len, reverse=True)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_in_english_has_no_chinese_that_is_not_data(db, role):
    o = build_matrix_world()
    client = Client()
    client.force_login(o.users[role])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    data = _data_strings()
    seen, queue, problems, walked = set(), deque(["/"]), [], 0
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path.split("?")[0] in seen:
            continue
        seen.add(path.split("?")[0])
        response = client.get(path, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        walked += 1
        parser = _Text()
        parser.feed(response.content.decode())
        text = " ".join(parser.parts)
        for d in data:
            if d in text:
                text = text.replace(d, " ")
        left = sorted({m for m in CJK.findall(text) if m not in ALLOWED})
        if left:
            problems.append(f"{path}: {left[:12]}")
        for href in parser.links:
            url = urlparse(urljoin("http://testserver" + path, href))
            if url.netloc == "testserver" and not any(s in url.path for s in SKIP) and "page=" not in url.query:
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    print(f"{role}: {walked} pages in English")
    assert walked >= 8
    assert not problems, "\n".join(problems)
