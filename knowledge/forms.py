import re

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.forms import AttachmentsField
from dxshare import textsearch
from dxshare.forms import SpecificErrorsMixin
from knowledge.enums import Audience, DeliverableType, Kind
from knowledge.models import Item
from knowledge.selectors import MAX_QUERY
from specialists.enums import Domain

MAX_TAGS = 10
TAG_LENGTH = 30
TAG_SEPARATORS = re.compile(r"[,、，\s]+")
TAG_FORBIDDEN = re.compile(r"[<>\"'&{}\\\x00-\x1f\x7f]")


class TagsField(forms.CharField):
    """Tags separated by commas, 「、」 or spaces; plain words only (no markup)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Tags"))
        kwargs.setdefault("max_length", 400)
        kwargs.setdefault(
            "help_text", _("Up to 10 keywords separated by commas or spaces, e.g. 「RPA、窓口、マイナンバーカード」.")
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        names: list[str] = []
        for name in TAG_SEPARATORS.split(value or ""):
            if name and name not in names:
                names.append(name)
        return names

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value) > MAX_TAGS:
            raise forms.ValidationError(_("Give at most %(count)s tags.") % {"count": MAX_TAGS}, code="too_many")
        for name in value:
            if TAG_FORBIDDEN.search(name):
                raise forms.ValidationError(
                    _("A tag is a plain word: “%(tag)s” holds a character that is not allowed (< > \" ' & { } \\).")
                    % {"tag": name[:TAG_LENGTH]},
                    code="markup",
                )
            if len(name) > TAG_LENGTH:
                raise forms.ValidationError(
                    _("A tag has at most %(length)s characters: “%(tag)s…” is longer.")
                    % {"length": TAG_LENGTH, "tag": name[:TAG_LENGTH]},
                    code="too_long",
                )

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "、".join(str(getattr(tag, "name", tag)) for tag in value)
        return value


class ItemFormMixin:
    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        if item is not None and item.pk:
            self.fields["tags"].initial = "、".join(tag.name for tag in item.tags.all())
            files = list(item.files.all())
            if files:
                self.fields["remove_files"] = forms.MultipleChoiceField(
                    label=_("Remove files"),
                    required=False,
                    choices=[(str(f.pk), f.original_name) for f in files],
                    widget=forms.CheckboxSelectMultiple,
                )

    def clean_remove_files(self):
        return [int(pk) for pk in self.cleaned_data.get("remove_files", [])]


class CaseForm(ItemFormMixin, SpecificErrorsMixin, forms.ModelForm):
    tags = TagsField()
    files = AttachmentsField(label=_("Files"))

    class Meta:
        model = Item
        fields = ["title", "domain", "summary", "advice", "outcome"]
        labels = {"summary": _("What the municipality wanted (rewritten)")}
        help_texts = {
            "title": _("A title other municipalities will search for, e.g. 「窓口予約のオンライン化」."),
            "summary": _("Rewrite the request so that others understand it. Do not name the municipality or people."),
            "advice": _("What the specialist advised, step by step."),
            "outcome": _("What happened afterwards: results, figures, what they would do differently."),
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "advice": forms.Textarea(attrs={"rows": 6}),
            "outcome": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advice"].required = True


class DeliverableForm(ItemFormMixin, SpecificErrorsMixin, forms.ModelForm):
    tags = TagsField()
    files = AttachmentsField(label=_("Files"))

    class Meta:
        model = Item
        fields = ["title", "deliverable_type", "domain", "summary", "version", "audience"]
        labels = {"summary": _("Description")}
        help_texts = {"version": _("e.g. 「第2版」 or 「2026年4月」.")}
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliverable_type"].required = True
        self.fields["deliverable_type"].choices = DeliverableType.choices
        self.fields["audience"].choices = Audience.choices


class ShareForm(SpecificErrorsMixin, forms.Form):
    with_all = forms.BooleanField(label=_("Share with every programme"), required=False)
    programmes = forms.ModelMultipleChoiceField(
        label=_("Or with these programmes"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programmes"].queryset = programmes


class SearchForm(SpecificErrorsMixin, forms.Form):
    """The library's search and filters. A search needs a word of two characters or more, and at most MAX_QUERY."""

    show_required_marks = False

    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY, strip=True)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *Kind.choices])
    domain = forms.ChoiceField(
        label=_("Domain"), required=False, choices=[("", _("All domains")), *list(Domain.choices)]
    )
    deliverable_type = forms.ChoiceField(
        label=_("Type of deliverable"), required=False, choices=[("", _("All types")), *DeliverableType.choices]
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=TAG_LENGTH)

    field_messages = {
        "q": {"max_length": _("A search has at most %(limit_value)d characters (it has %(show_value)d).")},
        "tag": {"max_length": _("A tag has at most %(limit_value)d characters.")},
    }

    def clean_q(self):
        query = self.cleaned_data["q"]
        filtering = any(self.data.get(name) for name in ("kind", "domain", "deliverable_type", "tag"))
        if "q" in self.data and not textsearch.terms(query) and (self.data.get("q", "").strip() or not filtering):
            raise forms.ValidationError(
                _("Enter a word of at least two characters to search for, e.g. 「窓口」."), code="too_short"
            )
        return query

    def clean_tag(self):
        return textsearch.normalise(self.cleaned_data["tag"])
