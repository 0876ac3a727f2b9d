from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Crowdfunded pre-sales"

    def ready(self) -> None:
        from campaigns.holds import CampaignHolds
        from orders.holds import holds_register

        holds_register(CampaignHolds())
