"""One factory per model. Codes are generated with a valid JIS check digit, outside the real ranges (90xxxx+)."""

import datetime as dt
import string

import factory
from factory.django import DjangoModelFactory

from accounts.enums import Role
from accounts.models import Invitation, User
from dxshare import textsearch
from municipalities.enums import Kind, TargetMetric
from municipalities.models import LocalGovernment, Membership, Programme, ProgrammeTarget, Region
from municipalities.validators import check_digit
from specialists.enums import Domain
from specialists.models import Specialist


def jis_code(n: int) -> str:
    first_five = f"{90000 + n:05d}"
    return first_five + str(check_digit(first_five))


def letters(n: int) -> str:
    out = ""
    n += 26
    while n:
        n, rest = divmod(n, 26)
        out = string.ascii_uppercase[rest] + out
    return out


class PrefectureFactory(DjangoModelFactory):
    class Meta:
        model = LocalGovernment
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: jis_code(n * 2))
    kind = Kind.PREFECTURE
    name = factory.Sequence(lambda n: f"テスト{n}県")
    name_en = factory.Sequence(lambda n: f"Test {n} Prefecture")
    prefecture = None


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = LocalGovernment

    code = factory.Sequence(lambda n: jis_code(n * 2 + 1))
    kind = Kind.TOWN
    prefecture = factory.SubFactory(PrefectureFactory)
    name = factory.Sequence(lambda n: f"テスト{n}町")
    name_kana = factory.Sequence(lambda n: f"テスト{n}チョウ")
    name_en = factory.Sequence(lambda n: f"Test Town {n}")
    population = 12000


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region

    prefecture = factory.SubFactory(PrefectureFactory)
    name = factory.Sequence(lambda n: f"地域{n}")
    name_en = factory.Sequence(lambda n: f"Region {n}")


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    slug = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: f"テスト推進会議{n}")
    name_en = factory.Sequence(lambda n: f"Test council {n}")
    centre_name = "テスト支援センター"
    centre_name_en = "Test support centre"
    reference_prefix = factory.Sequence(letters)
    prefecture = factory.SubFactory(PrefectureFactory)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    programme = factory.SubFactory(ProgrammeFactory)
    municipality = factory.SubFactory(MunicipalityFactory, prefecture=factory.SelfAttribute("..programme.prefecture"))
    joined_on = dt.date(2024, 4, 1)


class ProgrammeTargetFactory(DjangoModelFactory):
    class Meta:
        model = ProgrammeTarget

    programme = factory.SubFactory(ProgrammeFactory)
    fiscal_year = factory.Sequence(lambda n: 2000 + n)
    metric = TargetMetric.ONSITE_VISITS
    value = 100


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the test users' authenticator app (base32)


def totp_code(user=None, secret: str = TOTP_SECRET) -> str:
    """The code the test users' app shows now; forgets that `user` used it (a code works once per 30 seconds). Near
    the end of a period it waits for the next one, so that the server checks the code in the period it was made."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from django.conf import settings
    from django.core.cache import cache

    period = settings.MFA_TOTP_PERIOD
    if period - time.time() % period < 3:
        time.sleep(period - time.time() % period + 0.1)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // period))
    if user is not None:
        cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")
    return code


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    full_name = factory.Sequence(lambda n: f"利用者 {n}")
    role = Role.COORDINATOR
    programme = factory.SubFactory(ProgrammeFactory)
    organisation = None
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def two_factor(user, create, extracted, **kwargs):
        """Roles that must sign in with a second factor have one (an authenticator app with TOTP_SECRET), as they
        would in use; `two_factor=False` makes one who has not enrolled yet."""
        from accounts.two_factor import required_for

        if create and extracted is not False and required_for(user):
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(user, TOTP_SECRET)


class MunicipalUserFactory(UserFactory):
    role = Role.MUNICIPAL
    organisation = factory.LazyAttribute(lambda o: MembershipFactory(programme=o.programme).municipality)


class PrefectureUserFactory(UserFactory):
    role = Role.PREFECTURE
    organisation = factory.SelfAttribute("programme.prefecture")


class SiteAdminFactory(UserFactory):
    role = Role.SITE_ADMIN
    programme = None
    is_staff = True
    is_superuser = True


class SpecialistFactory(DjangoModelFactory):
    class Meta:
        model = Specialist

    user = factory.SubFactory(UserFactory, role=Role.SPECIALIST)
    domain = Domain.DATA
    title = "DX推進専門官"
    profile = "データ利活用の専門官です。"
    active_from = dt.date(2024, 4, 1)


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    user = factory.SubFactory(UserFactory)
    invited_by = None


class NotificationFactory(DjangoModelFactory):
    """An outbox row, as notifications.services.notification_schedule would write it (not yet sent)."""

    class Meta:
        model = "notifications.Notification"

    recipient = factory.SubFactory(UserFactory)
    kind = "test.event"
    subject = factory.Sequence(lambda n: f"お知らせ {n}")
    body = factory.Sequence(lambda n: f"お知らせ {n} の本文です。")
    url = factory.Sequence(lambda n: f"http://127.0.0.1:8000/consultations/{n}/")
    digest = factory.LazyAttribute(lambda o: o.recipient.email_delivery == "digest")


class ConsultationFactory(DjangoModelFactory):
    """A submitted request as consultations.services would leave it (for tests that need many rows quickly; tests of
    the workflow itself file requests through the services)."""

    class Meta:
        model = "consultations.Consultation"

    requester = factory.SubFactory(MunicipalUserFactory)
    programme = factory.SelfAttribute("requester.programme")
    organisation = factory.SelfAttribute("requester.organisation")
    sequence = factory.Sequence(lambda n: n + 1)
    fiscal_year = 2026
    reference = factory.LazyAttribute(lambda o: f"{o.programme.reference_prefix}-{o.fiscal_year}-{o.sequence:04d}")
    title = factory.Sequence(lambda n: f"相談 {n}")
    description = "データ利活用について相談したいです。"
    status = "submitted"
    submitted_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))
    search_text = factory.LazyAttribute(lambda o: textsearch.document(o.reference, o.title, o.description))
