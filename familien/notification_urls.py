"""Notifications and the administrator's personal-data tools (GDPR)."""

urlpatterns = []
