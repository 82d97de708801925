"""Installs the example local rules of data/example_rules.yml (once: later edits are kept)."""

from pathlib import Path

from django.db import migrations

RULES = Path(__file__).resolve().parent.parent / "data" / "example_rules.yml"


def install(apps, schema_editor):
    import yaml

    from parvis.rights.rules import BUILTINS, VALUE_TYPES, Field, _Loader, validate_rule

    FactKey = apps.get_model("people", "FactKey")
    LocalRule = apps.get_model("rights", "LocalRule")
    fields = {
        key: Field(key, VALUE_TYPES[value_type], label, unit)
        for key, value_type, label, unit in FactKey.objects.values_list(
            "key", "value_type", "label", "unit"
        )
    }
    fields.update(BUILTINS)
    text = RULES.read_text(encoding="utf-8")
    for source in text.split("\n---\n"):
        # The file's leading comment is not part of the first rule.
        source = "\n".join(line for line in source.splitlines() if not line.startswith("# "))
        data = yaml.load(source, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
        definition = validate_rule(data, fields)
        LocalRule.objects.get_or_create(
            code=definition["code"],
            defaults={
                "label": definition["label"],
                "source": source.strip() + "\n",
                "definition": definition,
                "institution": definition["institution"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("rights", "0001_initial"), ("people", "0002_catalogue")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
