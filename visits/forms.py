import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consultations.forms import AttachmentsField
from dxshare.fiscal import start_of_day
from dxshare.forms import SpecificErrorsMixin
from specialists.enums import Domain
from visits.enums import Audience, EventKind, Mode

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return start_of_day(day).replace(hour=time.hour, minute=time.minute)


class WhenMixin:
    """A day and two times, as people fill them, combined into aware datetimes in Asia/Tokyo."""

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start_time"), cleaned.get("end_time")
        end_day = cleaned.get("end_day") or day
        if day and start and end and end_day:
            cleaned["starts_at"] = _aware(day, start)
            cleaned["ends_at"] = _aware(end_day, end)
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error("end_time", _("The end must be after the start."))
        return cleaned


class TripForm(WhenMixin, SpecificErrorsMixin, forms.Form):
    field_messages = {
        "municipality": {"required": _("Choose the municipality you visit.")},
        "specialists": {"required": _("Choose at least one specialist.")},
        "purpose": {"required": _("Enter the purpose of the visit.")},
        "day": {
            "required": _("Enter the day of the visit."),
            "invalid": _("Enter the day as a date, e.g. 2027-01-29."),
        },
    }

    municipality = forms.TypedChoiceField(label=_("Municipality"), coerce=int)
    specialists = forms.TypedMultipleChoiceField(
        label=_("Specialists"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Two specialists travelling together count as two visits."),
    )
    mode = forms.ChoiceField(
        label=_("On site or online"), choices=Mode.choices, widget=forms.RadioSelect, initial=Mode.ONSITE
    )
    day = forms.DateField(label=_("Day"), widget=DATE)
    start_time = forms.TimeField(label=_("From"), widget=TIME, initial=dt.time(10, 0))
    end_time = forms.TimeField(label=_("Until"), widget=TIME, initial=dt.time(12, 0))
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    place = forms.CharField(label=_("Place or meeting link"), max_length=200, required=False)
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    consultations = forms.TypedMultipleChoiceField(
        label=_("Requests it serves"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    participants = forms.TypedMultipleChoiceField(
        label=_("Municipal participants"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    other_participants = forms.CharField(
        label=_("Other participants"),
        max_length=300,
        required=False,
        help_text=_("People without an account, e.g. the mayor or a company."),
    )

    def __init__(self, *args, municipalities, specialists, consultations, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", _("Choose…")), *municipalities]
        self.fields["specialists"].choices = specialists
        self.fields["consultations"].choices = consultations
        self.fields["participants"].choices = participants
        if not consultations:
            del self.fields["consultations"]


class DoneForm(SpecificErrorsMixin, forms.Form):
    field_messages = {"outcome": {"required": _("Write what came out of the visit.")}}
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What was discussed and agreed; the municipality reads it too."),
    )


class CancelForm(SpecificErrorsMixin, forms.Form):
    field_messages = {"reason": {"required": _("Write why the visit is cancelled.")}}
    reason = forms.CharField(
        label=_("Why is the visit cancelled?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The municipality's participants and the specialists read it."),
    )


class FollowUpForm(SpecificErrorsMixin, forms.Form):
    field_messages = {
        "description": {"required": _("Describe the action.")},
        "owner": {"required": _("Choose who owns the action.")},
        "due_on": {
            "required": _("Enter the due date."),
            "invalid": _("Enter the due date as a date, e.g. 2027-01-29."),
        },
    }
    description = forms.CharField(label=pgettext_lazy("follow-up", "Action"), max_length=300)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Choose…")), *owners]


class EventForm(WhenMixin, SpecificErrorsMixin, forms.Form):
    field_messages = {
        "title": {"required": _("Enter the title.")},
        "kind": {"required": _("Choose the type of event.")},
        "day": {"required": _("Enter the first day."), "invalid": _("Enter the day as a date, e.g. 2027-01-29.")},
        "capacity": {"min_value": _("The capacity cannot be below 1.")},
        "organisers": {"required": _("Choose at least one organiser.")},
    }
    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("Choose…")), *EventKind.choices])
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    day = forms.DateField(label=_("First day"), widget=DATE)
    start_time = forms.TimeField(label=_("Starts at"), widget=TIME, initial=dt.time(13, 0))
    end_day = forms.DateField(
        label=_("Last day"), widget=DATE, required=False, help_text=_("For a camp of several days; else leave empty.")
    )
    end_time = forms.TimeField(label=_("Ends at"), widget=TIME, initial=dt.time(17, 0))
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    capacity = forms.IntegerField(
        label=_("Capacity"), required=False, min_value=1, help_text=_("Leave empty for no limit.")
    )
    audience = forms.ChoiceField(
        label=_("Open to"), choices=Audience.choices, widget=forms.RadioSelect, initial=Audience.PROGRAMME
    )
    region = forms.TypedChoiceField(label=_("Region"), coerce=int, required=False, empty_value=None)
    population_below = forms.IntegerField(label=_("Population below"), required=False, min_value=1)
    municipalities = forms.TypedMultipleChoiceField(
        label=_("Chosen municipalities"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    community = forms.TypedChoiceField(label=_("Community"), coerce=int, required=False, empty_value=None)
    organisers = forms.TypedMultipleChoiceField(
        label=_("Organisers"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They take attendance and attach materials."),
    )

    def __init__(self, *args, regions, municipalities, organisers, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Choose…")), *regions]
        self.fields["community"].choices = [("", _("Choose…")), *communities]
        self.fields["municipalities"].choices = municipalities
        self.fields["organisers"].choices = organisers


class RegisterForm(SpecificErrorsMixin, forms.Form):
    field_messages = {"person": {"required": _("Choose who takes part.")}}
    person = forms.TypedChoiceField(label=_("Who takes part?"), coerce=int)

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = colleagues


class MaterialForm(SpecificErrorsMixin, forms.Form):
    files = AttachmentsField(label=_("Materials"), required=True)


class CalendarFilterForm(SpecificErrorsMixin, forms.Form):
    show_required_marks = False

    municipality = forms.TypedChoiceField(label=_("Municipality"), coerce=int, required=False, empty_value=None)
    specialist = forms.TypedChoiceField(label=_("Specialist"), coerce=int, required=False, empty_value=None)
    domain = forms.ChoiceField(label=_("Domain"), required=False, choices=[("", _("All")), *Domain.choices])
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All")), ("visit", _("Visits on site")), ("online", _("Online meetings")), *EventKind.choices],
    )

    def __init__(self, *args, municipalities, specialists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", _("All")), *municipalities]
        self.fields["specialist"].choices = [("", _("All")), *specialists]
