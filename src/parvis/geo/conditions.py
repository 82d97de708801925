"""The "area" audience condition: lives inside one of the named areas imported from GeoJSON.

Registered in the audiences' filter tree (plug-in by file); it compiles to the audiences'
own polygon condition on the areas' rings, so the geometry is done by one implementation."""

from django.utils.translation import gettext as _

from parvis.audiences.filters import ConditionKind, TreeError, as_int, condition, require
from parvis.audiences.geo import PolygonCondition


@condition("area")
class AreaCondition(ConditionKind):
    """{"kind": "area", "areas": [3, 5]}: lives inside one of these named areas."""

    label = "Quartier ou zone nommée"

    def validate(self, node, path, ctx):
        from .models import Area

        areas = require(node, "areas", path)
        if isinstance(areas, int | str):
            areas = [areas]
        if not isinstance(areas, list) or not areas or len(areas) > 50:
            raise TreeError(f"{path}.areas", _("Expected a list of 1 to 50 areas."))
        ids = [as_int(a, f"{path}.areas[{i}]", minimum=1) for i, a in enumerate(areas)]
        found = set(Area.objects.filter(pk__in=ids).values_list("pk", flat=True))
        for i, area_id in enumerate(ids):
            if area_id not in found:
                raise TreeError(f"{path}.areas[{i}]", _("Unknown area."))
        return {"areas": sorted(set(ids))}

    def compile(self, node, ctx):
        from .models import Area

        polygons = []
        for geometry in Area.objects.filter(pk__in=node["areas"]).values_list(
            "geometry", flat=True
        ):
            polygons.extend(geometry["coordinates"])
        # Outer rings and holes, as the polygon condition's even-odd rule expects them.
        rings = [[ring] for polygon in polygons for ring in polygon]
        return PolygonCondition().compile(
            {"geometry": {"type": "MultiPolygon", "coordinates": rings}}, ctx
        )
