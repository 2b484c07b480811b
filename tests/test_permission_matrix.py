"""Every URL and API operation × every role × an object inside and outside the scope, checked
against the one table in ``tests/permission_matrix.py``. See that module for the rules."""

from __future__ import annotations

import copy
import json
import re
from io import BytesIO

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from tests.matrix_world import ROLES, build_matrix_world
from tests.permission_matrix import EXEMPT_PREFIXES, GROUPS, ROWS, Row


def _denied(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    location = response.get("Location", "")
    return response.status_code in (301, 302) and "/login/" in location and "next=" in location


def _text(response) -> str:
    ctype = response.get("Content-Type", "")
    if "spreadsheetml" in ctype:
        from openpyxl import load_workbook

        wb = load_workbook(BytesIO(response.content), read_only=True)
        return " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    if response.streaming:
        return ""
    return response.content.decode("utf-8", errors="replace")


def _url(row: Row, kwargs: dict) -> str:
    kwargs = dict(kwargs)
    pattern_keys = _pattern_keys(row.name)
    if "action" in pattern_keys:
        kwargs["action"] = row.extra.get("action", row.variant)
    if "fmt" in pattern_keys:
        kwargs.setdefault("fmt", row.extra.get("fmt", "json"))
    return reverse(row.name, kwargs=kwargs or None)


def _pattern_keys(name: str) -> set[str]:
    from django.urls import get_resolver

    possibilities = get_resolver().reverse_dict.getlist(name) if ":" not in name else _namespaced(name)
    keys = set()
    for entry in possibilities:
        for _result, params in entry[0]:
            keys |= set(params)
    return keys


def _namespaced(name: str):
    namespace, short = name.split(":")
    resolver = get_resolver()
    _prefix, sub = resolver.namespace_dict[namespace]
    return sub.reverse_dict.getlist(short)


def _send(client: Client, row: Row, url: str, data):
    if row.method == "get":
        return client.get(url)
    if row.json:
        return client.generic(row.method.upper(), url, json.dumps(data or {}), content_type="application/json")
    return client.post(url, data or {})


def _check_row(row: Row, o, clients) -> list[str]:
    failures = []
    cells = 0
    for out in (False, True):
        if out and row.outside is None:
            continue
        builder = row.outside if out else row.inside
        kwargs = builder(o) if builder else {}
        allowed = row.allow_out if out else row.allow
        url = _url(row, kwargs)
        if row.query:
            url += "?" + row.query(o, out)
        where = "outside" if out else "inside"
        for role in ROLES:
            cells += 1
            label = f"{row.name} {row.method.upper()} {row.variant} [{where}] as {role}"
            client = clients[role]
            cookies = copy.deepcopy(client.cookies)  # a logout or language switch must not leak into the next cell
            with transaction.atomic():
                before = row.probe(o, kwargs) if row.probe else None
                response = _send(client, row, url, row.data(o, out) if row.data else None)
                after = row.probe(o, kwargs) if row.probe else None
                transaction.set_rollback(True)
            client.cookies = cookies
            if response.status_code >= 500:
                failures.append(f"{label}: {response.status_code}")
                continue
            if row.probe is not None:
                changed = before != after
                if changed != (role in allowed):
                    failures.append(f"{label}: {'changed' if changed else 'did not change'} ({response.status_code})")
            else:
                refused = _denied(response) or response.status_code >= 400
                if refused == (role in allowed):
                    failures.append(f"{label}: {response.status_code} {response.get('Location', '')}")
            if row.see and response.status_code == 200 and not out:
                body = _text(response)
                for marker_fn, seers in row.see:
                    marker = marker_fn(o)
                    if (marker in body) != (role in seers):
                        failures.append(f"{label}: {'shows' if marker in body else 'misses'} {marker!r}")
    return failures, cells


@pytest.mark.parametrize("group", list(GROUPS))
def test_permission_matrix(group, db, record_property):
    o = build_matrix_world()
    clients = {}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(o.users[role])
        clients[role] = client
    failures, cells = [], 0
    for row in GROUPS[group]:
        f, c = _check_row(row, o, clients)
        failures += f
        cells += c
    record_property("matrix_cells", cells)
    print(f"permission matrix [{group}]: {cells} cells checked, {len(failures)} wrong")
    assert not failures, "\n".join(failures)


def _url_names() -> set[str]:
    names = set()

    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{ns}:{p.name}" if ns else p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_has_a_row():
    covered = {r.name for r in ROWS}
    missing = sorted(n for n in _url_names() - covered if not n.startswith(EXEMPT_PREFIXES))
    assert not missing, f"add rows to tests/permission_matrix.py for: {missing}"


def test_every_api_operation_has_a_row(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    covered = {(r.name, r.method) for r in ROWS}
    missing = []
    for path, methods in schema["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        name = resolve(concrete).url_name
        for method in methods:
            if (name, method) not in covered:
                missing.append(f"{method.upper()} {path} ({name})")
    assert not missing, f"add rows to tests/permission_matrix.py for: {missing}"


def test_predicate_button_and_api_agree(db, record_property):
    """For each action of appeals, councils and wishes, on an object in the state the action
    starts from: the predicate in access.py, the button on the page and the API's answer say the
    same for every role — and they say what the table says."""
    from linli.accounts.scope import scope_for
    from linli.appeals import access as appeal_access
    from linli.councils import access as council_access
    from linli.wishes import access as wish_access
    from tests.permission_matrix import APPEAL_ACTIONS, COUNCIL_ROWS, WISH_ROWS

    o = build_matrix_world()
    failures, cells = [], 0
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        if role != "anonymous":
            clients[role].force_login(o.users[role])

    def user(role):
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser() if role == "anonymous" else type(o.users[role]).objects.get(pk=o.users[role].pk)

    # Appeals: predicate == table == button on the status page == API not refused.
    for action, attr, _x, allow, _ao, _d in APPEAL_ACTIONS:
        appeal = getattr(o, attr)
        page_url = reverse("appeals:status", args=[appeal.pk])
        for role in ROLES:
            cells += 1
            u = user(role)
            predicate = appeal_access.can(scope_for(u), action, appeal) and appeal.can(action)
            body = clients[role].get(page_url).content.decode() if role != "anonymous" else ""
            if role == "resident" and action == "rate":
                button = 'class="rate"' in body
            else:
                button = f"/appeals/{appeal.pk}/act/{action}/" in body
            with transaction.atomic():
                api = clients[role].post(f"/api/appeals/{appeal.pk}/{action.replace('_', '-')}/", {}, content_type="application/json")
                transaction.set_rollback(True)
            api_allowed = api.status_code not in (403, 404)
            if not (predicate == button == api_allowed == (role in allow)):
                failures.append(
                    f"appeal {action} as {role}: predicate={predicate} button={button} api={api.status_code} table={role in allow}"
                )

    # Wishes: predicate == table == button on the wish page.
    for row in WISH_ROWS:
        if row.name != "wishes:act" or row.variant == "bogus":
            continue
        wish = row.inside(o)["pk"]
        from linli.wishes.models import Wish

        w = Wish.objects.get(pk=wish)
        for role in ROLES:
            cells += 1
            u = user(role)
            predicate = row.variant in wish_access.allowed_actions(scope_for(u), u, w)
            body = clients[role].get(reverse("wishes:detail", args=[w.pk])).content.decode() if role != "anonymous" else ""
            button = f"/wishes/{w.pk}/{row.variant}/" in body
            if not (predicate == button == (role in row.allow)):
                failures.append(f"wish {row.variant} as {role}: predicate={predicate} button={button} table={role in row.allow}")

    # Councils: topic actions — predicate == table == button on the topic page.
    from linli.councils.models import Topic

    for row in COUNCIL_ROWS:
        if row.name != "councils:topic_act" or row.variant == "bogus":
            continue
        t = Topic.objects.get(pk=row.inside(o)["pk"])
        for role in ROLES:
            cells += 1
            u = user(role)
            predicate = row.variant in council_access.topic_actions(scope_for(u), u, t) if role != "anonymous" else False
            body = clients[role].get(reverse("councils:topic", args=[t.pk])).content.decode() if role != "anonymous" else ""
            button = f"/councils/topics/{t.pk}/{row.variant}/" in body
            if not (predicate == button == (role in row.allow)):
                failures.append(f"topic {row.variant} as {role}: predicate={predicate} button={button} table={role in row.allow}")
    record_property("matrix_cells", cells)
    print(f"permission matrix [agreement]: {cells} cells checked, {len(failures)} wrong")
    assert not failures, "\n".join(failures)
