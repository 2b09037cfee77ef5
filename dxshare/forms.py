from functools import cached_property
from pathlib import Path

import django.forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.renderers import BaseRenderer
from django.template import TemplateDoesNotExist
from django.template.backends.jinja2 import Jinja2
from django.template.loader import get_template
from django.utils.translation import gettext, ngettext

from jinja2 import Environment


def add_validation_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the form has that field, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class FormRenderer(BaseRenderer):
    """Form and widget templates rendered by Jinja2, several times faster than the Django template language for
    the many small templates a form is made of (a select of 179 municipalities is 179 option templates). The HTML
    is the same: Django ships a Jinja2 copy of every built-in widget template, and jinja2/django/forms/field.html
    is ours (a required marker, no colon). Templates that exist only for the Django template language (the admin's
    widgets, say) are rendered by it, as with the TemplatesSetting renderer."""

    @cached_property
    def jinja2(self):
        return Jinja2(
            {
                "APP_DIRS": False,
                "DIRS": [settings.BASE_DIR / "jinja2", Path(django.forms.__file__).parent / "jinja2"],
                "NAME": "dxshare-forms",
                "OPTIONS": {"environment": "dxshare.forms.jinja2_environment"},
            }
        )

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return get_template(template_name)


def jinja2_environment(**options) -> Environment:
    """Autoescaping on (Django's Jinja2 backend passes it too), and gettext for the templates' _()."""
    options.pop("autoescape", None)
    environment = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    environment.install_gettext_callables(gettext, ngettext, newstyle=True)
    return environment
