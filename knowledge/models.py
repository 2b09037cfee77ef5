"""The knowledge library (知見共有): cases rewritten from answered requests and the programme's deliverables.

An item belongs to one programme and is read by everybody in it once published; a coordinator may share it with
other programmes. A case names its municipality only when that municipality agreed (`Naming.AGREED`); otherwise
nothing on any page, file name, URL, snippet or export says where it came from (`knowledge.anonymity`).
Search reads `search_text` (dxshare.textsearch: NFKC, case and katakana variants folded) through a bigram index;
similar cases read `signature`, the item's distinct content bigrams, through a GIN index (`knowledge.similar`).
"""

import uuid
from pathlib import PurePath

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from knowledge.enums import Audience, DeliverableType, Kind, Naming, Status
from specialists.enums import Domain

PUBLISHED = models.Q(status=Status.PUBLISHED)


class Tag(models.Model):
    """A keyword on library items; `key` is its normalised form, so 「ＲＰＡ」 and 「rpa」 are one tag."""

    name = models.CharField(_("name"), max_length=30)
    key = models.CharField(_("key"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["key"]

    def __str__(self):
        return self.name


class Item(models.Model):
    programme = models.ForeignKey(
        "municipalities.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    advice = models.TextField(_("advice given"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="items")

    # deliverables
    deliverable_type = models.CharField(_("type"), max_length=12, choices=DeliverableType.choices, blank=True)
    version = models.CharField(_("version"), max_length=30, blank=True)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE)

    # cases: the request it was written from, its municipality, and whether that municipality may be named
    consultation = models.OneToOneField(
        "consultations.Consultation",
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    municipality = models.ForeignKey(
        "municipalities.LocalGovernment",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    naming = models.CharField(_("naming"), max_length=12, choices=Naming.choices, default=Naming.ANONYMOUS)
    naming_decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    naming_decided_at = models.DateTimeField(null=True, blank=True)

    shared_with_all = models.BooleanField(_("shared with every programme"), default=False)
    shared_with = models.ManyToManyField(
        "municipalities.Programme", verbose_name=_("shared with"), blank=True, related_name="shared_knowledge"
    )

    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    published_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    search_text = models.TextField(editable=False, default="")
    title_text = models.TextField(editable=False, default="")
    signature = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("library item")
        verbose_name_plural = _("library items")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="knowledge_published_has_time",
                condition=~PUBLISHED | models.Q(published_at__isnull=False),
            ),
            models.CheckConstraint(
                name="knowledge_case_has_municipality",
                condition=~models.Q(kind=Kind.CASE) | models.Q(municipality__isnull=False),
            ),
        ]
        # The bigram index on search_text and the GIN index on signature: migration 0001 (PostgreSQL).
        indexes = [
            models.Index(
                fields=["programme", "-published_at", "-id"], condition=PUBLISHED, name="knowledge_prog_newest_idx"
            ),
            models.Index(
                fields=["-published_at", "-id"],
                condition=PUBLISHED & models.Q(shared_with_all=True),
                name="knowledge_shared_newest_idx",
            ),
            # The library as one programme reads it (its own items and those shared with it) is walked newest first
            # here, filtering as it goes: the visibility rule is an OR that no single narrower index serves.
            models.Index(fields=["-published_at", "-id"], condition=PUBLISHED, name="knowledge_newest_idx"),
            # The same walk within one domain (the library's most used filter).
            models.Index(
                fields=["domain", "-published_at", "-id"], condition=PUBLISHED, name="knowledge_domain_newest_idx"
            ),
            models.Index(fields=["programme", "status", "-updated_at"], name="knowledge_prog_status_idx"),
            # A municipality's own cases (the library page's "from your requests").
            models.Index(fields=["municipality", "-updated_at"], name="knowledge_municipality_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:item", kwargs={"pk": self.pk})

    @property
    def is_case(self) -> bool:
        return self.kind == Kind.CASE

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def names_municipality(self) -> bool:
        return self.kind == Kind.CASE and self.naming == Naming.AGREED


def item_file_path(instance, filename: str) -> str:
    return f"knowledge/{instance.item_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


class ItemFile(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=item_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("knowledge:file", kwargs={"pk": self.pk})


class Gram(models.Model):
    """How many published items hold a bigram (document frequency), so that similar cases weigh rare words more."""

    gram = models.CharField(max_length=2, unique=True)
    items = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("bigram")
        verbose_name_plural = _("bigrams")

    def __str__(self):
        return self.gram


from knowledge.partners.models import *  # noqa: E402,F403 - the partner directory's models live in their own module
