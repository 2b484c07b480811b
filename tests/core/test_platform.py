"""Health, language, time zone, API schema."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_defaults_are_chinese_and_shanghai():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


@pytest.mark.django_db
def test_chinese_by_default_even_for_an_english_browser(client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in body


@pytest.mark.django_db
def test_language_switch_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    body = client.get(reverse("login")).content.decode()
    assert "Log in" in body and "登录" not in body.split("<main>")[1]


def test_english_catalogue_is_complete():
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
    assert not missing, f"untranslated: {missing[:20]}"


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served_locally(client, world):
    client.force_login(world.admin)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/registry/residents/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "swagger-ui" in docs.lower()


def test_no_cdn_in_templates():
    for path in Path(settings.BASE_DIR, "linli").rglob("*.html"):
        text = path.read_text()
        assert "http://" not in text and "https://" not in text, path


def test_the_english_catalogue_says_what_the_source_says():
    """Regression (phone-first issue): 退单 (a handler sends an appeal back) was "Log out"."""
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    by_id = {e.msgid: e.msgstr for e in po if not e.obsolete}
    assert by_id["退单"] == "Return" and by_id["退出登录"] == "Log out"
    assert not [e.msgid for e in po if "fuzzy" in e.flags and not e.obsolete]
