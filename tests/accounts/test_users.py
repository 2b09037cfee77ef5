import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import scope
from accounts.enums import Role
from accounts.models import User
from accounts.services import user_create
from municipalities.models import LocalGovernment
from municipalities.selectors import member_municipalities_visible_to
from tests import factories

pytestmark = pytest.mark.django_db


def test_municipal_staff_must_have_exactly_one_municipality(programme, municipality):
    with pytest.raises(ValidationError) as error:
        user_create(email="a@example.jp", full_name="A", role=Role.MUNICIPAL, programme=programme)
    assert "organisation" in error.value.message_dict
    assert not User.objects.exists()


def test_the_database_refuses_a_municipal_user_without_municipality(programme):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="b@example.jp", full_name="B", role=Role.MUNICIPAL, programme=programme)


def test_the_database_refuses_an_organisation_for_a_specialist(programme, municipality):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(
            email="c@example.jp", full_name="C", role=Role.SPECIALIST, programme=programme, organisation=municipality
        )


def test_a_municipality_outside_the_programme_is_refused(programme, outside_municipality):
    with pytest.raises(ValidationError, match="の参加市町ではありません"):
        user_create(
            email="d@example.jp",
            full_name="D",
            role=Role.MUNICIPAL,
            programme=programme,
            organisation=outside_municipality,
        )


def test_prefecture_staff_belong_to_the_programmes_prefecture(programme, municipality):
    with pytest.raises(ValidationError, match="この事業の都道府県"):
        user_create(
            email="e@example.jp", full_name="E", role=Role.PREFECTURE, programme=programme, organisation=municipality
        )
    user = user_create(
        email="e@example.jp",
        full_name="E",
        role=Role.PREFECTURE,
        programme=programme,
        organisation=programme.prefecture,
    )
    assert user.organisation == programme.prefecture


def test_email_is_unique_whatever_its_case(programme):
    user_create(email="Same@Example.jp", full_name="F", role=Role.COORDINATOR, programme=programme)
    with pytest.raises(ValidationError, match="既に登録されています"):
        user_create(email="same@example.JP", full_name="G", role=Role.COORDINATOR, programme=programme)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="SAME@example.jp", full_name="H", role=Role.COORDINATOR, programme=programme)


def test_everyone_but_site_admins_needs_a_programme():
    with pytest.raises(ValidationError) as error:
        user_create(email="i@example.jp", full_name="I", role=Role.COORDINATOR)
    assert "programme" in error.value.message_dict
    admin = user_create(email="j@example.jp", full_name="J", role=Role.SITE_ADMIN)
    assert admin.programme is None


class TestScope:
    def test_municipal_staff_see_only_their_municipality(
        self, municipal_user, municipality, other_municipality, outside_municipality
    ):
        visible = scope.scope_queryset(
            LocalGovernment.objects.all(), municipal_user, programme="membership__programme", organisation="pk"
        )
        assert list(visible) == [municipality]

    def test_centre_sees_its_whole_programme(self, coordinator, municipality, other_municipality, outside_municipality):
        visible = scope.scope_queryset(
            LocalGovernment.objects.all(), coordinator, programme="membership__programme", organisation="pk"
        )
        assert set(visible) == {municipality, other_municipality}

    def test_site_admin_sees_everything_and_anonymous_nothing(self, site_admin, municipality, outside_municipality):
        from django.contrib.auth.models import AnonymousUser

        qs = LocalGovernment.objects.filter(kind="town")
        assert set(scope.scope_queryset(qs, site_admin, programme="membership__programme")) == {
            municipality,
            outside_municipality,
        }
        assert not scope.scope_queryset(qs, AnonymousUser(), programme="membership__programme").exists()

    def test_deactivated_users_see_nothing(self, coordinator, municipality):
        coordinator.is_active = False
        assert not scope.scope_queryset(
            LocalGovernment.objects.all(), coordinator, programme="membership__programme"
        ).exists()

    def test_predicates(
        self, programme, other_programme, municipal_user, coordinator, municipality, other_municipality
    ):
        assert scope.can_see_programme(coordinator, programme)
        assert not scope.can_see_programme(coordinator, other_programme)
        assert list(member_municipalities_visible_to(municipal_user)) == [municipality]
        assert set(member_municipalities_visible_to(coordinator)) == {municipality, other_municipality}
        assert scope.can_invite(coordinator, programme) and not scope.can_invite(coordinator, other_programme)
        assert not scope.can_invite(municipal_user)
        assert Role.CENTRE_HEAD not in scope.invitable_roles(coordinator)
        assert scope.invitable_roles(municipal_user) == []


def test_factories_build_consistent_people():
    user = factories.MunicipalUserFactory()
    assert user.programme.members.filter(pk=user.organisation_id).exists()
    user.full_clean()
    factories.PrefectureUserFactory().full_clean()
