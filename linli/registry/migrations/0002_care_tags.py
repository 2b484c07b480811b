from django.db import migrations

# The care tags community workers use today. Codes are stable; names are shown.
TAGS = [
    ("elderly_alone", "独居老人", True),
    ("empty_nest", "空巢老人", True),
    ("disabled", "残疾人", True),
    ("low_income", "低保户", True),
    ("veteran", "退役军人", False),
    ("five_elders", "五老", False),
    ("party_member", "党员", False),
    ("on_duty_party_member", "在职党员", False),
    ("volunteer", "志愿者", False),
]


def add_tags(apps, schema_editor):
    CareTag = apps.get_model("registry", "CareTag")
    for code, name, sensitive in TAGS:
        CareTag.objects.update_or_create(code=code, defaults={"name": name, "sensitive": sensitive})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
