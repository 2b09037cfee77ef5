"""Sections other apps add to a community's page, without municipalities importing them (dxshare.panels): visits adds
the events opened to the community. A function takes the request and the community."""

from dxshare.panels import Panels

_panels = Panels("community")


def register_community(function) -> None:
    _panels.register("community", function)


def render_community(request, community):
    return _panels.render("community", request, community)
