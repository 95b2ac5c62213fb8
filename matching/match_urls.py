"""Matches: the lifecycle from proposal to close, and the agreement."""

urlpatterns = []
