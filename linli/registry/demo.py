"""The demo registry, shaped on PRODUCT.md's facts: one street; a community of ~9,300
residents in 8 compounds with 101 stairwells and 11 grids (one compound "three-without");
property companies, an owners' committee, partner units, 36 merchants, 8 volunteer teams, the
party organisation, and a demo user for every role. Same seed, same data.

``linli.ops`` (``manage.py seed_demo``) calls this first, then every other app's demo."""

import random
from datetime import timedelta

from django.utils import timezone

from linli.accounts.models import Role, User
from linli.registry import services
from linli.registry.generate import CompoundSpec, Generator
from linli.registry.models import (
    BranchMeetingKind,
    FacilityKind,
    FacilityStatus,
    GridKind,
    Household,
    ManagementStatus,
    Organisation,
    PartyOrganisation,
    PartyOrgKind,
    Place,
    PlaceKind,
    Relationship,
    Resident,
)
from linli.registry.services import roles

DEMO_PASSWORD = "linli-demo-2026"

HEMEI_COMPOUNDS = [
    CompoundSpec("阳光花园", ManagementStatus.PROPERTY, 6, 2, 18, 2),
    CompoundSpec("翠柏苑", ManagementStatus.PROPERTY, 8, 2, 6, 2),
    CompoundSpec("锦绣家园", ManagementStatus.PROPERTY, 5, 3, 26, 4),
    CompoundSpec("梧桐里", ManagementStatus.PROPERTY, 6, 2, 11, 2),
    CompoundSpec("东园新村", ManagementStatus.THREE_WITHOUT, 10, 1, 6, 2),
    CompoundSpec("书香名邸", ManagementStatus.PROPERTY, 4, 2, 18, 4),
    CompoundSpec("康乐小区", ManagementStatus.SELF, 9, 2, 6, 2),
    CompoundSpec("南湖湾", ManagementStatus.PROPERTY, 5, 2, 26, 2),
]
XINQIAO_COMPOUNDS = [
    CompoundSpec("新桥一村", ManagementStatus.PROPERTY, 4, 2, 6, 2),
    CompoundSpec("新桥二村", ManagementStatus.SELF, 3, 2, 6, 2),
]
# (username, display name, role) — README lists the same.
DEMO_USERS = [
    ("admin", "系统管理员", Role.ADMIN),
    ("street", "街道督导 钱主任", Role.STREET_SUPERVISOR),
    ("secretary", "社区书记 李书记", Role.PARTY_SECRETARY),
    ("staff", "社区工作者 王芳", Role.COMMUNITY_STAFF),
    ("gridleader", "网格长 赵刚", Role.GRID_LEADER),
    ("gridworker", "网格员 陈静", Role.GRID_WORKER),
    ("gridworker2", "网格员 刘洋", Role.GRID_WORKER),
    ("buildinghead", "楼栋长 周阿姨", Role.BUILDING_HEAD),
    ("property", "物业 孙经理", Role.PROPERTY_STAFF),
    ("partner", "共建单位 吴老师", Role.PARTNER_STAFF),
    ("resident", "居民 张大爷", Role.RESIDENT),
    ("merchant", "爱心商户 悦容美发", Role.PARTNER_STAFF),
    ("craftsman", "乐修匠 李师傅", Role.RESIDENT),
    ("xinqiao", "新桥社区工作者", Role.COMMUNITY_STAFF),
]


DEMO_COMMUNITY_CODE = "341103004001"


def demo_exists() -> bool:
    return Place.objects.filter(kind=PlaceKind.COMMUNITY, code=DEMO_COMMUNITY_CODE).exists()


def seed_registry(*, seed: int):
    """The street, both communities, organisations, facilities, the party tree and the demo users.
    Returns (和美社区, Generator counts). Runs inside the caller's transaction."""
    return _RegistryDemo(seed).run()


class _RegistryDemo:
    def __init__(self, seed: int):
        self.gen = Generator(seed=seed)
        self.rng = random.Random(seed)

    def run(self):
        gen, rng = self.gen, self.rng
        admin = User.objects.create_superuser("admin", password=DEMO_PASSWORD, display_name="系统管理员")
        district = gen.root(kind=PlaceKind.DISTRICT, name="滁溪区", code="341103")
        street = gen.child(district, kind=PlaceKind.STREET, name="清风街道", code="341103004", save=True)
        grid_names = [f"和美第{i}网格" for i in range(1, 12)]
        hemei, grids = gen.community(
            street,
            name="和美社区",
            code=DEMO_COMMUNITY_CODE,
            compounds=HEMEI_COMPOUNDS,
            grid_count=11,
            target_residents=9300,
            grid_names=grid_names,
        )
        xinqiao, _xgrids = gen.community(
            street, name="新桥社区", code="341103004002", compounds=XINQIAO_COMPOUNDS, grid_count=2, target_residents=600
        )
        self._organisations(admin, district, hemei, rng)
        self._facilities(admin, hemei, rng)
        self._micro_grids(admin, hemei, grids[0])
        self._party(admin, hemei, grids, rng)
        self._party_life(admin, hemei, rng)
        self._users(admin, street, hemei, grids, xinqiao)
        # The households were registered over the past years, not today (visit due dates count from it).
        registered = timezone.now() - timedelta(days=400)
        Household.objects.filter(created_at__gte=registered).update(created_at=registered)
        return hemei, gen.counts

    def _organisations(self, admin, district, hemei, rng):
        compounds = {c.name: c for c in Place.objects.filter(community=hemei, kind=PlaceKind.COMPOUND)}
        props = [
            ("红枫物业服务有限公司", ["阳光花园", "翠柏苑", "书香名邸"]),
            ("安居物业管理有限公司", ["锦绣家园", "梧桐里"]),
            ("南湖物业服务中心", ["南湖湾"]),
        ]
        for name, served in props:
            services.organisation_create(
                actor=admin,
                place=hemei,
                kind=Organisation.Kind.PROPERTY_COMPANY,
                name=name,
                served_compounds=[compounds[s] for s in served],
                contact_name="客服中心",
                contact_phone="0550-3100000",
            )
        services.organisation_create(
            actor=admin,
            place=hemei,
            kind=Organisation.Kind.OWNERS_COMMITTEE,
            name="阳光花园业主委员会",
            served_compounds=[compounds["阳光花园"]],
        )
        for name in ("区供电公司第三党支部", "市第一中学", "区人民医院", "清风派出所", "市税务局机关党委"):
            services.organisation_create(actor=admin, place=hemei, kind=Organisation.Kind.PARTNER_UNIT, name=name)
        shops = [
            "惠民超市",
            "老王理发店",
            "康宁药房",
            "福满楼餐馆",
            "明亮眼镜店",
            "快修家电",
            "新华书店社区店",
            "鲜果铺",
            "阿香早餐",
            "邻家便利店",
            "温馨洗衣",
            "顺达五金",
            "百姓大药房",
            "巧手裁缝",
            "好运来面馆",
            "乐活健身",
            "童心文具",
            "安心锁业",
            "绿野花店",
            "一品茶庄",
            "平安通讯",
            "悦容美发",
            "家乐粮油",
            "晨光烘焙",
            "便民修鞋",
            "金手指按摩",
            "老街馄饨",
            "佳美摄影",
            "益康诊所",
            "天天水果",
            "放心肉铺",
            "小太阳托管",
            "光明电器",
            "诚信打印",
            "幸福家政",
            "暖心药店",
        ]
        for name in shops:
            services.organisation_create(actor=admin, place=hemei, kind=Organisation.Kind.MERCHANT, name=name)
        services.organisation_create(actor=admin, place=district, kind=Organisation.Kind.DEPARTMENT, name="市路灯管理所")
        services.organisation_create(actor=admin, place=district, kind=Organisation.Kind.DEPARTMENT, name="区住建局物业科")
        for name in ("和美社工服务中心", "夕阳红老年协会"):
            services.organisation_create(actor=admin, place=hemei, kind=Organisation.Kind.SOCIAL_ORG, name=name)
        for name in ("乐修匠维修队", "红马甲巡逻队", "银龄互助队", "巾帼志愿队", "青春志愿队", "法律援助队", "健康义诊队", "反诈宣传队"):
            services.organisation_create(actor=admin, place=hemei, kind=Organisation.Kind.VOLUNTEER_TEAM, name=name)

    def _facilities(self, admin, hemei, rng):
        lighting = Organisation.objects.get(name="市路灯管理所")
        for compound in Place.objects.filter(community=hemei, kind=PlaceKind.COMPOUND).order_by("path"):
            for i in range(1, 9):
                services.facility_create(
                    actor=admin,
                    place=compound,
                    kind=FacilityKind.STREET_LAMP,
                    name=f"{compound.name}路灯{i:02d}",
                    status=FacilityStatus.FAULTY if rng.random() < 0.08 else FacilityStatus.NORMAL,
                    responsible=lighting,
                )
            for kind, n in (
                (FacilityKind.CAMERA, 4),
                (FacilityKind.FITNESS, 2),
                (FacilityKind.WELL_COVER, 3),
                (FacilityKind.EV_CHARGER, 2),
            ):
                for i in range(1, n + 1):
                    services.facility_create(actor=admin, place=compound, kind=kind, name=f"{compound.name}-{i:02d}")
        for unit in Place.objects.filter(community=hemei, kind=PlaceKind.UNIT, numchild__gte=30).order_by("path")[:40]:
            services.facility_create(actor=admin, place=unit, kind=FacilityKind.ELEVATOR, name=f"{unit.address}电梯")

    def _micro_grids(self, admin, hemei, grid):
        buildings = list(Place.objects.filter(grid=grid, kind=PlaceKind.BUILDING).order_by("path")[:2])
        for i, b in enumerate(buildings, start=1):
            micro = services.grid_create(
                actor=admin,
                community=hemei,
                name=f"{grid.name}-{b.address}微网格",
                code=f"{hemei.code}1{i:02d}",
                kind=GridKind.MICRO,
                parent=grid,
            )
            services.grid_assign_buildings(actor=admin, grid=micro, buildings=[b])

    def _party(self, admin, hemei, grids, rng):
        committee = services.party_organisation_create(
            actor=admin, parent=None, kind=PartyOrgKind.COMMITTEE, name="和美社区大党委", community=hemei
        )
        for grid in grids:
            branch = services.party_organisation_create(
                actor=admin, parent=committee, kind=PartyOrgKind.GRID_BRANCH, name=f"{grid.name}党支部", community=hemei, grid=grid
            )
            for b in Place.objects.filter(grid=grid, kind=PlaceKind.BUILDING).order_by("path")[:2]:
                group = services.party_organisation_create(
                    actor=admin,
                    parent=branch,
                    kind=PartyOrgKind.BUILDING_GROUP,
                    name=f"{b.address}党小组",
                    community=hemei,
                    grid=grid,
                    building=b,
                )
                hh = Household.objects.filter(dwelling__path__startswith=b.path, members__care_tags__code="party_member").first()
                if hh:
                    services.party_organisation_create(
                        actor=admin,
                        parent=group,
                        kind=PartyOrgKind.MEMBER_HOUSEHOLD,
                        name=f"党员中心户 {hh.dwelling.address}",
                        community=hemei,
                        grid=grid,
                        household=hh,
                    )

    def _party_life(self, admin, hemei, rng):
        """双向进入、交叉任职 with the property company and the owners' committee, and each branch's
        三会一课 of the past three months, attended by the party members of its grid."""
        committee = PartyOrganisation.objects.get(community=hemei, kind=PartyOrgKind.COMMITTEE)
        today = timezone.localdate()
        for name, party_post, org_name, org_post in (
            ("周建国", "兼职委员", "红枫物业服务有限公司", "阳光花园项目经理"),
            ("李书记", "书记", "阳光花园业主委员会", "党建指导员"),
            ("陈立新", "兼职委员", "阳光花园业主委员会", "业委会主任"),
        ):
            services.cross_appointment_add(
                actor=admin, party_organisation=committee, party_post=party_post, name=name,
                organisation=Organisation.objects.get(place=hemei, name=org_name), organisation_post=org_post,
                started_on=today - timedelta(days=rng.randint(200, 700)),
            )  # fmt: skip
        lessons = ["学习新修订的《中国共产党纪律处分条例》", "社区治理中的党员先锋作用", "学习习近平总书记关于基层治理的重要论述"]
        for branch in PartyOrganisation.objects.filter(community=hemei, kind=PartyOrgKind.GRID_BRANCH).order_by("path")[:4]:
            members = list(
                Resident.objects.filter(household__dwelling__grid=branch.grid, care_tags__code="party_member")
                .distinct()
                .order_by("id")[:30]
            )
            for months_back in (3, 2, 1):
                held = timezone.now() - timedelta(days=30 * months_back - rng.randint(0, 5))
                for kind, topics in (
                    (BranchMeetingKind.COMMITTEE, "研究本月网格重点工作和困难党员慰问名单"),
                    (BranchMeetingKind.MEMBERS, "通报支部工作，开展主题党日活动"),
                ):
                    services.branch_meeting_record(
                        actor=admin, party_organisation=branch, kind=kind, held_at=held, topics=topics, location="社区党群服务中心",
                        attendees=rng.sample(members, k=int(len(members) * rng.uniform(0.7, 0.95))) if members else [],
                        expected=len(members),
                    )  # fmt: skip
            if members:
                services.branch_meeting_record(
                    actor=admin, party_organisation=branch, kind=BranchMeetingKind.LESSON, held_at=timezone.now() - timedelta(days=12),
                    topics=rng.choice(lessons), lecturer="李书记", location="社区党群服务中心",
                    attendees=members[: len(members) * 4 // 5], expected=len(members),
                )  # fmt: skip

    def _users(self, admin, street, hemei, grids, xinqiao):
        grid1, grid2 = grids[0], grids[1]
        building = Place.objects.filter(grid=grid1, kind=PlaceKind.BUILDING).order_by("path").last()
        head_household = (
            Household.objects.filter(dwelling__grid=grid1, members__relationship=Relationship.HEAD, members__birth_date__year__lte=1956)
            .order_by("id")
            .first()
        )
        anchors = {
            Role.STREET_SUPERVISOR: {"place": street},
            Role.PARTY_SECRETARY: {"place": hemei},
            Role.COMMUNITY_STAFF: {"place": hemei},
            Role.GRID_LEADER: {"grid": grid1},
            Role.BUILDING_HEAD: {"place": building},
            Role.PROPERTY_STAFF: {"organisation": Organisation.objects.get(name="红枫物业服务有限公司")},
            Role.PARTNER_STAFF: {"organisation": Organisation.objects.get(name="区供电公司第三党支部")},
            Role.RESIDENT: {"household": head_household},
        }
        for username, display, role in DEMO_USERS:
            if username == "admin":
                roles.role_assign(actor=admin, user=admin, role=Role.ADMIN)
                continue
            user = User.objects.create_user(username, password=DEMO_PASSWORD, display_name=display)
            if username == "gridworker":
                anchor = {"grid": grid1}
            elif username == "gridworker2":
                anchor = {"grid": grid2}
            elif username == "xinqiao":
                anchor = {"place": xinqiao}
            elif username == "merchant":  # a caring shop's phone: confirms codes (volunteers)
                anchor = {"organisation": Organisation.objects.get(name="悦容美发", place=hemei)}
            elif username == "craftsman":  # a 乐修匠 craftsman: a skilled resident of grid 2 (services)
                anchor = {
                    "household": Household.objects.filter(dwelling__grid=grid2, members__relationship=Relationship.HEAD).order_by("id")[3]
                }
            else:
                anchor = anchors[role]
            roles.role_assign(actor=admin, user=user, role=role, **anchor)
            if role == Role.RESIDENT:
                user.resident = anchor["household"].members.get(relationship=Relationship.HEAD)
                user.save(update_fields=["resident"])
