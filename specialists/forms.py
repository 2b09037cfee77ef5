from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.enums import Language, Role
from dxshare.forms import SpecificErrorsMixin
from municipalities.models import LocalGovernment
from specialists.enums import Domain
from specialists.models import Specialist


class ProfileForm(SpecificErrorsMixin, forms.ModelForm):
    """What a specialist says about themselves: shown to the municipalities on the specialists' pages."""

    class Meta:
        model = Specialist
        fields = ["title", "profile", "ask_me_about"]
        widgets = {
            "profile": forms.Textarea(attrs={"rows": 6}),
            "ask_me_about": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "title": pgettext_lazy("person", "Title"),
            "profile": _("Profile"),
            "ask_me_about": _("What to ask me about"),
        }
        help_texts = {
            "title": _("e.g. DX推進専門官"),
            "profile": _("Your background and experience, as municipal staff should know it."),
            "ask_me_about": _('e.g. "choosing a cloud service", "writing a procurement specification".'),
        }


class InvitationForm(SpecificErrorsMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=80)
    role = forms.ChoiceField(label=_("Role"))
    organisation = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=LocalGovernment.objects.none(),
        required=False,
        help_text=_("Required for municipal staff."),
    )
    domain = forms.ChoiceField(
        label=_("Domain"),
        choices=[("", "---------"), *Domain.choices],
        required=False,
        help_text=_("Required for specialists."),
    )
    language = forms.ChoiceField(label=_("Language of e-mails"), choices=Language.choices, initial=Language.JA)

    def __init__(self, *args, roles: list[Role], programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        self.fields["organisation"].queryset = programme.members.order_by("code")

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == Role.PREFECTURE:
            data["organisation"] = self.programme.prefecture
        elif role != Role.MUNICIPAL:
            data["organisation"] = None
        if role == Role.SPECIALIST and not data.get("domain"):
            self.add_error("domain", _("Choose the specialist's domain."))
        return data
