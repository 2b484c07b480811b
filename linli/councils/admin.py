from django.contrib import admin

from linli.councils.models import Council, Member


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ("name", "role", "user")
    raw_id_fields = ("user",)


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    """Administrators configure a council's procedure (steps), support threshold and quorum here."""

    list_display = ("name", "kind", "community", "compound", "support_threshold", "quorum_percent")
    list_filter = ("kind",)
    inlines = [MemberInline]
