"""saleor_app: migrations 0001_initial to 0002_event_redaction, squashed (see README, Migrations)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('saleor_app', '0001_initial'),
        ('saleor_app', '0002_event_redaction'),
    ]

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='SaleorInstallation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('api_url', models.URLField(help_text='Saleor-Api-Url, e.g. https://shop.example/graphql/', unique=True)),
                ('domain', models.CharField(blank=True, max_length=255)),
                ('app_id', models.CharField(blank=True, help_text="Saleor's global id of this app", max_length=100)),
                ('token_encrypted', models.TextField(blank=True, help_text='confirmed app token (encrypted)')),
                ('pending_token_encrypted', models.TextField(blank=True, help_text='token delivered at registration, not yet proven against Saleor (encrypted)')),
                ('pending_since', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
                ('jwks', models.JSONField(blank=True, default=dict)),
                ('jwks_fetched_at', models.DateTimeField(blank=True, null=True)),
                ('registered_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name='WebhookEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_type', models.CharField(db_index=True, max_length=100)),
                ('payload', models.JSONField()),
                ('received_at', models.DateTimeField(auto_now_add=True)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('last_error', models.TextField(blank=True)),
                ('processed_at', models.DateTimeField(blank=True, null=True)),
                ('key', models.CharField(help_text='sha256 of the signed body', max_length=64, unique=True)),
                ('body', models.TextField(help_text='the exact signed body, so the signature can be re-verified')),
                ('signature', models.TextField(help_text='Saleor-Signature as received')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('done', 'Done'), ('ignored', 'ignored (no handler)'), ('failed', 'failed (will retry)'), ('parked', 'parked (needs a fix)')], default='pending', max_length=16)),
                ('redacted_at', models.DateTimeField(blank=True, help_text="when the body (buyers' names, addresses, e-mails, phones) was removed, WEBHOOK_RETENTION_DAYS after receipt; the key stays, so a replay is still a no-op", null=True)),
                ('installation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='saleor_app.saleorinstallation')),
            ],
            options={
                'indexes': [models.Index(fields=['status', 'received_at'], name='saleor_event_status_idx'), models.Index(condition=models.Q(('redacted_at', None)), fields=['received_at'], name='saleor_event_unredacted_idx')],
            },
        ),
    ]
