"""Platform-wide synonyms to start with (platform staff edit or delete them at /synonyms/)."""

from django.db import migrations

GROUPS = [
    ["文创", "文化创意"],
    ["冰箱贴", "磁贴", "冰箱磁贴"],
    ["帆布袋", "帆布包", "托特包"],
    ["徽章", "胸章"],
    ["钥匙扣", "钥匙链", "钥匙圈"],
    ["笔记本", "记事本"],
    ["杯垫", "茶垫"],
    ["bag", "tote"],
    ["mug", "cup"],
]


def add(apps, schema_editor):
    SearchSynonym = apps.get_model("search", "SearchSynonym")
    for terms in GROUPS:
        if not SearchSynonym.objects.filter(unit=None, terms=terms).exists():
            SearchSynonym.objects.create(unit=None, terms=terms)


def remove(apps, schema_editor):
    SearchSynonym = apps.get_model("search", "SearchSynonym")
    for terms in GROUPS:
        SearchSynonym.objects.filter(unit=None, terms=terms).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
