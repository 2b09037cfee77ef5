"""Sections other apps add to the request pages, without consultations importing them (dxshare.panels).

The knowledge library registers similar past cases and "publish as a case". Each function takes the request and the
consultation (None on the new-request form). Places: "form", "filed" (the page after filing), "detail", "route".
"""

from dxshare.panels import Panels

PLACES = ("form", "filed", "detail", "route")
_panels = Panels(*PLACES)
register = _panels.register
render = _panels.render
