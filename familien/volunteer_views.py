from django.core.paginator import Paginator
from django.shortcuts import render

from familien import access
from familien.access import role_required
from familien.models import Role

PAGE_SIZE = 25


@role_required(Role.LEADER, Role.CENTRAL, Role.ADMIN)
def volunteer_list(request):
    volunteers = access.volunteers_for(request.user).select_related("branch")
    page = Paginator(volunteers, PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "familien/volunteer_list.html", {"page": page})


@role_required(Role.LEADER, Role.CENTRAL, Role.FOLLOWUP, Role.ADMIN)
def volunteer_detail(request, pk):
    volunteer = access.get_volunteer_for(request.user, pk)
    return render(
        request,
        "familien/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "matches": list(
                access.matches_for(request.user)
                .filter(volunteer=volunteer)
                .select_related("family")
            ),
        },
    )
