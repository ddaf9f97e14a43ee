from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "onewindow.ratings"
    label = "ratings"
    verbose_name = "好差评"
