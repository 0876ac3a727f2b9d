"""search: migrations 0001_initial to 0002_platform_synonyms, squashed (see README, Migrations)."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# 0002_platform_synonyms
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

    initial = True

    replaces = [
        ('search', '0001_initial'),
        ('search', '0002_platform_synonyms'),
    ]

    dependencies = [
        ('catalog', '0001_squashed_0010_import_listing_ids'),
        ('unit_onboarding', '0001_squashed_0012_finance_invitation_endorsement'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.CharField(max_length=100, unique=True)),
                ('pinyin', models.CharField(blank=True, max_length=400)),
                ('initials', models.CharField(blank=True, max_length=100)),
                ('frequency', models.IntegerField(default=0, help_text='documents on sale that contain it')),
            ],
            options={
                'indexes': [models.Index(fields=['pinyin'], name='search_term_pinyin', opclasses=['varchar_pattern_ops']), models.Index(fields=['initials'], name='search_term_initials', opclasses=['varchar_pattern_ops']), models.Index(fields=['term'], name='search_term_prefix', opclasses=['varchar_pattern_ops'])],
                'constraints': [models.CheckConstraint(condition=models.Q(('frequency__gte', 0)), name='search_term_frequency')],
            },
        ),
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('listing', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='catalog.listing')),
                ('unit_type', models.CharField(blank=True, max_length=32)),
                ('category', models.CharField(max_length=64)),
                ('material', models.CharField(blank=True, max_length=32)),
                ('era', models.CharField(blank=True, max_length=32)),
                ('price_fen', models.PositiveIntegerField(help_text="lowest variant price (Saleor's once a webhook says it)")),
                ('saleor_prices', models.JSONField(default=dict, help_text="{sku: fen} as Saleor's webhooks last said")),
                ('sold', models.PositiveIntegerField(default=0, help_text='units sold in paid orders (orders projection)')),
                ('listed_at', models.DateTimeField(help_text='when it was first found on sale (newest first)')),
                ('slug', models.CharField(max_length=100, unique=True)),
                ('name_zh', models.CharField(max_length=250)),
                ('name_en', models.CharField(blank=True, max_length=250)),
                ('image', models.CharField(blank=True, help_text="URL of the first image's 512 px derivative", max_length=500)),
                ('document', django.contrib.postgres.search.SearchVectorField()),
                ('name_vector', django.contrib.postgres.search.SearchVectorField()),
                ('terms', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=100), blank=True, default=list, size=None)),
                ('indexed_at', models.DateTimeField()),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='unit_onboarding.unit')),
            ],
            options={
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['document'], name='search_document_gin'), models.Index(fields=['-listed_at'], name='search_document_newest'), models.Index(fields=['price_fen'], name='search_document_price'), models.Index(fields=['unit'], name='search_document_unit')],
            },
        ),
        migrations.CreateModel(
            name='SearchSynonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('terms', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=50), size=None, verbose_name='terms')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='unit_onboarding.unit', verbose_name='unit')),
            ],
            options={
                'ordering': ['unit', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('terms__len__gte', 2)), name='search_synonym_two_terms')],
            },
        ),
        migrations.RunPython(add, remove),
    ]
