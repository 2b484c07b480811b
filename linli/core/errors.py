"""How service errors reach people, the same way for every app.

Services raise Django's ``PermissionDenied`` (refused) and ``ValidationError`` (invalid). The
API answers refused as 404 — the same as missing, so ids do not tell what exists — and invalid
as 400 with the reasons by field; pages answer refused as 404 and show the reasons as a message.
Query parameters are parsed here too, so a wrong type is a 400 with a reason, never a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError


class Throttled(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many requests."
    default_code = "throttled"


def service_errors(exc: DjangoValidationError) -> ValidationError:
    """A service's ValidationError as a DRF 400, field by field."""
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


def call_service(fn):
    """API: run a service call; refused → 404 (the same as missing), invalid → 400 with the reasons."""
    try:
        return fn()
    except DjangoPermissionDenied:
        raise NotFound from None
    except DjangoValidationError as e:
        raise service_errors(e) from None


def run_service(request, fn, ok: str | None = None):
    """Pages: run a service call; refused → 404, invalid → the reasons as an error message.
    Returns the service's result, or None when it was refused as invalid."""
    try:
        result = fn()
    except DjangoPermissionDenied:
        raise Http404 from None
    except DjangoValidationError as e:
        messages.error(request, "；".join(e.messages))
        return None
    messages.success(request, ok or _("已完成。"))
    return result


def form_errors(form, exc: DjangoValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or the form as a whole)."""
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def int_param(request, name: str, *, required: bool = False) -> int | None:
    """An integer query parameter of an API request: 400 with a reason when it is not one."""
    raw = request.query_params.get(name, "")
    if raw == "":
        if required:
            raise ValidationError({name: [_("必填。")]})
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [_("应为整数。")]}) from None
    if not 0 < value < 2**63:
        raise ValidationError({name: [_("超出范围。")]})
    return value


def bool_param(request, name: str) -> bool:
    """A yes/no query parameter of an API request (true/false, 1/0; absent is false): anything
    else is a 400 with a reason, not silently false."""
    raw = request.query_params.get(name, "")
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise ValidationError({name: [_("应为 true 或 false。")]})


def form_messages(form) -> list[str]:
    out = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        out.extend(f"{label}：{e}" if label else str(e) for e in errors)
    return out


def post_action(request, *, form, call, success_url, rerender, ok: str | None = None):
    """One action a page posts: a valid form runs the service and redirects (``success_url`` may
    be a function of the service's result); an invalid form or a
    service's refusal as invalid re-renders the page with the reasons and status 400 (nothing is
    lost, nothing is a 500); a refused right is a 404 like a missing object."""
    from django.shortcuts import redirect

    if form.is_valid():
        try:
            result = call(form.cleaned_data)
        except DjangoPermissionDenied:
            raise Http404 from None
        except DjangoValidationError as e:
            reasons = e.messages
        else:
            messages.success(request, ok or _("已完成。"))
            return redirect(success_url(result) if callable(success_url) else success_url)
    else:
        reasons = form_messages(form)
    for reason in reasons:
        messages.error(request, reason)
    response = rerender()
    response.status_code = 400
    return response


def query_params(form_class, request) -> dict:
    """A page's query parameters through a form: a wrong type is a 400 with the reasons,
    never a 500 or a guess."""
    from django.core.exceptions import BadRequest

    form = form_class(request.GET)
    if not form.is_valid():
        raise BadRequest("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return form.cleaned_data


def checked_choices(values, allowed, field: str, errors: dict) -> list[str]:
    """A list of choices without repeats; any value not allowed puts a reason on ``field``."""
    values = list(dict.fromkeys(values or []))
    if any(v not in allowed for v in values):
        errors[field] = _("无效的选项。")
    return values


def required_text(value, field: str, limit: int, message: str) -> str:
    """A service's required text: trimmed, not empty (``message``), at most ``limit`` characters."""
    value = (value or "").strip()
    if not value:
        raise DjangoValidationError({field: message})
    if len(value) > limit:
        raise DjangoValidationError({field: _("不能超过%(n)s个字。") % {"n": limit}})
    return value
