from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Crowdfunded pre-sales"

    def ready(self) -> None:
        from campaigns.holds import CampaignHolds
        from campaigns.selectors import bureau_campaign_figures, campaign_party_titles, unit_campaign_parties
        from orders.holds import holds_register
        from payments.settlement.permissions import unit_parties_register
        from payments.settlement.selectors import campaign_titles_register
        from payments.settlement.stats import campaign_figures_register

        holds_register(CampaignHolds())
        unit_parties_register(unit_campaign_parties)  # a unit's finance sees its campaigns' held funds
        campaign_figures_register(bureau_campaign_figures)  # the bureau's statistics count campaigns
        campaign_titles_register(campaign_party_titles)  # statements and exports name campaigns by title
