"""Party life on the party tree (issue 23): cross-appointment (双向进入、交叉任职) shown on the party
tree and on the organisation, and 三会一课 records with topics and attendance."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from linli.core.models import AuditEntry
from linli.registry import services
from linli.registry.models import BranchMeeting, CareTag, Organisation, PartyOrganisation
from tests.conftest import signed_in


@pytest.fixture
def committee(world):
    return services.party_organisation_create(
        actor=world.admin, community=world.community, parent=None, kind="committee", name="和美社区大党委"
    )


def test_a_cross_appointment_shows_on_the_party_tree_and_the_organisation(client, world, committee):
    staff = world.user("staff")
    property_co = Organisation.objects.get(name="红枫物业")
    signed_in(client, staff)
    url = reverse("registry:party", args=[world.community.pk])
    data = {
        "op": "cross", "name": "王经理", "party_organisation": committee.pk, "party_post": "兼职委员",
        "organisation": property_co.pk, "organisation_post": "项目经理",
    }  # fmt: skip
    assert client.post(url, {**data, "name": ""}).status_code == 400
    assert client.post(url, data).status_code == 302
    tree = client.get(url).content.decode()
    assert "交叉任职：王经理（兼职委员；红枫物业项目经理）" in tree
    orgs = client.get(reverse("registry:organisations") + f"?community={world.community.pk}").content.decode()
    assert "交叉任职：王经理（项目经理；和美社区大党委兼职委员）" in orgs
    assert AuditEntry.objects.filter(target_type="registry.crossappointment", action="create").exists()
    partner = services.organisation_create(actor=world.admin, place=world.community, kind="partner_unit", name="区供电公司")
    with pytest.raises(ValidationError, match="物业公司或业主委员会"):
        services.cross_appointment_add(
            actor=staff, party_organisation=committee, party_post="委员", organisation=partner, organisation_post="经理", name="李"
        )
    with pytest.raises(PermissionDenied):
        services.cross_appointment_add(
            actor=world.user("far_staff"), party_organisation=committee, party_post="委员", organisation=property_co,
            organisation_post="经理", name="李",
        )  # fmt: skip
    appointment = committee.cross_appointments.get()
    services.cross_appointment_end(actor=staff, appointment=appointment)
    assert "王经理" not in client.get(url).content.decode()


def test_a_branch_meeting_is_recorded_with_its_topics_and_attendance(client, world, committee):
    staff = world.user("staff")
    world.resident.care_tags.add(CareTag.objects.get(code="party_member"))
    signed_in(client, staff)
    url = reverse("registry:party_life", args=[world.community.pk])
    assert world.resident.name in client.get(url).content.decode()  # offered as a party member to tick
    held = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {"party_organisation": committee.pk, "kind": "lesson", "held_at": held, "topics": "学习党的二十届三中全会精神", "expected": "3"}
    r = client.post(url, data)
    assert r.status_code == 400 and "授课人" in r.content.decode()  # a lesson names who gave it
    r = client.post(url, {**data, "lecturer": "李书记", "attendees": [world.resident.pk]})
    assert r.status_code == 302
    meeting = BranchMeeting.objects.get()
    assert list(meeting.attendees.all()) == [world.resident] and meeting.recorded_by == staff
    page = client.get(url).content.decode()
    assert "党课" in page and "到会 1/3" in page and "学习党的二十届三中全会精神" in page
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {**data, "lecturer": "李书记", "held_at": future}).status_code == 400
    assert client.post(url, {**data, "lecturer": "李书记", "expected": "0", "attendees": [world.resident.pk]}).status_code == 400
    signed_in(client, world.user("gridworker"))
    assert client.get(url).status_code == 404
    assert PartyOrganisation.objects.count() == 1
