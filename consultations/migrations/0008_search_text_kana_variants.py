"""The search text folds katakana variants now (dxshare.textsearch.fold_kana): rewrite every request's."""

from django.db import migrations

from dxshare.textsearch import document


def refill_search_text(apps, schema_editor):
    Consultation = apps.get_model("consultations", "Consultation")
    batch = []
    rows = Consultation.objects.select_related("organisation").only(
        "reference", "title", "description", "organisation__name", "organisation__name_en"
    )
    for consultation in rows.iterator(chunk_size=2000):
        organisation = consultation.organisation
        consultation.search_text = document(
            consultation.reference,
            consultation.title,
            consultation.description,
            organisation.name,
            organisation.name_en,
        )
        batch.append(consultation)
        if len(batch) >= 2000:
            Consultation.objects.bulk_update(batch, ["search_text"])
            batch = []
    Consultation.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("consultations", "0007_last_reply")]
    operations = [migrations.RunPython(refill_search_text, migrations.RunPython.noop)]
