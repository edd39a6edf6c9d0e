from django.apps import AppConfig


class PlainAppConfig(AppConfig):
    name = "tests.plugin_cases.plain_app"
    label = "plain_app"
