"""What `parvis migrate` and `parvis assist setup` do for the assist."""

import logging

from parvis.console.roles import add_to_roles

logger = logging.getLogger(__name__)

# Added to the console's roles (which parvis.console resets just before this runs).
ROLE_PERMISSIONS = {
    "agent": ["assist.use_assist", "assist.view_article", "assist.view_modelversion"],
    "supervisor": [
        "assist.use_assist",
        "assist.view_article",
        "assist.add_article",
        "assist.change_article",
        "assist.view_modelversion",
        "assist.view_suggestion",
    ],
    "administrator": [
        "assist.use_assist",
        "assist.view_article",
        "assist.add_article",
        "assist.change_article",
        "assist.delete_article",
        "assist.view_modelversion",
        "assist.view_suggestion",
        "assist.train_model",
    ],
    "dpo": ["assist.view_suggestion", "assist.view_modelversion"],
}


def ensure_permissions() -> None:
    add_to_roles(ROLE_PERMISSIONS)


def after_migrate(**kwargs) -> None:
    ensure_permissions()
    from . import conf

    if not conf.auto_setup():
        return
    try:
        setup()
    except Exception:  # a missing data file must not break `parvis migrate`
        logger.exception("AI assist setup after migrate failed; run `parvis assist setup`")


def ensure_demo_services() -> int:
    from parvis.cases.models import Service

    from .corpus import SERVICES

    created = 0
    for slug, name in SERVICES:
        if Service.objects.filter(slug=slug).exists():
            continue
        if Service.objects.filter(name=name).exists():
            continue
        Service.objects.create(slug=slug, name=name)
        created += 1
    return created


def setup(*, demo: bool = False, fiches: bool = True) -> dict:
    """Cold-start model, town articles and service-public.fr sheets (idempotent)."""
    from . import conf, kb, versions

    report = {}
    if demo:
        report["services_created"] = ensure_demo_services()
        from parvis.demo.services import join_demo_agent

        join_demo_agent()
    version = versions.ensure_cold_start()
    report["model"] = version.label
    report["town_articles"] = str(kb.import_town_articles())
    if fiches and conf.kb_file().exists():
        report["fiches"] = str(kb.import_jsonl(conf.kb_file()))
    return report
