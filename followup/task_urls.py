"""The follow-up side for leaders, the central corps and follow-up volunteers: the
dashboard, the task queue, one task, and the report's figures (issue 5 items 2, 4-6)."""

from django.urls import path

from followup import figure_views, task_views

urlpatterns = [
    path("opfoelgning/", task_views.followup_dashboard, name="followup_dashboard"),
    path("opfoelgning/opgaver/", task_views.followup_task_queue, name="followup_task_queue"),
    path("opfoelgning/opgaver/<id:pk>/", task_views.followup_task, name="followup_task"),
    path("opfoelgning/tal/", figure_views.followup_figures, name="followup_figures"),
]
