"""Follow-up plans, tasks and check-ins live here (the follow-up issue)."""
