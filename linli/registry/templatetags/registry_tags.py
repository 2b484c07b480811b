"""Template pieces of the registry."""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def import_error(error: dict) -> str:
    """An import error in the reader's language (stored as message id and values)."""
    msg = error.get("msg")
    if not msg:
        return error.get("message", "")
    params = error.get("params") or {}
    try:
        return gettext(msg) % params if params else gettext(msg)
    except (KeyError, ValueError, TypeError):
        return error.get("message", msg)


@register.filter
def import_column(error: dict) -> str:
    from linli.registry.excel import COLUMNS

    labels = {k: str(h) for k, h, _r in COLUMNS}
    return labels.get(error.get("key", ""), error.get("column", ""))
