from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "promotions"
    verbose_name = "Units' promotions"

    def ready(self) -> None:
        from payments.settlement.stats import festival_figures_register
        from promotions.selectors import bureau_festival_figures

        festival_figures_register(bureau_festival_figures)  # the bureau's statistics show campaign sales
