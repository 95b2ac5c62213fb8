from datetime import date

import factory
from django.utils import timezone

from familien.models import Branch, Child, Family, Parent, Programme, Region, Role, User, Volunteer
from followup.models import Activity, CheckIn, FollowUpTask, MeetingPlace
from matching.models import Match, SupportRequest
from surveys.models import AnswerType, Question, Questionnaire, Respondent, SurveyKind


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    name = factory.Sequence(lambda n: f"Røde Kors Testby {n}")
    municipality = factory.Sequence(lambda n: f"Testby {n}")
    region = Region.SYDDANMARK
    postcode = "5000"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Test Person {n}")
    role = Role.LEADER
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def branches(self, create, extracted, **kwargs):
        if create and extracted:
            self.branches.set(extracted)


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    branch = factory.SubFactory(BranchFactory)
    name = factory.Sequence(lambda n: f"Familien Testesen {n}")


class ParentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parent

    family = factory.SubFactory(FamilyFactory)
    first_name = "Mette"
    last_name = factory.Sequence(lambda n: f"Testesen{n}")
    phone = "+45 20 00 00 00"


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    family = factory.SubFactory(FamilyFactory)
    first_name = "Ida"
    birth_year = 2017


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    branch = factory.SubFactory(BranchFactory)
    first_name = "Frida"
    last_name = factory.Sequence(lambda n: f"Frivillig{n}")
    programmes = [Programme.FAMILY_FRIEND]


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    family = factory.SubFactory(FamilyFactory)
    volunteer = factory.SubFactory(
        VolunteerFactory, branch=factory.SelfAttribute("..family.branch")
    )
    programme = Programme.FAMILY_FRIEND
    status = Match.Status.ACTIVE
    started_on = date(2026, 1, 15)


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    match = factory.SubFactory(MatchFactory)
    met_on = date(2026, 2, 1)
    minutes = 120
    place = MeetingPlace.HOME
    activities = [Activity.OUTING]


class FollowUpTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpTask

    match = factory.SubFactory(MatchFactory)
    kind = FollowUpTask.Kind.FOLLOW_UP
    due_on = date(2026, 2, 5)
    responsible = FollowUpTask.Responsible.BRANCH


class SupportRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportRequest

    family = factory.SubFactory(FamilyFactory)
    programme = Programme.FAMILY_FRIEND
    for_parent = factory.SubFactory(ParentFactory, family=factory.SelfAttribute("..family"))
    status = SupportRequest.Status.WAITING


def one_question_questionnaire(
    code,
    *,
    respondent=Respondent.PARENT,
    programme=Programme.FAMILY_FRIEND,
    published_at=None,
):
    """A published test questionnaire (version 99, newer than any shipped one) with one
    text question, so the survey rules run without the real content."""
    questionnaire = Questionnaire.objects.create(
        code=code,
        version=99,
        respondent=respondent,
        programme=programme,
        title_da="Test",
        title_en="Test",
        published_at=published_at or timezone.now(),
    )
    Question.objects.create(
        questionnaire=questionnaire,
        position=1,
        code="Q1",
        kinds=list(SurveyKind.values),
        text_da="Hvordan går det?",
        text_en="How are things?",
        answer_type=AnswerType.TEXT,
    )
    return questionnaire
