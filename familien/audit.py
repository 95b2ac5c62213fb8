"""Which records the audit trail (django-auditlog) follows.

Every create, update and delete of these models is written with the acting user (set by
AuditlogMiddleware) and the changed fields. Passwords and one-time secrets are never
stored in the trail.
"""

from auditlog.registry import auditlog


def register_models():
    from familien.models import Branch, Child, Family, Parent, User, Volunteer
    from matching.models import Match

    auditlog.register(Branch)
    auditlog.register(Family)
    auditlog.register(Parent)
    auditlog.register(Child)
    auditlog.register(Volunteer)
    auditlog.register(Match)
    auditlog.register(User, exclude_fields=["password", "last_login"], m2m_fields={"branches"})
