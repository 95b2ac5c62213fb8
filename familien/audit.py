"""Which records the audit trail (django-auditlog) follows.

Every create, update and delete of these models is written with the acting user (set by
AuditlogMiddleware) and the changed fields. Passwords never reach the trail; sensitive
free text is masked, so the trail shows that it changed, not what it says.
"""

from auditlog.registry import auditlog


def register_models():
    from familien import models as m
    from followup.models import CheckIn, FollowUpRule, FollowUpTask
    from matching.models import Agreement, IntroMeeting, Match, SupportRequest, VolunteerTalk
    from surveys.models import ContactAttempt, Question, Questionnaire, Response, SurveyOptOut

    auditlog.register(m.Branch)
    auditlog.register(
        m.Family,
        mask_fields=["sensitive_notes"],
        exclude_fields=["search_text", "updated_at"],
    )
    auditlog.register(m.Parent)
    auditlog.register(m.Child)
    auditlog.register(m.Consent)
    auditlog.register(m.Partner)
    auditlog.register(m.PartnerContact)
    auditlog.register(
        m.Volunteer,
        exclude_fields=["search_text", "updated_at"],
        m2m_fields={"tags", "served_branches"},
    )
    auditlog.register(m.PipelineEvent)
    auditlog.register(m.RecruitmentContact)
    auditlog.register(m.CourseAttendance)
    auditlog.register(m.ChildCertificate)
    auditlog.register(m.FrameworkAgreement)
    auditlog.register(Match)
    auditlog.register(SupportRequest)
    auditlog.register(IntroMeeting, mask_fields=["needs", "notes"])
    auditlog.register(VolunteerTalk, mask_fields=["notes"])
    auditlog.register(Agreement)
    auditlog.register(CheckIn, mask_fields=["note"])
    auditlog.register(FollowUpTask, mask_fields=["note"])
    auditlog.register(FollowUpRule)
    # Surveys: the questionnaires staff edit, the calls they record, paper answers keyed
    # in and opt-outs. The answers themselves are not copied into the trail.
    auditlog.register(Questionnaire)
    auditlog.register(Question)
    auditlog.register(ContactAttempt, mask_fields=["note"])
    auditlog.register(
        Response, exclude_fields=["swemwbs_raw", "swemwbs_metric", "pss_ps", "pss_lps"]
    )
    auditlog.register(SurveyOptOut)
    auditlog.register(m.User, exclude_fields=["password", "last_login"], m2m_fields={"branches"})
