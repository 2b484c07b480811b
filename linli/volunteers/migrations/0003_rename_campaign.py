# One class per name: volunteers' points campaigns and wishes' 圆梦 seasons were both "Campaign".
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0002_ledger_source")]

    operations = [migrations.RenameModel(old_name="Campaign", new_name="PointsCampaign")]
