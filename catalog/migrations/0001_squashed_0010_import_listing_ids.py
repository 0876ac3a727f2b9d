"""catalog: migrations 0001_initial to 0010_import_listing_ids, squashed (see README, Migrations)."""

import django.contrib.postgres.constraints
import django.contrib.postgres.fields
import django.db.models.deletion
import unit_onboarding.models
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('catalog', '0001_initial'),
        ('catalog', '0002_collectionobject_iplicence_listing_listingimage_and_more'),
        ('catalog', '0003_listing_sync_timestamps'),
        ('catalog', '0004_listing_attributes'),
        ('catalog', '0005_designer_royalty'),
        ('catalog', '0006_designer_royalty_registered'),
        ('catalog', '0007_designer_royalty_changes'),
        ('catalog', '0008_ip_licence_confirmation'),
        ('catalog', '0009_listing_imports'),
        ('catalog', '0010_import_listing_ids'),
    ]

    dependencies = [
        ('unit_onboarding', '0001_squashed_0012_finance_invitation_endorsement'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DesignerRoyalty',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('bps', models.PositiveIntegerField(verbose_name='royalty (basis points)')),
                ('effective_from', models.DateTimeField()),
                ('effective_to', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('designer', models.ForeignKey(db_column='designer_key', on_delete=django.db.models.deletion.PROTECT, related_name='royalties', to='unit_onboarding.designer', to_field='slug', verbose_name='designer')),
            ],
            options={
                'ordering': ['listing', 'effective_from'],
            },
        ),
        migrations.CreateModel(
            name='ImageAsset',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('owner_key', models.CharField(db_index=True, help_text="who owns it, e.g. 'unit:42', until products exist", max_length=100)),
                ('original_name', models.CharField(help_text='name in the private storage', max_length=255, unique=True)),
                ('original_filename', models.CharField(help_text='the name it was uploaded under', max_length=255)),
                ('content_type', models.CharField(blank=True, help_text='as declared by the uploader', max_length=100)),
                ('format', models.CharField(help_text="JPEG, PNG or WEBP, from the file's header", max_length=10)),
                ('byte_size', models.PositiveIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('width', models.PositiveIntegerField(blank=True, help_text='upright width in px', null=True)),
                ('height', models.PositiveIntegerField(blank=True, help_text='upright height in px', null=True)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('ready', 'Ready'), ('refused', 'refused (the file is not acceptable)'), ('failed', 'failed (could not be processed; the file may be fine)')], default='pending', max_length=10)),
                ('error_code', models.CharField(blank=True, max_length=50)),
                ('error_message', models.TextField(blank=True)),
                ('derivatives', models.JSONField(blank=True, default=list, help_text='[{size, width, height, name, bytes}] per requested size, names in the default storage')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('processed_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('status', 'ready'), _negated=True), models.Q(('height__isnull', False), ('width__isnull', False)), _connector='OR'), name='image_asset_ready_has_size'), models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['refused', 'failed']), _negated=True), models.Q(('error_code', ''), _negated=True), _connector='OR'), name='image_asset_refusal_has_code')],
            },
        ),
        migrations.CreateModel(
            name='CollectionObject',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title_zh', models.CharField(max_length=200, verbose_name='title (Chinese)')),
                ('title_en', models.CharField(blank=True, max_length=200, verbose_name='title (English)')),
                ('accession_number', models.CharField(max_length=64, verbose_name='accession number')),
                ('era', models.CharField(blank=True, max_length=100, verbose_name='era or dynasty')),
                ('material', models.CharField(blank=True, max_length=100, verbose_name='material')),
                ('dimensions', models.CharField(blank=True, max_length=100, verbose_name='dimensions')),
                ('story_zh', models.TextField(blank=True, verbose_name='story (Chinese)')),
                ('story_en', models.TextField(blank=True, verbose_name='story (English)')),
                ('public_domain', models.BooleanField(default=False, verbose_name='in the public domain')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='collection_objects', to='unit_onboarding.unit')),
                ('image', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='catalog.imageasset')),
            ],
            options={
                'ordering': ['unit', 'accession_number'],
            },
        ),
        migrations.CreateModel(
            name='IpLicence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('licensee_name', models.CharField(max_length=200, verbose_name='licensee entity')),
                ('licensee_credit_code', models.CharField(blank=True, max_length=18, verbose_name='licensee credit code')),
                ('scope', models.TextField(verbose_name='scope')),
                ('valid_from', models.DateField(verbose_name='valid from')),
                ('valid_until', models.DateField(verbose_name='valid until')),
                ('royalty_bps', models.PositiveIntegerField(verbose_name='royalty (basis points)')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('status', models.CharField(choices=[('pending', 'Waiting for a second approver'), ('in_force', 'In force'), ('rejected', 'Rejected')], default='pending', max_length=16)),
                ('reject_reason', models.TextField(blank=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('licensor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ip_licences_granted', to='unit_onboarding.unit')),
            ],
        ),
        migrations.CreateModel(
            name='Listing',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('pending_review', 'Waiting for review'), ('approved', 'Approved (not on sale)'), ('rejected', 'Rejected'), ('published', 'Published'), ('archived', 'Archived')], default='draft', max_length=16)),
                ('on_sale', models.BooleanField(default=False, help_text='the operator wants it published in the channel')),
                ('name_zh', models.CharField(max_length=250, verbose_name='name (Chinese)')),
                ('name_en', models.CharField(blank=True, max_length=250, verbose_name='name (English)')),
                ('description_zh', models.TextField(blank=True, verbose_name='description (Chinese)')),
                ('description_en', models.TextField(blank=True, verbose_name='description (English)')),
                ('category', models.CharField(max_length=64, verbose_name='category')),
                ('product_type', models.CharField(max_length=64, verbose_name='product type')),
                ('seo_title', models.CharField(blank=True, max_length=70, verbose_name='SEO title')),
                ('seo_description', models.CharField(blank=True, max_length=300, verbose_name='SEO description')),
                ('attributes', models.JSONField(blank=True, default=dict, help_text='{attribute slug: value} (catalog.taxonomy)', verbose_name='attributes')),
                ('relation', models.CharField(blank=True, choices=[('reproduction', 'Reproduction'), ('adaptation', 'Adaptation'), ('inspired_by', 'Inspired by')], max_length=16, verbose_name='relation to the object')),
                ('designer', models.CharField(blank=True, max_length=200, verbose_name='designer credit')),
                ('saleor_product_id', models.CharField(blank=True, max_length=200)),
                ('saleor_variant_ids', models.JSONField(blank=True, default=dict, help_text='{sku: Saleor variant id}')),
                ('saleor_media_ids', models.JSONField(blank=True, default=dict, help_text='{asset uid: Saleor media id}')),
                ('sync_status', models.CharField(choices=[('idle', 'Not in Saleor yet'), ('pending', 'Waiting to sync'), ('syncing', 'Syncing'), ('done', 'In sync'), ('failed', 'Sync failed (will be retried)'), ('diverged', 'Changed in Saleor')], default='idle', max_length=16)),
                ('sync_error', models.TextField(blank=True)),
                ('sync_attempts', models.PositiveIntegerField(default=0, help_text='failed attempts since the last success')),
                ('sync_requested_at', models.DateTimeField(blank=True, null=True)),
                ('sync_attempted_at', models.DateTimeField(blank=True, null=True)),
                ('synced_at', models.DateTimeField(blank=True, null=True)),
                ('synced_fingerprint', models.JSONField(blank=True, default=dict, help_text='what the last sync pushed')),
                ('saleor_updated_at', models.DateTimeField(blank=True, help_text='product.updatedAt after our sync', null=True)),
                ('saleor_divergence', models.JSONField(blank=True, default=dict, help_text='{field: {ours, saleor}} changed in Saleor, awaiting the operator')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('collection_object', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='listings', to='catalog.collectionobject')),
                ('licence', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='listings', to='catalog.iplicence')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='listings', to='unit_onboarding.unit')),
            ],
            options={
                'permissions': [('review_listing', 'Can review listings (platform curator)')],
            },
        ),
        migrations.CreateModel(
            name='DesignerRoyaltyChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('proposed_at', models.DateTimeField()),
                ('bps', models.PositiveIntegerField(help_text='0 ends the royalty', verbose_name='royalty (basis points)')),
                ('effective_from', models.DateTimeField()),
                ('status', models.CharField(choices=[('pending', 'Waiting for a second approver'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('withdrawn', 'Withdrawn')], default='pending', max_length=16)),
                ('reason', models.TextField(blank=True)),
                ('applied', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='change', to='catalog.designerroyalty')),
                ('based_on', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.designerroyalty')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('designer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='unit_onboarding.designer', to_field='slug', verbose_name='designer')),
                ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('listing', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='royalty_changes', to='catalog.listing')),
            ],
            options={
                'ordering': ['-proposed_at', '-pk'],
            },
        ),
        migrations.AddField(
            model_name='designerroyalty',
            name='listing',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='designer_royalties', to='catalog.listing'),
        ),
        migrations.CreateModel(
            name='ListingImage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('alt', models.CharField(blank=True, max_length=250, verbose_name='alternative text')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('asset', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.imageasset')),
                ('listing', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='images', to='catalog.listing')),
            ],
            options={
                'ordering': ['listing', 'position', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ListingImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('filename', models.CharField(blank=True, max_length=255)),
                ('data', models.BinaryField()),
                ('submit', models.BooleanField(default=False)),
                ('on_sale', models.BooleanField(default=False)),
                ('language', models.CharField(blank=True, max_length=16)),
                ('state', models.CharField(choices=[('queued', 'Waiting for the worker'), ('running', 'Importing'), ('done', 'Done'), ('failed', 'Stopped')], default='queued', max_length=8)),
                ('total', models.PositiveIntegerField(default=0)),
                ('processed', models.PositiveIntegerField(default=0)),
                ('created', models.PositiveIntegerField(default=0)),
                ('handles_done', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=200), blank=True, default=list, size=None)),
                ('listing_ids', django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), blank=True, default=list, size=None)),
                ('errors', models.JSONField(blank=True, default=list)),
                ('error', models.TextField(blank=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='listing_imports', to='unit_onboarding.unit')),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='ListingRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('content', models.JSONField()),
                ('status', models.CharField(choices=[('submitted', 'Waiting for review'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('withdrawn', 'Replaced by a later edit')], default='submitted', max_length=16)),
                ('submitted_at', models.DateTimeField(auto_now_add=True)),
                ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                ('review_exempt', models.BooleanField(default=False, help_text='approved without review (trusted unit)')),
                ('reason', models.TextField(blank=True)),
                ('listing', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='catalog.listing')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['listing', '-number'],
            },
        ),
        migrations.AddField(
            model_name='listing',
            name='live_revision',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.listingrevision'),
        ),
        migrations.AddField(
            model_name='listing',
            name='pending_revision',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.listingrevision'),
        ),
        migrations.AddField(
            model_name='listing',
            name='synced_revision',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='catalog.listingrevision'),
        ),
        migrations.CreateModel(
            name='ListingVariant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sku', models.CharField(max_length=64, unique=True, verbose_name='SKU')),
                ('name_zh', models.CharField(blank=True, max_length=100, verbose_name='variant name (Chinese)')),
                ('name_en', models.CharField(blank=True, max_length=100, verbose_name='variant name (English)')),
                ('price_fen', models.PositiveIntegerField(verbose_name='price (fen)')),
                ('currency', models.CharField(default='CNY', max_length=3)),
                ('stock', models.PositiveIntegerField(default=0, verbose_name='stock')),
                ('weight_g', models.PositiveIntegerField(default=0, verbose_name='weight (g)')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('listing', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='variants', to='catalog.listing')),
            ],
            options={
                'ordering': ['listing', 'position', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='UnitCatalogSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('review_exempt', models.BooleanField(default=False, verbose_name='exempt from listing review')),
                ('unit', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='catalog_settings', to='unit_onboarding.unit')),
            ],
        ),
        migrations.AddConstraint(
            model_name='collectionobject',
            constraint=models.UniqueConstraint(fields=('unit', 'accession_number'), name='collection_object_accession_unique'),
        ),
        migrations.AddConstraint(
            model_name='iplicence',
            constraint=models.CheckConstraint(condition=models.Q(('valid_until__gte', models.F('valid_from'))), name='ip_licence_term_valid'),
        ),
        migrations.AddConstraint(
            model_name='iplicence',
            constraint=models.CheckConstraint(condition=models.Q(('royalty_bps__lte', 10000)), name='ip_licence_royalty_range'),
        ),
        migrations.AddConstraint(
            model_name='iplicence',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'in_force'), _negated=True), ('created_by__isnull', True), models.Q(('decided_by__isnull', False), models.Q(('decided_by', models.F('created_by')), _negated=True)), _connector='OR'), name='ip_licence_four_eyes'),
        ),
        migrations.AddConstraint(
            model_name='designerroyaltychange',
            constraint=models.CheckConstraint(condition=models.Q(('bps__lte', 10000)), name='royalty_change_bps_range'),
        ),
        migrations.AddConstraint(
            model_name='designerroyaltychange',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'approved'), _negated=True), models.Q(('decided_by', models.F('proposed_by')), _negated=True), _connector='OR'), name='royalty_change_four_eyes'),
        ),
        migrations.AddConstraint(
            model_name='designerroyaltychange',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'pending'), models.Q(('decided_at__isnull', False), ('decided_by__isnull', False)), _connector='OR'), name='royalty_change_decided_by_someone'),
        ),
        migrations.AddConstraint(
            model_name='designerroyaltychange',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('listing',), name='royalty_change_one_pending'),
        ),
        migrations.AddConstraint(
            model_name='designerroyalty',
            constraint=models.CheckConstraint(condition=models.Q(('bps__gt', 0), ('bps__lte', 10000)), name='designer_royalty_bps_range'),
        ),
        migrations.AddConstraint(
            model_name='designerroyalty',
            constraint=models.CheckConstraint(condition=models.Q(('effective_to__isnull', True), ('effective_to__gt', models.F('effective_from')), _connector='OR'), name='designer_royalty_period_positive'),
        ),
        migrations.AddConstraint(
            model_name='designerroyalty',
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(expressions=[(unit_onboarding.models.PointRange('listing'), '&&'), (unit_onboarding.models.TsTzRange('effective_from', 'effective_to'), '&&')], name='designer_royalty_no_overlap'),
        ),
        migrations.AddConstraint(
            model_name='listingimage',
            constraint=models.UniqueConstraint(fields=('listing', 'asset'), name='listing_image_unique'),
        ),
        migrations.AddConstraint(
            model_name='listingrevision',
            constraint=models.UniqueConstraint(fields=('listing', 'number'), name='listing_revision_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='listingrevision',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'rejected'), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='listing_revision_rejection_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='listing',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('relation', ''), _negated=True), ('collection_object__isnull', True), _connector='OR'), name='listing_object_has_relation'),
        ),
        migrations.AddConstraint(
            model_name='listing',
            constraint=models.CheckConstraint(condition=models.Q(('on_sale', False), ('live_revision__isnull', False), _connector='OR'), name='listing_on_sale_is_approved'),
        ),
        migrations.AddConstraint(
            model_name='listingvariant',
            constraint=models.CheckConstraint(condition=models.Q(('price_fen__gt', 0)), name='listing_variant_price_positive'),
        ),
        migrations.AddConstraint(
            model_name='listingvariant',
            constraint=models.CheckConstraint(condition=models.Q(('currency', 'CNY')), name='listing_variant_currency_cny'),
        ),
    ]
