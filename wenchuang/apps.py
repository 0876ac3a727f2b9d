from django.apps import AppConfig


class WenchuangConfig(AppConfig):
    name = "wenchuang"

    def ready(self) -> None:
        from wenchuang import checks  # noqa: F401  (registers the system checks)
