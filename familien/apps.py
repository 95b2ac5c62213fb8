from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamilienConfig(AppConfig):
    name = "familien"
    verbose_name = _("Familien i Fokus")

    def ready(self):
        from django.urls import register_converter

        from familien import audit
        from familien.converters import RecordIdConverter

        audit.register_models()
        register_converter(RecordIdConverter, "id")
