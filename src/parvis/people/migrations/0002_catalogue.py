from django.db import migrations


def load(apps, schema_editor):
    from parvis.people.catalogue import DATA_SOURCES, FACT_KEYS

    FactKey = apps.get_model("people", "FactKey")
    DataSource = apps.get_model("people", "DataSource")
    for key, label, value_type, category, unit in FACT_KEYS:
        FactKey.objects.update_or_create(
            key=key,
            defaults={"label": label, "value_type": value_type, "category": category, "unit": unit},
        )
    for code, name, kind in DATA_SOURCES:
        DataSource.objects.update_or_create(code=code, defaults={"name": name, "kind": kind})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
