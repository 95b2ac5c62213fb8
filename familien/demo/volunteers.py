from familien.models import Programme, Volunteer


def make_volunteer(fake, rng, branch):
    """An invented volunteer with a home branch."""
    return Volunteer.objects.create(
        branch=branch,
        first_name=fake.first_name(),
        last_name=fake.last_name(),
        phone=fake.phone_number(),
        email=fake.email(),
        programmes=rng.sample(
            [Programme.FAMILY_FRIEND, Programme.JOB_MENTOR, Programme.EDUCATION_MENTOR],
            k=rng.randint(1, 2),
        ),
    )
