from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consultations import workflow
from consultations.enums import Status
from consultations.models import Consultation
from consultations.uploads import check_upload
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


class ConsultationForm(forms.ModelForm):
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
            "timing_note": _("e.g. before the council meeting in February, or any weekday afternoon."),
        }

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        if not description:
            raise ValidationError(_("Describe what you need help with."))
        return description


class RouteForm(forms.Form):
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


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}))
    attachments = AttachmentsField()
    internal = forms.BooleanField(
        label=_("Internal note (only the support centre and the specialists see it)"), required=False
    )
    then = forms.ChoiceField(label=_("And then"), required=False, choices=workflow.REPLY_THEN_CHOICES)

    def __init__(self, *args, allow_internal: bool, allow_then: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_internal:
            del self.fields["internal"]
        if not allow_then:
            del self.fields["then"]


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(
        choices=[(status, Status(status).label) for status in workflow.STATUS_FORM_TARGETS], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HandBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does this request not fit you?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the support centre, which routes the request again. Not shown to the municipality."),
    )


class AcceptForm(forms.Form):
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
    comment = forms.CharField(label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
