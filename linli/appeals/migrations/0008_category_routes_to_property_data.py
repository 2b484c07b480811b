from django.db import migrations

# Categories of a compound's upkeep: dispatch pre-selects the compound's property company.
PROPERTY_CODES = ["property", "facilities", "environment", "greening", "parking"]


def mark(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    Category.objects.filter(community__isnull=True, code__in=PROPERTY_CODES).update(routes_to_property=True)


class Migration(migrations.Migration):
    dependencies = [("appeals", "0007_category_routes_to_property_appeal_tracking_salt")]
    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
