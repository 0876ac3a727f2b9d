from django.apps import AppConfig


class UnitOnboardingConfig(AppConfig):
    name = "unit_onboarding"
