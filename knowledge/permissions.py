"""Who may write in the library. Reading is `knowledge.selectors.items_visible_to`."""

from accounts import scope
from knowledge.enums import Kind


def can_write(user, programme=None) -> bool:
    """Specialists and the support centre write cases and deliverables for their own programme."""
    if not (scope.is_specialist(user) or scope.is_centre(user)) or user.programme_id is None:
        return False
    return programme is None or user.programme_id == programme.pk


def can_edit(user, item) -> bool:
    return can_write(user, item.programme) and (scope.is_centre(user) or item.created_by_id == user.pk)


def can_share(user, item) -> bool:
    """Sharing an item with other programmes is the centre's decision."""
    return scope.is_centre(user) and user.programme_id == item.programme_id


def decides_naming(user, item) -> bool:
    """Only the case's own municipality says whether it may be named."""
    return (
        item.kind == Kind.CASE
        and scope.is_municipal(user)
        and user.organisation_id == item.municipality_id
        and user.programme_id == item.programme_id
    )
