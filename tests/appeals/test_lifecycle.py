"""Every transition of an appeal, who may make it, and from which states."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linli.appeals import services
from linli.appeals.models import TRANSITIONS, Appeal, Assignment, Level, Status
from linli.appeals.services import InvalidTransition


def test_happy_path_from_report_to_rating(world, new_appeal):
    a = new_appeal()
    assert a.status == Status.SUBMITTED and a.number.startswith(a.created_at.astimezone().strftime("%Y")[:2])
    staff, worker, resident = world.user("staff"), world.user("gridworker"), world.user("resident")
    a = services.appeal_accept(actor=staff, appeal=a)
    a = services.appeal_dispatch(actor=staff, appeal=a, users=[worker])
    assert a.status == Status.DISPATCHED and a.sign_deadline and a.complete_deadline
    a = services.appeal_sign(actor=worker, appeal=a)
    assert a.status == Status.IN_PROGRESS
    a = services.appeal_resolve(actor=worker, appeal=a, result="已更换灯泡")
    assert a.status == Status.RESOLVED and a.result == "已更换灯泡"
    a = services.appeal_rate(actor=resident, appeal=a, rating=5, comment="很快")
    assert a.status == Status.CLOSED and a.rating == 5
    assert [e.action for e in a.events.all()] == ["submit", "accept", "dispatch", "sign", "resolve", "rate"]
    assert all(e.actor for e in a.events.all())


def test_unhappy_rating_reopens(world, in_progress):
    a = services.appeal_resolve(actor=world.user("gridworker"), appeal=in_progress, result="已处理")
    a = services.appeal_rate(actor=world.user("resident"), appeal=a, rating=1, comment="灯还是不亮")
    assert a.status == Status.REOPENED and a.closed_at is None
    a = services.appeal_dispatch(actor=world.user("staff"), appeal=a, users=[world.user("gridworker")])
    assert a.status == Status.DISPATCHED


@pytest.mark.parametrize("action, states", [(k, v[0]) for k, v in TRANSITIONS.items()])
def test_each_action_is_refused_from_every_other_state(world, new_appeal, action, states):
    """For each action, every state outside its 'from' set is refused with InvalidTransition."""
    a = new_appeal()
    staff = world.user("admin")
    calls = {
        "accept": lambda x: services.appeal_accept(actor=staff, appeal=x),
        "reject": lambda x: services.appeal_reject(actor=staff, appeal=x, reason="重复"),
        "dispatch": lambda x: services.appeal_dispatch(actor=staff, appeal=x, users=[staff]),
        "sign": lambda x: services.appeal_sign(actor=staff, appeal=x),
        "return": lambda x: services.appeal_return(actor=staff, appeal=x, reason="不归我"),
        "escalate": lambda x: services.appeal_escalate(actor=staff, appeal=x, reason="需要社区协调"),
        "resolve": lambda x: services.appeal_resolve(actor=staff, appeal=x, result="好了"),
        "rate": lambda x: services.appeal_rate(actor=staff, appeal=x, rating=4),
        "reopen": lambda x: services.appeal_reopen(actor=staff, appeal=x, reason="未解决"),
        "merge": lambda x: services.appeal_merge(actor=staff, appeal=x, into=new_appeal(description="另一个")),
        "set_level": lambda x: services.appeal_set_level(actor=staff, appeal=x, level="community", reason="复杂"),
        "extend": lambda x: services.appeal_extend(actor=staff, appeal=x, working_days=3, reason="等材料"),
        "supervise": lambda x: services.appeal_supervise(actor=staff, appeal=x),
        "callback": lambda x: services.appeal_callback(actor=staff, appeal=x, note="已回访"),
        "council_resolve": lambda x: services.appeal_resolve_by_council(actor=staff, appeal=x, resolution=_resolution_for(x)),
        "mediation_resolve": lambda x: services.appeal_resolve_by_mediation(actor=staff, appeal=x, case=_case_for(x), result="调解成功"),
        "project_resolve": lambda x: services.appeal_resolve_by_project(actor=staff, appeal=x, project=_project_for(x)),
    }
    for status in Status.values:
        Appeal.objects.filter(pk=a.pk).update(status=status)
        a.refresh_from_db()
        if status in states:
            continue
        with pytest.raises((InvalidTransition, PermissionDenied)):
            calls[action](a)


def test_permissions_of_each_step(world, new_appeal):
    a = new_appeal()
    worker, other, resident, far = world.user("gridworker"), world.user("other_gridworker"), world.user("resident"), world.user("far_staff")
    for outsider in (worker, other, resident, far, world.user("street")):
        with pytest.raises(PermissionDenied):
            services.appeal_accept(actor=outsider, appeal=a)
    a = services.appeal_accept(actor=world.user("gridleader"), appeal=a)  # the grid leader dispatches in the grid
    with pytest.raises(PermissionDenied):
        services.appeal_dispatch(actor=far, appeal=a, users=[worker])
    a = services.appeal_dispatch(actor=world.user("staff"), appeal=a, users=[worker])
    with pytest.raises(PermissionDenied):
        services.appeal_sign(actor=other, appeal=a)
    a = services.appeal_sign(actor=worker, appeal=a)
    with pytest.raises(PermissionDenied):
        services.appeal_resolve(actor=other, appeal=a, result="x")
    a = services.appeal_resolve(actor=worker, appeal=a, result="好了")
    with pytest.raises(PermissionDenied):
        services.appeal_rate(actor=other, appeal=a, rating=5)


def test_street_supervises_overdue(world, in_progress):
    a = services.appeal_supervise(actor=world.user("street"), appeal=in_progress, note="请加快")
    assert a.supervised_at is not None
    with pytest.raises(PermissionDenied):
        services.appeal_supervise(actor=world.user("gridworker"), appeal=in_progress)


def test_organisation_handler_signs_and_returns(world, new_appeal):
    from linli.registry.models import Organisation

    org = Organisation.objects.get(name="红枫物业")
    a = new_appeal()
    staff = world.user("staff")
    services.appeal_accept(actor=staff, appeal=a)
    a = services.appeal_dispatch(actor=staff, appeal=a, organisations=[org])
    a = services.appeal_return(actor=world.user("property"), appeal=a, reason="该楼栋不归本物业管理")
    assert a.status == Status.RETURNED
    assert a.assignments.get().state == Assignment.State.RETURNED
    with pytest.raises(ValidationError):
        services.appeal_return(actor=world.user("property"), appeal=a, reason="")


def test_joint_handling_has_one_lead_and_only_the_lead_resolves(world, new_appeal):
    from linli.registry.models import Organisation

    org = Organisation.objects.get(name="红枫物业")
    a = new_appeal()
    staff, worker = world.user("staff"), world.user("gridworker")
    services.appeal_accept(actor=staff, appeal=a)
    a = services.appeal_dispatch(actor=staff, appeal=a, users=[worker], organisations=[org], lead=org)
    assert a.assignments.filter(is_lead=True).get().organisation == org
    services.appeal_sign(actor=worker, appeal=a)
    with pytest.raises(PermissionDenied):
        services.appeal_resolve(actor=worker, appeal=a, result="x")


def test_escalation_goes_one_level_up_with_a_reason(world, in_progress):
    assert in_progress.level == Level.GRID
    with pytest.raises(ValidationError):
        services.appeal_escalate(actor=world.user("gridworker"), appeal=in_progress, reason=" ")
    a = services.appeal_escalate(actor=world.user("gridworker"), appeal=in_progress, reason="涉及多个网格")
    assert a.status == Status.ESCALATED and a.level == Level.COMMUNITY
    a = services.appeal_set_level(actor=world.user("staff"), appeal=a, level=Level.GRID, reason="网格可办")
    assert a.level == Level.GRID


def test_reject_needs_a_reason(world, new_appeal):
    a = new_appeal()
    with pytest.raises(ValidationError):
        services.appeal_reject(actor=world.user("staff"), appeal=a, reason="")
    a = services.appeal_reject(actor=world.user("staff"), appeal=a, reason="非本社区事务")
    assert a.status == Status.REJECTED and a.events.last().note == "非本社区事务"


def test_extension_moves_the_deadline(world, in_progress):
    before = in_progress.complete_deadline
    a = services.appeal_extend(actor=world.user("staff"), appeal=in_progress, working_days=3, reason="等待配件")
    assert a.complete_deadline > before
    with pytest.raises(PermissionDenied):
        services.appeal_extend(actor=world.user("gridworker"), appeal=a, working_days=3, reason="x")


def _case_for(appeal):
    """A mediation case the appeal went into (the authority of mediation_resolve)."""
    from types import SimpleNamespace

    return SimpleNamespace(appeal_id=appeal.pk, community_id=appeal.community_id)


def _project_for(appeal):
    """A project the appeal is attached to (the authority of project_resolve)."""
    from types import SimpleNamespace

    class Appeals:
        def filter(self, pk):
            return SimpleNamespace(exists=lambda: pk == appeal.pk)

    return SimpleNamespace(community_id=appeal.community_id, appeals=Appeals(), title="楼道改造")


def _resolution_for(appeal):
    """A council resolution whose topic the appeal was raised to (the authority of council_resolve)."""
    from types import SimpleNamespace

    class Appeals:
        def filter(self, pk):
            return SimpleNamespace(exists=lambda: pk == appeal.pk)

    council = SimpleNamespace(community_id=appeal.community_id, name="议事会")
    return SimpleNamespace(topic=SimpleNamespace(council=council, appeals=Appeals()), decision="决定", adopted=True)
