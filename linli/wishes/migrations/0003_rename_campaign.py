# One class per name: wishes' 圆梦 seasons and volunteers' points campaigns were both "Campaign".
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("wishes", "0002_alter_wish_proof")]

    operations = [migrations.RenameModel(old_name="Campaign", new_name="WishCampaign")]
