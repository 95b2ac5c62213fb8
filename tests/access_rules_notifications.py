"""Access rows for notifications and the administrator's personal-data tools."""

NOTIFICATION_RULES = {}

NOTIFICATION_URL_KWARGS = {}
