"""resources: migrations 0001_initial to 0004_design_call_withdrawal, squashed (see README, Migrations)."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('resources', '0001_initial'),
        ('resources', '0002_designers_licence_requests'),
        ('resources', '0003_design_calls'),
        ('resources', '0004_design_call_withdrawal'),
    ]

    dependencies = [
        ('catalog', '0001_squashed_0010_import_listing_ids'),
        ('unit_onboarding', '0001_squashed_0012_finance_invitation_endorsement'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DesignCall',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('title_zh', models.CharField(max_length=200, verbose_name='title (Chinese)')),
                ('title_en', models.CharField(blank=True, max_length=200, verbose_name='title (English)')),
                ('category', models.CharField(max_length=64, verbose_name='product category')),
                ('award_fen', models.PositiveBigIntegerField(verbose_name='award (fen)')),
                ('currency', models.CharField(default='CNY', max_length=3)),
                ('deadline', models.DateTimeField(verbose_name='deadline')),
                ('rules', models.TextField(max_length=8000, verbose_name='rules')),
                ('royalty_bps', models.PositiveIntegerField(verbose_name='announced royalty (basis points)')),
                ('status', models.CharField(choices=[('open', 'Open'), ('awarded', 'Awarded'), ('withdrawn', 'Withdrawn')], default='open', max_length=16)),
                ('revision', models.PositiveIntegerField(default=1)),
                ('created_at', models.DateTimeField()),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                ('withdraw_reason', models.TextField(blank=True, max_length=2000, verbose_name='reason for withdrawing')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('objects_called', models.ManyToManyField(related_name='design_calls', to='catalog.collectionobject')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='design_calls', to='unit_onboarding.unit')),
                ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['deadline', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='DesignerProfile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('display_name_zh', models.CharField(max_length=100, verbose_name='display name (Chinese)')),
                ('display_name_en', models.CharField(blank=True, max_length=100, verbose_name='display name (English)')),
                ('kind', models.CharField(choices=[('individual', 'Individual designer'), ('studio', 'Design studio'), ('enterprise', 'Enterprise')], default='individual', max_length=16, verbose_name='kind')),
                ('bio', models.TextField(blank=True, max_length=4000, verbose_name='about')),
                ('website', models.URLField(blank=True, verbose_name='website')),
                ('created_at', models.DateTimeField()),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('account', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='designer_profile', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='LicenceRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('product', models.CharField(max_length=200, verbose_name='intended product')),
                ('channels', models.CharField(max_length=200, verbose_name='sales channels')),
                ('quantity', models.PositiveIntegerField(verbose_name='quantity')),
                ('royalty_bps', models.PositiveIntegerField(verbose_name='proposed royalty (basis points)')),
                ('term_from', models.DateField(verbose_name='from')),
                ('term_until', models.DateField(verbose_name='until')),
                ('note', models.TextField(blank=True, max_length=2000, verbose_name='note')),
                ('language', models.CharField(default='zh-hans', help_text="language of the designer's mail", max_length=10)),
                ('status', models.CharField(choices=[('pending', 'Waiting for the unit'), ('approved', 'Approved'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn')], default='pending', max_length=16)),
                ('created_at', models.DateTimeField()),
                ('decline_reason', models.TextField(blank=True, verbose_name='reason')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('licence', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='request', to='catalog.iplicence')),
                ('object', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='licence_requests', to='catalog.collectionobject')),
                ('profile', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='licence_requests', to='resources.designerprofile')),
                ('requester', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='licence_requests', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='licence_requests', to='unit_onboarding.unit')),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='PortfolioImage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('caption', models.CharField(blank=True, max_length=200, verbose_name='caption')),
                ('created_at', models.DateTimeField()),
                ('image', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.imageasset')),
                ('profile', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='portfolio', to='resources.designerprofile')),
            ],
            options={
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Proposal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('description', models.TextField(max_length=8000, verbose_name='description')),
                ('language', models.CharField(default='zh-hans', max_length=10)),
                ('status', models.CharField(choices=[('submitted', 'Submitted'), ('shortlisted', 'Shortlisted'), ('won', 'Selected: the winning design'), ('not_selected', 'Not selected'), ('withdrawn', 'Withdrawn')], default='submitted', max_length=16)),
                ('created_at', models.DateTimeField()),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                ('call', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='proposals', to='resources.designcall')),
                ('designer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='proposals', to=settings.AUTH_USER_MODEL)),
                ('listing', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='proposal', to='catalog.listing')),
                ('profile', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='proposals', to='resources.designerprofile')),
            ],
            options={
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='AwardSelection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('proposed_at', models.DateTimeField()),
                ('call_revision', models.PositiveIntegerField(help_text="the call's terms the selection was made on")),
                ('award_fen', models.PositiveBigIntegerField()),
                ('royalty_bps', models.PositiveIntegerField()),
                ('status', models.CharField(choices=[('pending', "Waiting for the unit's finance"), ('confirmed', 'Confirmed'), ('rejected', 'Rejected')], default='pending', max_length=16)),
                ('reason', models.TextField(blank=True)),
                ('ledger_transaction_id', models.BigIntegerField(blank=True, null=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('call', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='selections', to='resources.designcall')),
                ('proposal', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='selections', to='resources.proposal')),
            ],
            options={
                'ordering': ['-proposed_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='ProposalImage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('image', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.imageasset')),
                ('proposal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='images', to='resources.proposal')),
            ],
            options={
                'ordering': ['proposal', 'position', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='PublishedObject',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('published', models.BooleanField(default=False, verbose_name='shown in the public library')),
                ('licensable', models.BooleanField(default=False, help_text='For objects not in the public domain: whether the unit grants licences for it.', verbose_name='licences may be requested')),
                ('category', models.CharField(choices=[('bronze', 'Bronzes'), ('ceramics', 'Ceramics and porcelain'), ('jade', 'Jade and stone'), ('painting', 'Painting and calligraphy'), ('textile', 'Textiles and costume'), ('books', 'Books, manuscripts and archives'), ('sculpture', 'Sculpture'), ('furniture', 'Furniture and wood'), ('metalwork', 'Gold, silver and metalwork'), ('other', 'Other')], max_length=16, verbose_name='object category')),
                ('published_at', models.DateTimeField(blank=True, null=True)),
                ('unpublished_at', models.DateTimeField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('object', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='publication', to='catalog.collectionobject')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unpublished_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.AddConstraint(
            model_name='designcall',
            constraint=models.CheckConstraint(condition=models.Q(('award_fen__gt', 0)), name='design_call_award_positive'),
        ),
        migrations.AddConstraint(
            model_name='designcall',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'withdrawn'), _negated=True), models.Q(('withdrawn_at__isnull', False), ('withdrawn_by__isnull', False), models.Q(('withdraw_reason', ''), _negated=True)), _connector='OR'), name='design_call_withdrawn_says_who_when_why'),
        ),
        migrations.AddConstraint(
            model_name='designcall',
            constraint=models.CheckConstraint(condition=models.Q(('royalty_bps__lte', 10000)), name='design_call_royalty_range'),
        ),
        migrations.AddConstraint(
            model_name='designcall',
            constraint=models.CheckConstraint(condition=models.Q(('currency', 'CNY')), name='design_call_currency_cny'),
        ),
        migrations.AddConstraint(
            model_name='licencerequest',
            constraint=models.CheckConstraint(condition=models.Q(('term_until__gte', models.F('term_from'))), name='licence_request_term_valid'),
        ),
        migrations.AddConstraint(
            model_name='licencerequest',
            constraint=models.CheckConstraint(condition=models.Q(('royalty_bps__lte', 10000)), name='licence_request_royalty_range'),
        ),
        migrations.AddConstraint(
            model_name='licencerequest',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('licence__isnull', False), ('status', 'approved')), models.Q(models.Q(('status', 'approved'), _negated=True), ('licence__isnull', True)), _connector='OR'), name='licence_request_approved_has_licence'),
        ),
        migrations.AddConstraint(
            model_name='licencerequest',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'declined'), _negated=True), models.Q(('decline_reason', ''), _negated=True), _connector='OR'), name='licence_request_declined_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'withdrawn'), _negated=True), fields=('call', 'designer'), name='proposal_one_per_designer'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'withdrawn'), _negated=True), ('withdrawn_at__isnull', False), _connector='OR'), name='proposal_withdrawn_says_when'),
        ),
        migrations.AddConstraint(
            model_name='proposal',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'won')), fields=('call',), name='proposal_one_winner_per_call'),
        ),
        migrations.AddConstraint(
            model_name='awardselection',
            constraint=models.CheckConstraint(condition=models.Q(('decided_by__isnull', True), models.Q(('decided_by', models.F('proposed_by')), _negated=True), _connector='OR'), name='award_selection_four_eyes'),
        ),
        migrations.AddConstraint(
            model_name='awardselection',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'pending'), models.Q(('decided_at__isnull', False), ('decided_by__isnull', False)), _connector='OR'), name='award_selection_decided_by_someone'),
        ),
        migrations.AddConstraint(
            model_name='awardselection',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'confirmed'])), fields=('call',), name='award_selection_one_live_per_call'),
        ),
        migrations.AddConstraint(
            model_name='publishedobject',
            constraint=models.CheckConstraint(condition=models.Q(('published', False), models.Q(('published_at__isnull', False), ('published_by__isnull', False)), _connector='OR'), name='published_object_says_who_and_when'),
        ),
    ]
