"""How service errors reach API clients, the same way for every app."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError


def service_errors(exc: DjangoValidationError) -> ValidationError:
    """A service's ValidationError as a DRF 400, field by field."""
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


def call_service(fn):
    """Run a service call: refused → 404 (the same as missing), invalid → 400 with the reasons."""
    try:
        return fn()
    except DjangoPermissionDenied:
        raise NotFound from None
    except DjangoValidationError as e:
        raise service_errors(e) from None
