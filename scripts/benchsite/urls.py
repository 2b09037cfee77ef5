"""The portal's URLs plus /bench/bare/: the benchmark's reference page.

The bare view goes through exactly the same middleware, session and user loading as the real pages, and does nothing
else, so "share of bare" in the benchmark's table is the part of the request rate that the page's own work leaves.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from dxshare.urls import urlpatterns as portal_urlpatterns


@login_required
def bare(request):
    """Logged in, nothing else: the cost every page pays before its own work starts."""
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *portal_urlpatterns]
