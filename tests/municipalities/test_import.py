import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from municipalities.enums import Kind
from municipalities.models import LocalGovernment, Membership, Region
from municipalities.services import (
    NATIONAL_CSV,
    local_governments_import,
    membership_add,
    prefecture_details_import,
)
from tests import factories

pytestmark = pytest.mark.django_db


def test_import_creates_47_prefectures_and_1741_municipalities():
    result = local_governments_import()
    assert (result.created, result.updated) == (1788, 0)
    assert LocalGovernment.objects.prefectures().count() == 47
    assert LocalGovernment.objects.municipalities().count() == 1741
    assert LocalGovernment.objects.filter(kind=Kind.WARD).count() == 23
    matsuyama = LocalGovernment.objects.get(code="382019")
    assert (matsuyama.name, matsuyama.kind, matsuyama.prefecture.code) == ("松山市", Kind.CITY, "380008")
    assert LocalGovernment.objects.get(code="380008").name_en == "Ehime"


def test_import_twice_changes_nothing_and_updates_renamed_rows(tmp_path):
    local_governments_import()
    LocalGovernment.objects.filter(code="382019").update(name="旧松山市")
    result = local_governments_import()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1787)
    assert LocalGovernment.objects.count() == 1788
    assert LocalGovernment.objects.get(code="382019").name == "松山市"


def test_command_reports_counts(capsys):
    call_command("import_local_governments")
    call_command("import_local_governments")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "local governments: 1788 created, 0 updated, 0 unchanged",
        "local governments: 0 created, 0 updated, 1788 unchanged",
    ]


def test_a_bad_code_in_the_file_imports_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    lines = NATIONAL_CSV.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace("012033", "012034", 1)
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CommandError, match="012034"):
        call_command("import_local_governments", str(bad))
    assert LocalGovernment.objects.count() == 0


def test_duplicate_rows_import_nothing(tmp_path):
    dup = tmp_path / "dup.csv"
    lines = NATIONAL_CSV.read_text(encoding="utf-8").splitlines()
    dup.write_text("\n".join([*lines, lines[4]]), encoding="utf-8")
    with pytest.raises(ValidationError, match="コードが重複しています：012033"):
        local_governments_import(path=dup)
    assert LocalGovernment.objects.count() == 0


def test_ehime_details_add_regions_readings_and_population():
    local_governments_import()
    assert prefecture_details_import() == 20
    assert prefecture_details_import() == 20  # again: same rows, no new regions
    assert sorted(Region.objects.values_list("name", flat=True)) == ["中予", "南予", "東予"]
    uchiko = LocalGovernment.objects.get(code="384224")
    assert (uchiko.name_en, uchiko.region.name_en, uchiko.name_kana) == ("Uchiko", "Nanyo", "ウチコチョウ")
    total = sum(LocalGovernment.objects.filter(prefecture__code="380008").values_list("population", flat=True))
    assert 1_300_000 < total < 1_400_000


def test_a_duplicate_local_government_code_is_refused():
    prefecture = factories.PrefectureFactory()
    duplicate = LocalGovernment(code=prefecture.code, kind=Kind.PREFECTURE, name="重複県")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "code" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_municipality_joins_a_programme_once():
    membership = factories.MembershipFactory()
    again = membership_add(programme=membership.programme, municipality=membership.municipality)
    assert again.pk == membership.pk
    duplicate = Membership(programme=membership.programme, municipality=membership.municipality)
    with pytest.raises(ValidationError, match="既にこの事業に参加しています"):
        duplicate.full_clean()


def test_only_municipalities_of_the_programmes_prefecture_can_join():
    programme = factories.ProgrammeFactory()
    elsewhere = factories.MunicipalityFactory()
    with pytest.raises(ValidationError) as error:
        membership_add(programme=programme, municipality=elsewhere)
    assert "municipality" in error.value.message_dict
    assert not Membership.objects.exists()
