"""Forms of the campaign pages. Times are typed in Asia/Shanghai (the view activates it) and stored in UTC."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from catalog.forms import yuan_to_fen
from catalog.models import Listing, ListingVariant
from core.clock import local
from core.forms import BeijingDateTimeField
from core.money import minor_format


class CampaignForm(forms.Form):
    listing = forms.ModelChoiceField(label=_("listing"), queryset=Listing.objects.none())
    title_zh = forms.CharField(label=_("title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("title (English)"), max_length=200, required=False)
    story_zh = forms.CharField(
        label=_("story (Chinese)"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    story_en = forms.CharField(
        label=_("story (English)"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    goal_kind = forms.ChoiceField(label=_("goal"), choices=Campaign.Goal.choices)
    goal_yuan = forms.CharField(label=_("goal (yuan)"), required=False)
    goal_backers = forms.IntegerField(label=_("goal (backers)"), min_value=1, required=False)
    starts_at = BeijingDateTimeField(label=_("starts (Beijing time)"))
    ends_at = BeijingDateTimeField(label=_("ends (Beijing time)"))
    estimated_delivery = forms.DateField(
        label=_("estimated delivery"), widget=forms.DateInput(attrs={"type": "date"})
    )
    tiers = forms.CharField(
        label=_("reward tiers"),
        help_text=_(
            "One per line: the variant's SKU, then optionally how many may be sold (e.g. “PM-FAN-01 200”)."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listing"].queryset = Listing.objects.filter(unit=unit).order_by("name_zh")

    def clean_goal_yuan(self):
        value = self.cleaned_data.get("goal_yuan")
        return yuan_to_fen(value) if value else None

    def clean(self):
        data = super().clean()
        listing = data.get("listing")
        tiers = []
        for row in (data.get("tiers") or "").splitlines():
            parts = row.split()
            if not parts:
                continue
            variant = (
                ListingVariant.objects.filter(listing=listing, sku=parts[0]).first() if listing else None
            )
            if variant is None:
                self.add_error("tiers", _("%(sku)s is not a variant of this listing.") % {"sku": parts[0]})
                continue
            if len(parts) > 1 and not (parts[1].isdigit() and int(parts[1]) > 0):
                self.add_error("tiers", _("A limit is a whole number above zero."))
                continue
            tiers.append((variant.pk, int(parts[1]) if len(parts) > 1 else None))
        data["tier_list"] = tiers
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "listing": d["listing"],
            "title_zh": d["title_zh"],
            "title_en": d["title_en"],
            "story_zh": d["story_zh"],
            "story_en": d["story_en"],
            "goal_kind": d["goal_kind"],
            "goal_amount": d.get("goal_yuan"),
            "goal_backers": d.get("goal_backers"),
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
            "estimated_delivery": d["estimated_delivery"],
            "tiers": d["tier_list"],
        }


def initial_of(campaign: Campaign) -> dict:
    return {
        "listing": campaign.listing_id,
        "title_zh": campaign.title_zh,
        "title_en": campaign.title_en,
        "story_zh": campaign.story_zh,
        "story_en": campaign.story_en,
        "goal_kind": campaign.goal_kind,
        "goal_yuan": minor_format(campaign.goal_amount, campaign.currency) if campaign.goal_amount else "",
        "goal_backers": campaign.goal_backers,
        "starts_at": local(campaign.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(campaign.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "estimated_delivery": campaign.estimated_delivery,
        "tiers": "\n".join(f"{t.sku} {t.limit}" if t.limit else t.sku for t in campaign.tiers.all()),
    }


class UpdateForm(forms.Form):
    body_zh = forms.CharField(label=_("update (Chinese)"), widget=forms.Textarea(attrs={"rows": 4}))
    body_en = forms.CharField(
        label=_("update (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class CancelRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("why cancel (backers are refunded in full)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("confirm", _("Confirm the cancellation")), ("refuse", _("Refuse"))]
    )
    note = forms.CharField(
        label=_("reason (for a refusal)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
