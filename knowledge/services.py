"""Writes of the knowledge library: cases from answered requests, deliverables, publishing, sharing and naming."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.uploads import CheckedFile
from dxshare import textsearch
from dxshare.kept import Generation
from knowledge import anonymity, notify, permissions, text
from knowledge.enums import Kind, Naming, Status
from knowledge.models import Gram, Item, ItemFile, Tag

CASE_FIELDS = ("title", "summary", "advice", "outcome", "domain")
DELIVERABLE_FIELDS = ("title", "summary", "domain", "deliverable_type", "version", "audience")
GENERATION_KEY = "knowledge:generation"
LIBRARY = Generation(GENERATION_KEY)


def library_generation() -> int:
    """A number that changes whenever the set of published items changes (similar cases are cached under it)."""
    return LIBRARY.current()


def _library_changed() -> None:
    LIBRARY.bump_on_commit()


def _count_grams(grams: list[str], delta: int) -> None:
    """Keep each bigram's number of published items (and, under the empty key, the number of items)."""
    keys = sorted({"", *grams})
    Gram.objects.bulk_create([Gram(gram=key) for key in keys], ignore_conflicts=True)
    # Lock the rows in one order, so that two items published at once never wait for each other in a circle.
    list(Gram.objects.filter(gram__in=keys).order_by("gram").select_for_update().values_list("pk", flat=True))
    Gram.objects.filter(gram__in=keys).update(items=Greatest(F("items") + delta, 0))


def _signature_list(item: Item) -> list[str]:
    return item.signature.split() if item.signature else []


def _index(item: Item, tags: list[Tag]) -> None:
    names = " ".join(tag.name for tag in tags)
    item.search_text = textsearch.document(item.title, names, item.summary, item.advice, item.outcome)
    item.title_text = textsearch.document(item.title, names)
    item.signature = " ".join(text.signature(item.title, names, item.summary, item.advice, item.outcome))


def tags_for(names: list[str]) -> list[Tag]:
    """The tags with these names, created when new; two spellings of one tag (ＲＰＡ, rpa) are one tag."""
    tags: dict[str, Tag] = {}
    for name in names:
        key = textsearch.normalise(name)[:30]
        if key and key not in tags:
            tags[key], _created = Tag.objects.get_or_create(key=key, defaults={"name": name[:30]})
    return list(tags.values())


def _attach(item: Item, files: list[CheckedFile], by) -> None:
    if len(files) + item.files.count() > settings.ATTACHMENT_MAX_FILES:
        raise ValidationError(
            {"files": _("An item holds at most %(count)s files.") % {"count": settings.ATTACHMENT_MAX_FILES}}
        )
    for checked in files:
        stored = ItemFile(
            item=item, original_name=checked.name, content_type=checked.content_type, size=checked.size, uploaded_by=by
        )
        stored.file.save(checked.name, checked.upload, save=False)
        stored.save()


def check_case_source(consultation) -> None:
    """A case is written only from an answered request that is not confidential."""
    if consultation.confidential:
        raise ValidationError(
            _(
                "%(reference)s is confidential: it cannot be published as a case. The municipality can lift the "
                "confidential flag when the theme may be shared."
            )
            % {"reference": consultation.reference}
        )
    if consultation.answered_at is None:
        raise ValidationError(
            _("%(reference)s has no answer yet: a case is written from an answered request.")
            % {"reference": consultation.reference}
        )


def _check_anonymity(item: Item, tags: list[Tag], file_names: list[str]) -> None:
    if item.kind != Kind.CASE or item.naming == Naming.AGREED:
        return
    texts = {field: getattr(item, field) for field in ("title", "summary", "advice", "outcome")}
    texts["tags"] = " ".join(tag.name for tag in tags)
    texts["files"] = " ".join(file_names)
    errors = anonymity.naming_errors(texts, municipality=item.municipality, consultation=item.consultation)
    if errors:
        raise ValidationError(errors)


def _apply(item: Item, fields: dict, names: tuple[str, ...]) -> None:
    for name in names:
        if name in fields:
            setattr(item, name, fields[name])


def _file_names(item: Item, files: list[CheckedFile], removed: set[int] = frozenset()) -> list[str]:
    kept = [] if item.pk is None else [f.original_name for f in item.files.all() if f.pk not in removed]
    return kept + [checked.name for checked in files]


def _save(item: Item, tags: list[Tag], files: list[CheckedFile], by, *, removed: set[int] = frozenset()) -> Item:
    was_published = item.pk is not None and item.status == Status.PUBLISHED
    old_signature = _signature_list(Item.objects.get(pk=item.pk)) if was_published else []
    _check_anonymity(item, tags, _file_names(item, files, removed))
    _index(item, tags)
    item.full_clean(exclude=["consultation", "municipality", "created_by", "programme"])
    item.save()
    item.tags.set(tags)
    if removed:
        for stored in item.files.filter(pk__in=removed):
            stored.file.delete(save=False)
            stored.delete()
    _attach(item, files, by)
    if was_published:
        _count_grams(old_signature, -1)
        _count_grams(_signature_list(item), +1)
        _library_changed()
    return item


@transaction.atomic
def case_create(*, by, consultation, fields: dict, tag_names: list[str], files: list[CheckedFile] = ()) -> Item:
    """A draft case written from an answered request, anonymous unless its municipality agrees later."""
    if not permissions.can_write(by, consultation.programme):
        raise PermissionDenied
    check_case_source(consultation)
    if Item.objects.filter(consultation=consultation).exists():
        raise ValidationError(
            _("%(reference)s is already written up as a case.") % {"reference": consultation.reference}
        )
    item = Item(
        programme=consultation.programme,
        kind=Kind.CASE,
        consultation=consultation,
        municipality=consultation.organisation,
        created_by=by,
    )
    _apply(item, fields, CASE_FIELDS)
    return _save(item, tags_for(tag_names), list(files), by)


@transaction.atomic
def deliverable_create(*, by, programme, fields: dict, tag_names: list[str], files: list[CheckedFile] = ()) -> Item:
    if not permissions.can_write(by, programme):
        raise PermissionDenied
    item = Item(programme=programme, kind=Kind.DELIVERABLE, created_by=by)
    _apply(item, fields, DELIVERABLE_FIELDS)
    return _save(item, tags_for(tag_names), list(files), by)


def _locked(item: Item) -> Item:
    return (
        Item.objects.select_for_update(of=("self",))
        .select_related("municipality", "consultation__requester")
        .get(pk=item.pk)
    )


@transaction.atomic
def item_update(
    *, by, item: Item, fields: dict, tag_names: list[str], files: list[CheckedFile] = (), remove_files=()
) -> Item:
    if not permissions.can_edit(by, item):
        raise PermissionDenied
    item = _locked(item)
    _apply(item, fields, CASE_FIELDS if item.kind == Kind.CASE else DELIVERABLE_FIELDS)
    return _save(item, tags_for(tag_names), list(files), by, removed=set(remove_files))


@transaction.atomic
def item_publish(*, by, item: Item) -> Item:
    if not permissions.can_edit(by, item):
        raise PermissionDenied
    item = _locked(item)
    if item.status == Status.PUBLISHED:
        return item
    if item.kind == Kind.CASE:
        check_case_source(item.consultation)
        _check_anonymity(item, list(item.tags.all()), [f.original_name for f in item.files.all()])
    item.status = Status.PUBLISHED
    item.published_at = timezone.now()
    item.published_by = by
    item.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    _count_grams(_signature_list(item), +1)
    _library_changed()
    return item


def _withdraw(item: Item) -> None:
    item.status = Status.WITHDRAWN
    item.save(update_fields=["status", "updated_at"])
    _count_grams(_signature_list(item), -1)
    _library_changed()


@transaction.atomic
def item_withdraw(*, by, item: Item) -> Item:
    if not permissions.can_edit(by, item):
        raise PermissionDenied
    item = _locked(item)
    if item.status == Status.PUBLISHED:
        _withdraw(item)
    return item


@transaction.atomic
def item_share(*, by, item: Item, with_all: bool, programmes) -> Item:
    if not permissions.can_share(by, item):
        raise PermissionDenied
    item = _locked(item)
    item.shared_with_all = with_all
    item.save(update_fields=["shared_with_all", "updated_at"])
    item.shared_with.set([] if with_all else [p for p in programmes if p.pk != item.programme_id])
    _library_changed()
    return item


@transaction.atomic
def naming_ask(*, by, item: Item) -> Item:
    """The publisher asks the case's municipality whether the case may name it."""
    if not permissions.can_edit(by, item) or item.kind != Kind.CASE:
        raise PermissionDenied
    item = _locked(item)
    if item.naming != Naming.AGREED:
        item.naming = Naming.ASKED
        item.save(update_fields=["naming", "updated_at"])
        notify.naming_asked(item)
    return item


@transaction.atomic
def naming_decide(*, by, item: Item, agree: bool) -> Item:
    """The municipality agrees to be named, or declines (also after agreeing). A published case that names it
    is withdrawn on a refusal, so nothing shows the name while the publisher rewrites it."""
    if not permissions.decides_naming(by, item):
        raise PermissionDenied
    item = _locked(item)
    item.naming = Naming.AGREED if agree else Naming.DECLINED
    item.naming_decided_by = by
    item.naming_decided_at = timezone.now()
    item.save(update_fields=["naming", "naming_decided_by", "naming_decided_at", "updated_at"])
    if not agree and item.status == Status.PUBLISHED:
        try:
            _check_anonymity(item, list(item.tags.all()), [f.original_name for f in item.files.all()])
        except ValidationError:
            _withdraw(item)
    _library_changed()
    return item
