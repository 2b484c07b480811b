"""The world the permission matrix walks: the test world (two communities of one street) plus,
inside and outside the first community's scope, an object in every state an action starts from.

Roles (one user each): anonymous, the resident 张三 (reporter), a neighbour 李四 in the same
compound, building head, grid worker and leader of grid 1, a grid worker of grid 2, community
staff and secretary, staff of the other community, the street supervisor, property and partner
staff of the community, property staff of the other community, a user holding two roles (grid
worker of grid 2 and building head of building 1), a red steward (红色小管家) of grid 1 linked to
张三's household, and the administrator.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linli.accounts.models import Role, User
from linli.appeals import services as appeals
from linli.appeals.models import Category
from linli.councils import services as councils
from linli.councils.models import Member
from linli.councils.voting import Rule
from linli.gridwork import services as gridwork
from linli.registry import services as registry
from linli.registry.models import CareTag, ImportJob, Organisation, Place, PlaceKind
from linli.registry.services import roles
from linli.wishes import services as wishes
from tests.conftest import PASSWORD, build_world, user_for_resident
from tests.councils.builders import advance

ROLES = (
    "anonymous",
    "resident",
    "neighbour",
    "buildinghead",
    "gridworker",
    "gridleader",
    "other_gridworker",
    "staff",
    "secretary",
    "far_staff",
    "street",
    "property",
    "far_property",
    "partner",
    "dual",
    "steward",
    "admin",
)


def jpeg(name="p.jpg") -> SimpleUploadedFile:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def xlsx(rows) -> SimpleUploadedFile:
    from openpyxl import Workbook

    from linli.registry import excel

    wb = Workbook()
    ws = wb.active
    ws.append(excel.header_labels())
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile("residents.xlsx", out.getvalue())


def _dwelling(building):
    return Place.objects.get(path__startswith=building.path, kind=PlaceKind.DWELLING)


def build_matrix_world():
    w = build_world()
    admin, staff, far_staff = w.admin, w.user("staff"), w.user("far_staff")
    users = dict(w.users)
    users["neighbour"] = user_for_resident(w, w.other_resident, "neighbour")
    # The neighbour is a party member: a claimer of wishes in the community.
    w.other_resident.care_tags.add(CareTag.objects.get(code="party_member"))
    partner_org = registry.organisation_create(actor=admin, place=w.community, kind="partner_unit", name="区供电公司第三党支部")
    far_org = registry.organisation_create(actor=admin, place=w.other_community, kind="property_company", name="新桥物业")
    property_org = Organisation.objects.get(name="红枫物业")

    def make(key, role, **anchor):
        u = User.objects.create_user(key, password=PASSWORD)
        roles.role_assign(actor=admin, user=u, role=role, **anchor)
        users[key] = User.objects.get(pk=u.pk)
        return users[key]

    make("partner", Role.PARTNER_STAFF, organisation=partner_org)
    make("far_property", Role.PROPERTY_STAFF, organisation=far_org)
    dual = make("dual", Role.GRID_WORKER, grid=w.other_grid)
    roles.role_assign(actor=admin, user=dual, role=Role.BUILDING_HEAD, place=w.building)
    users["dual"] = User.objects.get(pk=dual.pk)
    steward = make("steward", Role.RED_STEWARD, grid=w.grid)
    users["admin"] = admin
    w.users = users
    o = SimpleNamespace(w=w, users=users, property_org=property_org, partner_org=partner_org, far_org=far_org)
    o.b1, o.b3, o.grid, o.far_grid = w.building, w.far_building, w.grid, w.far_grid
    o.r1, o.r3, o.hh1, o.hh3 = w.resident, w.far_resident, w.household, w.far_household
    o.community, o.far_community = w.community, w.other_community
    o.street = w.street
    facilities = Category.objects.get(community=None, code="facilities")
    resident, gridworker = users["resident"], users["gridworker"]

    # ---- appeals inside (reported by 张三 at his dwelling) and outside (recorded by far staff) ----
    def appeal(actor, place, title, channel="resident", **kw):
        a, _created = appeals.appeal_submit(
            actor=actor, place=place, title=title, description=f"{title}，请处理", channel=channel, category=facilities, **kw
        )
        return a

    d1, d3 = _dwelling(w.building), _dwelling(w.far_building)
    o.a_sub = appeal(resident, d1, "楼道灯坏了甲", photos=[jpeg()])
    o.photo = o.a_sub.photos.get()
    o.a_acc = appeals.appeal_accept(actor=staff, appeal=appeal(resident, d1, "楼道灯坏了乙"))
    o.a_disp = appeals.appeal_dispatch(
        actor=staff,
        appeal=appeals.appeal_accept(actor=staff, appeal=appeal(resident, d1, "楼道灯坏了丙")),
        users=[gridworker],
        organisations=[property_org],
        lead=gridworker,
    )
    prog = appeals.appeal_accept(actor=staff, appeal=appeal(resident, d1, "楼道灯坏了丁"))
    prog = appeals.appeal_dispatch(actor=staff, appeal=prog, users=[gridworker])
    o.a_prog = appeals.appeal_sign(actor=gridworker, appeal=prog)
    res = appeals.appeal_accept(actor=staff, appeal=appeal(resident, d1, "楼道灯坏了戊"))
    res = appeals.appeal_sign(actor=gridworker, appeal=appeals.appeal_dispatch(actor=staff, appeal=res, users=[gridworker]))
    o.a_res = appeals.appeal_resolve(actor=gridworker, appeal=res, result="已更换灯泡")

    far_phone = {"channel": "phone", "reporter_name": "王五"}
    o.f_sub = appeal(far_staff, d3, "新桥路灯甲", **far_phone, photos=[jpeg()])
    o.f_photo = o.f_sub.photos.get()
    o.f_acc = appeals.appeal_accept(actor=far_staff, appeal=appeal(far_staff, d3, "新桥路灯乙", **far_phone))
    f_disp = appeals.appeal_accept(actor=far_staff, appeal=appeal(far_staff, d3, "新桥路灯丙", **far_phone))
    o.f_disp = appeals.appeal_dispatch(actor=far_staff, appeal=f_disp, organisations=[far_org])
    f_prog = appeals.appeal_accept(actor=far_staff, appeal=appeal(far_staff, d3, "新桥路灯丁", **far_phone))
    f_prog = appeals.appeal_dispatch(actor=far_staff, appeal=f_prog, organisations=[far_org])
    o.f_prog = appeals.appeal_sign(actor=users["far_property"], appeal=f_prog)
    f_res = appeals.appeal_accept(actor=far_staff, appeal=appeal(far_staff, d3, "新桥路灯戊", **far_phone))
    f_res = appeals.appeal_sign(
        actor=users["far_property"], appeal=appeals.appeal_dispatch(actor=far_staff, appeal=f_res, organisations=[far_org])
    )
    o.f_res = appeals.appeal_resolve(actor=users["far_property"], appeal=f_res, result="已修好")

    o.cat_in = appeals.category_save(actor=staff, community=w.community, name="楼道堆物", code="corridor", complete_days=3, sign_days=1)
    o.cat_out = appeals.category_save(actor=far_staff, community=w.other_community, name="新桥堆物", code="xq-corridor")

    # ---- registry: import jobs of each community --------------------------------------------------
    o.job_in = ImportJob.objects.create(community=w.community, created_by=staff, original_name="a.xlsx")
    o.job_out = ImportJob.objects.create(community=w.other_community, created_by=far_staff, original_name="b.xlsx")

    # ---- councils ------------------------------------------------------------------------------------
    compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")
    o.council = councils.council_create(
        actor=staff, community=w.community, compound=compound, name="阳光花园邻里议事会", support_threshold=5
    )
    councils.member_add(actor=staff, council=o.council, name="李书记", role=Member.Role.CONVENER, user=users["secretary"])
    councils.member_add(actor=staff, council=o.council, name="陈静", role=Member.Role.GRID_WORKER, user=gridworker)
    councils.member_add(actor=staff, council=o.council, name="张三", role=Member.Role.RESIDENT_REP, user=resident)
    councils.member_add(actor=staff, council=o.council, name="王大爷", role=Member.Role.PARTY_MEMBER)
    o.t_collect = councils.topic_propose(actor=resident, council=o.council, title="电动车停放")
    o.t_comment = councils.topic_propose(actor=resident, council=o.council, title="宠物管理")
    for _ in range(2):
        o.t_comment = advance(staff, o.t_comment)
    o.t_decide = councils.topic_propose(actor=resident, council=o.council, title="增设晾衣杆")
    while o.t_decide.step != "decide":
        o.t_decide = advance(staff, o.t_decide)
    o.meeting = councils.meeting_schedule(
        actor=staff, council=o.council, kind="matter", title="晾衣杆议事会", scheduled_at=timezone.now(), topics=[o.t_decide]
    )
    for member in o.council.members.exclude(user=None):
        councils.meeting_sign_in(actor=staff, meeting=o.meeting, member=member)
    o.meeting_later = councils.meeting_schedule(
        actor=staff, council=o.council, kind="monthly", title="下月议事会", scheduled_at=timezone.now() + timedelta(days=20)
    )
    o.vote = councils.vote_open(actor=staff, topic=o.t_decide, rule=Rule.MAJORITY, meeting=o.meeting)
    o.t_done = councils.topic_propose(actor=resident, council=o.council, title="楼道照明")
    while o.t_done.step != "decide":
        o.t_done = advance(staff, o.t_done)
    done_vote = councils.vote_close(
        actor=staff, vote=councils.vote_open(actor=staff, topic=o.t_done, rule=Rule.MAJORITY, meeting=o.meeting)
    )
    councils.resolution_publish(
        actor=staff,
        topic=o.t_done,
        vote=done_vote,
        decision="增加声控灯",
        responsible="物业",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    # t_decide has a closed vote too, so a resolution may be published on it.
    o.closed_vote = councils.vote_close(
        actor=staff, vote=councils.vote_open(actor=staff, topic=o.t_decide, rule=Rule.MAJORITY, meeting=o.meeting)
    )
    o.t_done.refresh_from_db()

    o.far_council = councils.council_create(actor=far_staff, community=w.other_community, name="新桥议事会", support_threshold=5)
    councils.member_add(actor=far_staff, council=o.far_council, name="新桥召集人", role=Member.Role.CONVENER, user=far_staff)
    o.far_topic = councils.topic_propose(actor=far_staff, council=o.far_council, title="新桥停车", source="staff")
    o.far_comment = councils.topic_propose(actor=far_staff, council=o.far_council, title="新桥绿化", source="staff")
    for _ in range(2):
        o.far_comment = advance(far_staff, o.far_comment)
    o.far_decide = councils.topic_propose(actor=far_staff, council=o.far_council, title="新桥晾衣", source="staff")
    while o.far_decide.step != "decide":
        o.far_decide = advance(far_staff, o.far_decide)
    o.far_meeting = councils.meeting_schedule(
        actor=far_staff, council=o.far_council, kind="matter", title="新桥议事", scheduled_at=timezone.now(), topics=[o.far_decide]
    )
    councils.meeting_sign_in(actor=far_staff, meeting=o.far_meeting, member=o.far_council.members.get())
    o.far_meeting_later = councils.meeting_schedule(
        actor=far_staff, council=o.far_council, kind="monthly", title="新桥下月议事", scheduled_at=timezone.now() + timedelta(days=20)
    )
    o.far_vote = councils.vote_open(actor=far_staff, topic=o.far_decide, rule=Rule.MAJORITY, meeting=o.far_meeting)
    o.far_done = councils.topic_propose(actor=far_staff, council=o.far_council, title="新桥照明", source="staff")
    while o.far_done.step != "decide":
        o.far_done = advance(far_staff, o.far_done)
    far_done_vote = councils.vote_close(
        actor=far_staff, vote=councils.vote_open(actor=far_staff, topic=o.far_done, rule=Rule.MAJORITY, meeting=o.far_meeting)
    )
    councils.resolution_publish(
        actor=far_staff,
        topic=o.far_done,
        vote=far_done_vote,
        decision="加灯",
        responsible="物业",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    o.far_closed_vote = councils.vote_close(
        actor=far_staff, vote=councils.vote_open(actor=far_staff, topic=o.far_decide, rule=Rule.MAJORITY, meeting=o.far_meeting)
    )

    # ---- wishes -----------------------------------------------------------------------------------------
    def wish(actor, resident_obj, title):
        return wishes.wish_post(actor=actor, resident=resident_obj, kind="goods", title=title)

    o.w_pending = wish(gridworker, w.resident, "一副老花镜")
    o.w_open = wishes.wish_approve(actor=staff, wish=wish(gridworker, w.resident, "一台排气扇"))
    o.w_claimed = wishes.wish_claim(
        actor=users["partner"], wish=wishes.wish_approve(actor=staff, wish=wish(gridworker, w.resident, "冬天的棉被"))
    )
    fulfilled = wishes.wish_claim(
        actor=users["partner"], wish=wishes.wish_approve(actor=staff, wish=wish(gridworker, w.resident, "一把拐杖"))
    )
    o.w_fulfilled = wishes.wish_fulfil(actor=users["partner"], wish=fulfilled, photo=jpeg())
    o.far_pending = wish(far_staff, w.far_resident, "新桥心愿甲")
    o.far_open = wishes.wish_approve(actor=far_staff, wish=wish(far_staff, w.far_resident, "新桥心愿乙"))
    o.far_claimed = wishes.wish_claim(
        actor=users["far_property"], wish=wishes.wish_approve(actor=far_staff, wish=wish(far_staff, w.far_resident, "新桥心愿丙"))
    )
    far_fulfilled = wishes.wish_claim(
        actor=users["far_property"], wish=wishes.wish_approve(actor=far_staff, wish=wish(far_staff, w.far_resident, "新桥心愿丁"))
    )
    o.far_fulfilled = wishes.wish_fulfil(actor=users["far_property"], wish=far_fulfilled, photo=jpeg())

    # ---- grid work ---------------------------------------------------------------------------------------
    far_gridworker = users["far_gridworker"]
    o.compound = compound
    o.far_compound = Place.objects.get(kind=PlaceKind.COMPOUND, name="新桥一村")
    gridwork.steward_link(actor=staff, steward=steward, household=w.household)
    o.patrol = gridwork.patrol_start(actor=gridworker, compound=o.compound)
    o.far_patrol = gridwork.patrol_start(actor=far_gridworker, compound=o.far_compound)
    o.visit = gridwork.visit_record(actor=gridworker, household=w.household, content="老人身体还好")
    o.far_visit = gridwork.visit_record(actor=far_gridworker, household=w.far_household, content="新桥走访")
    o.sentiment = gridwork.sentiment_record(actor=gridworker, household=w.household, note="担心冬天暖气")
    o.far_sentiment = gridwork.sentiment_record(actor=far_gridworker, household=w.far_household, note="新桥民情记录")
    today = timezone.localdate()
    question = [{"text": "您对物业服务满意吗？", "options": ["满意", "不满意"]}]
    o.round = gridwork.round_create(
        actor=staff,
        community=w.community,
        kind="survey",
        title="和美满意度调查",
        grids=[w.grid],
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=10),
        questions=question,
    )
    o.far_round = gridwork.round_create(
        actor=far_staff,
        community=w.other_community,
        kind="survey",
        title="新桥满意度调查",
        grids=[w.far_grid],
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=10),
        questions=question,
    )
    o.force = gridwork.force_add(actor=staff, grid=w.grid, kind="police", name="刘警官")

    # ---- volunteers ----------------------------------------------------------------------------------------
    build_volunteers(o, w, users, admin, staff, far_staff)
    build_services(o, w, users, admin, staff, far_staff)
    build_notices(o, w, users, staff, far_staff)
    build_mediation(o, w, users, admin)
    build_projects(o, w, users, staff, far_staff)

    # ---- structure: a party node inside and outside ------------------------------------------------------
    o.party_in = registry.party_organisation_create(
        actor=staff, parent=None, kind="committee", name="和美社区大党委", community=w.community
    )
    o.party_out = registry.party_organisation_create(
        actor=far_staff, parent=None, kind="committee", name="新桥社区党委", community=w.other_community
    )
    return o


def build_volunteers(o, w, users, admin, staff, far_staff):
    """张三 (resident) leads the community's team and is signed up for tomorrow's activity and
    for one running now; 李四 (neighbour) is an active volunteer not signed up; a third resident
    waits for review. The partner user also serves a caring shop. The other community mirrors it
    with its own volunteer (no role of the matrix)."""
    from decimal import Decimal

    from linli.registry.models import Resident
    from linli.volunteers import services as vol
    from linli.volunteers.models import Activity, EntryKind

    def volunteer(user, team=None, approve_as=staff):
        v = vol.volunteer_register(actor=user, skills=["repair"], availability=["weekend"], team=team)
        return vol.volunteer_review(actor=approve_as, volunteer=v, action="approve") if approve_as else v

    o.team_in = vol.team_create(actor=staff, community=w.community, name="乐修匠维修队")
    o.team_out = vol.team_create(actor=far_staff, community=w.other_community, name="新桥志愿队")
    o.v_in = volunteer(users["resident"], o.team_in)
    vol.membership_set(actor=staff, volunteer=o.v_in, team=o.team_in, leader=True)
    o.v_neighbour = volunteer(users["neighbour"])
    pending_resident = registry.resident_create(actor=admin, household=w.other_household, name="赵六", gender="M")
    o.v_pending = volunteer(user_for_resident(w, pending_resident, "zhaoliu"), approve_as=None)
    far_user = user_for_resident(w, w.far_resident, "wangwu")
    o.v_out = volunteer(far_user, o.team_out, approve_as=far_staff)
    far_pending = registry.resident_create(actor=admin, household=w.far_household, name="钱七", gender="F")
    o.v_far_pending = volunteer(user_for_resident(w, far_pending, "qianqi"), approve_as=None)
    now = timezone.now()

    def activity(actor, community, team, title, starts):
        return vol.activity_publish(
            actor=actor, community=community, team=team, kind="repair", title=title, location="广场",
            starts_at=starts, ends_at=starts + timedelta(hours=3), capacity=10,
        )  # fmt: skip

    o.act_in = activity(staff, w.community, o.team_in, "义务维修", now + timedelta(days=1))
    o.act_out = activity(far_staff, w.other_community, o.team_out, "新桥义修", now + timedelta(days=1))
    vol.activity_sign_up(actor=users["resident"], activity=o.act_in)
    vol.activity_sign_up(actor=far_user, activity=o.act_out)
    o.act_now = activity(staff, w.community, o.team_in, "正在进行的维修", now + timedelta(minutes=5))
    o.act_now_out = activity(far_staff, w.other_community, o.team_out, "新桥进行中", now + timedelta(minutes=5))
    o.s_now = vol.activity_sign_up(actor=users["resident"], activity=o.act_now)
    o.s_now_out = vol.activity_sign_up(actor=far_user, activity=o.act_now_out)
    Activity.objects.filter(pk__in=[o.act_now.pk, o.act_now_out.pk]).update(starts_at=now - timedelta(minutes=30))
    o.act_now.refresh_from_db()
    o.act_now_out.refresh_from_db()

    o.merchant_in = registry.organisation_create(actor=admin, place=w.community, kind="merchant", name="悦容美发")
    o.merchant_out = registry.organisation_create(actor=admin, place=w.other_community, kind="merchant", name="新桥理发")
    roles.role_assign(actor=admin, user=users["partner"], role=Role.PARTNER_STAFF, organisation=o.merchant_in)
    users["partner"] = User.objects.get(pk=users["partner"].pk)
    o.offer_in = vol.offer_save(actor=staff, merchant=o.merchant_in, kind="free_service", title="爱心义剪", points_cost=10)
    o.offer_out = vol.offer_save(actor=far_staff, merchant=o.merchant_out, kind="free_service", title="新桥义剪", points_cost=10)
    for v in (o.v_in, o.v_neighbour, o.v_out):
        vol._entry(volunteer_id=v.pk, kind=EntryKind.EARN, hours=Decimal("2"), points=50, reason="测试")
    o.code_in = vol.code_issue(actor=users["resident"], offer=o.offer_in)
    o.code_out = vol.code_issue(actor=far_user, offer=o.offer_out)
    o.far_resident_user = far_user
    o.v_in_resident = Resident.objects.get(pk=w.resident.pk)
    # 值勤: a gate in each community, the resident (a volunteer) on a shift under way, and the
    # other community's volunteer on theirs.
    from linli.registry.models import Place, PlaceKind

    o.gate_in = vol.duty_post_create(actor=staff, compound=Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园"), name="东门岗")
    o.gate_out = vol.duty_post_create(actor=far_staff, compound=Place.objects.get(kind=PlaceKind.COMPOUND, name="新桥一村"), name="南门岗")
    o.shift_in = vol.duty_shift_assign(
        actor=staff, post=o.gate_in, person=users["resident"], starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=2)
    )
    o.shift_out = vol.duty_shift_assign(
        actor=far_staff, post=o.gate_out, person=far_user, starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=2)
    )


def build_services(o, w, users, admin, staff, far_staff):
    """In each community: a repair service whose provider is an organisation (the partner unit
    answers inside, the far property company outside); orders for 张三 (and the far resident)
    waiting to be matched, offered, accepted and delivered (with a photo); an agency case carried
    by the grid worker; a canteen with a meal tomorrow and one today with 张三's order; a room
    needing approval with 张三's pending booking."""
    from datetime import datetime, time
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from linli.resident_services import services as svc
    from linli.resident_services.models import Canteen

    far_user = o.far_resident_user
    o.provider_in = svc.provider_save(actor=staff, community=w.community, kind="social_org", name="供电服务队", organisation=o.partner_org)
    o.provider_out = svc.provider_save(
        actor=far_staff, community=w.other_community, kind="social_org", name="新桥维修", organisation=o.far_org
    )
    o.service_in = svc.service_save(actor=staff, community=w.community, name="家电维修", category="repair", providers=[o.provider_in])
    o.service_out = svc.service_save(
        actor=far_staff, community=w.other_community, name="新桥维修", category="repair", providers=[o.provider_out]
    )

    def orders(actor, service, resident, provider, partner_user, suffix):
        def new(text):
            return svc.order_create(actor=actor, service=service, resident=resident, description=text + suffix)[0]

        made = {"new": new("待配单")}
        made["offered"] = svc.order_match(actor=staff if suffix == "" else far_staff, order=new("待接单"), providers=[provider])
        accepted = svc.order_match(actor=staff if suffix == "" else far_staff, order=new("已接单"), providers=[provider])
        made["accepted"] = svc.order_accept(actor=partner_user, order=accepted, provider=provider)
        delivered = svc.order_match(actor=staff if suffix == "" else far_staff, order=new("已送单"), providers=[provider])
        delivered = svc.order_accept(actor=partner_user, order=delivered, provider=provider)
        made["delivered"] = svc.order_deliver(actor=partner_user, order=delivered, note="已修好", photos=[jpeg()])
        return made

    o.ord_in = orders(users["resident"], o.service_in, w.resident, o.provider_in, users["partner"], "")
    o.ord_out = orders(far_user, o.service_out, w.far_resident, o.provider_out, users["far_property"], "（新桥）")
    o.photo_in = o.ord_in["delivered"].photos.get()
    o.photo_out = o.ord_out["delivered"].photos.get()

    o.case_in = svc.case_open(actor=users["gridworker"], resident=w.resident, matter="高龄补贴")
    o.case_out = svc.case_open(actor=far_staff, resident=w.far_resident, matter="残疾证")
    for case in (o.case_in, o.case_out):
        case.first_step = case.steps.first()
        case.first_document = case.documents.first()

    tz = ZoneInfo("Asia/Shanghai")
    today = timezone.localdate()
    for key, community, actor, diner, resident in (
        ("in", w.community, staff, users["resident"], w.resident),
        ("out", w.other_community, far_staff, far_user, w.far_resident),
    ):
        canteen = Canteen.objects.create(community=community, name="长者食堂", lunch_cutoff=time(23, 59), dinner_cutoff=time(23, 59))
        tomorrow = svc.meal_publish(
            actor=actor, canteen=canteen, date=today + timedelta(days=1), kind="lunch", dishes="饺子", price=Decimal("12"), capacity=50
        )
        now_meal = svc.meal_publish(
            actor=actor, canteen=canteen, date=today, kind="dinner", dishes="面条", price=Decimal("10"), capacity=50
        )
        setattr(o, f"meal_{key}", tomorrow)
        setattr(o, f"meal_today_{key}", now_meal)
        setattr(o, f"meal_order_{key}", svc.meal_order(actor=diner, meal=tomorrow, resident=resident)[0])
        svc.meal_order(actor=diner, meal=now_meal, resident=resident)
        room = svc.room_save(
            actor=actor, community=community, name="红色驿站", kind="red_post", needs_approval=True, opens_at=time(8), closes_at=time(21)
        )
        setattr(o, f"room_{key}", room)
        day = today + timedelta(days=2)
        booking = svc.room_book(
            actor=diner,
            room=room,
            starts_at=datetime.combine(day, time(9), tzinfo=tz),
            ends_at=datetime.combine(day, time(10), tzinfo=tz),
            purpose="读书会",
        )
        setattr(o, f"booking_{key}", booking)


def build_notices(o, w, users, staff, far_staff):
    """A notice to each community (delivered), 张三's and 王五's receipts, a reply to each."""
    from linli.notices import services as nt

    o.notice_in, _ = nt.notice_publish(actor=staff, community=w.community, place=w.community, title="和美停水通知", body="周六停水")
    o.notice_out, _ = nt.notice_publish(
        actor=far_staff, community=w.other_community, place=w.other_community, title="新桥停电通知", body="周日停电"
    )
    for n in (o.notice_in, o.notice_out):
        nt.notice_deliver(notice_id=n.pk)
    o.receipt_in = o.notice_in.receipts.get(resident=w.resident)
    o.receipt_out = o.notice_out.receipts.get(resident=w.far_resident)
    o.reply_in, _ = nt.reply_post(actor=users["resident"], notice=o.notice_in, text="几点来水")
    o.reply_out, _ = nt.reply_post(actor=User.objects.get(username="wangwu"), notice=o.notice_out, text="几点来电")


def build_mediation(o, w, users, admin):
    """Confidential cases: in the first community the secretary oversees and grid 1's worker, on
    the roster, mediates; community staff are not on the roster (they see nothing). In the other
    community its staff are on the roster (they oversee it)."""
    from datetime import date

    from linli.mediation import services as md
    from linli.mediation.models import Mediator

    secretary, worker, far_staff = users["secretary"], users["gridworker"], users["far_staff"]
    md.mediator_add(actor=secretary, community=w.community, user=worker, kind="grid_worker")
    # No secretary in the other community: its roster is written as the secretary would.
    far = Mediator.objects.create(community=w.other_community, user=far_staff, name="新桥调解员", kind="mediator")
    parties = [{"side": "applicant", "name": "张三"}, {"side": "respondent", "name": "李四"}]
    for key, community, opener in (("in", w.community, worker), ("out", w.other_community, far_staff)):
        case = md.case_open(actor=opener, community=community, kind="noise", summary=f"{key}楼上噪音扰民", parties=parties)
        md.case_session(actor=opener, case=case, held_on=date.today(), location="调解室", notes="双方各让一步")
        setattr(o, f"mcase_{key}", case)
        agreed = md.case_open(actor=opener, community=community, kind="boundary", summary=f"{key}通道之争", parties=parties)
        md.case_session(actor=opener, case=agreed, held_on=date.today(), location="现场", notes="六尺巷调解")
        agreed = md.case_agree(actor=opener, case=agreed, text="各让三尺", signed_on=date.today(), scan=jpeg("agreement.jpg"))
        setattr(o, f"mcase_agreed_{key}", agreed)
    o.far_mediator = far


def build_projects(o, w, users, staff, far_staff):
    """Per community: a project under way (an item, a pledge), one with every item done (ready to
    hand over), and one waiting for acceptance with 张三 (or 王五) as the residents' signer."""
    from linli.projects import services as pj

    for key, community, actor, signer in (
        ("in", w.community, staff, users["resident"]),
        ("out", w.other_community, far_staff, User.objects.get(username="wangwu")),
    ):
        p = pj.project_create(actor=actor, community=community, title=f"{key}楼道改造", places=[community])
        item = pj.item_add(actor=actor, project=p, name="楼道刷新", quantity=10, unit="个楼道", budget="1000")
        funding = pj.funding_add(actor=actor, project=p, source="crowdfunding", funder="共建单位", pledged="500")
        ready = pj.project_create(actor=actor, community=community, title=f"{key}雕塑", places=[community])
        pj.progress_record(
            actor=actor,
            item=pj.item_add(actor=actor, project=ready, name="雕塑", quantity=1, unit="个"),
            quantity=1,
            note="装好",
            after=jpeg(),
        )
        pj.signoff_add(actor=actor, project=ready, kind="department", name="街道城建办")
        waiting = pj.project_create(actor=actor, community=community, title=f"{key}车棚", places=[community])
        pj.progress_record(
            actor=actor, item=pj.item_add(actor=actor, project=waiting, name="车棚", quantity=1, unit="个"), quantity=1, note="建好"
        )
        signoff = pj.signoff_add(actor=actor, project=waiting, kind="residents", name="居民代表", user=signer)
        pj.project_complete(actor=actor, project=waiting)
        for name, value in (("project", p), ("item", item), ("funding", funding), ("ready", ready), ("signoff", signoff)):
            setattr(o, f"{name}_{key}", value)
