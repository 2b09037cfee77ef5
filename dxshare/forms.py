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

CHOICE_WIDGETS = (django.forms.RadioSelect, django.forms.Select, django.forms.CheckboxSelectMultiple)


def required_message(field) -> str:
    """A message that names the field and says what to do, instead of Django's "This field is required."."""
    label = str(field.label or "")
    if isinstance(field.widget, CHOICE_WIDGETS):
        return gettext("Choose %(field)s.") % {"field": label}
    if isinstance(field.widget, django.forms.CheckboxInput):
        return gettext("Tick %(field)s.") % {"field": label}
    if isinstance(field.widget, django.forms.FileInput):
        return gettext("Attach %(field)s.") % {"field": label}
    return gettext("Enter %(field)s.") % {"field": label}


class SpecificErrorsMixin:
    """Error messages that name their field ("件名を入力してください") instead of Django's generic one.

    A field's own `error_messages` win; `field_messages = {"title": {"required": ...}}` on the form sets them too.
    `show_required_marks = False` hides the 必須／任意 tags (a filter form, where every field is optional)."""

    field_messages: dict[str, dict[str, str]] = {}
    show_required_marks = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            messages = self.field_messages.get(name, {})
            field.error_messages = {**field.error_messages, **messages}
            if "required" not in messages:
                field.error_messages["required"] = required_message(field)


def error_links(form) -> list[tuple[str, str, str]]:
    """(anchor, label, message) for each error, in the order of the fields; errors of the whole form first."""
    links = [("", "", str(message)) for message in form.non_field_errors()]
    for name, field in form.fields.items():
        if name not in form.errors or field.widget.is_hidden:
            continue
        bound = form[name]
        anchor = bound.id_for_label or bound.auto_id
        if isinstance(field.widget, django.forms.RadioSelect | django.forms.CheckboxSelectMultiple):
            anchor = f"{bound.auto_id}_0"
        label = str(field.label or "")
        for message in map(str, form.errors[name]):
            if label and label not in message:
                message = gettext("%(field)s: %(message)s") % {"field": label, "message": message}
            links.append((anchor, label, message))
    return links


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
