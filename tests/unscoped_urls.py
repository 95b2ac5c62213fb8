"""The real URL conf plus one deliberately unscoped view, to prove the walk catches it."""

from django.urls import path

from familien.urls import urlpatterns as real_patterns
from tests.test_every_url import unscoped_family_view

urlpatterns = [
    *real_patterns,
    path("dummy/<int:pk>/", unscoped_family_view, name="dummy_unscoped"),
]
