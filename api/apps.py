from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    label = "hearthside_api"
    verbose_name = "Hearthside API"
