from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from linli.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ("place", "grid", "organisation", "household")


@admin.register(User)
class LinliUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    fieldsets = (*UserAdmin.fieldsets, ("Linli", {"fields": ("display_name",)}))
    list_display = ("username", "display_name", "is_active", "is_staff")
