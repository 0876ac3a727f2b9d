from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Crowdfunded pre-sales"

    def ready(self) -> None:
        from campaigns.holds import CampaignHolds
        from campaigns.selectors import unit_campaign_parties
        from orders.holds import holds_register
        from payments.settlement.permissions import unit_parties_register

        holds_register(CampaignHolds())
        unit_parties_register(unit_campaign_parties)  # a unit's finance sees its campaigns' held funds
