"""Support requests, the waiting list and intro meetings."""

urlpatterns = []
