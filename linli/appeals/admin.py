from django.contrib import admin

from linli.appeals.models import Appeal, Category, Event, Open311Key


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Communities edit their category tree here: levels, default handler, time limits, keywords."""

    list_display = ("name", "code", "community", "parent", "default_level", "sign_days", "complete_days", "is_active")
    list_filter = ("community", "default_level", "is_active")
    search_fields = ("name", "code", "keywords")


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    readonly_fields = ("actor", "action", "from_status", "to_status", "note", "public", "created_at")
    can_delete = False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read-only: appeals change only through their services (the state machine)."""

    list_display = ("number", "title", "status", "level", "category", "created_at")
    list_filter = ("status", "level", "category")
    search_fields = ("number", "title")
    readonly_fields = [f.name for f in Appeal._meta.fields if f.name not in ("contact_phone",)]
    exclude = ("contact_phone",)
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    """Keys are issued with `manage.py issue_open311_key` (shown once); here they are listed and revoked."""

    list_display = ("name", "community", "is_active", "created_at")
    list_filter = ("is_active",)
    fields = ("name", "community", "is_active")

    def has_add_permission(self, request):
        return False
