from django.core.paginator import Paginator
from django.shortcuts import render

from familien import access
from familien.access import CASEWORK_ROLES, role_required
from familien.models import Role

PAGE_SIZE = 25


@role_required(Role.LEADER, Role.CENTRAL, Role.FOLLOWUP, Role.ADMIN)
def family_list(request):
    families = access.families_for(request.user).select_related("branch")
    page = Paginator(families, PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "familien/family_list.html", {"page": page})


@role_required(*CASEWORK_ROLES)
def family_detail(request, pk):
    family = access.get_family_for(request.user, pk)
    return render(
        request,
        "familien/family_detail.html",
        {
            "family": family,
            "parents": list(family.parents.all()),
            "children": list(family.children.all()),
            "matches": list(
                access.matches_for(request.user).filter(family=family).select_related("volunteer")
            ),
        },
    )
