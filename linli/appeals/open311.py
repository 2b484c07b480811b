"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over categories and appeals,
so existing civic-tech clients can talk to Linli. JSON and XML by the URL suffix.

Mapping: service = category (service_code = category code; jurisdiction_id = community
code); service request = appeal (service_request_id = appeal number; status open/closed).

What anyone can read is exactly what the public board shows (``selectors.public_appeals``):
resolved and closed appeals, not merged, as category and place down to the building, with the
staff's result redacted like the board — never an open or rejected appeal, never the
resident's own words or name. A client with an API key also follows the requests it posted.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from xml.etree import ElementTree as ET

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from linli.appeals import access, selectors, services
from linli.appeals.models import OPEN_STATES, Appeal, Category, Channel, Open311Key
from linli.core import crypto
from linli.core.logging import redact
from linli.registry.models import Place, PlaceKind

SPEC = "http://wiki.open311.org/GeoReport_v2"
MAX_LIST = 1000


def issue_key(*, name: str, community: Place) -> tuple[Open311Key, str]:
    """Create a key; the clear key is returned once and never stored."""
    clear = secrets.token_urlsafe(24)
    key = Open311Key.objects.create(name=name, community=community, key_digest=crypto.digest(clear))
    return key, clear


def _key(request) -> Open311Key | None:
    clear = request.POST.get("api_key") or request.GET.get("api_key") or ""
    if not clear or len(clear) > 200:
        return None
    return Open311Key.objects.filter(key_digest=crypto.digest(clear), is_active=True).select_related("community").first()


# ---- rendering ------------------------------------------------------------------------


def _render(data, fmt: str, root: str, item: str | None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        element = ET.Element(root)
        for obj in data if isinstance(data, list) else [data]:
            node = ET.SubElement(element, item) if item else element
            _xml_fill(node, obj)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")
        return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _xml_fill(node, obj) -> None:
    for key, value in obj.items():
        if isinstance(value, list):
            holder = ET.SubElement(node, key)
            for v in value:
                child = ET.SubElement(holder, key.rstrip("s") or key)
                if isinstance(v, dict):
                    _xml_fill(child, v)
                else:
                    child.text = str(v)
        elif isinstance(value, dict):
            _xml_fill(ET.SubElement(node, key), value)
        else:
            child = ET.SubElement(node, key)
            if value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    return _render([{"code": code, "description": description}], fmt, "errors", "error", status=code)


def _iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


# ---- services --------------------------------------------------------------------------


def _community(request) -> Place | None:
    code = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    if not code:
        return None
    return Place.objects.filter(kind=PlaceKind.COMMUNITY, code=code).first()


def _categories(community: Place | None):
    q = Q(community__isnull=True) | (Q(community=community) if community else Q())
    return Category.objects.filter(q, is_active=True).select_related("parent").order_by("id")


def _service(c: Category) -> dict:
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": f"{c.get_default_level_display()}：{c.sign_days}个工作日签收，{c.complete_days}个工作日办结",
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(c.keyword_list) or None,
        "group": c.parent.name if c.parent else None,
    }


@require_GET
def discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": _iso(timezone.now()),
        "contact": "社区服务中心",
        "key_service": "由系统管理员签发 API key",
        "endpoints": [
            {
                "specification": SPEC,
                "url": base,
                "changeset": _iso(timezone.now()),
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _render(data, fmt, "discovery", None)


@require_GET
def service_list(request, fmt):
    return _render([_service(c) for c in _categories(_community(request))], fmt, "services", "service")


@require_GET
def service_definition(request, code, fmt):
    if not _categories(_community(request)).filter(code=code).exists():
        return _error(fmt, 404, "service_code not found")
    return _render({"service_code": code, "attributes": []}, fmt, "service_definition", None)


# ---- requests ---------------------------------------------------------------------------


def _request(a: Appeal) -> dict:
    """One request as the public board shows it: category, place down to the building, result."""
    closed = a.status not in OPEN_STATES
    category = a.category.name if a.category else ""
    return {
        "service_request_id": a.number,
        "status": "closed" if closed else "open",
        "status_notes": redact(a.result) if a.result and closed else None,
        "service_name": category or None,
        "service_code": a.category.code if a.category else "other",
        "description": " · ".join(x for x in (category, a.public_place) if x),
        "agency_responsible": None,
        "service_notice": a.get_status_display(),
        "requested_datetime": _iso(a.created_at),
        "updated_datetime": _iso(a.closed_at or a.resolved_at or a.updated_at),
        "expected_datetime": _iso(a.complete_deadline),
        "address": a.public_place,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _day_bound(text: str, end: bool):
    moment = parse_datetime(text) if "T" in text else None
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise ValueError(text)
        moment = datetime.combine(day, time.max if end else time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@csrf_exempt
@require_http_methods(["GET", "POST"])
def request_list(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    qs = _readable(request).select_related("category", "place").order_by("-created_at")
    community = _community(request)
    if request.GET.get("jurisdiction_id") and community is None:
        return _error(fmt, 404, "jurisdiction_id not found")
    if community:
        qs = qs.filter(community=community)
    if request.GET.get("service_request_id"):
        return _render(
            [_request(a) for a in qs.filter(number__in=request.GET["service_request_id"].split(","))[:MAX_LIST]],
            fmt,
            "service_requests",
            "request",
        )
    if request.GET.get("service_code"):
        qs = qs.filter(category__code__in=request.GET["service_code"].split(","))
    status = request.GET.get("status")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif status == "closed":
        qs = qs.exclude(status__in=OPEN_STATES)
    try:
        start = _day_bound(request.GET["start_date"], end=False) if request.GET.get("start_date") else timezone.now() - timedelta(days=90)
        end = _day_bound(request.GET["end_date"], end=True) if request.GET.get("end_date") else None
    except ValueError:
        return _error(fmt, 400, "start_date/end_date must be w3 dates")
    qs = qs.filter(created_at__gte=start)
    if end:
        qs = qs.filter(created_at__lte=end)
    return _render([_request(a) for a in qs[:MAX_LIST]], fmt, "service_requests", "request")


def _readable(request):
    """The public set, plus the requests this client's key posted (open ones included)."""
    public = selectors.public_appeals()
    key = _key(request)
    if key is None:
        return public
    return Appeal.objects.filter(pk__in=public.values("pk")) | Appeal.objects.filter(open311_key=key, merged_into__isnull=True)


@require_GET
def request_detail(request, number, fmt):
    a = _readable(request).select_related("category", "place").filter(number=number[:24]).first()
    if a is None:
        return _error(fmt, 404, "service_request_id not found")
    return _render([_request(a)], fmt, "service_requests", "request")


def _create(request, fmt):
    key = _key(request)
    if key is None:
        return _error(fmt, 403, "a valid api_key is required to post service requests")
    p = request.POST
    category = _categories(key.community).filter(code=p.get("service_code", "")).first()
    if category is None:
        return _error(fmt, 404, "service_code not found")
    place = None
    if p.get("address_id"):
        address_id = p["address_id"]
        place = Place.objects.filter(
            pk=int(address_id) if address_id.isdigit() and len(address_id) < 19 else 0,
            community=key.community,
            kind__in=access.REPORTABLE_KINDS,
        ).first()
    elif p.get("address_string"):
        place = Place.objects.filter(address=p["address_string"].strip()[:200], community=key.community).first()
    if place is None:
        return _error(fmt, 400, "address_id or address_string of a compound, building or dwelling in this jurisdiction is required")
    name = " ".join(x for x in (p.get("last_name", ""), p.get("first_name", "")) if x).strip()
    idem = request.headers.get("Idempotency-Key")
    try:
        appeal, _created = services.appeal_submit(
            actor=None,
            place=place,
            title="",
            description=p.get("description", ""),
            channel=Channel.OPEN311,
            category=category,
            contact_phone=p.get("phone", ""),
            reporter_name=name,
            idempotency_key=idem or None,
            origin=f"open311:{key.pk}",
            open311_key=key,
        )
    except ValidationError as e:
        return _error(fmt, 400, "; ".join(f"{k}: {v[0]}" for k, v in e.message_dict.items()))
    except PermissionDenied:
        return _error(fmt, 403, "not allowed")
    data = [
        {"service_request_id": appeal.number, "token": appeal.number, "service_notice": "已受理登记，请用编号查询进度", "account_id": None}
    ]
    return _render(data, fmt, "service_requests", "request", status=201)


@require_GET
def token(request, token_id, fmt):
    a = _readable(request).filter(number=token_id[:24]).first()
    if a is None:
        return _error(fmt, 404, "token not found")
    return _render([{"service_request_id": a.number, "token": token_id}], fmt, "service_requests", "request")
