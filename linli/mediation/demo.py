"""Demo mediation for 和美社区: the roster (a grid worker, a staff member, a respected elder
with an account), a 六尺巷-style passage dispute agreed and followed up, a noise dispute in
mediation from an appeal, a family matter that failed. Through the services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from linli.accounts.models import User
from linli.mediation import services
from linli.mediation.models import Case
from linli.registry.models import Place


def seed_mediation(*, community: Place, seed: int) -> dict[str, int]:
    secretary, staff, worker = (User.objects.get(username=u) for u in ("secretary", "staff", "gridworker"))
    services.mediator_add(actor=secretary, community=community, user=worker, kind="grid_worker")
    services.mediator_add(actor=secretary, community=community, user=staff, kind="mediator")
    today = timezone.localdate()
    lane = services.case_open(
        actor=worker, community=community, kind="boundary", summary="两户因院墙外通道堆放杂物、通行不便发生争执，多次口角。",
        parties=[{"side": "applicant", "name": "吴某"}, {"side": "respondent", "name": "郑某"}],
    )  # fmt: skip
    services.case_session(
        actor=worker, case=lane, held_on=today - timedelta(days=20), location="党群服务中心调解室", notes="讲六尺巷的故事，双方各退一步。"
    )
    services.case_agree(
        actor=worker, case=lane, text="双方各自清理通道杂物，通道保持1.5米宽，互不堆放。", signed_on=today - timedelta(days=20)
    )
    services.case_follow_up(actor=worker, case=lane, visited_on=today - timedelta(days=5), holds=True, notes="通道畅通，双方关系缓和。")
    noise = services.case_open(
        actor=staff, community=community, kind="noise", summary="楼上夜间噪音，楼下老人休息受影响。",
        parties=[{"side": "applicant", "name": "冯某"}, {"side": "respondent", "name": "陈某"}],
    )  # fmt: skip
    services.case_session(actor=staff, case=noise, held_on=today - timedelta(days=2), location="当事人家中", notes="初步沟通，约定再谈。")
    family = services.case_open(
        actor=worker, community=community, kind="family", summary="赡养费分担争议。",
        parties=[{"side": "applicant", "name": "褚某"}, {"side": "respondent", "name": "卫某"}],
    )  # fmt: skip
    services.case_session(actor=worker, case=family, held_on=today - timedelta(days=10), location="调解室", notes="分歧较大。")
    services.case_close(actor=worker, case=family, status="failed", outcome="调解不成，已告知可向人民法院起诉。")
    return {"mediation_cases": Case.objects.filter(community=community).count()}
