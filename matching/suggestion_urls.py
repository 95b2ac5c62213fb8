"""Ranked volunteer suggestions for a support request."""

urlpatterns = []
