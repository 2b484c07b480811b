from django.db import migrations

# The default category set for community affairs: (code, name, level, sign days, complete days, keywords).
DEFAULTS = [
    ("property", "物业服务", "community", 1, 5, "物业,保洁,保安,电梯,门禁,物业费,绿化"),
    ("environment", "环境卫生", "grid", 1, 3, "垃圾,卫生,异味,污水,乱堆,清理,杂物,苍蝇,蚊子"),
    ("facilities", "设施维修", "grid", 1, 5, "路灯,坏了,维修,漏水,井盖,水管,损坏,灯不亮,破损,健身器材"),
    ("parking", "停车交通", "community", 1, 5, "停车,车位,占道,电动车,充电,违停,堵车,充电桩"),
    ("dispute", "邻里纠纷", "grid", 1, 5, "纠纷,吵架,噪音,扰民,矛盾,楼上,邻居"),
    ("pets", "宠物管理", "grid", 1, 3, "狗,猫,宠物,犬,遛狗,狗屎"),
    ("safety", "安全隐患", "community", 1, 2, "安全,隐患,消防,火灾,燃气,漏电,飞线,高空抛物"),
    ("elderly_care", "为老助残", "community", 1, 5, "老人,独居,残疾,助老,养老,送餐,轮椅"),
    ("policy", "政策咨询", "community", 1, 5, "政策,咨询,办理,医保,社保,低保,证明,补贴"),
    ("greening", "绿化园林", "grid", 1, 5, "树,草坪,绿化,修剪,树枝"),
    ("other", "其他", "community", 1, 5, ""),
]


def add(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    for code, name, level, sign, complete, keywords in DEFAULTS:
        Category.objects.update_or_create(
            community=None, code=code,
            defaults={"name": name, "default_level": level, "sign_days": sign, "complete_days": complete, "keywords": keywords},
        )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
