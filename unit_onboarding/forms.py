"""Forms: parse and explain input field by field; the services decide."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import clock
from unit_onboarding import filetypes, uscc
from unit_onboarding.agreements import ShareTerm, default_party_keys
from unit_onboarding.designers import designers_of
from unit_onboarding.error_codes import MESSAGES, OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code
from unit_onboarding.models import (
    AgreementShare,
    AgreementVersion,
    Designer,
    Document,
    OperatingEntity,
    Unit,
)
from unit_onboarding.services import (
    ENTITY_FIELDS,
    PROFILE_FIELDS,
    PROFILE_IMAGES,
    REQUIRED_UNIT_FIELDS,
    UNIT_FIELDS,
)
from unit_onboarding.unit_payout import PAYOUT_FIELDS

_USCC_CODES = {
    "length": Code.CREDIT_CODE_LENGTH,
    "alphabet": Code.CREDIT_CODE_ALPHABET,
    "division": Code.CREDIT_CODE_DIVISION,
    "check": Code.CREDIT_CODE_CHECK,
}
MAX_IMAGE_BYTES = 5 * 1024 * 1024


def credit_code_clean(value: str) -> str:
    code = uscc.normalise(value or "")
    if code and (why := uscc.problem(code)):
        raise forms.ValidationError(MESSAGES[_USCC_CODES[why]], code=_USCC_CODES[why])
    return code


class UnitPayoutFields(forms.Form):
    """The unit's own bank details (its share and staff pool are paid there, by bank transfer only);
    the account number is never shown back, only its end."""

    payout_account_name = forms.CharField(
        label=_("account name"),
        max_length=200,
        required=False,
        help_text=_("The institution's name at the bank (not its operating entity's)."),
    )
    payout_bank_name = forms.CharField(label=_("bank name"), max_length=100, required=False)
    payout_bank_account = forms.CharField(label=_("bank account number"), max_length=40, required=False)

    def payout_initial(self, unit: Unit) -> None:
        """The payout fields as on record."""
        if not self.is_bound:
            self.initial.update(
                {"payout_account_name": unit.payout_account_name, "payout_bank_name": unit.payout_bank_name}
            )
        if unit.payout_bank_account_encrypted:
            self.fields["payout_bank_account"].help_text = _(
                "On record: %(masked)s. Leave empty to keep it; clear the bank name to remove all three."
            ) % {"masked": "…" + unit.payout_bank_account[-4:]}

    def clean_payout_bank_account(self) -> str:
        return re.sub(r"[\s-]", "", self.cleaned_data.get("payout_bank_account", ""))

    def payout_data(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in PAYOUT_FIELDS}


class ApplicationForm(UnitPayoutFields, forms.ModelForm):
    """The unit and its operating entity on one page; every field optional until submission."""

    entity_legal_name = forms.CharField(
        label=_("operating entity legal name"), max_length=200, required=False
    )
    entity_credit_code = forms.CharField(
        label=_("operating entity credit code"), max_length=24, required=False
    )
    entity_settlement_method = forms.ChoiceField(
        label=_("settlement method"), choices=OperatingEntity.Settlement.choices, required=False
    )
    entity_bank_name = forms.CharField(label=_("bank name"), max_length=100, required=False)
    entity_bank_account = forms.CharField(label=_("bank account number"), max_length=40, required=False)
    entity_stripe_account_id = forms.CharField(label=_("Stripe account id"), max_length=64, required=False)

    class Meta:
        model = Unit
        fields = UNIT_FIELDS

    def __init__(self, *args, submitting: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["credit_code"].max_length = 24  # spaces are allowed in input and removed
        self.fields["credit_code"].widget.attrs["maxlength"] = 24
        entity = self.instance.operating_entity if self.instance.pk else None
        for name in ENTITY_FIELDS:
            if entity is not None and not self.is_bound:
                self.initial[f"entity_{name}"] = getattr(entity, name)
        if self.instance.pk:
            self.payout_initial(self.instance)  # optional in the application, set later if need be
        if submitting:
            for name in (*REQUIRED_UNIT_FIELDS, "entity_legal_name", "entity_credit_code"):
                self.fields[name].required = True

    def _get_validation_exclusions(self):
        # Uniqueness of the code is the database's job: services.application_save maps the violation
        # to a field error. The code's format is checked by clean_credit_code.
        return {*super()._get_validation_exclusions(), "credit_code"}

    def clean_credit_code(self) -> str:
        return credit_code_clean(self.cleaned_data.get("credit_code", ""))

    def clean_entity_credit_code(self) -> str:
        return credit_code_clean(self.cleaned_data.get("entity_credit_code", ""))

    def clean_postal_code(self) -> str:
        value = (self.cleaned_data.get("postal_code") or "").strip()
        if value and not re.fullmatch(r"\d{6}", value):
            raise forms.ValidationError(_("A Chinese postal code has six digits."))
        return value

    def clean(self):
        data = super().clean()
        submitting = self.fields["credit_code"].required
        method = data.get("entity_settlement_method") or OperatingEntity.Settlement.BANK
        data["entity_settlement_method"] = method
        if submitting and method == OperatingEntity.Settlement.BANK:
            for name in ("entity_bank_name", "entity_bank_account"):
                if not data.get(name):
                    self.add_error(name, _("Required for bank settlement."))
        # Stripe settlement without an account id: a Connect account is created on approval.
        return data

    def unit_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in UNIT_FIELDS if name in self.cleaned_data}

    def entity_data(self) -> dict:
        return {name: self.cleaned_data.get(f"entity_{name}", "") for name in ENTITY_FIELDS}


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("document kind"), choices=Document.Kind.choices)
    file = forms.FileField(label=_("file (PDF, JPEG or PNG, at most 10 MB)"))


class TransitionForm(forms.Form):
    to_status = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


def _image_clean(upload):
    if not upload:
        return upload
    if upload.size > MAX_IMAGE_BYTES:
        raise forms.ValidationError(MESSAGES[Code.FILE_TOO_LARGE] % {"limit": 5})
    content_type = filetypes.sniff_file(upload)
    if content_type not in filetypes.IMAGE_TYPES:
        raise forms.ValidationError(_("The image's content is not JPEG or PNG."))
    try:
        filetypes.content_check(upload, content_type, "image")  # a logo or banner bomb is refused too
    except OnboardingError as error:
        raise forms.ValidationError(error.message) from error
    upload.name = f"{uuid.uuid4().hex}.{filetypes.EXTENSIONS[content_type]}"
    return upload


class ProfileForm(forms.ModelForm):
    field_order = ["display_name", *PROFILE_IMAGES]  # the images next to the name, then the service's order

    class Meta:
        model = Unit
        fields = (*PROFILE_FIELDS, *PROFILE_IMAGES)
        widgets = {
            "story": forms.Textarea(attrs={"rows": 8}),
            "opening_hours": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_logo(self):
        return _image_clean(self.cleaned_data.get("logo"))

    def clean_banner(self):
        return _image_clean(self.cleaned_data.get("banner"))


class AgreementVersionForm(forms.Form):
    """One new version: when it starts, and each role's share in basis points (1% = 100 bps)."""

    effective_from = forms.DateTimeField(label=_("effective from"))
    effective_to = forms.DateTimeField(label=_("effective to (optional)"), required=False)
    unit_bps = forms.IntegerField(label=_("unit (bps)"), min_value=0, max_value=10_000, initial=0)
    operating_entity_bps = forms.IntegerField(
        label=_("operating entity (bps)"), min_value=0, max_value=10_000, initial=0
    )
    designer_bps = forms.IntegerField(
        label=_("designer royalty (bps)"), min_value=0, max_value=10_000, initial=0
    )
    designer = forms.ModelChoiceField(
        label=_("designer"), queryset=Designer.objects.none(), to_field_name="slug", required=False
    )
    staff_pool_bps = forms.IntegerField(
        label=_("staff incentive pool (bps)"), min_value=0, max_value=10_000, initial=0
    )
    platform_bps = forms.IntegerField(label=_("platform (bps)"), min_value=0, max_value=10_000, initial=0)
    fee_rule = forms.ChoiceField(
        label=_("card processing fee"),
        choices=AgreementVersion.FeeRule.choices,
        initial=AgreementVersion.FeeRule.PRO_RATA,
    )
    tax_rule = forms.ChoiceField(
        label=_("tax"),
        choices=AgreementVersion.TaxRule.choices,
        initial=AgreementVersion.TaxRule.SELLER_OF_RECORD,
    )
    shipping_rule = forms.ChoiceField(
        label=_("shipping income"),
        choices=AgreementVersion.ShippingRule.choices,
        initial=AgreementVersion.ShippingRule.SHIPPING_UNIT,
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, unit: Unit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["designer"].queryset = designers_of(unit)
        self.fields["designer"].label_from_instance = lambda d: f"{d} ({d.slug})"
        self.fields["designer"].help_text = _("Register designers on the unit's designers page.")
        # the next day at midnight: a version must be approved before its start (unless it is the first)
        self.fields["effective_from"].initial = clock.local(
            clock.day_start(clock.today() + timedelta(days=1))
        )
        self.fields["effective_from"].help_text = _(
            "A version takes force at this time once platform finance approves it, which must happen before"
            " then (only the unit's first version may start in the past)."
        )
        self.fields["platform_bps"].help_text = _(
            "At least %(floor)s bps (%(percent)s%%) by platform policy."
        ) % {
            "floor": f"{settings.PLATFORM_SHARE_MIN_BPS:,}",
            "percent": f"{settings.PLATFORM_SHARE_MIN_BPS / 100:g}",
        }

    def clean(self):
        data = super().clean()
        if data.get("designer_bps") and not data.get("designer"):
            self.add_error("designer", _("Name the designer who receives the royalty."))
        return data

    def shares(self) -> list[ShareTerm]:
        keys = default_party_keys(self.unit)
        designer = self.cleaned_data.get("designer")
        keys[AgreementShare.Role.DESIGNER] = designer.party_key if designer else "designer:"
        return [
            ShareTerm(keys[role], role, self.cleaned_data[f"{role}_bps"])
            for role in AgreementShare.Role.values
            if self.cleaned_data.get(f"{role}_bps")
        ]


class DesignerClaimForm(forms.Form):
    email = forms.EmailField(label=_("email"))


class DesignerForm(forms.Form):
    """A designer's names and payout details; the identifier is given once, at registration."""

    slug = forms.SlugField(
        label=_("identifier"),
        max_length=100,
        help_text=_("Letters, digits and hyphens, unique on the platform; it never changes (e.g. li-hua)."),
    )
    name_zh = forms.CharField(label=pgettext_lazy("person", "name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=pgettext_lazy("person", "name (English)"), max_length=100, required=False)
    settlement_method = forms.ChoiceField(
        label=_("settlement method"), choices=OperatingEntity.Settlement.choices
    )
    account_holder = forms.CharField(
        label=_("account holder (if not the name)"), max_length=200, required=False
    )
    bank_name = forms.CharField(label=_("bank name"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("bank account number"), max_length=40, required=False)
    stripe_account_id = forms.CharField(label=_("Stripe account id"), max_length=64, required=False)

    def __init__(self, *args, designer: Designer | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.designer = designer
        if designer is not None:
            del self.fields["slug"]
            if not self.is_bound:
                self.initial = {name: getattr(designer, name) for name in self.service_fields()}
                self.initial["bank_account"] = ""
            if designer.bank_account_encrypted:
                self.fields["bank_account"].help_text = _(
                    "On record: %(masked)s. Leave empty to keep it; clear the bank name to remove both."
                ) % {"masked": "…" + designer.bank_account[-4:]}

    @staticmethod
    def service_fields() -> tuple[str, ...]:
        return (
            "name_zh",
            "name_en",
            "settlement_method",
            "account_holder",
            "bank_name",
            "bank_account",
            "stripe_account_id",
        )

    def clean_bank_account(self) -> str:
        return re.sub(r"[\s-]", "", self.cleaned_data.get("bank_account", ""))

    def clean_stripe_account_id(self) -> str:
        value = self.cleaned_data.get("stripe_account_id", "").strip()
        if value and not re.fullmatch(r"acct_[A-Za-z0-9]+", value):
            raise forms.ValidationError(_("A Stripe account id looks like acct_1AbC…"))
        return value

    def clean(self):
        data = super().clean()
        if data.get("settlement_method") == OperatingEntity.Settlement.STRIPE and not data.get(
            "stripe_account_id"
        ):
            self.add_error("stripe_account_id", _("Required for Stripe settlement."))
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.service_fields()}


class UnitPayoutForm(UnitPayoutFields):
    """The unit's payout page: a request to change the unit's own account (platform finance confirms)."""

    def __init__(self, *args, unit: Unit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.payout_initial(unit)

    def request_data(self) -> dict:
        """The request under the names payee changes use."""
        data = self.payout_data()
        return {
            "account_name": data["payout_account_name"],
            "bank_name": data["payout_bank_name"],
            "bank_account": data["payout_bank_account"],
        }


class EntityPayoutForm(forms.Form):
    """The operating entity's settlement: by bank transfer or Stripe; asked for, confirmed by the platform."""

    settlement_method = forms.ChoiceField(
        label=_("settlement method"), choices=OperatingEntity.Settlement.choices
    )
    bank_name = forms.CharField(label=_("bank name"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("bank account number"), max_length=40, required=False)
    stripe_account_id = forms.CharField(label=_("Stripe account id"), max_length=64, required=False)

    def __init__(self, *args, entity: OperatingEntity, **kwargs) -> None:
        kwargs.setdefault("prefix", "entity")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial = {
                "settlement_method": entity.settlement_method,
                "bank_name": entity.bank_name,
                "stripe_account_id": entity.stripe_account_id,
            }
        if entity.bank_account_encrypted:
            self.fields["bank_account"].help_text = _(
                "On record: %(masked)s. Leave empty to keep it; clear the bank name to remove both."
            ) % {"masked": "…" + entity.bank_account[-4:]}

    def clean_bank_account(self) -> str:
        return re.sub(r"[\s-]", "", self.cleaned_data.get("bank_account", ""))

    def request_data(self) -> dict:
        return dict(self.cleaned_data)
