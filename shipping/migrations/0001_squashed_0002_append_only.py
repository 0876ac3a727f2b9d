"""shipping: migrations 0001_initial to 0002_append_only, squashed (see README, Migrations)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


SQL = r"""
-- 0002_append_only
CREATE FUNCTION shipping_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER shipping_rates_immutable BEFORE UPDATE OR DELETE ON shipping_shippingrates
    FOR EACH ROW EXECUTE FUNCTION shipping_immutable();

CREATE TRIGGER shipping_quote_immutable BEFORE UPDATE OR DELETE ON shipping_shippingquote
    FOR EACH ROW EXECUTE FUNCTION shipping_immutable();
"""


REVERSE_SQL = """
DROP TRIGGER IF EXISTS shipping_quote_immutable ON shipping_shippingquote;
DROP TRIGGER IF EXISTS shipping_rates_immutable ON shipping_shippingrates;
DROP FUNCTION IF EXISTS shipping_immutable();
"""


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('shipping', '0001_initial'),
        ('shipping', '0002_append_only'),
    ]

    dependencies = [
        ('unit_onboarding', '0001_squashed_0012_finance_invitation_endorsement'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ShippingQuote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('checkout_id', models.CharField(max_length=100)),
                ('method_id', models.CharField(max_length=64)),
                ('name', models.CharField(max_length=100)),
                ('currency', models.CharField(max_length=3)),
                ('total', models.PositiveIntegerField()),
                ('province', models.CharField(blank=True, max_length=50)),
                ('parcels', models.JSONField()),
                ('created_at', models.DateTimeField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('checkout_id', 'method_id'), name='shipping_quote_method_uniq')],
            },
        ),
        migrations.CreateModel(
            name='ShippingRates',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('effective_from', models.DateTimeField(verbose_name='in force from')),
                ('default_rate', models.PositiveIntegerField(blank=True, help_text='empty: only the listed provinces are served', null=True, verbose_name='default rate (fen)')),
                ('province_rates', models.JSONField(default=dict, help_text='province (as Saleor names it) -> fen')),
                ('free_over', models.PositiveIntegerField(blank=True, null=True, verbose_name='free shipping from (fen)')),
                ('per_item', models.PositiveIntegerField(default=0, verbose_name='per additional item (fen)')),
                ('pickup', models.BooleanField(default=False, verbose_name='pickup at the counter allowed')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('based_on', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='shipping.shippingrates')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='shipping_rates', to='unit_onboarding.unit')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('unit', 'effective_from'), name='shipping_rates_unit_from_uniq'), models.UniqueConstraint(fields=('based_on',), name='shipping_rates_one_successor'), models.UniqueConstraint(condition=models.Q(('based_on', None)), fields=('unit',), name='shipping_rates_one_first_version')],
            },
        ),
        migrations.RunSQL(SQL, REVERSE_SQL),
    ]
