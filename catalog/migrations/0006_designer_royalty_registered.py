"""Designer royalties name a registered designer: the slug column stays, now a foreign key to the registry."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def register_royalty_designers(apps, schema_editor):
    """A royalty's designer not yet registered becomes a designer of the product's unit (no payout details)."""
    Designer = apps.get_model("unit_onboarding", "Designer")
    Royalty = apps.get_model("catalog", "DesignerRoyalty")
    for royalty in Royalty.objects.select_related("listing").order_by("pk"):
        Designer.objects.get_or_create(
            slug=royalty.designer_key,
            defaults={"unit_id": royalty.listing.unit_id, "name_zh": royalty.designer_key},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_designer_royalty"),
        ("unit_onboarding", "0006_designers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(register_royalty_designers, migrations.RunPython.noop),
        migrations.RenameField("designerroyalty", "designer_key", "designer"),
        migrations.AlterField(
            model_name="designerroyalty",
            name="designer",
            field=models.ForeignKey(
                db_column="designer_key",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="royalties",
                to="unit_onboarding.designer",
                to_field="slug",
                verbose_name="designer",
            ),
        ),
        migrations.AddField(
            model_name="designerroyalty",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
