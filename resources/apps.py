from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    """The public cultural-resource library (公开文化资源库): collection objects units choose to share."""

    name = "resources"

    def ready(self) -> None:
        from resources import cache

        cache.connect()
