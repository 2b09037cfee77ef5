import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import scope
from accounts.enums import ORGANISATION_ROLES, EmailDelivery, Language, Role
from dxshare.history import tracked


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, role=Role.SITE_ADMIN)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


@tracked(
    "UserHistory",
    fields=["email", "full_name", "role", "programme", "organisation", "is_active", "is_staff", "is_superuser"],
)
class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address. The role decides what they see and do (accounts.scope)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=80)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    programme = models.ForeignKey(
        "municipalities.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    organisation = models.ForeignKey(
        "municipalities.LocalGovernment",
        verbose_name=_("organisation"),
        help_text=_("The municipality (or, for prefecture staff, the prefecture) this person works for."),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.JA)
    email_delivery = models.CharField(
        _("e-mail notifications"), max_length=16, choices=EmailDelivery.choices, default=EmailDelivery.IMMEDIATE
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["programme_id", "role", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="unique_user_email_ci"),
            models.CheckConstraint(
                name="organisation_only_and_always_for_local_staff",
                condition=(
                    models.Q(role__in=sorted(ORGANISATION_ROLES), organisation__isnull=False)
                    | (~models.Q(role__in=sorted(ORGANISATION_ROLES)) & models.Q(organisation__isnull=True))
                ),
                violation_error_message=_(
                    "Municipal and prefecture staff belong to exactly one organisation; other roles to none."
                ),
            ),
            models.CheckConstraint(
                name="programme_for_every_role_but_site_admin",
                condition=models.Q(role=Role.SITE_ADMIN) | models.Q(programme__isnull=False),
                violation_error_message=_("Everyone except site administrators belongs to a programme."),
            ),
            models.CheckConstraint(
                name="only_site_admins_are_staff",
                condition=models.Q(role=Role.SITE_ADMIN) | models.Q(is_staff=False, is_superuser=False),
                violation_error_message=_("Only site administrators may use the admin site."),
            ),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name or self.email

    # Who this person is, for templates: the definitions live in accounts.scope.
    @property
    def is_centre(self) -> bool:
        return scope.is_centre(self)

    @property
    def is_site_admin(self) -> bool:
        return scope.is_site_admin(self)

    @property
    def is_organisation_staff(self) -> bool:
        return scope.is_organisation_staff(self)

    @property
    def is_municipal(self) -> bool:
        return scope.is_municipal(self)

    @property
    def is_specialist(self) -> bool:
        return scope.is_specialist(self)

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        errors = assignment_errors(role=self.role, programme=self.programme, organisation=self.organisation)
        if errors:
            raise ValidationError(errors)


def assignment_errors(*, role, programme, organisation) -> dict[str, str]:
    """What is wrong with giving a person this role, programme and organisation (empty dict: nothing)."""
    errors: dict[str, str] = {}
    if role == Role.SITE_ADMIN:
        if organisation is not None:
            errors["organisation"] = _("Site administrators do not belong to a municipality.")
        return errors
    if programme is None:
        errors["programme"] = _("Choose the programme this person works in.")
        return errors
    if role == Role.MUNICIPAL:
        if organisation is None:
            errors["organisation"] = _("Municipal staff belong to exactly one municipality: choose it.")
        elif organisation.is_prefecture or not programme.members.filter(pk=organisation.pk).exists():
            errors["organisation"] = _("%(organisation)s is not a member municipality of %(programme)s.") % {
                "organisation": organisation,
                "programme": programme,
            }
    elif role == Role.PREFECTURE:
        if organisation is None or organisation.pk != programme.prefecture_id:
            errors["organisation"] = _("Prefecture staff belong to the programme's prefecture (%(prefecture)s).") % {
                "prefecture": programme.prefecture
            }
    elif organisation is not None:
        errors["organisation"] = _("Only municipal and prefecture staff belong to an organisation.")
    return errors


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class Invitation(models.Model):
    """A record that a coordinator invited someone. The account exists from the start, without a password."""

    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="invitation")
    invited_by = models.ForeignKey(
        User, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("last sent at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # Part of every link's signed token: a new one on each sending, so that only the latest link works.
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return str(self.user)


class SecurityEvent(models.Model):
    """One sign-in, failed sign-in, sign-out, password or second-factor change (accounts.security_log). Written
    once, never changed: PostgreSQL refuses UPDATE and DELETE on the table (a trigger, migration 0005), the admin
    only reads it, and people are deactivated rather than deleted."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    kind = models.CharField(_("what"), max_length=32)
    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    email = models.CharField(_("e-mail address given"), max_length=254, blank=True)
    actor = models.ForeignKey(
        User, verbose_name=_("done by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="security_event_user_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.email or self.user_id}"
