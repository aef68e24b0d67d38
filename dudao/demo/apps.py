from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "dudao.demo"
    verbose_name = "Demo data"
