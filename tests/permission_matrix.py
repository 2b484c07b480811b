"""The permission matrix: the one table of who may do what, inside and outside their scope.

Each row is one URL (by name, with the action where the URL takes one) or one API operation,
with the object inside the first community's scope and the same kind of object in the other
community, and the roles that may use it on each. ``test_permission_matrix`` requests every
row as every role (matrix_world.ROLES) and compares:

* a page or read (GET): allowed → 2xx (or a redirect that is not to the login page);
  refused → 403/404 (or the login page for the anonymous visitor); never a 5xx;
* a change (POST/PATCH): allowed → the change happened (``probe`` changed); refused → it did
  not, whatever the status code (403/404, or a form that refuses the choice); never a 5xx;
* a list: ``see`` names strings of the inside and the outside object that must appear exactly
  for the roles that may see them.

A URL in the URL map or an operation in the OpenAPI schema without a row fails the test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from linli.accounts.models import RoleAssignment
from linli.appeals.models import Appeal, Event, Support
from linli.core.models import PhoneVerification
from linli.councils.models import (
    Attendance,
    Ballot,
    Council,
    CouncilRule,
    Meeting,
    Member,
    Resolution,
    ResolutionUpdate,
    Topic,
    TopicRecord,
    TopicSupport,
)
from linli.gridwork.models import GridworkRule, Patrol, Round, RoundContact, SentimentRecord, SupportingForce, Visit
from linli.registry.models import SIX_LEVELS, BranchMeeting, Grid, ImportJob, Organisation, PartyLevels, PartyOrganisation, Place, Resident
from linli.resident_services.models import AgencyCase, Booking, Meal, MealOrder, Order, Provider, Room, Service
from linli.volunteers.models import Activity as VolActivity
from linli.volunteers.models import DutyPost, DutyShift, KindRule, Offer, Policy, Purchase, Redemption, SignUp, Team, Volunteer
from linli.volunteers.models import PointsCampaign as VolCampaign
from linli.wishes.models import Wish, WishEvent
from tests.matrix_world import ROLES, jpeg, xlsx

ALL = frozenset(ROLES)
AUTH = ALL - {"anonymous"}
NONE: frozenset[str] = frozenset()
ADMIN = frozenset({"admin"})
STAFF = frozenset({"staff", "secretary", "admin"})
FAR_STAFF = frozenset({"far_staff", "admin"})
FAR_READ = frozenset({"far_staff", "street", "admin"})
# Roles that hold a registry view somewhere (menus and lists open; rows are filtered).
REGISTRY = frozenset(
    {"buildinghead", "gridworker", "gridleader", "other_gridworker", "staff", "secretary", "far_staff", "street", "dual", "admin"}
)
# Who sees building 1 / resident 张三 in the registry (masked): his building head, grid 1, the community, the street.
SEES_B1 = frozenset({"buildinghead", "dual", "gridworker", "gridleader", "staff", "secretary", "street", "admin"})
EDITS_R1 = frozenset({"gridworker", "gridleader", "staff", "secretary", "admin"})
GRID1 = frozenset({"gridworker", "gridleader", "staff", "secretary", "street", "admin"})
DISPATCH_IN = frozenset({"gridleader", "staff", "secretary", "admin"})
# Who sees an appeal at building 1: the reporter and those whose reach covers the place.
SEES_A1 = SEES_B1 | {"resident"}
COUNCIL_VIEW = frozenset(
    {
        "resident",
        "neighbour",
        "buildinghead",
        "dual",
        "gridworker",
        "gridleader",
        "other_gridworker",
        "staff",
        "secretary",
        "street",
        "property",
        "partner",
        "admin",
    }
)
PARTICIPANTS = COUNCIL_VIEW - {"street"}
FAR_COUNCIL_VIEW = frozenset({"far_staff", "far_property", "street", "admin"})
FAR_PARTICIPANTS = FAR_COUNCIL_VIEW - {"street"}
VOTERS = frozenset({"secretary", "gridworker", "resident"})  # members signed in at the meeting
WISH_FULL = frozenset({"resident", "gridworker", "gridleader", "buildinghead", "dual", "staff", "secretary", "admin"})
WISH_FULL_CLAIMED = WISH_FULL | {"partner"}
CLAIMERS = frozenset({"property", "partner", "staff", "secretary", "admin", "neighbour"})
FAR_CLAIMERS = frozenset({"far_staff", "far_property", "admin"})
IMPORTERS = frozenset({"staff", "secretary", "far_staff", "admin"})
EXPORTERS = frozenset({"gridleader", "staff", "secretary", "far_staff", "admin"})
RECORDERS = frozenset({"buildinghead", "gridworker", "gridleader", "other_gridworker", "staff", "secretary", "far_staff", "dual", "admin"})


@dataclass
class Row:
    name: str  # URL name
    method: str = "get"
    variant: str = ""  # the action, where the URL takes one
    inside: Callable | None = None  # o -> URL kwargs of the object in scope
    outside: Callable | None = None  # o -> URL kwargs of the same kind of object in the other community
    allow: frozenset = NONE  # roles allowed on the inside object (or on the URL when it has none)
    allow_out: frozenset = NONE
    query: Callable | None = None  # (o, out) -> query string
    data: Callable | None = None  # (o, out) -> form data or JSON body
    json: bool = False
    probe: Callable | None = None  # (o, kwargs) -> a value the change moves
    see: tuple = ()  # ((o -> marker, roles that see it), ...) for lists
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.name, self.method, self.variant)


def pk(attr):
    return lambda o: {"pk": getattr(o, attr).pk}


def events(o, kw):
    return Event.objects.filter(appeal_id=kw["pk"]).count()


def wish_events(o, kw):
    return WishEvent.objects.filter(wish_id=kw["pk"]).count()


def count(model, **filters):
    return lambda o, kw: model.objects.filter(**filters).count()


def _residents(o, kw):
    return Resident.objects.count()


# ---- core -------------------------------------------------------------------------------------------

CORE = [
    Row("healthz", allow=ALL),
    Row("favicon", allow=ALL),
    Row("home", allow=AUTH),
    Row("login", allow=ALL),
    Row("logout", "post", allow=ALL),
    Row("messages", allow=AUTH),
    Row("set_language", "post", allow=ALL, data=lambda o, out: {"language": "en", "next": "/"}),
    Row("admin:index", allow=ADMIN),
]

# ---- registry ---------------------------------------------------------------------------------------

_resident_form = {"name": "张三", "gender": "M", "relationship": "head", "registration": "huji"}

REGISTRY_ROWS = [
    Row("registry:places", allow=REGISTRY),
    Row("registry:place", inside=pk("b1"), outside=pk("b3"), allow=SEES_B1, allow_out=FAR_READ),
    Row("registry:grids", allow=REGISTRY, see=((lambda o: o.grid.code, GRID1), (lambda o: o.far_grid.code, FAR_READ))),
    Row("registry:grid", inside=pk("grid"), outside=pk("far_grid"), allow=GRID1, allow_out=FAR_READ),
    Row("registry:residents", allow=REGISTRY, see=((lambda o: o.r1.name, SEES_B1), (lambda o: o.r3.name, FAR_READ))),
    Row("registry:resident", inside=pk("r1"), outside=pk("r3"), allow=SEES_B1 | {"resident"}, allow_out=FAR_READ),
    Row("registry:resident_edit", inside=pk("r1"), outside=pk("r3"), allow=EDITS_R1, allow_out=FAR_STAFF),
    Row(
        "registry:resident_edit",
        "post",
        inside=pk("r1"),
        outside=pk("r3"),
        allow=EDITS_R1,
        allow_out=FAR_STAFF,
        data=lambda o, out: {**_resident_form, "name": "王五改" if out else "张三改"},
        probe=lambda o, kw: Resident.objects.get(pk=kw["pk"]).name,
    ),
    Row(
        "registry:resident_reveal",
        "post",
        variant="phone",
        inside=lambda o: {"pk": o.r1.pk, "field": "phone"},
        outside=lambda o: {"pk": o.r3.pk, "field": "phone"},
        allow=EDITS_R1,
        allow_out=FAR_STAFF,
        probe=lambda o, kw: _reveals(kw),
    ),
    Row(
        "registry:resident_reveal",
        "post",
        variant="id_number",
        inside=lambda o: {"pk": o.r1.pk, "field": "id_number"},
        outside=lambda o: {"pk": o.r3.pk, "field": "id_number"},
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=lambda o, kw: _reveals(kw),
    ),
    Row("registry:household", inside=pk("hh1"), outside=pk("hh3"), allow=SEES_B1 | {"resident"}, allow_out=FAR_READ),
    Row(
        "registry:resident_add",
        inside=lambda o: {"household_pk": o.hh1.pk},
        outside=lambda o: {"household_pk": o.hh3.pk},
        allow=EDITS_R1,
        allow_out=FAR_STAFF,
    ),
    Row(
        "registry:resident_add",
        "post",
        inside=lambda o: {"household_pk": o.hh1.pk},
        outside=lambda o: {"household_pk": o.hh3.pk},
        allow=EDITS_R1,
        allow_out=FAR_STAFF,
        data=lambda o, out: {**_resident_form, "name": "新成员", "relationship": "child"},
        probe=_residents,
    ),
    Row("registry:import", allow=IMPORTERS),
    Row(
        "registry:import",
        "post",
        allow=STAFF,
        data=lambda o, out: {"community": o.community.pk, "file": xlsx([])},
        probe=count(ImportJob),
    ),
    Row("registry:import_template", allow=IMPORTERS),
    Row(
        "registry:import_status", inside=pk("job_in"), outside=pk("job_out"), allow=frozenset({"staff"}), allow_out=frozenset({"far_staff"})
    ),
    Row(
        "registry:export",
        allow=EXPORTERS,
        see=((lambda o: o.r1.name, frozenset({"gridleader", "staff", "secretary", "admin"})), (lambda o: o.r3.name, FAR_STAFF)),
    ),
]


def _reveals(kw):
    from linli.core.models import AuditEntry

    return AuditEntry.objects.filter(action="reveal", target_id=str(kw["pk"])).count()


# ---- appeals ----------------------------------------------------------------------------------------

HANDLERS_DISP = frozenset({"gridworker", "property"})  # a_disp: grid worker (lead) and the property company
FAR_HANDLERS = frozenset({"far_property"})
# Who may escalate a dispatched appeal at building 1: its handlers, its dispatchers, and those
# who record for residents there (the building head, grid 1's workers).
ESCALATE_IN = HANDLERS_DISP | DISPATCH_IN | {"buildinghead", "dual"}
ESCALATE_OUT = FAR_HANDLERS | FAR_STAFF


def _act(action, inside, outside, allow, allow_out, data=lambda o, out: {}):
    return Row(
        "appeals:act",
        "post",
        variant=action,
        inside=pk(inside),
        outside=pk(outside),
        allow=allow,
        allow_out=allow_out,
        data=data,
        probe=events,
    )


def _api_act(action, inside, outside, allow, allow_out, data=lambda o, out: {}):
    return Row(
        f"api-appeal-{action}",
        "post",
        inside=pk(inside),
        outside=pk(outside),
        allow=allow,
        allow_out=allow_out,
        data=data,
        json=True,
        probe=events,
    )


def _track(appeal):
    from linli.appeals.access import tracking_signature

    return {"number": appeal.number, "signature": tracking_signature(appeal)}


# Those who handle appeals somewhere (their inbox): everyone in reach of appeals, and the staff
# of organisations that receive them.
HANDLERS_ANYWHERE = AUTH - {"resident", "neighbour", "steward"}  # a red steward handles no appeals


def _dispatch_page(o, out):
    return {"users": [o.users["far_staff" if out else "gridworker"].pk]}


def _dispatch_api(o, out):
    return {"user_ids": [o.users["far_staff" if out else "gridworker"].pk]}


def _merge(o, out):
    return {"into": (o.f_sub if out else o.a_sub).number}


APPEAL_ACTIONS = [
    # (action, inside object, outside object, allowed inside, allowed outside, data)
    ("accept", "a_sub", "f_sub", DISPATCH_IN, FAR_STAFF, lambda o, out: {}),
    ("reject", "a_sub", "f_sub", DISPATCH_IN, FAR_STAFF, lambda o, out: {"reason": "重复"}),
    ("dispatch", "a_acc", "f_acc", DISPATCH_IN, FAR_STAFF, None),
    ("sign", "a_disp", "f_disp", HANDLERS_DISP, FAR_HANDLERS, lambda o, out: {}),
    ("return", "a_disp", "f_disp", HANDLERS_DISP, FAR_HANDLERS, lambda o, out: {"reason": "不归我们管"}),
    ("escalate", "a_disp", "f_disp", ESCALATE_IN, ESCALATE_OUT, lambda o, out: {"reason": "需要社区协调"}),
    ("set_level", "a_acc", "f_acc", DISPATCH_IN, FAR_STAFF, lambda o, out: {"level": "community", "reason": "复杂"}),
    ("resolve", "a_prog", "f_prog", DISPATCH_IN | {"gridworker"}, FAR_STAFF | FAR_HANDLERS, lambda o, out: {"result": "好了"}),
    ("rate", "a_res", "f_res", DISPATCH_IN | {"resident"}, FAR_STAFF, lambda o, out: {"rating": 5, "comment": "满意"}),
    ("reopen", "a_res", "f_res", DISPATCH_IN, FAR_STAFF, lambda o, out: {"reason": "灯又坏了"}),
    ("merge", "a_acc", "f_acc", DISPATCH_IN, FAR_STAFF, _merge),
    ("extend", "a_disp", "f_disp", DISPATCH_IN, FAR_STAFF, lambda o, out: {"working_days": 3, "reason": "等材料"}),
    ("supervise", "a_disp", "f_disp", STAFF | {"street"}, FAR_READ, lambda o, out: {"note": "请抓紧"}),
    ("callback", "a_res", "f_res", DISPATCH_IN, FAR_STAFF, lambda o, out: {"note": "已回访", "reason": "已回访"}),
]

APPEAL_ROWS = [
    Row(
        "appeals:list",
        allow=AUTH,
        see=((lambda o: o.a_sub.number, SEES_B1), (lambda o: o.f_sub.number, FAR_READ)),
    ),
    Row("appeals:mine", allow=AUTH, see=((lambda o: o.a_sub.number, frozenset({"resident"})),)),
    Row(
        "appeals:report",
        allow=ALL,
        query=lambda o, out: f"place={(o.b3 if out else o.b1).pk}",
        see=((lambda o: o.a_sub.title, SEES_A1 | {"neighbour"}),),
    ),
    Row(
        "appeals:report",
        "post",
        allow=AUTH,
        query=lambda o, out: f"place={o.b1.pk}",
        data=lambda o, out: {"place": o.b1.pk, "idempotency_key": "matrix-1", "description": "单元门坏了", "category": ""},
        probe=count(Appeal),
    ),
    # Open to anyone who reports (an anonymous resident types too), limited per address.
    Row("appeals:suggest", allow=ALL, query=lambda o, out: f"place={o.b1.pk}&description=路灯"),
    Row("appeals:places", allow=ALL, query=lambda o, out: f"c={o.community.pk}"),
    Row("appeals:near", allow=ALL, query=lambda o, out: "lat=32.3&lng=118.3"),
    Row("appeals:send_code", "post", allow=ALL, data=lambda o, out: {"phone": "13911110001"}, probe=count(PhoneVerification)),
    Row("appeals:inbox", allow=HANDLERS_ANYWHERE),
    # The tracking link is the reporter's authority: whoever holds it, no one else.
    Row("track", inside=lambda o: _track(o.a_sub), outside=lambda o: _track(o.f_sub), allow=ALL, allow_out=ALL),
    Row("track", variant="forged", inside=lambda o: {"number": o.a_sub.number, "signature": "0" * 32}),
    Row(
        "track",
        "post",
        inside=lambda o: _track(o.a_sub),
        outside=lambda o: {"number": o.f_sub.number, "signature": "f" * 32},
        allow=ALL,
        data=lambda o, out: {"info-text": "灯在三楼"},
        probe=lambda o, kw: Event.objects.filter(appeal__number=kw["number"]).count(),
    ),
    Row(
        "track_photo",
        inside=lambda o: {**_track(o.a_sub), "photo_pk": o.photo.pk},
        outside=lambda o: {"number": o.f_sub.number, "signature": "0" * 32, "photo_pk": o.f_photo.pk},
        allow=ALL,
    ),
    Row("appeals:quick", allow=RECORDERS),
    Row("appeals:verify", allow=ALL),
    Row("appeals:verify", "post", allow=ALL, data=lambda o, out: {"phone": "13911110000"}),
    Row(
        "appeals:qr",
        inside=lambda o: {"place_pk": o.b1.pk},
        outside=lambda o: {"place_pk": o.b3.pk},
        allow=DISPATCH_IN,
        allow_out=FAR_STAFF,
    ),
    Row("appeals:status", inside=pk("a_sub"), outside=pk("f_sub"), allow=SEES_A1, allow_out=FAR_READ),
    Row(
        "appeals:support",
        "post",
        inside=pk("a_sub"),
        outside=pk("f_sub"),
        allow=frozenset({"neighbour"}),
        probe=lambda o, kw: Support.objects.filter(appeal_id=kw["pk"]).count(),
    ),
    *[_act(a, i, x, al, ao, d or _dispatch_page) for a, i, x, al, ao, d in APPEAL_ACTIONS],
    Row("appeals:act", "post", variant="bogus", inside=pk("a_sub"), outside=pk("f_sub"), probe=events),
    Row(
        "appeals:photo",
        inside=lambda o: {"pk": o.a_sub.pk, "photo_pk": o.photo.pk},
        outside=lambda o: {"pk": o.f_sub.pk, "photo_pk": o.f_photo.pk},
        allow=SEES_A1,
        allow_out=FAR_READ,
    ),
    Row(
        "appeals:board",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=ALL,
        allow_out=ALL,
    ),
    Row(
        "appeals:categories",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
    ),
    Row(
        "appeals:categories",
        "post",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
        data=lambda o, out: {
            "name": "高空抛物",
            "code": "throwing",
            "default_level": "community",
            "sign_days": 1,
            "complete_days": 5,
            "keywords": "",
            "is_active": "on",
        },
        probe=lambda o, kw: o.cat_in.__class__.objects.filter(code="throwing").count(),
    ),
    Row(
        "appeals:category_edit",
        inside=lambda o: {"community_pk": o.community.pk, "pk": o.cat_in.pk},
        outside=lambda o: {"community_pk": o.far_community.pk, "pk": o.cat_out.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
    ),
]

# ---- councils -----------------------------------------------------------------------------------------

MANAGERS = STAFF  # the convener (secretary) is staff as well
FAR_MANAGERS = FAR_STAFF


def _topic(name, variant, inside, outside, allow, allow_out, data, probe):
    return Row(
        name, "post", variant=variant, inside=pk(inside), outside=pk(outside), allow=allow, allow_out=allow_out, data=data, probe=probe
    )


def _records(o, kw):
    return TopicRecord.objects.filter(topic_id=kw["pk"]).count()


def _topic_state(o, kw):
    t = Topic.objects.get(pk=kw["pk"])
    return (t.step, t.status, TopicRecord.objects.filter(topic=t).count(), Resolution.objects.filter(topic=t).count())


COUNCIL_ROWS = [
    Row("councils:list", allow=AUTH, see=((lambda o: o.council.name, COUNCIL_VIEW), (lambda o: o.far_council.name, FAR_COUNCIL_VIEW))),
    Row(
        "councils:rule",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
    ),
    Row(
        "councils:rule",
        "post",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
        data=lambda o, out: {"comment_days": "6", "deliberate_days": "1"},
        probe=lambda o, kw: CouncilRule.objects.filter(community_id=kw["community_pk"], comment_days=6).count(),
    ),
    Row("councils:detail", inside=pk("council"), outside=pk("far_council"), allow=COUNCIL_VIEW, allow_out=FAR_COUNCIL_VIEW),
    Row(
        "councils:detail",
        "post",
        inside=pk("council"),
        outside=pk("far_council"),
        allow=PARTICIPANTS,
        allow_out=FAR_PARTICIPANTS,
        data=lambda o, out: {"title": "增设快递柜"},
        probe=count(Topic),
    ),
    Row(
        "councils:meeting_new",
        "post",
        inside=lambda o: {"council_pk": o.council.pk},
        outside=lambda o: {"council_pk": o.far_council.pk},
        allow=MANAGERS,
        allow_out=FAR_MANAGERS,
        data=lambda o, out: {"kind": "matter", "title": "议事", "scheduled_at": "2026-12-20T19:00"},
        probe=count(Meeting),
    ),
    Row(
        "councils:raise",
        "post",
        inside=pk("council"),
        outside=pk("far_council"),
        allow=MANAGERS,
        allow_out=FAR_MANAGERS,
        data=lambda o, out: {
            "building": (o.b3 if out else o.b1).path,
            "category": (o.f_sub if out else o.a_sub).category_id,
            "title": "路灯问题",
        },
        probe=count(Topic),
    ),
    Row("councils:topic", inside=pk("t_collect"), outside=pk("far_topic"), allow=COUNCIL_VIEW, allow_out=FAR_COUNCIL_VIEW),
    _topic(
        "councils:topic_act",
        "support",
        "t_collect",
        "far_topic",
        PARTICIPANTS,
        FAR_PARTICIPANTS,
        lambda o, out: {},
        lambda o, kw: TopicSupport.objects.filter(topic_id=kw["pk"]).count(),
    ),
    _topic(
        "councils:topic_act",
        "comment",
        "t_comment",
        "far_comment",
        PARTICIPANTS,
        FAR_PARTICIPANTS,
        lambda o, out: {"text": "同意"},
        _records,
    ),
    _topic("councils:topic_act", "advance", "t_collect", "far_topic", MANAGERS, FAR_MANAGERS, lambda o, out: {"note": ""}, _topic_state),
    _topic(
        "councils:topic_act", "option", "t_comment", "far_comment", MANAGERS, FAR_MANAGERS, lambda o, out: {"title": "方案一"}, _records
    ),
    _topic(
        "councils:topic_act",
        "vote_open",
        "t_decide",
        "far_decide",
        MANAGERS,
        FAR_MANAGERS,
        lambda o, out: {"rule": "majority", "meeting": (o.far_meeting if out else o.meeting).pk},
        _records,
    ),
    _topic(
        "councils:topic_act",
        "resolution",
        "t_decide",
        "far_decide",
        MANAGERS,
        FAR_MANAGERS,
        lambda o, out: {
            "vote": (o.far_closed_vote if out else o.closed_vote).pk,
            "decision": "增设晾衣杆",
            "responsible": "物业",
            "due_on": "2026-12-31",
            "notice_days": 7,
        },
        _topic_state,
    ),
    _topic(
        "councils:topic_act",
        "progress",
        "t_done",
        "far_done",
        MANAGERS,
        FAR_MANAGERS,
        lambda o, out: {"note": "已开工"},
        lambda o, kw: ResolutionUpdate.objects.filter(resolution__topic_id=kw["pk"]).count(),
    ),
    _topic("councils:topic_act", "bogus", "t_collect", "far_topic", NONE, NONE, lambda o, out: {}, _topic_state),
    Row(
        "councils:vote_act",
        "post",
        variant="cast",
        inside=pk("vote"),
        outside=pk("far_vote"),
        allow=VOTERS,
        allow_out=frozenset({"far_staff"}),
        data=lambda o, out: {"choice": "for"},
        probe=lambda o, kw: Ballot.objects.filter(vote_id=kw["pk"]).count(),
    ),
    Row(
        "councils:vote_act",
        "post",
        variant="paper",
        inside=pk("vote"),
        outside=pk("far_vote"),
        allow=MANAGERS,
        allow_out=FAR_MANAGERS,
        data=lambda o, out: {
            "choice": "for",
            "member": (o.far_council if out else o.council).members.get(name__in=["张三", "新桥召集人"]).pk,
        },
        probe=lambda o, kw: Ballot.objects.filter(vote_id=kw["pk"]).count(),
        extra={"action": "cast"},
    ),
    Row(
        "councils:vote_act",
        "post",
        variant="close",
        inside=pk("vote"),
        outside=pk("far_vote"),
        allow=MANAGERS,
        allow_out=FAR_MANAGERS,
        probe=lambda o, kw: o.vote.__class__.objects.get(pk=kw["pk"]).status,
    ),
    Row("councils:vote_act", "post", variant="bogus", inside=pk("vote"), outside=pk("far_vote"), probe=lambda o, kw: 0),
    Row("councils:meeting", inside=pk("meeting"), outside=pk("far_meeting"), allow=COUNCIL_VIEW, allow_out=FAR_COUNCIL_VIEW),
    Row(
        "councils:meeting",
        "post",
        inside=pk("meeting_later"),
        outside=pk("far_meeting"),
        allow=MANAGERS,
        allow_out=FAR_MANAGERS,
        data=lambda o, out: {"minutes": "会议纪要：通过"},
        probe=lambda o, kw: Meeting.objects.get(pk=kw["pk"]).minutes,
    ),
    Row("councils:sign_in", inside=pk("meeting_later"), outside=pk("far_meeting"), allow=COUNCIL_VIEW, allow_out=FAR_COUNCIL_VIEW),
    Row(
        "councils:sign_in",
        "post",
        inside=pk("meeting_later"),
        outside=pk("far_meeting_later"),
        allow=VOTERS,
        allow_out=frozenset({"far_staff"}),
        data=lambda o, out: {"code": ""},
        probe=lambda o, kw: Attendance.objects.filter(meeting_id=kw["pk"]).count(),
    ),
    Row(
        "councils:public",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=ALL,
        allow_out=ALL,
    ),
    Row("councils:public_topic", inside=pk("t_done"), outside=pk("far_done"), allow=ALL, allow_out=ALL),
]

# ---- wishes ---------------------------------------------------------------------------------------------


def _wish_act(variant, inside, outside, allow, allow_out, data=lambda o, out: {}):
    return Row(
        "wishes:act",
        "post",
        variant=variant,
        inside=pk(inside),
        outside=pk(outside),
        allow=allow,
        allow_out=allow_out,
        data=data,
        probe=wish_events,
    )


POSTERS_R1 = frozenset({"buildinghead", "dual", "gridworker", "gridleader", "staff", "secretary", "admin"})

WISH_ROWS = [
    Row("wishes:mine", allow=AUTH),
    Row("wishes:post", allow=frozenset({"resident", "neighbour"})),
    Row("wishes:post", variant="for", allow=POSTERS_R1, query=lambda o, out: f"resident={(o.r3 if out else o.r1).pk}"),
    Row(
        "wishes:post",
        "post",
        allow=frozenset({"resident", "neighbour"}),
        data=lambda o, out: {"title": "一台收音机", "kind": "goods"},
        probe=count(Wish),
    ),
    Row(
        "wishes:post",
        "post",
        variant="for",
        allow=POSTERS_R1,
        data=lambda o, out: {"title": "一台收音机", "kind": "goods", "resident": o.r1.pk},
        probe=count(Wish),
    ),
    Row("wishes:detail", inside=pk("w_pending"), outside=pk("far_pending"), allow=WISH_FULL, allow_out=FAR_STAFF),
    Row("wishes:detail", variant="wall", inside=pk("w_open"), outside=pk("far_open"), allow=AUTH, allow_out=AUTH),
    Row("wishes:proof", inside=pk("w_fulfilled"), outside=pk("far_fulfilled"), allow=WISH_FULL_CLAIMED, allow_out=FAR_CLAIMERS),
    _wish_act("approve", "w_pending", "far_pending", STAFF, FAR_STAFF),
    _wish_act("reject", "w_pending", "far_pending", STAFF, FAR_STAFF, lambda o, out: {"reason": "已救助"}),
    _wish_act("claim", "w_open", "far_open", CLAIMERS, FAR_CLAIMERS),
    _wish_act("release", "w_claimed", "far_claimed", STAFF | {"partner"}, FAR_STAFF | {"far_property"}),
    _wish_act("fulfil", "w_claimed", "far_claimed", frozenset({"partner"}), frozenset({"far_property"}), lambda o, out: {"photo": jpeg()}),
    _wish_act("confirm", "w_fulfilled", "far_fulfilled", WISH_FULL, FAR_STAFF),
    _wish_act("withdraw", "w_open", "far_open", frozenset({"resident", "gridworker", "staff", "secretary", "admin"}), FAR_STAFF),
    _wish_act("bogus", "w_open", "far_open", NONE, NONE),
    Row(
        "wishes:wall",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=ALL,
        allow_out=ALL,
    ),
    Row(
        "wishes:review",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
    ),
]

# ---- volunteers ---------------------------------------------------------------------------------------------

ORGANISERS_IN = STAFF | {"resident"}  # 张三 leads the team whose activities these are
FIGURES_IN = STAFF | {"street"}
VOLUNTEER_SEERS = STAFF | {"resident"}  # his own page; staff; the leader of his team (himself)
ACTIVE_VOLUNTEERS = frozenset({"resident", "neighbour"})


def _signed(o, kw):
    return SignUp.objects.filter(activity_id=kw["pk"], status="signed").count()


def _signup_state(o, kw):
    s = SignUp.objects.get(pk=kw["pk"])
    return (s.checked_in_at, s.hours)


def _community_q(o, out):
    return f"community={(o.far_community if out else o.community).pk}"


def _new_activity(o, out):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.localtime() + timedelta(days=3)
    return {
        "community": (o.far_community if out else o.community).pk,
        "team": (o.team_out if out else o.team_in).pk,
        "title": "新活动",
        "kind": "environment",
        "location": "广场",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": 5,
    }


def _offer_form(o, out):
    return {"title": "新优惠", "kind": "gift", "points_cost": 5, "per_person_month": 1, "for_volunteers": "on", "active": "on"}


def _manage(variant, data, probe):
    return Row(
        "volunteers:manage_act",
        "post",
        variant=variant,
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF if data else NONE,
        allow_out=FAR_STAFF if data else NONE,
        data=data,
        probe=probe,
    )


def _vol_act(variant, inside, outside, allow, allow_out, data=None):
    return Row(
        "volunteers:volunteer_act",
        "post",
        variant=variant,
        inside=pk(inside),
        outside=pk(outside),
        allow=allow,
        allow_out=allow_out,
        data=data,
        probe=lambda o, kw: (
            Volunteer.objects.get(pk=kw["pk"]).status,
            sorted(Volunteer.objects.get(pk=kw["pk"]).memberships.values_list("team_id", "leader")),
        ),
    )


VOLUNTEER_ROWS = [
    Row("volunteers:duty", allow=STAFF | FAR_STAFF | {"resident"}),
    Row(
        "volunteers:duty_manage",
        "post",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
        data=lambda o, out: {"form": "post", "compound": (o.far_compound if out else o.compound).pk, "name": "西门岗"},
        probe=count(DutyPost),
    ),
    Row(
        "volunteers:duty_act",
        "post",
        variant="check_in",
        inside=pk("shift_in"),
        outside=pk("shift_out"),
        allow=frozenset({"resident"}),
        probe=lambda o, kw: DutyShift.objects.filter(pk=kw["pk"], checked_in_at__isnull=False).count(),
    ),
    Row("volunteers:home", allow=AUTH),
    Row("volunteers:register", allow=frozenset({"resident", "neighbour", "partner"})),
    Row(
        "volunteers:register",
        "post",
        allow=frozenset({"partner"}),
        data=lambda o, out: {"skills": ["repair"], "availability": ["weekend"]},
        probe=count(Volunteer),
    ),
    Row("volunteers:ledger", allow=ACTIVE_VOLUNTEERS),
    Row("volunteers:activities", allow=AUTH, query=_community_q),
    Row("volunteers:activity_new", allow=ORGANISERS_IN, query=_community_q),
    Row("volunteers:activity_new", variant="far", allow=FAR_STAFF, query=lambda o, out: _community_q(o, True)),
    Row("volunteers:activity_new", "post", allow=ORGANISERS_IN, data=lambda o, out: _new_activity(o, False), probe=count(VolActivity)),
    Row(
        "volunteers:activity_new",
        "post",
        variant="far",
        allow=FAR_STAFF,
        data=lambda o, out: _new_activity(o, True),
        probe=count(VolActivity),
    ),
    Row("volunteers:activity", inside=pk("act_in"), outside=pk("act_out"), allow=AUTH, allow_out=AUTH),
    Row("volunteers:poster", inside=pk("act_in"), outside=pk("act_out"), allow=ORGANISERS_IN, allow_out=FAR_STAFF),
    Row(
        "volunteers:activity_act",
        "post",
        variant="signup",
        inside=pk("act_in"),
        outside=pk("act_out"),
        allow=frozenset({"neighbour"}),
        probe=_signed,
    ),
    Row(
        "volunteers:activity_act",
        "post",
        variant="withdraw",
        inside=pk("act_in"),
        outside=pk("act_out"),
        allow=frozenset({"resident"}),
        probe=_signed,
    ),
    Row(
        "volunteers:activity_act",
        "post",
        variant="cancel",
        inside=pk("act_in"),
        outside=pk("act_out"),
        allow=ORGANISERS_IN,
        allow_out=FAR_STAFF,
        data=lambda o, out: {"reason": "下雨"},
        probe=lambda o, kw: VolActivity.objects.get(pk=kw["pk"]).status,
    ),
    Row("volunteers:activity_act", "post", variant="bogus", inside=pk("act_in"), outside=pk("act_out"), probe=_signed),
    Row(
        "volunteers:scan",
        inside=lambda o: {"pk": o.act_now.pk, "token": o.act_now.checkin_token},
        outside=lambda o: {"pk": o.act_now_out.pk, "token": o.act_now_out.checkin_token},
        allow=AUTH,
        allow_out=AUTH,
    ),
    Row(
        "volunteers:scan",
        "post",
        inside=lambda o: {"pk": o.act_now.pk, "token": o.act_now.checkin_token},
        outside=lambda o: {"pk": o.act_now_out.pk, "token": o.act_now_out.checkin_token},
        allow=frozenset({"resident"}),
        data=lambda o, out: {"direction": "in"},
        probe=lambda o, kw: SignUp.objects.filter(activity_id=kw["pk"], checked_in_at__isnull=False).count(),
    ),
    Row(
        "volunteers:signup_act",
        "post",
        variant="tick",
        inside=pk("s_now"),
        outside=pk("s_now_out"),
        allow=ORGANISERS_IN,
        allow_out=FAR_STAFF,
        probe=_signup_state,
    ),
    Row(
        "volunteers:signup_act",
        "post",
        variant="correct",
        inside=pk("s_now"),
        outside=pk("s_now_out"),
        allow=ORGANISERS_IN,
        allow_out=FAR_STAFF,
        data=lambda o, out: {"hours": "1.5", "reason": "补录"},
        probe=_signup_state,
    ),
    Row("volunteers:signup_act", "post", variant="bogus", inside=pk("s_now"), outside=pk("s_now_out"), probe=_signup_state),
    Row("volunteers:volunteer", inside=pk("v_in"), outside=pk("v_out"), allow=VOLUNTEER_SEERS, allow_out=FAR_STAFF),
    Row("volunteers:certificate", inside=pk("v_in"), outside=pk("v_out"), allow=VOLUNTEER_SEERS, allow_out=FAR_STAFF),
    _vol_act("approve", "v_pending", "v_far_pending", STAFF, FAR_STAFF),
    _vol_act("reject", "v_pending", "v_far_pending", STAFF, FAR_STAFF, data=lambda o, out: {"note": "信息不全"}),
    _vol_act("suspend", "v_neighbour", "v_out", STAFF, FAR_STAFF, data=lambda o, out: {"note": "暂停"}),
    _vol_act(
        "join",
        "v_neighbour",
        "v_out",
        STAFF,
        FAR_STAFF,
        data=lambda o, out: {"team": (o.team_out if out else o.team_in).pk, "leader": "on"},
    ),
    _vol_act("leave", "v_in", "v_out", STAFF, FAR_STAFF, data=lambda o, out: {"team": (o.team_out if out else o.team_in).pk}),
    _vol_act("bogus", "v_in", "v_out", NONE, NONE),
    Row(
        "volunteers:manage",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
    ),
    _manage(
        "policy",
        lambda o, out: {"points_per_hour": 12, "max_hours_per_activity": "6", "star_hours": "10,20", "points_valid_months": 0},
        count(Policy),
    ),
    _manage("kind_rule", lambda o, out: {"kind": "elderly", "points_per_hour": 20, "bonus_points": 2}, count(KindRule)),
    _manage(
        "campaign",
        lambda o, out: {"name": "雷锋月", "starts_on": "2026-03-01", "ends_on": "2026-03-31", "bonus_percent": 50},
        count(VolCampaign),
    ),
    _manage("team", lambda o, out: {"name": "新队"}, count(Team)),
    _manage("bogus", None, count(Team)),
    Row(
        "volunteers:honours",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=AUTH,
        allow_out=AUTH,
    ),
    Row(
        "volunteers:figures",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=FIGURES_IN,
        allow_out=FAR_READ,
    ),
    Row("volunteers:offers", allow=AUTH, see=((lambda o: "爱心义剪", ACTIVE_VOLUNTEERS),)),
    Row(
        "volunteers:offer_code",
        "post",
        inside=pk("offer_in"),
        outside=pk("offer_out"),
        allow=frozenset({"neighbour"}),
        probe=count(Redemption),
    ),
    Row("volunteers:code", inside=pk("code_in"), outside=pk("code_out"), allow=frozenset({"resident"})),
    Row("volunteers:merchant", allow=frozenset({"partner"})),
    Row(
        "volunteers:merchant_confirm",
        "post",
        allow=frozenset({"partner"}),
        data=lambda o, out: {"code": o.code_in.code},
        probe=lambda o, kw: Redemption.objects.get(pk=o.code_in.pk).status,
    ),
    Row(
        "volunteers:merchant_confirm",
        "post",
        variant="far",
        data=lambda o, out: {"code": o.code_out.code},
        probe=lambda o, kw: Redemption.objects.get(pk=o.code_out.pk).status,
    ),
    Row("volunteers:offer_new", allow=STAFF | {"partner"}, query=lambda o, out: f"merchant={o.merchant_in.pk}"),
    Row("volunteers:offer_new", variant="far", allow=FAR_STAFF, query=lambda o, out: f"merchant={o.merchant_out.pk}"),
    Row(
        "volunteers:offer_new",
        "post",
        allow=STAFF | {"partner"},
        query=lambda o, out: f"merchant={o.merchant_in.pk}",
        data=_offer_form,
        probe=count(Offer),
    ),
    Row(
        "volunteers:offer_new",
        "post",
        variant="far",
        allow=FAR_STAFF,
        query=lambda o, out: f"merchant={o.merchant_out.pk}",
        data=_offer_form,
        probe=count(Offer),
    ),
    Row("volunteers:offer_edit", inside=pk("offer_in"), outside=pk("offer_out"), allow=STAFF | {"partner"}, allow_out=FAR_STAFF),
    Row(
        "volunteers:offer_edit",
        "post",
        inside=pk("offer_in"),
        outside=pk("offer_out"),
        allow=STAFF | {"partner"},
        allow_out=FAR_STAFF,
        data=_offer_form,
        probe=lambda o, kw: Offer.objects.get(pk=kw["pk"]).title,
    ),
    Row("volunteers:purchases", allow=frozenset({"partner"})),
    Row(
        "volunteers:purchases",
        "post",
        allow=frozenset({"partner"}),
        data=lambda o, out: {
            "buyer": o.partner_org.pk,
            "merchant": o.merchant_in.pk,
            "bought_on": "2026-11-01",
            "amount": "99.5",
            "items": "米面",
        },
        probe=count(Purchase),
    ),
]

# ---- grid work ---------------------------------------------------------------------------------------------

# Who has a grid-work page at all: patrol, visits, stewards, oversight.
GRIDWORK = frozenset(
    {
        "buildinghead",
        "gridworker",
        "gridleader",
        "other_gridworker",
        "staff",
        "secretary",
        "far_staff",
        "street",
        "dual",
        "steward",
        "admin",
    }
)
# Grid workers and leaders of a grid with a building in 阳光花园 (grids 1 and 2).
PATROLLERS_IN = frozenset({"gridworker", "gridleader", "other_gridworker", "dual"})
RECORDERS_ANY = frozenset(
    {"gridworker", "gridleader", "other_gridworker", "buildinghead", "dual", "staff", "secretary", "far_staff", "steward", "admin"}
)
# Who records a visit or 民情 for 张三's household: grid 1, his building head, staff, his red steward.
VISITS_HH1 = frozenset({"gridworker", "gridleader", "buildinghead", "dual", "staff", "secretary", "steward", "admin"})
# Who oversees grid 1 (compliance, overdue visits): its leader, the community, the street.
OVERSEES_G1 = frozenset({"gridleader", "staff", "secretary", "street", "admin"})
SEES_SENTIMENT = frozenset({"gridworker", "gridleader", "buildinghead", "dual", "staff", "secretary", "street", "admin"})
# A round is decided per row: the community's overseers see all; workers, stewards and building
# heads see (and record contacts in) the rounds covering their grid or building — grid 1 here.
ROUND_IN = frozenset({"gridworker", "gridleader", "buildinghead", "dual", "steward", "staff", "secretary", "street", "admin"})
CONTACT_IN = frozenset({"gridworker", "gridleader", "buildinghead", "dual", "steward", "staff", "secretary", "admin"})


def _patrol_ended(o, kw):
    return Patrol.objects.get(pk=kw["pk"]).ended_at is not None


def _q(attr_in, attr_out, key="place"):
    return lambda o, out: f"{key}={getattr(o, attr_out if out else attr_in).pk}"


def _finding(kind, allow, data=None, method="get"):
    return Row(
        "gridwork:finding",
        method,
        variant=kind,
        inside=lambda o, k=kind: {"kind": k},
        outside=lambda o, k=kind: {"kind": k},
        query=_q("patrol", "far_patrol", "patrol"),
        allow=allow,
        data=data,
        probe={"appeal": count(Appeal), "sentiment": count(SentimentRecord), "order": count(Order)}.get(kind) if method == "post" else None,
    )


GRIDWORK_ROWS = [
    Row("gridwork:day", allow=GRIDWORK),
    Row("gridwork:patrol_start", inside=lambda o: {}, outside=lambda o: {}, query=_q("compound", "far_compound"), allow=PATROLLERS_IN),
    Row(
        "gridwork:patrol_start",
        "post",
        inside=lambda o: {},
        outside=lambda o: {},
        query=_q("compound", "far_compound"),
        data=lambda o, out: {"place": (o.far_compound if out else o.compound).pk},
        allow=PATROLLERS_IN,
        probe=count(Patrol),
    ),
    Row("gridwork:patrol", inside=pk("patrol"), outside=pk("far_patrol"), allow=OVERSEES_G1 | {"gridworker"}, allow_out=FAR_READ),
    Row("gridwork:patrol_end", "post", inside=pk("patrol"), outside=pk("far_patrol"), allow=frozenset({"gridworker"}), probe=_patrol_ended),
    _finding("appeal", frozenset({"gridworker"})),
    _finding("topic", frozenset({"gridworker"})),
    _finding("wish", frozenset({"gridworker"})),
    _finding("sentiment", frozenset({"gridworker"})),
    _finding("order", frozenset({"gridworker"})),
    _finding(
        "order",
        frozenset({"gridworker"}),
        lambda o, out: {"resident": o.r1.pk, "service": o.service_in.pk, "description": "老人家的油烟机坏了"},
        "post",
    ),
    _finding("bogus", NONE),
    _finding("sentiment", frozenset({"gridworker"}), lambda o, out: {"note": "路灯下有人聚集喝酒", "mood": "neutral"}, "post"),
    _finding(
        "appeal",
        frozenset({"gridworker"}),
        lambda o, out: {"place": o.b1.pk, "description": "井盖松动", "idempotency_key": "k" * 20},
        "post",
    ),
    Row(
        "gridwork:place_hint",
        "post",
        inside=lambda o: {},
        outside=lambda o: {},
        query=_q("patrol", "far_patrol", "patrol"),
        allow=frozenset({"gridworker"}),
        data=lambda o, out: {"description": "1栋1单元楼道灯不亮"},
    ),
    Row("gridwork:visits", allow=RECORDERS_ANY),
    Row(
        "gridwork:visit",
        inside=pk("visit"),
        outside=pk("far_visit"),
        allow=frozenset({"gridworker", "gridleader", "buildinghead", "dual", "staff", "secretary", "street", "admin"}),
        allow_out=frozenset({"far_staff", "street", "admin"}),
    ),
    Row(
        "gridwork:visit_new",
        inside=lambda o: {},
        outside=lambda o: {},
        query=_q("hh1", "hh3", "household"),
        allow=VISITS_HH1,
        allow_out=FAR_STAFF,
    ),
    Row(
        "gridwork:visit_new",
        "post",
        inside=lambda o: {},
        outside=lambda o: {},
        query=_q("hh1", "hh3", "household"),
        data=lambda o, out: {"kind": "home", "content": "入户看望"},
        allow=VISITS_HH1,
        allow_out=FAR_STAFF,
        probe=count(Visit),
    ),
    Row(
        "gridwork:sentiments",
        allow=GRIDWORK,
        see=((lambda o: o.sentiment.note, SEES_SENTIMENT), (lambda o: o.far_sentiment.note, FAR_READ)),
    ),
    Row(
        "gridwork:grid",
        inside=lambda o: {"grid_pk": o.grid.pk},
        outside=lambda o: {"grid_pk": o.far_grid.pk},
        allow=OVERSEES_G1,
        allow_out=FAR_READ,
    ),
    Row(
        "gridwork:forces",
        inside=lambda o: {"grid_pk": o.grid.pk},
        outside=lambda o: {"grid_pk": o.far_grid.pk},
        allow=OVERSEES_G1 | {"gridworker"},
        allow_out=FAR_READ,
    ),
    Row(
        "gridwork:forces",
        "post",
        inside=lambda o: {"grid_pk": o.grid.pk},
        outside=lambda o: {"grid_pk": o.far_grid.pk},
        data=lambda o, out: {"kind": "doctor", "name": "家庭医生王"},
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=count(SupportingForce),
    ),
    Row(
        "gridwork:community",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF | {"street"},
        allow_out=FAR_READ,
    ),
    Row(
        "gridwork:settings",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
    ),
    Row(
        "gridwork:settings",
        "post",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        data=lambda o, out: {"form": "rule", "min_minutes_per_day": 45, "working_days_only": "on", "auto_close_minutes": 240},
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=lambda o, kw: GridworkRule.objects.filter(community_id=kw["community_pk"], min_minutes_per_day=45).count(),
    ),
    Row(
        "gridwork:rounds",
        allow=GRIDWORK,
        see=((lambda o: o.round.title, ROUND_IN), (lambda o: o.far_round.title, FAR_READ)),
    ),
    Row(
        "gridwork:rounds",
        "post",
        data=lambda o, out: {
            "kind": "publicity",
            "title": "反诈宣传入户",
            "grids": [o.grid.pk],
            "starts_on": "2026-01-01",
            "ends_on": "2026-01-31",
        },
        allow=STAFF,
        probe=count(Round),
    ),
    Row("gridwork:round", inside=pk("round"), outside=pk("far_round"), allow=ROUND_IN, allow_out=FAR_READ),
    Row(
        "gridwork:round_contact",
        inside=lambda o: {"pk": o.round.pk, "household_pk": o.hh1.pk},
        outside=lambda o: {"pk": o.far_round.pk, "household_pk": o.hh3.pk},
        allow=CONTACT_IN,
        allow_out=FAR_STAFF,
    ),
    Row(
        "gridwork:round_contact",
        "post",
        inside=lambda o: {"pk": o.round.pk, "household_pk": o.hh1.pk},
        outside=lambda o: {"pk": o.far_round.pk, "household_pk": o.hh3.pk},
        data=lambda o, out: {"q0": "0", "note": ""},
        allow=CONTACT_IN,
        allow_out=FAR_STAFF,
        probe=count(RoundContact),
    ),
]

# ---- the community's structure, set up by its staff ---------------------------------------------------------


def _community_q(o, out):
    return f"community={(o.far_community if out else o.community).pk}"


STRUCTURE_ROWS = [
    Row("registry:grid_new", inside=lambda o: {}, outside=lambda o: {}, query=_community_q, allow=STAFF, allow_out=FAR_STAFF),
    Row(
        "registry:grid_new",
        "post",
        inside=lambda o: {},
        outside=lambda o: {},
        query=_community_q,
        data=lambda o, out: {"name": "新网格", "code": "341103004002009" if out else "341103004001009", "kind": "comprehensive"},
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=count(Grid),
    ),
    Row("registry:grid_edit", inside=pk("grid"), outside=pk("far_grid"), allow=STAFF, allow_out=FAR_STAFF),
    Row(
        "registry:grid_edit",
        "post",
        inside=pk("grid"),
        outside=pk("far_grid"),
        data=lambda o, out: {"name": "改名网格", "kind": "comprehensive"},
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=lambda o, kw: Grid.objects.get(pk=kw["pk"]).name,
    ),
    Row("registry:grid_buildings", inside=pk("grid"), outside=pk("far_grid"), allow=STAFF, allow_out=FAR_STAFF),
    Row(
        "registry:grid_buildings",
        "post",
        inside=pk("grid"),
        data=lambda o, out: {"buildings": [o.w.other_building.pk]},
        allow=STAFF,
        probe=lambda o, kw: Place.objects.get(pk=o.w.other_building.pk).grid_id,
    ),
    Row("registry:grid_people", inside=pk("grid"), outside=pk("far_grid"), allow=STAFF, allow_out=FAR_STAFF),
    Row(
        "registry:grid_people",
        "post",
        inside=pk("grid"),
        outside=pk("far_grid"),
        data=lambda o, out: {
            "op": "add",
            "role": "grid_worker",
            "username": "newcomer",
            "display_name": "新人",
            "password": "Hemei-2025-pass",
        },
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=count(RoleAssignment),
    ),
    Row("registry:organisations", inside=lambda o: {}, outside=lambda o: {}, query=_community_q, allow=STAFF, allow_out=FAR_STAFF),
    Row(
        "registry:organisations",
        "post",
        inside=lambda o: {},
        outside=lambda o: {},
        query=_community_q,
        data=lambda o, out: {"kind": "merchant", "name": "爱心理发店"},
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=count(Organisation),
    ),
    Row("registry:organisation", inside=pk("property_org"), outside=pk("far_org"), allow=STAFF, allow_out=FAR_STAFF),
    Row(
        "registry:organisation",
        "post",
        inside=pk("property_org"),
        outside=pk("far_org"),
        data=lambda o, out: {"kind": "property_company", "name": "改名物业"},
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=lambda o, kw: Organisation.objects.get(pk=kw["pk"]).name,
    ),
    Row(
        "registry:party",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
    ),
    Row(
        "registry:party",
        "post",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        data=lambda o, out: {"op": "levels", "levels": SIX_LEVELS},
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=count(PartyLevels),
    ),
    Row(
        "registry:party_life",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
    ),
    Row(
        "registry:party_life",
        "post",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        data=lambda o, out: {
            "party_organisation": (o.party_out if out else o.party_in).pk,
            "kind": "committee",
            "held_at": "2026-11-20T19:00",
            "topics": "学习传达会议精神",
            "expected": "5",
        },
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=count(BranchMeeting),
    ),
    Row(
        "registry:party_add",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        query=lambda o, out: f"parent={(o.party_out if out else o.party_in).pk}",
        allow=STAFF,
        allow_out=FAR_STAFF,
    ),
    Row(
        "registry:party_add",
        "post",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        query=lambda o, out: f"parent={(o.party_out if out else o.party_in).pk}",
        data=lambda o, out: {"name": "网格党支部", "anchor": (o.far_grid if out else o.grid).pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=count(PartyOrganisation),
    ),
    Row("registry:party_node", inside=pk("party_in"), outside=pk("party_out"), allow=STAFF, allow_out=FAR_STAFF),
    Row(
        "registry:party_node",
        "post",
        inside=pk("party_in"),
        outside=pk("party_out"),
        data=lambda o, out: {"op": "rename", "name": "改名党委"},
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=lambda o, kw: PartyOrganisation.objects.get(pk=kw["pk"]).name,
    ),
    Row("councils:new", allow=IMPORTERS),
    Row(
        "councils:new",
        "post",
        inside=lambda o: {},
        outside=lambda o: {},
        data=lambda o, out: {
            "community": (o.far_community if out else o.community).pk,
            "name": "新议事会",
            "kind": "residents",
            "support_threshold": 5,
        },
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=count(Council),
    ),
    Row("councils:members", inside=pk("council"), outside=pk("far_council"), allow=MANAGERS, allow_out=FAR_MANAGERS),
    Row(
        "councils:members",
        "post",
        inside=pk("council"),
        outside=pk("far_council"),
        data=lambda o, out: {"op": "add", "name": "新成员", "role": "party_member"},
        allow=MANAGERS,
        allow_out=FAR_MANAGERS,
        probe=count(Member),
    ),
]

# ---- the REST API (rows for every operation of the OpenAPI schema) ---------------------------------------

API_ROWS = [
    # The description of the API is public; it holds no data.
    Row("api-schema", allow=ALL),
    Row("api-docs", allow=ALL),
    Row("api-places", allow=REGISTRY),
    Row("api-place", inside=pk("b1"), outside=pk("b3"), allow=SEES_B1, allow_out=FAR_READ),
    Row("api-grids", allow=REGISTRY, see=((lambda o: o.grid.code, GRID1), (lambda o: o.far_grid.code, FAR_READ))),
    Row("api-grid", inside=pk("grid"), outside=pk("far_grid"), allow=GRID1, allow_out=FAR_READ),
    Row("api-household", inside=pk("hh1"), outside=pk("hh3"), allow=SEES_B1, allow_out=FAR_READ),
    Row("api-residents", allow=REGISTRY, see=((lambda o: o.r1.name, SEES_B1), (lambda o: o.r3.name, FAR_READ))),
    Row(
        "api-residents",
        "post",
        allow=EDITS_R1,
        json=True,
        data=lambda o, out: {"household_id": o.hh1.pk, "name": "新成员", "gender": "F", "relationship": "child"},
        probe=_residents,
    ),
    # As the page answers: a resident opens their own record on the API too (issue 27).
    Row("api-resident", inside=pk("r1"), outside=pk("r3"), allow=SEES_B1 | {"resident"}, allow_out=FAR_READ),
    Row(
        "api-resident",
        "patch",
        inside=pk("r1"),
        outside=pk("r3"),
        allow=EDITS_R1,
        allow_out=FAR_STAFF,
        json=True,
        data=lambda o, out: {"name": "改名"},
        probe=lambda o, kw: Resident.objects.get(pk=kw["pk"]).name,
    ),
    Row(
        "api-resident-reveal",
        "post",
        inside=pk("r1"),
        outside=pk("r3"),
        allow=EDITS_R1,
        allow_out=FAR_STAFF,
        json=True,
        data=lambda o, out: {"field": "phone"},
        probe=lambda o, kw: _reveals(kw),
    ),
    Row("api-facilities", allow=REGISTRY),
    Row("api-organisations", allow=REGISTRY, see=((lambda o: o.far_org.name, FAR_READ),)),
    Row("api-appeals", allow=AUTH, see=((lambda o: o.a_sub.number, SEES_A1), (lambda o: o.f_sub.number, FAR_READ))),
    Row(
        "api-appeals",
        "post",
        allow=AUTH,
        json=True,
        data=lambda o, out: {"place_id": o.b1.pk, "description": "单元门坏了"},
        probe=count(Appeal),
    ),
    Row("api-appeal-categories", allow=AUTH),
    Row("api-appeal", inside=pk("a_sub"), outside=pk("f_sub"), allow=SEES_A1, allow_out=FAR_READ),
    *[_api_act(a.replace("_", "-"), i, x, al, ao, d or _dispatch_api) for a, i, x, al, ao, d in APPEAL_ACTIONS],
    Row("api-councils", allow=AUTH, see=((lambda o: o.council.name, COUNCIL_VIEW), (lambda o: o.far_council.name, FAR_COUNCIL_VIEW))),
    Row("api-council-topics", inside=pk("council"), outside=pk("far_council"), allow=COUNCIL_VIEW, allow_out=FAR_COUNCIL_VIEW),
    Row(
        "api-council-topics",
        "post",
        inside=pk("council"),
        outside=pk("far_council"),
        allow=PARTICIPANTS,
        allow_out=FAR_PARTICIPANTS,
        json=True,
        data=lambda o, out: {"title": "增设快递柜"},
        probe=count(Topic),
    ),
    Row(
        "api-topic-support",
        "post",
        inside=pk("t_collect"),
        outside=pk("far_topic"),
        allow=PARTICIPANTS,
        allow_out=FAR_PARTICIPANTS,
        json=True,
        probe=lambda o, kw: TopicSupport.objects.filter(topic_id=kw["pk"]).count(),
    ),
    Row("api-vote", inside=pk("vote"), outside=pk("far_vote"), allow=COUNCIL_VIEW, allow_out=FAR_COUNCIL_VIEW),
    Row(
        "api-vote-cast",
        "post",
        inside=pk("vote"),
        outside=pk("far_vote"),
        allow=VOTERS,
        allow_out=frozenset({"far_staff"}),
        json=True,
        data=lambda o, out: {"choice": "for"},
        probe=lambda o, kw: Ballot.objects.filter(vote_id=kw["pk"]).count(),
    ),
    Row(
        "api-vote-close",
        "post",
        inside=pk("vote"),
        outside=pk("far_vote"),
        allow=MANAGERS,
        allow_out=FAR_MANAGERS,
        json=True,
        probe=lambda o, kw: o.vote.__class__.objects.get(pk=kw["pk"]).status,
    ),
    Row("api-wishes", allow=AUTH, query=lambda o, out: f"community={o.community.pk}"),
    Row(
        "api-wishes",
        "post",
        allow=frozenset({"resident", "neighbour"}),
        json=True,
        data=lambda o, out: {"kind": "goods", "title": "一台收音机"},
        probe=count(Wish),
    ),
    Row(
        "api-wishes",
        "post",
        variant="for",
        allow=POSTERS_R1,
        json=True,
        data=lambda o, out: {"kind": "goods", "title": "一台收音机", "resident_id": o.r1.pk},
        probe=count(Wish),
    ),
    Row(
        "api-wish-claim",
        "post",
        inside=pk("w_open"),
        outside=pk("far_open"),
        allow=CLAIMERS,
        allow_out=FAR_CLAIMERS,
        json=True,
        probe=wish_events,
    ),
    Row(
        "api-wish-confirm",
        "post",
        inside=pk("w_fulfilled"),
        outside=pk("far_fulfilled"),
        allow=WISH_FULL,
        allow_out=FAR_STAFF,
        json=True,
        probe=wish_events,
    ),
    Row(
        "api-wish-approve",
        "post",
        inside=pk("w_pending"),
        outside=pk("far_pending"),
        allow=STAFF,
        allow_out=FAR_STAFF,
        json=True,
        probe=wish_events,
    ),
    Row("api-volunteer-me", allow=ACTIVE_VOLUNTEERS),
    Row(
        "api-volunteer-me",
        "post",
        allow=frozenset({"partner"}),
        json=True,
        data=lambda o, out: {"skills": ["repair"]},
        probe=count(Volunteer),
    ),
    Row("api-volunteer-activities", allow=AUTH, query=_community_q),
    Row("api-volunteer-activities", variant="far", allow=AUTH, query=lambda o, out: _community_q(o, True)),
    Row(
        "api-volunteer-signup", "post", inside=pk("act_in"), outside=pk("act_out"), allow=frozenset({"neighbour"}), json=True, probe=_signed
    ),
    Row(
        "api-volunteer-withdraw",
        "post",
        inside=pk("act_in"),
        outside=pk("act_out"),
        allow=frozenset({"resident"}),
        json=True,
        probe=_signed,
    ),
    Row(
        "api-volunteer-check",
        "post",
        inside=lambda o: {"pk": o.act_now.pk},
        outside=lambda o: {"pk": o.act_now_out.pk},
        allow=frozenset({"resident"}),
        json=True,
        data=lambda o, out: {"token": (o.act_now_out if out else o.act_now).checkin_token, "direction": "in"},
        probe=lambda o, kw: SignUp.objects.filter(activity_id=kw["pk"], checked_in_at__isnull=False).count(),
    ),
    Row("api-volunteer-offers", allow=AUTH),
    Row(
        "api-volunteer-code",
        "post",
        inside=pk("offer_in"),
        outside=pk("offer_out"),
        allow=frozenset({"neighbour"}),
        json=True,
        probe=count(Redemption),
    ),
    Row(
        "api-volunteer-confirm",
        "post",
        allow=frozenset({"partner"}),
        json=True,
        data=lambda o, out: {"code": o.code_in.code},
        probe=lambda o, kw: Redemption.objects.get(pk=o.code_in.pk).status,
    ),
    Row("api-patrols", allow=AUTH),
    Row("api-patrols", "post", allow=PATROLLERS_IN, json=True, data=lambda o, out: {"compound_id": o.compound.pk}, probe=count(Patrol)),
    Row(
        "api-patrols",
        "post",
        variant="far",
        allow=NONE,
        json=True,
        data=lambda o, out: {"compound_id": o.far_compound.pk},
        probe=count(Patrol),
    ),
    Row(
        "api-patrol-end",
        "post",
        inside=pk("patrol"),
        outside=pk("far_patrol"),
        allow=frozenset({"gridworker"}),
        json=True,
        probe=_patrol_ended,
    ),
    Row(
        "api-compliance",
        inside=lambda o: {},
        outside=lambda o: {},
        query=_q("grid", "far_grid", "grid"),
        allow=OVERSEES_G1,
        allow_out=FAR_READ,
    ),
    Row("api-visits", allow=AUTH),
    Row(
        "api-visits",
        "post",
        inside=lambda o: {},
        outside=lambda o: {},
        json=True,
        data=lambda o, out: {"household_id": (o.hh3 if out else o.hh1).pk, "content": "入户看望"},
        allow=VISITS_HH1,
        allow_out=FAR_STAFF,
        probe=count(Visit),
    ),
    Row("api-visit-targets", allow=AUTH),
    Row(
        "api-visit-targets",
        variant="grid",
        inside=lambda o: {},
        outside=lambda o: {},
        query=_q("grid", "far_grid", "grid"),
        allow=OVERSEES_G1,
        allow_out=FAR_READ,
    ),
    Row("api-sentiments", allow=AUTH),
    Row(
        "api-sentiments",
        "post",
        inside=lambda o: {},
        outside=lambda o: {},
        json=True,
        data=lambda o, out: {"household_id": (o.hh3 if out else o.hh1).pk, "note": "想装扶手"},
        allow=VISITS_HH1,
        allow_out=FAR_STAFF,
        probe=count(SentimentRecord),
    ),
    Row("api-rounds", allow=AUTH),
    Row("api-round", inside=pk("round"), outside=pk("far_round"), allow=ROUND_IN, allow_out=FAR_READ),
    Row(
        "api-round-contact",
        "post",
        inside=pk("round"),
        outside=pk("far_round"),
        json=True,
        data=lambda o, out: {"household_id": (o.hh3 if out else o.hh1).pk, "answers": {"0": 1}},
        allow=CONTACT_IN,
        allow_out=FAR_STAFF,
        probe=count(RoundContact),
    ),
]

# ---- Open311: public reads of the public set; writes need a client key (tested in test_open311) --------

OPEN311_ROWS = [
    Row("open311-discovery", allow=ALL, extra={"fmt": "json"}),
    Row("open311-services", allow=ALL, extra={"fmt": "json"}),
    Row("open311-service", allow=ALL, inside=lambda o: {"code": "facilities", "fmt": "json"}),
    Row("open311-requests", allow=ALL, extra={"fmt": "json"}, see=((lambda o: o.a_res.number, ALL), (lambda o: o.a_sub.number, NONE))),
    Row(
        "open311-requests",
        "post",
        allow=NONE,  # no key, no request, whoever is signed in
        extra={"fmt": "json"},
        data=lambda o, out: {"service_code": "facilities", "description": "x", "address_id": str(o.b1.pk)},
        probe=count(Appeal),
    ),
    # The public set only: a resolved appeal is readable by anyone, a submitted one by nobody.
    Row("open311-request", variant="public", inside=lambda o: {"number": o.a_res.number, "fmt": "json"}, allow=ALL),
    Row("open311-request", variant="open", inside=lambda o: {"number": o.a_sub.number, "fmt": "json"}, allow=NONE),
    Row("open311-token", variant="open", inside=lambda o: {"token_id": o.a_sub.number, "fmt": "json"}, allow=NONE),
]

# ---- the dashboard ------------------------------------------------------------------------------------------
DASHBOARD_VIEWERS = frozenset(
    {"gridworker", "gridleader", "other_gridworker", "buildinghead", "staff", "secretary", "far_staff", "street", "dual", "admin"}
)
# A community's figures: its staff, the street above it; the far community: its own staff.
COMMUNITY_FIGURES = frozenset({"staff", "secretary", "street", "admin"})
FAR_FIGURES = frozenset({"far_staff", "street", "admin"})


def _score_count(o, kw):
    from linli.dashboard.models import PropertyScore

    return PropertyScore.objects.count()


def _report_count(o, kw):
    from linli.dashboard.models import MonthlyReport

    return MonthlyReport.objects.count()


def _built_report(o, out):
    from linli.dashboard import services as dashboard_services

    staff, place = (o.users["far_staff"], o.far_community) if out else (o.users["staff"], o.community)
    report = dashboard_services.monthly_report_request(actor=staff, place=place, month=date(2026, 1, 1))
    return dashboard_services.monthly_report_build(report_id=report.pk)


DASHBOARD_ROWS = [
    Row("dashboard:reports", inside=pk("community"), outside=pk("far_community"), allow=COMMUNITY_FIGURES, allow_out=FAR_FIGURES),
    Row(
        "dashboard:reports",
        "post",
        inside=pk("community"),
        outside=pk("far_community"),
        data=lambda o, out: {"month": "2026-01"},
        allow=COMMUNITY_FIGURES,
        allow_out=FAR_FIGURES,
        probe=_report_count,
    ),
    Row(
        "dashboard:report_print",
        inside=pk("community"),
        outside=pk("far_community"),
        query=lambda o, out: "month=2026-01",
        allow=COMMUNITY_FIGURES,
        allow_out=FAR_FIGURES,
    ),
    Row(
        "dashboard:report_download",
        inside=lambda o: {"pk": _built_report(o, False).pk},
        outside=lambda o: {"pk": _built_report(o, True).pk},
        allow=COMMUNITY_FIGURES,
        allow_out=FAR_FIGURES,
    ),
    Row("dashboard:property", inside=pk("community"), outside=pk("far_community"), allow=COMMUNITY_FIGURES, allow_out=FAR_FIGURES),
    Row(
        "dashboard:property",
        "post",
        inside=pk("community"),
        outside=pk("far_community"),
        data=lambda o, out: {"organisation": (o.far_org if out else o.property_org).pk, "month": "2026-01", "score": 88, "note": ""},
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=_score_count,
    ),
    Row("dashboard:home", allow=DASHBOARD_VIEWERS),
    Row("dashboard:definitions", allow=DASHBOARD_VIEWERS),
    Row(
        "dashboard:area",
        variant="community",
        inside=pk("community"),
        outside=pk("far_community"),
        allow=COMMUNITY_FIGURES,
        allow_out=FAR_FIGURES,
    ),
    Row("dashboard:area", variant="street", inside=pk("street"), allow=frozenset({"street", "admin"})),
    Row(
        "dashboard:grid",
        inside=pk("grid"),
        outside=pk("far_grid"),
        allow=COMMUNITY_FIGURES | {"gridworker", "gridleader"},
        allow_out=FAR_FIGURES,
    ),
    Row(
        "dashboard:building",
        inside=pk("b1"),
        outside=pk("b3"),
        allow=COMMUNITY_FIGURES | {"gridworker", "gridleader", "buildinghead", "dual"},
        allow_out=FAR_FIGURES,
    ),
    Row(
        "dashboard:appeals",
        inside=lambda o: {},
        outside=lambda o: {},
        query=lambda o, out: f"kind=place&id={(o.far_community if out else o.community).pk}&figure=total",
        allow=COMMUNITY_FIGURES,
        allow_out=FAR_FIGURES,
        see=((lambda o: o.a_sub.number, COMMUNITY_FIGURES),),
    ),
]

# ---- services (为民服务) ---------------------------------------------------------------------------------

ORDER_VIEW = frozenset({"resident", "buildinghead", "gridworker", "gridleader", "dual", "staff", "secretary", "admin"})
ORDER_FOR = frozenset({"resident", "buildinghead", "gridworker", "gridleader", "dual", "staff", "secretary", "admin"})
CARRIERS_IN = frozenset({"gridworker", "gridleader", "staff", "secretary", "admin"})
CASE_DOERS = frozenset({"gridworker", "staff", "secretary", "admin"})
COMMUNITY_USERS = frozenset(
    {
        "resident",
        "neighbour",
        "buildinghead",
        "gridworker",
        "gridleader",
        "other_gridworker",
        "staff",
        "secretary",
        "dual",
        "admin",
        "far_staff",
    }
)
BOOKERS_IN = frozenset({"resident", "neighbour", "staff", "secretary", "property", "partner", "admin"})
BOOKERS_OUT = frozenset({"far_staff", "far_property", "admin"})


def _order(state):
    return lambda o: {"pk": o.ord_in[state].pk}


def _order_out(state):
    return lambda o: {"pk": o.ord_out[state].pk}


def _order_state(o, kw):
    x = Order.objects.get(pk=kw["pk"])
    return (x.status, x.provider_id, list(x.offers.order_by("id").values_list("status", flat=True)))


def _resident_q(o, out):
    return f"resident={(o.r3 if out else o.r1).pk}"


def _order_data(o, out):
    return {
        "resident": (o.r3 if out else o.r1).pk,
        "service": (o.service_out if out else o.service_in).pk,
        "description": "灯坏了",
        "wanted_slot": "any",
        "idempotency_key": "matrix",
    }


def _service_act(variant, state, allow, allow_out, data):
    return Row(
        "services:order_act", "post", variant=variant, inside=_order(state), outside=_order_out(state),
        allow=allow, allow_out=allow_out, data=data, probe=_order_state,
    )  # fmt: skip


def _provider_pk(o, out):
    return {"provider": (o.provider_out if out else o.provider_in).pk}


def _case_state(o, kw):
    c = AgencyCase.objects.get(pk=kw["pk"])
    return (c.status, list(c.steps.values_list("title", "done_on")), list(c.documents.values_list("received_on", "returned_on")))


def _case_act(variant, data):
    return Row(
        "services:case_act", "post", variant=variant, inside=pk("case_in"), outside=pk("case_out"),
        allow=CASE_DOERS, allow_out=FAR_STAFF, data=data, probe=_case_state,
    )  # fmt: skip


def _desk(variant, data, model):
    return Row(
        "services:desk_act", "post", variant=variant, inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk}, allow=STAFF, allow_out=FAR_STAFF, data=data, probe=count(model),
    )  # fmt: skip


def _booking_state(o, kw):
    return Booking.objects.get(pk=kw["pk"]).status


def _book_data(o, out):
    from datetime import timedelta

    from django.utils import timezone

    return {
        "date": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "starts": "14:00",
        "ends": "15:00",
        "purpose": "活动",
        "attendees": 5,
    }


def _book_json(o, out):
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    day = timezone.localdate() + timedelta(days=3)
    tz = ZoneInfo("Asia/Shanghai")
    return {
        "starts_at": datetime.combine(day, time(14), tzinfo=tz).isoformat(),
        "ends_at": datetime.combine(day, time(15), tzinfo=tz).isoformat(),
        "purpose": "活动",
    }


def _meal_orders(o, kw):
    return MealOrder.objects.exclude(status="cancelled").count()


SERVICE_ROWS = [
    Row("services:home", allow=AUTH),
    Row("services:order_new", allow=ORDER_FOR, query=_resident_q, inside=lambda o: {}, outside=lambda o: {}, allow_out=FAR_STAFF),
    Row(
        "services:order_new",
        "post",
        allow=ORDER_FOR,
        query=lambda o, out: _resident_q(o, False),
        data=lambda o, out: _order_data(o, False),
        probe=count(Order),
    ),
    Row(
        "services:order_new",
        "post",
        variant="far",
        allow=FAR_STAFF,
        query=lambda o, out: _resident_q(o, True),
        data=lambda o, out: _order_data(o, True),
        probe=count(Order),
    ),
    Row(
        "services:order",
        inside=_order("offered"),
        outside=_order_out("offered"),
        allow=ORDER_VIEW | {"partner"},
        allow_out=FAR_STAFF | {"far_property"},
    ),
    Row("services:order", variant="new", inside=_order("new"), outside=_order_out("new"), allow=ORDER_VIEW, allow_out=FAR_STAFF),
    _service_act("match", "new", STAFF, FAR_STAFF, lambda o, out: {"providers": [(o.provider_out if out else o.provider_in).pk]}),
    _service_act("phone_accept", "offered", STAFF, FAR_STAFF, _provider_pk),
    _service_act("accept", "offered", frozenset({"partner"}), frozenset({"far_property"}), _provider_pk),
    _service_act("decline", "offered", frozenset({"partner"}), frozenset({"far_property"}), _provider_pk),
    _service_act("deliver", "accepted", frozenset({"partner"}), frozenset({"far_property"}), lambda o, out: {"note": "修好了"}),
    _service_act("confirm", "delivered", frozenset({"resident"}), NONE, lambda o, out: {"rating": 5}),
    _service_act("cancel", "new", frozenset({"resident"}) | STAFF, FAR_STAFF, lambda o, out: {"reason": "不需要了"}),
    Row(
        "services:order_photo",
        inside=pk("photo_in"),
        outside=pk("photo_out"),
        allow=ORDER_VIEW | {"partner"},
        allow_out=FAR_STAFF | {"far_property"},
    ),
    Row(
        "services:desk",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
    ),
    _desk(
        "service",
        lambda o, out: {
            "name": "新服务",
            "category": "other",
            "eligibility": "all",
            "price": "0",
            "match_days": 1,
            "deliver_days": 3,
            "active": "on",
        },
        Service,
    ),
    _desk(
        "provider",
        lambda o, out: {"kind": "social_org", "name": "新服务方", "organisation": (o.far_org if out else o.partner_org).pk, "active": "on"},
        Provider,
    ),
    _desk(
        "room",
        lambda o, out: {"name": "新场地", "kind": "function", "seats": 10, "opens_at": "08:00", "closes_at": "20:00", "active": "on"},
        Room,
    ),
    Row("services:case_new", query=_resident_q, inside=lambda o: {}, outside=lambda o: {}, allow=CARRIERS_IN, allow_out=FAR_STAFF),
    Row(
        "services:case_new",
        "post",
        query=lambda o, out: _resident_q(o, False),
        allow=CARRIERS_IN,
        data=lambda o, out: {"resident": o.r1.pk, "matter": "医保报销"},
        probe=count(AgencyCase),
    ),
    Row("services:case", inside=pk("case_in"), outside=pk("case_out"), allow=CARRIERS_IN | {"resident"}, allow_out=FAR_STAFF),
    _case_act("step_done", lambda o, out: {"step": (o.case_out if out else o.case_in).first_step.pk, "note": "办好"}),
    _case_act("step_add", lambda o, out: {"title": "回访"}),
    _case_act("receive", lambda o, out: {"document": (o.case_out if out else o.case_in).first_document.pk}),
    _case_act("cancel", lambda o, out: {"outcome": "本人撤回"}),
    Row("services:canteen", allow=AUTH, query=_community_q, inside=lambda o: {}, outside=lambda o: {}, allow_out=AUTH),
    Row(
        "services:meal_order",
        "post",
        inside=pk("meal_in"),
        outside=pk("meal_out"),
        allow=frozenset({"neighbour"}),
        allow_out=NONE,
        data=lambda o, out: {"quantity": 1},
        probe=_meal_orders,
    ),
    Row(
        "services:meal_cancel",
        "post",
        inside=pk("meal_order_in"),
        outside=pk("meal_order_out"),
        allow=frozenset({"resident"}) | STAFF,
        allow_out=FAR_STAFF,
        probe=_meal_orders,
    ),
    Row(
        "services:kitchen",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
    ),
    Row(
        "services:kitchen_act",
        "post",
        variant="menu",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=count(Meal),
        data=lambda o, out: {"date": (o.meal_in.date).isoformat(), "kind": "dinner", "dishes": "米饭", "price": "8", "capacity": 20},
    ),
    Row(
        "services:kitchen_act",
        "post",
        variant="serve",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=lambda o, kw: MealOrder.objects.filter(status="served").count(),
        data=lambda o, out: {"meal": (o.meal_today_out if out else o.meal_today_in).pk},
    ),
    Row("services:rooms", allow=AUTH, query=_community_q, inside=lambda o: {}, outside=lambda o: {}, allow_out=AUTH),
    Row("services:room", inside=pk("room_in"), outside=pk("room_out"), allow=AUTH, allow_out=AUTH),
    Row(
        "services:room",
        "post",
        inside=pk("room_in"),
        outside=pk("room_out"),
        allow=BOOKERS_IN,
        allow_out=BOOKERS_OUT,
        data=_book_data,
        probe=count(Booking),
    ),
    Row(
        "services:booking_act",
        "post",
        variant="approve",
        inside=pk("booking_in"),
        outside=pk("booking_out"),
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=_booking_state,
    ),
    Row(
        "services:booking_act",
        "post",
        variant="reject",
        inside=pk("booking_in"),
        outside=pk("booking_out"),
        allow=STAFF,
        allow_out=FAR_STAFF,
        data=lambda o, out: {"reason": "检修"},
        probe=_booking_state,
    ),
    Row(
        "services:booking_act",
        "post",
        variant="cancel",
        inside=pk("booking_in"),
        outside=pk("booking_out"),
        allow=frozenset({"resident"}) | STAFF,
        allow_out=FAR_STAFF,
        probe=_booking_state,
    ),
    Row(
        "services:figures",
        inside=lambda o: {"community_pk": o.community.pk},
        outside=lambda o: {"community_pk": o.far_community.pk},
        allow=COMMUNITY_FIGURES,
        allow_out=FAR_FIGURES,
    ),
]

SERVICE_API_ROWS = [
    Row("api-service-catalogue", allow=ACTIVE_VOLUNTEERS),
    Row("api-service-orders", allow=AUTH),
    Row(
        "api-service-orders",
        "post",
        allow=ORDER_FOR,
        json=True,
        probe=count(Order),
        data=lambda o, out: {"service_id": o.service_in.pk, "resident_id": o.r1.pk, "description": "灯坏了"},
    ),
    Row(
        "api-service-orders",
        "post",
        variant="far",
        allow=FAR_STAFF,
        json=True,
        probe=count(Order),
        data=lambda o, out: {"service_id": o.service_out.pk, "resident_id": o.r3.pk, "description": "灯坏了"},
    ),
    Row(
        "api-service-order",
        inside=_order("offered"),
        outside=_order_out("offered"),
        allow=ORDER_VIEW | {"partner"},
        allow_out=FAR_STAFF | {"far_property"},
    ),
    Row(
        "api-service-accept",
        "post",
        inside=_order("offered"),
        outside=_order_out("offered"),
        allow=frozenset({"partner"}),
        allow_out=frozenset({"far_property"}),
        json=True,
        probe=_order_state,
    ),
    Row(
        "api-service-decline",
        "post",
        inside=_order("offered"),
        outside=_order_out("offered"),
        allow=frozenset({"partner"}),
        allow_out=frozenset({"far_property"}),
        json=True,
        probe=_order_state,
    ),
    Row(
        "api-service-deliver",
        "post",
        inside=_order("accepted"),
        outside=_order_out("accepted"),
        allow=frozenset({"partner"}),
        allow_out=frozenset({"far_property"}),
        data=lambda o, out: {"note": "修好了"},
        probe=_order_state,
    ),
    Row(
        "api-service-confirm",
        "post",
        inside=_order("delivered"),
        outside=_order_out("delivered"),
        allow=frozenset({"resident"}),
        allow_out=NONE,
        json=True,
        data=lambda o, out: {"rating": 4},
        probe=_order_state,
    ),
    Row(
        "api-service-cancel",
        "post",
        inside=_order("new"),
        outside=_order_out("new"),
        allow=frozenset({"resident"}) | STAFF,
        allow_out=FAR_STAFF,
        json=True,
        data=lambda o, out: {"reason": "不要了"},
        probe=_order_state,
    ),
    Row("api-service-meals", allow=COMMUNITY_USERS),
    Row(
        "api-service-meal-order",
        "post",
        inside=pk("meal_in"),
        outside=pk("meal_out"),
        allow=frozenset({"neighbour"}),
        allow_out=NONE,
        json=True,
        probe=_meal_orders,
    ),
    Row("api-service-rooms", allow=COMMUNITY_USERS),
    Row(
        "api-service-book",
        "post",
        inside=pk("room_in"),
        outside=pk("room_out"),
        allow=BOOKERS_IN,
        allow_out=BOOKERS_OUT,
        json=True,
        data=_book_json,
        probe=count(Booking),
    ),
]


# ---- notices ------------------------------------------------------------------------------------------

FOLLOWERS_IN = frozenset({"buildinghead", "dual", "gridworker", "gridleader", "other_gridworker", "staff", "secretary", "admin"})
NOTICE_IN = FOLLOWERS_IN | {"resident", "neighbour"}
# Building 1 (张三's receipt, a notice to it): its building head, grid 1, the community.
FOLLOW_B1 = frozenset({"buildinghead", "dual", "gridworker", "gridleader", "staff", "secretary", "admin"})


def _notice_target(o, out):
    return {
        "target": f"place:{(o.b3 if out else o.b1).pk}",
        "title": "楼道通知",
        "body": "周六打扫",
        "priority": "normal",
        "idempotency_key": "m",
    }


def _notice_json(o, out):
    return {
        "community_id": (o.far_community if out else o.community).pk,
        "place_id": (o.b3 if out else o.b1).pk,
        "title": "楼道通知",
        "body": "周六打扫",
    }


def _reminders(o, kw):
    from linli.notices.models import Receipt

    return sum(Receipt.objects.values_list("reminders", flat=True))


def _receipt_state(o, kw):
    from linli.notices.models import Receipt

    return Receipt.objects.get(pk=kw["pk"]).read_via


def _reply_appeal(o, kw):
    from linli.notices.models import Reply

    return Reply.objects.get(pk=kw["pk"]).appeal_id


def _notice_status(o, kw):
    from linli.notices.models import Notice

    return Notice.objects.get(pk=kw["pk"]).status


def _replies(o, kw):
    from linli.notices.models import Reply

    return Reply.objects.count()


def _groups(o, kw):
    from linli.notices.models import Group

    return Group.objects.count()


def _notices(o, kw):
    from linli.notices.models import Notice

    return Notice.objects.count()


def _community_kw(o):
    return {"community_pk": o.community.pk}


def _far_community_kw(o):
    return {"community_pk": o.far_community.pk}


def _signed_receipt(attr):
    def kw(o):
        from linli.notices.services import receipt_signature

        r = getattr(o, attr)
        return {"pk": r.pk, "signature": receipt_signature(r)}

    return kw


NOTICE_ROWS = [
    Row("notices:inbox", allow=AUTH, see=((lambda o: o.notice_in.title, NOTICE_IN), (lambda o: o.notice_out.title, FAR_STAFF))),
    Row("notices:new", inside=_community_kw, outside=_far_community_kw, allow=FOLLOWERS_IN, allow_out=FAR_STAFF),
    Row(
        "notices:new",
        "post",
        inside=_community_kw,
        outside=_far_community_kw,
        allow=FOLLOW_B1,
        allow_out=FAR_STAFF,
        data=_notice_target,
        probe=_notices,
    ),
    Row("notices:groups", inside=_community_kw, outside=_far_community_kw, allow=FOLLOWERS_IN, allow_out=FAR_STAFF),
    Row(
        "notices:groups",
        "post",
        inside=_community_kw,
        outside=_far_community_kw,
        allow=STAFF,
        allow_out=FAR_STAFF,
        data=lambda o, out: {"name": "独居老人", "source": "tag", "tag": o.r1.care_tags.first().pk},
        probe=_groups,
    ),
    Row(
        "notices:people",
        inside=_community_kw,
        outside=_far_community_kw,
        allow=STAFF,
        allow_out=FAR_STAFF,
        query=lambda o, out: f"pick={(o.r3 if out else o.r1).pk}",
    ),
    Row("notices:notice", inside=pk("notice_in"), outside=pk("notice_out"), allow=NOTICE_IN, allow_out=FAR_STAFF),
    Row("notices:unread", inside=pk("notice_in"), outside=pk("notice_out"), allow=FOLLOWERS_IN, allow_out=FAR_STAFF),
    Row(
        "notices:act",
        "post",
        variant="remind",
        inside=lambda o: {"pk": o.notice_in.pk, "action": "remind"},
        outside=lambda o: {"pk": o.notice_out.pk, "action": "remind"},
        allow=FOLLOWERS_IN,
        allow_out=FAR_STAFF,
        probe=_reminders,
    ),
    Row(
        "notices:act",
        "post",
        variant="withdraw",
        inside=lambda o: {"pk": o.notice_in.pk, "action": "withdraw"},
        outside=lambda o: {"pk": o.notice_out.pk, "action": "withdraw"},
        allow=STAFF,
        allow_out=FAR_STAFF,
        data=lambda o, out: {"reason": "发错了"},
        probe=lambda o, kw: _notice_status(o, {"pk": kw["pk"]}),
    ),
    Row(
        "notices:act",
        "post",
        variant="reply",
        inside=lambda o: {"pk": o.notice_in.pk, "action": "reply"},
        outside=lambda o: {"pk": o.notice_out.pk, "action": "reply"},
        allow=frozenset({"resident", "neighbour"}),
        allow_out=NONE,
        data=lambda o, out: {"text": "收到"},
        probe=_replies,
    ),
    Row(
        "notices:told",
        "post",
        inside=pk("receipt_in"),
        outside=pk("receipt_out"),
        allow=FOLLOW_B1,
        allow_out=FAR_STAFF,
        probe=_receipt_state,
    ),
    Row(
        "notices:reply_appeal",
        "post",
        inside=pk("reply_in"),
        outside=pk("reply_out"),
        allow=STAFF,
        allow_out=FAR_STAFF,
        probe=_reply_appeal,
    ),
    Row("notices:read_link", inside=_signed_receipt("receipt_in"), outside=_signed_receipt("receipt_out"), allow=ALL, allow_out=ALL),
    Row(
        "notices:read_link",
        "post",
        inside=_signed_receipt("receipt_in"),
        outside=_signed_receipt("receipt_out"),
        allow=ALL,
        allow_out=ALL,
        probe=_receipt_state,
    ),
]

NOTICE_API_ROWS = [
    Row("api-notices", allow=AUTH, see=((lambda o: o.notice_in.title, NOTICE_IN), (lambda o: o.notice_out.title, FAR_STAFF))),
    Row("api-notices", "post", allow=FOLLOW_B1, json=True, data=lambda o, out: _notice_json(o, False), probe=_notices),
    Row("api-notice", inside=pk("notice_in"), outside=pk("notice_out"), allow=NOTICE_IN, allow_out=FAR_STAFF),
    Row("api-notice-unread", inside=pk("notice_in"), outside=pk("notice_out"), allow=FOLLOWERS_IN, allow_out=FAR_STAFF),
    Row(
        "api-notice-remind",
        "post",
        inside=pk("notice_in"),
        outside=pk("notice_out"),
        allow=FOLLOWERS_IN,
        allow_out=FAR_STAFF,
        json=True,
        probe=_reminders,
    ),
    Row(
        "api-notice-reply",
        "post",
        inside=pk("notice_in"),
        outside=pk("notice_out"),
        allow=frozenset({"resident", "neighbour"}),
        allow_out=NONE,
        json=True,
        data=lambda o, out: {"text": "收到"},
        probe=_replies,
    ),
    Row(
        "api-notice-told",
        "post",
        inside=pk("receipt_in"),
        outside=pk("receipt_out"),
        allow=FOLLOW_B1,
        allow_out=FAR_STAFF,
        json=True,
        probe=_receipt_state,
    ),
]


# ---- mediation (confidential) ---------------------------------------------------------------------------

# Inside: the secretary oversees, grid 1's worker mediates (on the roster, assigned). Community
# staff are not on the roster; the administrator is nobody here. Outside: its staff on its roster.
MEDIATES_IN = frozenset({"secretary", "gridworker"})
MEDIATION_HOME = frozenset({"secretary", "gridworker", "far_staff", "street"})


def _case_state(o, kw):
    from linli.mediation.models import Case

    c = Case.objects.get(pk=kw["pk"])
    leads = list(c.assignments.order_by("id").values_list("mediator_id", "lead"))
    return (c.status, c.parties.count(), c.sessions.count(), leads, c.follow_ups.count(), c.holds)


def _cases(o, kw):
    from linli.mediation.models import Case

    return Case.objects.count()


def _mediators(o, kw):
    from linli.mediation.models import Mediator

    return Mediator.objects.count()


def _case_act(variant, inside, outside, allow, allow_out, data):
    return Row(
        "mediation:act", "post", variant=variant, inside=lambda o: {"pk": getattr(o, inside).pk, "action": variant},
        outside=lambda o: {"pk": getattr(o, outside).pk, "action": variant}, allow=allow, allow_out=allow_out, data=data,
        probe=_case_state,
    )  # fmt: skip


def _today(o=None, out=None):
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _assign_data(o, out):
    from linli.mediation.models import Mediator

    m = o.far_mediator if out else Mediator.objects.get(user=o.users["gridworker"])
    return {"mediator": m.pk}  # the opener led it; assigned again, not as the lead


MEDIATION_ROWS = [
    Row(
        "mediation:home",
        allow=MEDIATION_HOME,
        see=((lambda o: o.mcase_in.number, MEDIATES_IN), (lambda o: o.mcase_out.number, frozenset({"far_staff"}))),
    ),
    Row("mediation:new", inside=_community_kw, outside=_far_community_kw, allow=MEDIATES_IN, allow_out=frozenset({"far_staff"})),
    Row(
        "mediation:new",
        "post",
        inside=_community_kw,
        outside=_far_community_kw,
        allow=MEDIATES_IN,
        allow_out=frozenset({"far_staff"}),
        data=lambda o, out: {"kind": "neighbour", "summary": "漏水纠纷", "applicant": "张三"},
        probe=_cases,
    ),
    Row("mediation:roster", inside=_community_kw, outside=_far_community_kw, allow=frozenset({"secretary"}), allow_out=NONE),
    Row(
        "mediation:roster",
        "post",
        inside=_community_kw,
        outside=_far_community_kw,
        allow=frozenset({"secretary"}),
        allow_out=NONE,
        data=lambda o, out: {"username": "gridleader", "kind": "grid_worker"},
        probe=_mediators,
    ),
    Row(
        "mediation:figures",
        inside=lambda o: {"place_pk": o.community.pk},
        outside=lambda o: {"place_pk": o.far_community.pk},
        allow=frozenset({"secretary", "street"}),
        allow_out=frozenset({"far_staff", "street"}),
    ),
    Row("mediation:case", inside=pk("mcase_in"), outside=pk("mcase_out"), allow=MEDIATES_IN, allow_out=frozenset({"far_staff"})),
    Row(
        "mediation:scan",
        inside=pk("mcase_agreed_in"),
        outside=pk("mcase_agreed_out"),
        allow=MEDIATES_IN,
        allow_out=frozenset({"far_staff"}),
    ),
    _case_act("party", "mcase_in", "mcase_out", MEDIATES_IN, frozenset({"far_staff"}), lambda o, out: {"side": "other", "name": "王五"}),
    _case_act("assign", "mcase_in", "mcase_out", frozenset({"secretary"}), frozenset({"far_staff"}), _assign_data),
    _case_act(
        "session",
        "mcase_in",
        "mcase_out",
        MEDIATES_IN,
        frozenset({"far_staff"}),
        lambda o, out: {"held_on": _today(), "location": "调解室", "notes": "再次调解"},
    ),
    _case_act(
        "agreement",
        "mcase_in",
        "mcase_out",
        MEDIATES_IN,
        frozenset({"far_staff"}),
        lambda o, out: {"text": "约定晚十点后不再施工", "signed_on": _today()},
    ),
    _case_act(
        "close",
        "mcase_in",
        "mcase_out",
        MEDIATES_IN,
        frozenset({"far_staff"}),
        lambda o, out: {"status": "withdrawn", "outcome": "申请人撤回"},
    ),
    _case_act(
        "follow_up",
        "mcase_agreed_in",
        "mcase_agreed_out",
        MEDIATES_IN,
        frozenset({"far_staff"}),
        lambda o, out: {"visited_on": _today(), "holds": "0", "notes": "又起争执"},
    ),
]

MEDIATION_API_ROWS = [
    Row(
        "api-mediation-cases",
        allow=AUTH,
        see=((lambda o: o.mcase_in.number, MEDIATES_IN), (lambda o: o.mcase_out.number, frozenset({"far_staff"}))),
    ),
    Row("api-mediation-case", inside=pk("mcase_in"), outside=pk("mcase_out"), allow=MEDIATES_IN, allow_out=frozenset({"far_staff"})),
]


# ---- projects -----------------------------------------------------------------------------------------


def _project_state(o, kw):
    from linli.projects.models import Project

    p = Project.objects.get(pk=kw["pk"])
    return (
        p.status, list(p.items.values_list("done", "status")), list(p.fundings.values_list("received", flat=True)),
        p.items.count(), p.fundings.count(), p.signoffs.count(),
    )  # fmt: skip


def _signoff_state(o, kw):
    from linli.projects.models import Signoff

    return list(Signoff.objects.order_by("id").values_list("decision", flat=True))


def _projects(o, kw):
    from linli.projects.models import Project

    return Project.objects.count()


def _project_act(variant, inside, outside, data, allow=STAFF, allow_out=FAR_STAFF, probe=_project_state):
    return Row(
        "projects:act", "post", variant=variant, inside=lambda o: {"pk": getattr(o, inside).pk, "action": variant},
        outside=lambda o: {"pk": getattr(o, outside).pk, "action": variant}, allow=allow, allow_out=allow_out, data=data, probe=probe,
    )  # fmt: skip


def _pick(attr):
    return lambda o, out: getattr(o, f"{attr}_{'out' if out else 'in'}")


PROJECT_ROWS = [
    Row("projects:home", allow=AUTH),
    Row("projects:list", inside=_community_kw, outside=_far_community_kw, allow=ALL, allow_out=ALL),
    Row("projects:project", inside=pk("project_in"), outside=pk("project_out"), allow=ALL, allow_out=ALL),
    Row("projects:new", inside=_community_kw, outside=_far_community_kw, allow=STAFF, allow_out=FAR_STAFF),
    Row(
        "projects:new",
        "post",
        inside=_community_kw,
        outside=_far_community_kw,
        allow=STAFF,
        allow_out=FAR_STAFF,
        data=lambda o, out: {"title": "新项目", "places": [(o.far_community if out else o.community).pk]},
        probe=_projects,
    ),
    _project_act("item", "project_in", "project_out", lambda o, out: {"name": "停车位", "quantity": "60", "unit": "个"}),
    _project_act("funding", "project_in", "project_out", lambda o, out: {"source": "government", "funder": "区财政", "pledged": "100"}),
    _project_act(
        "receive",
        "project_in",
        "project_out",
        lambda o, out: {"funding": _pick("funding")(o, out).pk, "amount": "100", "received_on": _today(), "number": "P1"},
    ),
    _project_act(
        "progress", "project_in", "project_out", lambda o, out: {"item": _pick("item")(o, out).pk, "quantity": "5", "note": "刷了5个"}
    ),
    _project_act("signoff", "project_in", "project_out", lambda o, out: {"kind": "department", "name": "区住建局"}),
    _project_act("complete", "ready_in", "ready_out", lambda o, out: {}),
    Row(
        "projects:act",
        "post",
        variant="decide",
        inside=lambda o: {"pk": o.signoff_in.project_id, "action": "decide"},
        outside=lambda o: {"pk": o.signoff_out.project_id, "action": "decide"},
        allow=STAFF | {"resident"},
        allow_out=FAR_STAFF,
        data=lambda o, out: {"signoff": _pick("signoff")(o, out).pk, "decision": "signed"},
        probe=_signoff_state,
    ),
    Row(
        "projects:photo",
        inside=lambda o: {"pk": o.ready_in.items.get().progress.get().pk, "which": "after"},
        outside=lambda o: {"pk": o.ready_out.items.get().progress.get().pk, "which": "after"},
        allow=ALL,
        allow_out=ALL,
    ),
]

PROJECT_API_ROWS = [
    Row("api-project", inside=pk("project_in"), outside=pk("project_out"), allow=AUTH, allow_out=AUTH),
    Row(
        "api-project-decide",
        "post",
        inside=pk("signoff_in"),
        outside=pk("signoff_out"),
        allow=STAFF | {"resident"},
        allow_out=FAR_STAFF,
        json=True,
        data=lambda o, out: {"decision": "signed"},
        probe=_signoff_state,
    ),
]


ROWS: list[Row] = [
    *CORE,
    *REGISTRY_ROWS,
    *APPEAL_ROWS,
    *COUNCIL_ROWS,
    *WISH_ROWS,
    *VOLUNTEER_ROWS,
    *SERVICE_ROWS,
    *SERVICE_API_ROWS,
    *NOTICE_ROWS,
    *NOTICE_API_ROWS,
    *MEDIATION_ROWS,
    *MEDIATION_API_ROWS,
    *PROJECT_ROWS,
    *PROJECT_API_ROWS,
    *GRIDWORK_ROWS,
    *DASHBOARD_ROWS,
    *STRUCTURE_ROWS,
    *API_ROWS,
    *OPEN311_ROWS,
]
GROUPS = {
    "core": CORE,
    "registry": REGISTRY_ROWS,
    "appeals": APPEAL_ROWS,
    "councils": COUNCIL_ROWS,
    "wishes": WISH_ROWS,
    "volunteers": VOLUNTEER_ROWS,
    "services": SERVICE_ROWS + SERVICE_API_ROWS,
    "notices": NOTICE_ROWS + NOTICE_API_ROWS,
    "mediation": MEDIATION_ROWS + MEDIATION_API_ROWS,
    "projects": PROJECT_ROWS + PROJECT_API_ROWS,
    "gridwork": GRIDWORK_ROWS,
    "dashboard": DASHBOARD_ROWS,
    "structure": STRUCTURE_ROWS,
    "api": API_ROWS,
    "open311": OPEN311_ROWS,
}

# Not needing a row: the Django admin beyond its index (staff-only by Django's own rule).
EXEMPT_PREFIXES = ("admin:",)
