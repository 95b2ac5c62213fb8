"""Invented families and partners for the demo, shaped like the report's numbers."""

from datetime import timedelta

from django.core.exceptions import ValidationError

from familien.models import (
    ArrivalChannel,
    Child,
    Consent,
    ConsentState,
    Employment,
    Family,
    Gender,
    Language,
    Parent,
    ParentEducation,
    Partner,
    PartnerContact,
    SupportReason,
    SurveyChannel,
)
from familien.phone import normalise_phone
from familien.services.families import record_consent, refresh_search_text

# Figur 3.1 (N = 323, several answers): the share of families giving each reason. The
# report gives no number for the last ones; these are small guesses below a fifth.
REASON_SHARES = [
    (SupportReason.TALK_DAILY_LIFE, 0.58),
    (SupportReason.PRACTICAL_CHILDREN, 0.39),
    (SupportReason.TALK_UPBRINGING, 0.26),
    (SupportReason.FINANCES, 0.22),
    (SupportReason.LOCAL_ACTIVITIES, 0.18),
    (SupportReason.COMPANION, 0.06),
    (SupportReason.JOB, 0.08),
    (SupportReason.EDUCATION, 0.06),
    (SupportReason.OTHER, 0.04),
]
# DOMAIN.md §7: mostly word of mouth, then caseworkers, jobcentre and PPR, then adverts.
ARRIVAL_WEIGHTS = [
    (ArrivalChannel.OTHER_FAMILY, 30),
    (ArrivalChannel.PARTNER, 28),
    (ArrivalChannel.ADVERT, 14),
    (ArrivalChannel.LOCAL_PAPER, 7),
    (ArrivalChannel.CHRISTMAS_HELP, 8),
    (ArrivalChannel.SHOP, 4),
    (ArrivalChannel.DANISH_COURSE, 5),
    (ArrivalChannel.OTHER, 4),
]
# DOMAIN.md §4.1: 24 % compulsory, 37 % upper-secondary or vocational, 34 % higher, 5 % other.
EDUCATION_WEIGHTS = [
    (ParentEducation.COMPULSORY, 24),
    (ParentEducation.UPPER_SECONDARY_VOCATIONAL, 37),
    (ParentEducation.HIGHER, 34),
    (ParentEducation.OTHER, 5),
]
EMPLOYMENT_WEIGHTS = [
    (Employment.EMPLOYED, 30),
    (Employment.UNEMPLOYED, 20),
    (Employment.SICK_LEAVE, 18),
    (Employment.STUDENT, 8),
    (Employment.EARLY_RETIREMENT, 8),
    (Employment.HOME, 12),
    (Employment.OTHER, 4),
]
OTHER_LANGUAGES = [
    Language.ARABIC,
    Language.SOMALI,
    Language.TURKISH,
    Language.FARSI,
    Language.UKRAINIAN,
    Language.TIGRINYA,
    Language.KURDISH,
]
PARTNER_KINDS = [
    (Partner.Kind.JOBCENTER, "Jobcenter {m}"),
    (Partner.Kind.FAMILY_DEPARTMENT, "Familieafdelingen, {m} Kommune"),
    (Partner.Kind.PPR, "PPR {m}"),
    (Partner.Kind.HEALTH_VISITOR, "Sundhedsplejen {m}"),
    (Partner.Kind.HOUSING, "Boligsocialt team, {m}"),
    (Partner.Kind.SCHOOL, "{m} Sprogcenter"),
]

# What demo and benchmark matches agree to work on.
MATCH_FOCUS = [
    "Overskud i hverdagen og faste rutiner",
    "Lektiehjælp og kontakt til skolen",
    "Fritidsaktiviteter for børnene",
    "Jobsøgning og ansøgninger",
    "Gennemføre uddannelsen",
    "Netværk i lokalområdet",
]


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _phone(fake, rng):
    """A Faker number stored as Familien stores numbers (+45 and eight digits)."""
    try:
        return normalise_phone(fake.phone_number())
    except ValidationError:
        return "+45" + "".join(str(rng.randint(0, 9)) for _ in range(8))


def make_partners(fake, rng, branch):
    """Three or four partners of ``branch``, each with a fixed contact person (Boks 8.1).

    Call once per branch before its families, and pass the result to make_family.
    """
    partners = []
    for kind, pattern in rng.sample(PARTNER_KINDS, rng.randint(3, 4)):
        partner = Partner.objects.create(
            name=pattern.format(m=branch.municipality),
            kind=kind,
            branch=branch,
            municipality=branch.municipality,
            phone=_phone(fake, rng),
            email=f"partner{branch.pk}-{len(partners) + 1}@example.dk",
        )
        PartnerContact.objects.create(
            partner=partner,
            name=fake.name(),
            title=rng.choice(["Sagsbehandler", "Jobkonsulent", "Sundhedsplejerske", "Vejleder"]),
            phone=_phone(fake, rng),
            email=fake.email(),
        )
        partners.append(partner)
    return partners


def make_family(fake, rng, branch, today, partners=()):
    """An invented family in ``branch`` with one or two parents and one to four children,
    reasons as in Figur 3.1, an arrival channel (a referral by one of ``partners`` for
    about a quarter), languages, and consents: most given, a few refused or withdrawn."""
    last_name = fake.last_name()
    reasons = [reason for reason, share in REASON_SHARES if rng.random() < share]
    channel = _weighted(rng, ARRIVAL_WEIGHTS)
    partner = contact = referred_on = None
    if channel == ArrivalChannel.PARTNER:
        if partners:
            partner = rng.choice(list(partners))
            contact = partner.contacts.first()
            referred_on = today - timedelta(days=rng.randint(10, 700))
        else:
            channel = ArrivalChannel.OTHER_FAMILY
    other_language = rng.random() < 0.25
    languages = [Language.DANISH] + ([rng.choice(OTHER_LANGUAGES)] if other_language else [])
    family = Family.objects.create(
        branch=branch,
        name=f"Familien {last_name}",
        address=fake.street_address(),
        postcode=branch.postcode,
        city=branch.municipality,
        reasons=reasons or [SupportReason.TALK_DAILY_LIFE],
        arrival_channel=channel,
        referral_partner=partner,
        referral_contact=contact,
        referred_on=referred_on,
        languages=languages,
        needs_interpreter=other_language and rng.random() < 0.4,
    )
    parent_count = rng.choice([1, 1, 2])
    for index in range(parent_count):
        first_name = fake.first_name_female() if index == 0 else fake.first_name_male()
        phone = _phone(fake, rng)
        email = fake.email() if rng.random() < 0.85 else ""
        Parent.objects.create(
            family=family,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            email=email,
            preferred_channel=(
                rng.choice([SurveyChannel.SMS, SurveyChannel.BOTH]) if email else SurveyChannel.SMS
            ),
            gender=Gender.FEMALE if index == 0 else Gender.MALE,
            # DOMAIN.md §4.1: 81 % are 30–49.
            birth_year=today.year - rng.choice([rng.randint(30, 49)] * 4 + [rng.randint(22, 60)]),
            education=_weighted(rng, EDUCATION_WEIGHTS),
            employment=_weighted(rng, EMPLOYMENT_WEIGHTS),
            single_provider=parent_count == 1 and rng.random() < 0.85,
        )
    for _ in range(rng.randint(1, 4)):
        age = rng.randint(1, 17)
        Child.objects.create(
            family=family,
            first_name=fake.first_name(),
            birth_year=today.year - age,
            school_class=f"{age - 6}. klasse" if 6 <= age <= 15 else "",
            support_concerns=rng.random() < 0.4,
        )
    record_consent(family, kind=Consent.Kind.DATA, state=ConsentState.GIVEN, actor=None)
    roll = rng.random()
    if roll < 0.06:
        record_consent(family, kind=Consent.Kind.EVALUATION, state=ConsentState.REFUSED, actor=None)
    else:
        record_consent(family, kind=Consent.Kind.EVALUATION, state=ConsentState.GIVEN, actor=None)
        if roll < 0.12:
            record_consent(
                family,
                kind=Consent.Kind.EVALUATION,
                state=ConsentState.WITHDRAWN,
                actor=None,
                note="Ønsker ikke flere spørgeskemaer.",
            )
    refresh_search_text(family)
    return family
