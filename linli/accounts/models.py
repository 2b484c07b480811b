from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    display_name = models.CharField(_("显示名"), max_length=50, blank=True)
    # A resident's login points at their registry record; staff have none.
    resident = models.OneToOneField(
        "registry.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="user", verbose_name=_("居民档案")
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.display_name or self.username


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    BUILDING_HEAD = "building_head", _("楼栋长/单元长")
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_LEADER = "grid_leader", _("网格长")
    COMMUNITY_STAFF = "community_staff", _("社区工作者")
    PARTY_SECRETARY = "party_secretary", _("社区书记")
    PROPERTY_STAFF = "property_staff", _("物业人员")
    PARTNER_STAFF = "partner_staff", _("共建单位人员")
    # 红色小管家: looks after the households linked to them (gridwork.StewardLink) in one grid.
    RED_STEWARD = "red_steward", _("红色小管家")
    STREET_SUPERVISOR = "street_supervisor", _("街道督导")
    ADMIN = "admin", _("系统管理员")


# The community's own staff (社区工作者 and 书记): who "the staff of a community" are.
STAFF_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.PARTY_SECRETARY})
# Those who act as the community's staff anywhere: its staff, and the administrator everywhere.
STAFF_AND_ADMIN = STAFF_ROLES | {Role.ADMIN}
# Those who work a grid.
GRID_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER})
# Staff of an organisation that answers for it (a property company, a partner unit).
ORGANISATION_ROLES = frozenset({Role.PROPERTY_STAFF, Role.PARTNER_STAFF})


# What each role is anchored to. The scope module reads the same table.
ROLE_SCOPE_KIND = {
    Role.RESIDENT: "household",
    Role.BUILDING_HEAD: "place",
    Role.GRID_WORKER: "grid",
    Role.GRID_LEADER: "grid",
    Role.COMMUNITY_STAFF: "place",
    Role.PARTY_SECRETARY: "place",
    Role.PROPERTY_STAFF: "organisation",
    Role.PARTNER_STAFF: "organisation",
    Role.RED_STEWARD: "grid",
    Role.STREET_SUPERVISOR: "place",
    Role.ADMIN: "global",
}
ROLE_PLACE_KINDS = {
    Role.BUILDING_HEAD: {"building", "unit"},
    Role.COMMUNITY_STAFF: {"community"},
    Role.PARTY_SECRETARY: {"community"},
    Role.STREET_SUPERVISOR: {"street", "district"},
}


class RoleAssignment(models.Model):
    """A user holds a role within one scope: a grid, a place subtree, an organisation or a household."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    place = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("范围（地点）")
    )
    grid = models.ForeignKey(
        "registry.Grid", null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("网格")
    )
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="staff", verbose_name=_("单位")
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("家庭")
    )
    # Tongcheng: each comprehensive grid has one full-time (专职) grid worker; others help part-time.
    full_time = models.BooleanField(_("专职"), default=True)

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        # Uniqueness is enforced by services.role_assign (NULL anchors defeat a portable constraint).

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.scope_label}"

    @property
    def scope_label(self) -> str:
        anchor = self.place or self.grid or self.organisation or self.household
        return str(anchor) if anchor else _("全部")

    def clean(self):
        kind = ROLE_SCOPE_KIND[Role(self.role)]
        anchors = {
            "place": self.place_id,
            "grid": self.grid_id,
            "organisation": self.organisation_id,
            "household": self.household_id,
        }
        set_anchors = {k for k, v in anchors.items() if v}
        expected = set() if kind == "global" else {kind}
        if set_anchors != expected:
            raise ValidationError(_("该角色的范围设置不正确。"))
        allowed_kinds = ROLE_PLACE_KINDS.get(Role(self.role))
        if allowed_kinds and self.place.kind not in allowed_kinds:
            raise ValidationError(_("该角色的范围必须是：%(kinds)s。"), params={"kinds": "、".join(sorted(allowed_kinds))})
