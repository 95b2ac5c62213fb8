from familien.models import Child, Family, Parent


def make_family(fake, rng, branch, today):
    """An invented family in ``branch`` with one or two parents and one to four children."""
    last_name = fake.last_name()
    family = Family.objects.create(
        branch=branch,
        name=f"Familien {last_name}",
        address=fake.street_address(),
        postcode=branch.postcode,
        city=branch.municipality,
    )
    for _ in range(rng.choice([1, 1, 2])):
        Parent.objects.create(
            family=family,
            first_name=fake.first_name(),
            last_name=last_name,
            phone=fake.phone_number(),
            email=fake.email(),
        )
    for _ in range(rng.randint(1, 4)):
        Child.objects.create(
            family=family,
            first_name=fake.first_name(),
            birth_year=today.year - rng.randint(1, 17),
        )
    return family
