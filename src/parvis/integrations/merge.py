"""Merging two files of the same person, and undoing the merge.

Everything that points at the dropped person — facts, contact points, consents, the
timeline, residences, household memberships, cases and messages, and whatever later apps
add — is found through the foreign keys to `Person` (no list to keep up to date), moved to
the kept person, and its ids recorded in a `MergeRecord`. The dropped person's row is kept
whole in the record, so that `undo_merge` recreates it with the same id and moves exactly
those rows back; what was added to the kept file after the merge stays there."""

from __future__ import annotations

import json

from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.audit.models import AccessLog
from parvis.audit.services import log_access
from parvis.people import services as people
from parvis.people.models import Interaction, NameToken, Person

from .models import MergeRecord

# Identity fields the kept file takes from the dropped one when it has none of its own.
FILLABLE = ("birth_name", "sex", "birth_date", "birth_place", "birth_place_code", "nir")


def _person_relations():
    """Every (model, field name) whose foreign key points at Person, except the name index
    (rebuilt) and this app's own merge records."""
    # include_hidden: relations named "+" (no reverse accessor) point at persons too.
    for relation in Person._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete or relation.many_to_many:
            continue
        if not relation.field.concrete:
            continue
        model = relation.related_model
        if model in (NameToken, MergeRecord):
            continue
        yield model, relation.field


def merge_persons(keep: Person, drop: Person, *, user, candidate=None, request=None):
    if keep.pk == drop.pk:
        raise ValidationError(_("A person cannot be merged with themselves."))
    if keep.nir and drop.nir and keep.nir != drop.nir:
        raise ValidationError(
            _("These two persons have different social security numbers: they are not the same.")
        )
    with transaction.atomic():
        keep = Person.objects.select_for_update().get(pk=keep.pk)
        drop = Person.objects.select_for_update().get(pk=drop.pk)
        moved: dict[str, list] = {}
        for model, field in _person_relations():
            rows = model._default_manager.filter(**{field.name: drop})
            if field.one_to_one and model._default_manager.filter(**{field.name: keep}).exists():
                if rows.exists():
                    raise ValidationError(
                        _("Both persons have a %(what)s: merge them by hand first.")
                        % {"what": model._meta.verbose_name}
                    )
                continue
            ids = list(rows.values_list("pk", flat=True))
            if ids:
                try:
                    with transaction.atomic():
                        model._default_manager.filter(pk__in=ids).update(**{field.name: keep})
                except IntegrityError:
                    # e.g. both persons are members of the same audience: a unique row.
                    raise ValidationError(
                        _(
                            "Both persons have a %(what)s that cannot be doubled: "
                            "resolve it by hand first."
                        )
                        % {"what": model._meta.verbose_name}
                    ) from None
                moved[f"{model._meta.label_lower}.{field.name}"] = ids
        snapshot = _fields(drop)
        kept_before = {}
        for name in FILLABLE:
            if not getattr(keep, name) and getattr(drop, name):
                kept_before[name] = _fields(keep)[name]
        fill = {name: getattr(drop, name) for name in kept_before}
        record = MergeRecord.objects.create(
            kept=keep,
            kept_id_value=keep.pk,
            dropped_id=drop.pk,
            dropped_snapshot=snapshot,
            kept_before=kept_before,
            moved=moved,
            candidate=candidate,
            merged_by=user if getattr(user, "pk", None) else None,
        )
        dropped_label = str(drop)
        drop.delete()  # its rows have moved: only the person and its name tokens go
        for name, value in fill.items():
            setattr(keep, name, value)
        keep.save()
        NameToken.objects.filter(person=keep).delete()
        people.index_person_names([keep])
        people.record_interaction(
            keep,
            kind=Interaction.Kind.NOTE,
            summary=_("File merged with %(label)s (no. %(id)s)")
            % {"label": dropped_label, "id": record.dropped_id},
            actor=user,
            ref=record,
        )
        for person_id, label in ((keep.pk, str(keep)), (record.dropped_id, dropped_label)):
            log_access(
                user=user,
                person=_Ref(person_id, label),
                action="integrations.merge",
                channel=AccessLog.Channel.CONSOLE if request else AccessLog.Channel.SYSTEM,
                reason=_("merge no. %(id)s") % {"id": record.pk},
                request=request,
            )
    return record


def undo_merge(record: MergeRecord, *, user, request=None) -> Person:
    if record.undone_at:
        raise ValidationError(_("This merge was already undone."))
    if Person.objects.filter(pk=record.dropped_id).exists():
        raise ValidationError(_("A person with the dropped file's number exists again."))
    with transaction.atomic():
        keep = Person.objects.select_for_update().get(pk=record.kept_id_value)
        fields = dict(record.dropped_snapshot)
        for name, value in record.kept_before.items():
            setattr(keep, name, _field_value(name, value))
        keep.save()  # first, so that the NIR it took back is free for the restored person
        restored = Person(pk=record.dropped_id)
        for name, value in fields.items():
            setattr(restored, name, _field_value(name, value))
        restored.save(force_insert=True)
        # auto_now fields were reset by save(): put back the original creation time.
        Person.objects.filter(pk=restored.pk).update(created_at=fields["created_at"])
        for label, ids in record.moved.items():
            app_model, field_name = label.rsplit(".", 1)
            model = _model(app_model)
            model._default_manager.filter(pk__in=ids).update(**{field_name: restored})
        for person in (keep, restored):
            NameToken.objects.filter(person=person).delete()
        people.index_person_names([keep, restored])
        record.undone_at = timezone.now()
        record.undone_by = user if getattr(user, "pk", None) else None
        record.save(update_fields=["undone_at", "undone_by"])
        people.record_interaction(
            keep,
            kind=Interaction.Kind.NOTE,
            summary=_("Merge with file no. %(id)s undone") % {"id": restored.pk},
            actor=user,
            ref=record,
        )
        for person in (keep, restored):
            log_access(
                user=user,
                person=person,
                action="integrations.merge_undo",
                channel=AccessLog.Channel.CONSOLE if request else AccessLog.Channel.SYSTEM,
                reason=_("merge no. %(id)s") % {"id": record.pk},
                request=request,
            )
    return restored


class _Ref:
    """What log_access needs of a person that may no longer exist."""

    def __init__(self, pk, label):
        self.pk = pk
        self.label = label

    def __str__(self):
        return self.label


def _fields(person: Person) -> dict:
    """The person's columns as JSON values (dates as ISO text)."""
    return json.loads(serializers.serialize("json", [person]))[0]["fields"]


def _model(label: str):
    from django.apps import apps

    app_label, model_name = label.split(".")
    return apps.get_model(app_label, model_name)


def _field_value(name: str, value):
    field = Person._meta.get_field(name)
    return field.to_python(value) if value is not None else None
