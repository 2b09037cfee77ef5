from django.apps import AppConfig


class DxshareConfig(AppConfig):
    name = "dxshare"
    verbose_name = "dxshare"
