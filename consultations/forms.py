from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consultations import workflow
from consultations.models import Consultation
from consultations.uploads import check_upload
from dxshare.forms import SpecificErrorsMixin
from specialists.enums import Domain


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; each is checked by size and by content (consultations.uploads)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault(
            "help_text",
            _("PDF, Word, Excel, PowerPoint or images; up to %(count)s files of %(size)s MB each.")
            % {"count": settings.ATTACHMENT_MAX_FILES, "size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
        )
        super().__init__(*args, **kwargs)
        self.widget.attrs["accept"] = ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.png,.jpg,.jpeg,.gif,.webp"

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > settings.ATTACHMENT_MAX_FILES:
            raise ValidationError(
                _("Attach at most %(count)s files at a time.") % {"count": settings.ATTACHMENT_MAX_FILES}
            )
        checked, errors = [], []
        for upload in files:
            try:
                checked.append(check_upload(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


class ConsultationForm(SpecificErrorsMixin, forms.ModelForm):
    field_messages = {
        "title": {"required": _("Enter a subject.")},
        "description": {"required": _("Describe what you need help with.")},
        "urgency": {"required": _("Choose how urgent it is.")},
        "help_format": {"required": _("Choose the form of help you would like.")},
        "wanted_by": {"invalid": _("Enter the date as a date, e.g. 2027-01-29.")},
    }

    requested_domain = forms.ChoiceField(
        label=_("Which specialist do you think fits?"),
        choices=[("", _("Not sure: let the support centre decide")), *Domain.choices],
        required=False,
    )
    attachments = AttachmentsField()

    class Meta:
        model = Consultation
        fields = [
            "title",
            "description",
            "requested_domain",
            "urgency",
            "help_format",
            "wanted_by",
            "timing_note",
            "confidential",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "urgency": forms.RadioSelect,
            "help_format": forms.RadioSelect,
            "wanted_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "description": _(
                "What is the situation, what have you tried, and what would help? "
                "Do not include residents' personal information."
            ),
            "wanted_by": _("Only if you need the answer by a certain day, e.g. before a council meeting."),
            "timing_note": _('Anything else about timing, in your own words, e.g. "any weekday afternoon".'),
        }
        labels = {
            "wanted_by": _("Answer needed by (date)"),
            "timing_note": _("Other wishes about timing"),
        }

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        if not description:
            raise ValidationError(_("Describe what you need help with."))
        return description


class RouteForm(SpecificErrorsMixin, forms.Form):
    field_messages = {"specialist": {"required": _("Choose the specialist to route the request to.")}}

    specialist = forms.ModelChoiceField(
        label=_("Specialist"), queryset=None, widget=forms.RadioSelect, empty_label=None
    )
    reason = forms.CharField(
        label=_("Reason for routing to somebody else"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the request is already routed. Not shown to the municipality."),
    )
    expected_specialist = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, specialists, **kwargs):
        super().__init__(*args, **kwargs)
        self.specialists = specialists
        self.fields["specialist"].queryset = specialists
        self.fields["specialist"].label_from_instance = lambda s: s.user.full_name


class PressedButton(forms.HiddenInput):
    """The value of the submit button pressed: the buttons carry it, so the field renders nothing itself."""

    def render(self, name, value, attrs=None, renderer=None):
        return ""


class ReplyForm(SpecificErrorsMixin, forms.Form):
    """A message in the thread. Its buttons say what happens to the request (consultations.workflow.reply_buttons):
    the button pressed arrives as `then` and is checked against the buttons this person was offered."""

    field_messages = {"body": {"required": _("Write your message.")}}

    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}))
    attachments = AttachmentsField()
    internal = forms.BooleanField(
        label=_("Internal note (only the support centre and the specialists see it)"), required=False
    )
    then = forms.ChoiceField(required=False, choices=workflow.REPLY_THEN_CHOICES, widget=PressedButton)

    def __init__(self, *args, allow_internal: bool, buttons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.buttons = list(buttons)
        self.fields["then"].choices = [(button.then, button.label) for button in self.buttons] or [("", "")]
        if not allow_internal:
            del self.fields["internal"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("internal") and cleaned.get("then"):
            cleaned["then"] = ""  # an internal note never moves the request
        return cleaned


class StatusForm(SpecificErrorsMixin, forms.Form):
    """The confirmation of a change made on its own (withdraw, close without an answer, reopen): the reason is
    required, and its label and help say who reads it and why."""

    REASONS = {
        workflow.ChangeKind.WITHDRAW: (
            _("Why do you withdraw the request?"),
            _('The support centre and the specialist read it, e.g. "solved within the municipality".'),
            _("Write why you withdraw the request."),
        ),
        workflow.ChangeKind.CLOSE: (
            _("Why is the request closed without an answer?"),
            _("The municipality reads it in the request's history and in the e-mail it receives."),
            _("Write why the request is closed without an answer."),
        ),
        workflow.ChangeKind.REOPEN: (
            _("What still needs to be done?"),
            _("The specialist reads it and continues the request."),
            _("Write what still needs to be done."),
        ),
    }

    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, kind: str, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        label, help_text, missing = self.REASONS[kind]
        field = self.fields["reason"]
        field.label, field.help_text, field.required = label, help_text, required
        field.error_messages["required"] = missing


class HandBackForm(SpecificErrorsMixin, forms.Form):
    field_messages = {"reason": {"required": _("Tell the support centre why you hand the request back.")}}

    reason = forms.CharField(
        label=_("Why does this request not fit you?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the support centre, which routes the request again. Not shown to the municipality."),
    )


class AcceptForm(SpecificErrorsMixin, forms.Form):
    field_messages = {"rating": {"required": _("Choose how satisfied you are with the answer.")}}

    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[
            (5, _("5: very satisfied")),
            (4, _("4: satisfied")),
            (3, _("3: neither")),
            (2, _("2: dissatisfied")),
            (1, _("1: very dissatisfied")),
        ],
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
