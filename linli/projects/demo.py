"""Demo projects for 和美社区: Guichi's two round-table renovation lists with their exact
quantities (红光新村 and 红光小区, here on the demo's first two compounds), the money from the
district, the maintenance fund and a partner unit's crowdfunding, progress, and acceptance —
the first list finished and waiting for the departments (等待相关部门审核验收), the second under
way. Everything goes through the services."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linli.accounts.models import User
from linli.projects import services
from linli.projects.models import Project
from linli.registry.models import Organisation, Place, PlaceKind

# 贵池区 round table (圆桌会议) lists, as decided.
HONGGUANG_XINCUN = [
    ("大门刷新", 1, "项", "30000"),
    ("脏乱楼道刷新", 60, "个楼道", "180000"),
    ("电动车停车位", 60, "个", "36000"),
    ("议事点", 1, "个", "20000"),
    ("楼道文化楼", 3, "栋", "45000"),
    ("雕塑小品", 5, "个", "25000"),
]
HONGGUANG_XIAOQU = [
    ("脏乱楼道刷新", 58, "个楼道", "174000"),
    ("路面铺装", 1000, "㎡", "150000"),
    ("电动车停车位", 100, "个", "60000"),
    ("议事点", 1, "个", "20000"),
    ("文化广场", 1, "个", "80000"),
    ("楼道文化楼", 3, "栋", "45000"),
    ("雕塑小品", 6, "个", "30000"),
]


def _photo(color) -> SimpleUploadedFile:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (64, 48), color).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def seed_projects(*, community: Place, seed: int) -> dict[str, int]:
    staff, resident = User.objects.get(username="staff"), User.objects.get(username="resident")
    compounds = list(Place.objects.filter(path__startswith=community.path, kind=PlaceKind.COMPOUND).order_by("path")[:2])
    partner = Organisation.objects.filter(place__path__startswith=community.path, kind="partner_unit").order_by("id").first()
    year = timezone.localdate().year
    out = []
    for compound, lines, name, finish in (
        (compounds[0], HONGGUANG_XINCUN, "红光新村", True),
        (compounds[1], HONGGUANG_XIAOQU, "红光小区", False),
    ):
        p = services.project_create(
            actor=staff, community=community, title=f"{compound.name}改造（{name}清单）", places=[compound],
            description=f"圆桌会议议定的改造清单（依贵池区{name}），8月20日前完工，完工后报相关部门审核验收。",
            due_on=date(year, 8, 20),
        )  # fmt: skip
        items = [services.item_add(actor=staff, project=p, name=n, quantity=q, unit=u, budget=b) for n, q, u, b in lines]
        total = sum(i.budget for i in items)
        gov = services.funding_add(actor=staff, project=p, source="government", funder="区财政（老旧小区改造资金）", pledged=total * 6 / 10)
        fund = services.funding_add(actor=staff, project=p, source="maintenance", funder="住宅专项维修资金", pledged=total * 3 / 10)
        crowd = services.funding_add(
            actor=staff,
            project=p,
            source="crowdfunding",
            funder=partner.name if partner else "共建单位",
            pledged=total / 10,
            organisation=partner,
        )
        today = timezone.localdate()
        services.funding_receive(
            actor=staff, funding=gov, amount=gov.pledged, received_on=today - timedelta(days=60), number=f"CZ{p.pk:04d}"
        )
        services.funding_receive(
            actor=staff, funding=fund, amount=fund.pledged / 2, received_on=today - timedelta(days=40), number=f"WX{p.pk:04d}"
        )
        services.funding_receive(
            actor=staff, funding=crowd, amount=crowd.pledged, received_on=today - timedelta(days=30), number=f"ZC{p.pk:04d}"
        )
        for n, item in enumerate(items):
            share = item.quantity if finish else (item.quantity * (n % 3) / 2).quantize(item.quantity)
            if share:
                services.progress_record(
                    actor=staff, item=item, quantity=share, note=f"{item.name}完成{share.normalize():f}{item.unit}",
                    before=_photo((120, 110, 100)), after=_photo((200, 220, 235)),
                )  # fmt: skip
        for kind, signer, user in (
            ("department", "区住建局", None),
            ("department", "街道城建办", None),
            ("residents", "居民代表 张大爷", resident),
        ):
            services.signoff_add(actor=staff, project=p, kind=kind, name=signer, user=user)
        if finish:
            services.project_complete(actor=staff, project=p)
            services.signoff_decide(actor=staff, signoff=p.signoffs.get(name="街道城建办"), decision="signed")
        out.append(p)
    return {"projects": Project.objects.filter(community=community).count()}
