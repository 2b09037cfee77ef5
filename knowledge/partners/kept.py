"""The directory's rendered list, kept.

What the directory lists depends only on who reads it as a class (a programme's people, its centre for the inactive
partners, a site administrator), the address's filters and the language; the rendered list part of the page is kept
under those and a directory generation for LIST_SECONDS. Every change to a partner, its domains, skills or regions
(through the services, the admin or the shell's `save()`) moves the generation: at once, so the changing request
itself reads the new list, and again when its transaction commits, so that a list rendered by another request in
between is not kept under the new number."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from dxshare.kept import Generation

DIRECTORY = Generation("knowledge:partners:generation")
LIST_SECONDS = 300


def directory_changed(**kwargs) -> None:
    DIRECTORY.bump()
    DIRECTORY.bump_on_commit()


def register() -> None:
    from knowledge.partners.models import Partner, PartnerDomain, Skill
    from municipalities.models import Region

    for model in (Partner, PartnerDomain, Skill, Region):
        post_save.connect(directory_changed, sender=model, dispatch_uid=f"partners.kept.save.{model.__name__}")
        post_delete.connect(directory_changed, sender=model, dispatch_uid=f"partners.kept.delete.{model.__name__}")
    for through in (Partner.skills.through, Partner.regions.through):
        m2m_changed.connect(directory_changed, sender=through, dispatch_uid=f"partners.kept.m2m.{through.__name__}")
