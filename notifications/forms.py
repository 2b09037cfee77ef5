from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from dxshare.forms import SpecificErrorsMixin
from notifications import registry
from notifications.models import Delivery
from notifications.selectors import kind_choices


def kind_field_name(kind: str) -> str:
    return "kind__" + kind.replace(".", "__")


class PreferencesForm(SpecificErrorsMixin, forms.Form):
    """How a person wants to receive e-mails: in general, and per kind. Validation only:
    notification_preference_set saves the choice.

    The general field is the User model's own (label, choices, required), but the form is not a ModelForm: a ModelForm
    runs User.clean(), which re-validates role, programme and organisation, fields this page neither shows nor changes.
    """

    field_messages = {"email_delivery": {"required": _("Choose how dxshare should e-mail you.")}}
    email_delivery = User._meta.get_field("email_delivery").formfield(
        label=_("How should dxshare e-mail you?"), widget=forms.RadioSelect
    )

    def __init__(self, *args, user, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = [kind for kind in registry.all_kinds() if kind.roles is None or user.role in kind.roles]
        self.groups: dict[str, list[str]] = {}
        for kind in self.kinds:
            choices = [("", _("As above")), (Delivery.IMMEDIATE, _("At once")), (Delivery.DIGEST, _("In the digest"))]
            if kind.can_turn_off:
                choices.append((Delivery.OFF, _("Off")))
            name = kind_field_name(kind.name)
            self.fields[name] = forms.ChoiceField(
                label=kind.label,
                choices=choices,
                required=False,
                initial=current.get(kind.name, ""),
                help_text="" if kind.can_turn_off else _("Cannot be turned off."),
            )
            self.groups.setdefault(str(kind.group), []).append(name)

    def kind_choices(self) -> dict[str, str]:
        """{kind: delivery} for the kinds given a choice of their own."""
        return {
            kind.name: self.cleaned_data[kind_field_name(kind.name)]
            for kind in self.kinds
            if self.cleaned_data.get(kind_field_name(kind.name))
        }

    def grouped(self):
        return [(group, [self[name] for name in names]) for group, names in self.groups.items()]


class OutboxFilterForm(SpecificErrorsMixin, forms.Form):
    show_required_marks = False
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All")),
            ("sent", _("Sent")),
            ("pending", _("Waiting")),
            ("retrying", _("Retrying")),
            ("failed", _("Failed")),
        ],
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    recipient = forms.CharField(label=_("Recipient (e-mail or full name)"), required=False, max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *kind_choices()]
