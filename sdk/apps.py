from django.apps import AppConfig


class SdkConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sdk"
