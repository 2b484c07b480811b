from django.contrib import admin

from linli.wishes.models import WishCampaign


@admin.register(WishCampaign)
class CampaignAdmin(admin.ModelAdmin):
    """WishCampaign seasons such as the yearly 圆梦微心愿; wishes themselves change only through services."""

    list_display = ("name", "community", "starts_on", "ends_on")
    list_filter = ("community",)
