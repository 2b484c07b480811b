from django.contrib import admin

from linli.wishes.models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaign seasons such as the yearly 圆梦微心愿; wishes themselves change only through services."""

    list_display = ("name", "community", "starts_on", "ends_on")
    list_filter = ("community",)
