"""Template filters Linli's pages share."""

from django import template

from linli.core.logging import redact as _redact

register = template.Library()


@register.filter
def redact(text) -> str:
    """Phone- and ID-shaped strings masked, for texts shown to the public."""
    return _redact(str(text or ""))


@register.filter
def get_item(mapping, key):
    """{{ labels|get_item:code }}: a label by its code."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.filter
def duration_zh(value) -> str:
    """A timedelta as people say it: "2天3小时", "3小时15分", "不到1分钟"."""
    from django.utils.translation import gettext as _

    if value is None:
        return ""
    seconds = int(value.total_seconds())
    if seconds < 60:
        return _("不到1分钟")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)s天%(h)s小时") % {"d": days, "h": hours} if hours else _("%(d)s天") % {"d": days}
    if hours:
        return _("%(h)s小时%(m)s分") % {"h": hours, "m": minutes} if minutes else _("%(h)s小时") % {"h": hours}
    return _("%(m)s分钟") % {"m": minutes}


@register.simple_tag(takes_context=True)
def page_query(context, number) -> str:
    """The current query string with another page number: a pager never drops the search."""
    request = context["request"]
    params = request.GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


@register.filter
def quantity(value) -> str:
    """A Decimal as people write it: 1000, 999.99, 0.5 (never 1E+3 or 0.50)."""
    from decimal import Decimal

    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"
