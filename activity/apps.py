from django.apps import AppConfig


class ActivityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "activity"

    def ready(self) -> None:
        from activity import api_keys  # noqa: F401  (logs personal API key changes: accounts' signal)
