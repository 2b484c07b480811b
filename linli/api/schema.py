"""The OpenAPI schema says what every operation answers when it does not succeed.

drf-spectacular documents the success responses from the views; the failures are the same
for every operation (core.errors): 400 with reasons by field for invalid input, 403 without a
session (or without a CSRF token on a write), 404 for missing *and* forbidden objects, 429 when
a limit is reached, 503 while the database is unavailable.
"""

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "What went wrong, in the user's language.",
}
# {"field": ["reason", ...]} — nested for list and object fields; {"detail": [...]} when the
# reason belongs to no single field.
VALIDATION = {"type": "object", "additionalProperties": True, "description": "Reasons by field."}


def _ref(name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ValidationErrors"] = VALIDATION
    for path, methods in result.get("paths", {}).items():
        if path.startswith(("/api/schema", "/api/docs")):
            continue
        for method, op in methods.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            has_input = "requestBody" in op or any(p.get("in") in ("query", "header") for p in op.get("parameters", []))
            if has_input or method in ("post", "put", "patch"):
                responses.setdefault("400", _ref("ValidationErrors", "Invalid input: the reasons, by field."))
            responses.setdefault("403", _ref("Error", "Not signed in, or a write without a CSRF token."))
            if "{" in path or method != "get" or has_input:
                responses.setdefault("404", _ref("Error", "Not found, or not in the user's scope (the same answer for both)."))
            if path == "/api/registry/residents/" and method == "get":
                responses.setdefault("429", _ref("Error", "Too many whole-number searches in the last hour."))
            responses.setdefault("503", _ref("Error", "The database is unavailable; retry after the Retry-After seconds."))
    return result
