from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamilienConfig(AppConfig):
    name = "familien"
    verbose_name = _("Familien i Fokus")

    def ready(self):
        from familien import audit

        audit.register_models()
