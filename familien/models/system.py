from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last sign of life of a background process, shown on the status page."""

    class Source(models.TextChoices):
        BEAT = "beat", _("Celery beat")
        WORKER = "worker", _("Celery worker")

    source = models.CharField(max_length=20, choices=Source.choices, unique=True)
    seen_at = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.source} {self.seen_at:%Y-%m-%d %H:%M:%S}"
