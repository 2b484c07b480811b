"""schemathesis over the OpenAPI schema, as community staff and as a resident: generated valid
and invalid requests for every operation (a bounded number each); no answer may be a 5xx, and
every answer must match the schema (its status code, content type and body).

Requests go through Django's test client (the signed-in session, inside the test's
transaction, each one rolled back), and schemathesis validates the responses.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import requests
import schemathesis
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.matrix_world import build_matrix_world

EXAMPLES = 6  # per operation, mode and role: bounded so the suite stays fast
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _schema():
    from drf_spectacular.generators import SchemaGenerator

    raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))


def _send(client: Client, case) -> schemathesis.Response:
    """The request schemathesis would send, through Django's test client."""
    kw = case.as_transport_kwargs(base_url="http://testserver")
    path = case.formatted_path
    query = urlencode(kw.get("params") or {}, doseq=True)
    url = f"{path}?{query}" if query else path
    headers = {k: str(v) for k, v in (kw.get("headers") or {}).items()}
    content_type = headers.pop("Content-Type", headers.pop("content-type", "application/json"))
    meta = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k.lower() not in ("user-agent", "x-schemathesis-testcaseid")
    }
    if "json" in kw:
        body = json.dumps(kw["json"]).encode()
    else:
        data = kw.get("data") or kw.get("content") or b""
        body = data if isinstance(data, bytes) else str(data).encode()
    with transaction.atomic():
        response = client.generic(case.method.upper(), url, body, content_type=content_type, **meta)
        transaction.set_rollback(True)
    prepared = requests.Request(case.method.upper(), f"http://testserver{url}", data=body or None).prepare()
    return schemathesis.Response(
        status_code=response.status_code,
        headers={k.lower(): [v] for k, v in response.headers.items()},
        content=response.content,
        request=prepared,
        elapsed=0.0,
        verify=True,
    )


@pytest.mark.parametrize("role", ["staff", "resident"])
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_the_api_keeps_its_schema_and_never_fails(db, role, mode, record_property):
    o = build_matrix_world()
    client = Client()
    client.force_login(o.users[role])
    schema = _schema()
    generation = schemathesis.GenerationMode.POSITIVE if mode == "positive" else schemathesis.GenerationMode.NEGATIVE
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    calls = 0
    # Ids that exist, so generated paths reach real objects as well as missing ones.
    known_ids = sorted(
        {o.a_sub.pk, o.a_res.pk, o.r1.pk, o.hh1.pk, o.b1.pk, o.grid.pk, o.council.pk, o.vote.pk, o.w_open.pk, o.t_collect.pk}
    )

    for operation in operations:
        if operation.path in ("/api/schema/", "/api/docs/"):
            continue
        strategy = operation.as_strategy(generation_mode=generation)

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(case=strategy, id_choice=st.sampled_from(known_ids), use_known=st.booleans())
        def run(case, id_choice, use_known):
            nonlocal calls
            if use_known and case.path_parameters:
                case.path_parameters = {k: id_choice for k in case.path_parameters}
            response = _send(client, case)
            calls += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as e:  # schemathesis raises a group of failures
                failures.append(f"{case.method} {case.formatted_path} {case.query or ''} → {response.status_code}: {str(e)[:400]}")

        run()
    record_property("fuzz_calls", calls)
    print(f"schemathesis ({role}, {mode}): {calls} calls over {len(operations)} operations, {len(failures)} failures")
    assert not failures, "\n".join(failures[:20])
