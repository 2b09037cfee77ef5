from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consultations.filters import FilterForm
from dxshare.forms import SpecificErrorsMixin
from knowledge.partners import services
from knowledge.partners.models import AgreementStatus, NeedStatus, Outcome, PartnerKind, Visibility
from specialists.enums import Domain

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SkillsField(forms.CharField):
    """Skills typed as keywords separated by commas (、 too); markup refused with a message naming the rule."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Keywords separated by commas, e.g. RPA, kintone, オープンデータ."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return services.parse_skills(value)
        except ValidationError as error:
            raise ValidationError(error.message_dict["skills"]) from error

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        return value


class DirectoryFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    domain = forms.ChoiceField(label=_("Domain"), required=False, choices=[("", _("All")), *Domain.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *PartnerKind.choices])
    skill = forms.CharField(label=_("Skill"), max_length=30, required=False)
    region = forms.TypedChoiceField(label=_("Region"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, regions, can_see_inactive=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All")), *regions]
        if not regions:
            del self.fields["region"]
        if can_see_inactive:
            self.fields["inactive"] = forms.BooleanField(label=_("Inactive partners only"), required=False)


class PartnerForm(SpecificErrorsMixin, forms.Form):
    field_messages = {
        "name": {"required": _("Enter the partner's name.")},
        "domains": {"required": _("Choose at least one domain.")},
        "contact_email": {"invalid": _("Enter the contact e-mail as an address, e.g. name@example.jp.")},
    }
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Name"), max_length=120)
    organisation = forms.CharField(
        label=_("Company or organisation"),
        max_length=120,
        required=False,
        help_text=_("For outside talent or seconded staff: the company they come from."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    domains = forms.MultipleChoiceField(label=_("Domains"), choices=Domain.choices, widget=forms.CheckboxSelectMultiple)
    skills = SkillsField(label=_("Skills"))
    regions = forms.TypedMultipleChoiceField(
        label=_("Regions"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked if the partner works anywhere."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=80, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)
    visibility = forms.ChoiceField(
        label=_("Who may see it"), choices=Visibility.choices, widget=forms.RadioSelect, initial=Visibility.PROGRAMME
    )
    active = forms.BooleanField(label=_("Active (listed in the directory)"), required=False, initial=True)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].choices = regions
        if not regions:
            del self.fields["regions"]


class AgreementForm(SpecificErrorsMixin, forms.Form):
    field_messages = {
        "signed_on": {"invalid": _("Enter the signing date as a date, e.g. 2027-01-29.")},
        "starts_on": {"invalid": _("Enter the first day of the term as a date, e.g. 2027-04-01.")},
        "ends_on": {"invalid": _("Enter the last day of the term as a date, e.g. 2028-03-31.")},
        "yearly_cost": {"invalid": _("Enter the yearly cost in yen as a whole number, e.g. 5600000.")},
    }
    municipality = forms.TypedChoiceField(label=_("Municipality"), coerce=int)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    scope = forms.CharField(label=_("Scope of work"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    starts_on = forms.DateField(label=_("Term starts on"), widget=DATE)
    ends_on = forms.DateField(
        label=_("Term ends on"),
        widget=DATE,
        help_text=_("The last day of the term: 6 months to 3 years after the start."),
    )
    yearly_cost = forms.IntegerField(
        label=_("Yearly cost (yen)"),
        help_text=_("At most 5,600,000 yen a year, the scheme's cap."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=AgreementStatus.choices, initial=AgreementStatus.AGREED)

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", _("Choose…")), *municipalities]


class NeedForm(SpecificErrorsMixin, forms.Form):
    field_messages = {
        "title": {"required": _("Enter what you need, in a line.")},
        "description": {"required": _("Describe the need.")},
        "domain": {"required": _("Choose the domain of the need.")},
    }
    title = forms.CharField(
        label=_("What do you need?"), max_length=200, help_text=_("e.g. Someone who can run a workshop on open data.")
    )
    description = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 5}))
    domain = forms.ChoiceField(label=_("Domain"), choices=[("", _("Choose…")), *Domain.choices])
    skills = SkillsField(label=_("Skills wanted"))
    municipality = forms.TypedChoiceField(
        label=_("For which municipality"), coerce=int, required=False, empty_value=None
    )
    region = forms.TypedChoiceField(
        label=_("Region"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Leave empty for your municipality's region or the whole prefecture."),
    )

    def __init__(self, *args, regions, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Not specified")), *regions]
        if not regions:
            del self.fields["region"]
        if municipalities is None:
            del self.fields["municipality"]
        else:
            self.fields["municipality"].choices = [("", _("None: the whole programme")), *municipalities]


class NeedStatusForm(SpecificErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=NeedStatus.choices)


class IntroductionForm(SpecificErrorsMixin, forms.Form):
    field_messages = {"partner": {"required": _("Choose the partner you introduced.")}}
    partner = forms.TypedChoiceField(label=_("Partner"), coerce=int)
    introduced_on = forms.DateField(
        label=_("Introduced on"),
        widget=DATE,
        error_messages={"invalid": _("Enter the day of the introduction as a date, e.g. 2027-01-29.")},
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", _("Choose…")), *partners]


class OutcomeForm(SpecificErrorsMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    outcome_note = forms.CharField(
        label=_("About the outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
