"""Access rows for the follow-up side of issue 5: the dashboard, the task queue, one
task and the figures.

Leaders, the central corps, follow-up volunteers and administrators follow matches up;
a task is visible through access.follow_up_tasks_for (the other branch's leader and a
stranger follow-up volunteer get 404). Volunteers and evaluators never see tasks. The
figures are for leaders (their branches), the central corps and administrators.
"""

from tests.access_rules import HIDDEN, only

FOLLOW_UP_PEOPLE = {"leader", "leader_other", "central", "followup", "followup_other", "admin"}
FIGURE_PEOPLE = {"leader", "leader_other", "central", "admin"}


def _task_of_match_a(world):
    """A follow-up of match A: centrally started, its follow-up volunteer responsible."""
    from followup.models import FollowUpTask
    from tests.factories import FollowUpTaskFactory

    task = FollowUpTask.objects.filter(match=world.match_a, kind="follow_up").first()
    if task is None:
        task = FollowUpTaskFactory(
            match=world.match_a,
            responsible=FollowUpTask.Responsible.CENTRAL,
            assignee=world.users["followup"],
        )
    return {"pk": task.pk}


FOLLOWUP_TASK_RULES = {
    "followup_dashboard": only(FOLLOW_UP_PEOPLE),
    "followup_task_queue": only(FOLLOW_UP_PEOPLE),
    "followup_task": only(FOLLOW_UP_PEOPLE, leader_other=HIDDEN, followup_other=HIDDEN),
    "followup_figures": only(FIGURE_PEOPLE),
}

FOLLOWUP_TASK_URL_KWARGS = {
    "followup_task": _task_of_match_a,
}
