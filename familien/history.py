"""A record's change history, read from the audit trail (django-auditlog)."""

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist

HISTORY_LIMIT = 50


def change_history(condition, *, masked=frozenset(), limit=HISTORY_LIMIT):
    """The newest audit entries matching ``condition`` (a Q on LogEntry), in one query,
    each with its model's name and the labels of the fields it changed; fields in
    ``masked`` are marked so the page says their content is hidden."""
    entries = (
        LogEntry.objects.filter(condition)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:limit]
    )
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        fields = []
        for name in entry.changes_dict or {}:
            try:
                label = str(model._meta.get_field(name).verbose_name)
            except (FieldDoesNotExist, AttributeError):  # a field removed since
                label = name
            fields.append({"label": label, "masked": name in masked})
        rows.append(
            {
                "entry": entry,
                "what": model._meta.verbose_name if model else "",
                "object": entry.object_repr,
                "fields": fields,
            }
        )
    return rows
