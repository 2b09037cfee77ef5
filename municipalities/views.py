from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from accounts import scope
from dxshare.fiscal import current_fiscal_year
from municipalities import selectors


@login_required
def programme_list(request):
    if not scope.is_site_admin(request.user):
        if request.user.programme_id is None:
            raise PermissionDenied
        return redirect(request.user.programme)
    programmes = selectors.programmes_visible_to(request.user).order_by("prefecture__code")
    return render(request, "municipalities/programme_list.html", {"programmes": programmes})


@login_required
def programme_detail(request, slug):
    programme = get_object_or_404(selectors.programme_overviews_visible_to(request.user), slug=slug)
    fiscal_year = current_fiscal_year()
    return render(
        request,
        "municipalities/programme_detail.html",
        {
            "programme": programme,
            "fiscal_year": fiscal_year,
            "targets": [t for t in programme.targets.all() if t.fiscal_year == fiscal_year],
            "show_members": not scope.is_municipal(request.user),
        },
    )


@login_required
def municipality_detail(request, code):
    municipality = get_object_or_404(selectors.member_municipalities_visible_to(request.user), code=code)
    return render(request, "municipalities/municipality_detail.html", {"municipality": municipality})
