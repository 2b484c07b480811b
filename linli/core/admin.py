from django.contrib import admin

from linli.core.models import AuditEntry, CalendarDay, Notification


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "target_type", "target_id", "note")
    list_filter = ("action", "target_type")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Administrators add each new year's holidays and make-up working days here."""

    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "subject", "state", "attempts", "last_error")
    list_filter = ("state", "channel")
    exclude = ("phone",)
    readonly_fields = (
        "recipient",
        "channel",
        "subject",
        "body",
        "link",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "read_at",
        "sent_at",
    )
