from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from linli.registry.models import CareTag, Facility, Grid, Household, ImportJob, Organisation, PartyOrganisation, Place


@admin.register(Place)
class PlaceAdmin(TreeAdmin):
    form = movenodeform_factory(Place)
    list_display = ("name", "kind", "code", "grid")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "community")
    search_fields = ("code", "name")
    list_select_related = ("community",)


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(TreeAdmin):
    form = movenodeform_factory(PartyOrganisation)
    list_display = ("name", "kind")


admin.site.register(CareTag)
admin.site.register(Facility)
admin.site.register(Organisation)


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("number", "dwelling")
    raw_id_fields = ("dwelling",)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("original_name", "community", "status", "total_rows", "created_at")
    readonly_fields = [f.name for f in ImportJob._meta.fields]


# Residents are deliberately not in the admin: their personal data is shown, masked and
# audited only through the registry pages and the API, which apply the scope rule.
