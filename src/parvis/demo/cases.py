"""Demo requests for the synthetic town: a few hundred cases in every service, status and
channel (email, portal form, chat, SMS, phone call, counter visit), with French threads,
answers, internal notes, refused attachments and senders left to identify.

Everything comes from one `random.Random(seed)` and is written with bulk inserts (a handful
of queries whatever the count); the same seed on the same town gives the same cases."""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from parvis.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseSequence,
    Message,
    ReplyTemplate,
    Service,
    Tag,
)
from parvis.cases.sla import add_business_days
from parvis.people.models import ContactPoint, Interaction, Person

# (subject, what the citizen writes, the agent's answer, the citizen's follow-up)
THREADS: dict[str, list[tuple[str, str, str, str]]] = {
    "etat-civil": [
        (
            "Demande de copie intégrale d'acte de naissance",
            "Bonjour,\n\nJe souhaiterais obtenir une copie intégrale de mon acte de naissance "
            "pour un dossier de mariage. Je suis née à Mont-Bonvillers.\n\nCordialement,",
            "Bonjour,\n\nVotre demande est bien enregistrée. La copie intégrale vous sera "
            "envoyée par courrier sous 5 jours ouvrés.\n\nBien cordialement,",
            "Merci beaucoup, pouvez-vous l'envoyer plutôt par voie électronique ?",
        ),
        (
            "Rendez-vous pour une carte d'identité",
            "Bonjour, ma carte d'identité expire le mois prochain. Comment prendre "
            "rendez-vous pour la renouveler ? Faut-il une pré-demande en ligne ?",
            "Bonjour,\n\nOui, faites d'abord la pré-demande sur le site de l'ANTS, puis "
            "réservez un créneau en mairie. Apportez une photo de moins de 6 mois.",
            "C'est fait, j'ai mon numéro de pré-demande. Merci !",
        ),
        (
            "Passeport : dossier incomplet ?",
            "J'ai déposé mon dossier de passeport la semaine dernière et je n'ai aucune "
            "nouvelle. Manque-t-il une pièce ?",
            "Bonjour,\n\nIl manque un justificatif de domicile de moins d'un an. Vous "
            "pouvez le déposer à l'accueil ou le joindre en réponse à ce message.",
            "Je vous l'envoie en pièce jointe, merci.",
        ),
        (
            "Reconnaissance anticipée d'un enfant",
            "Bonjour, nous attendons un enfant pour le mois de mars et souhaitons faire une "
            "reconnaissance anticipée. Quelles pièces apporter ?",
            "Bonjour,\n\nVenez tous les deux avec une pièce d'identité et un justificatif de "
            "domicile ; la démarche prend une quinzaine de minutes, sans rendez-vous.",
            "",
        ),
        (
            "Inscription sur les listes électorales",
            "Je viens d'emménager rue des Tilleuls, comment m'inscrire sur les listes "
            "électorales de la commune ?",
            "Bonjour,\n\nVous pouvez vous inscrire en ligne sur service-public.fr ou en "
            "mairie avec une pièce d'identité et un justificatif de domicile.",
            "",
        ),
    ],
    "action-sociale": [
        (
            "Demande d'aide pour la facture d'énergie",
            "Bonjour,\n\nJe suis seule avec deux enfants et je n'arrive pas à payer ma "
            "facture d'électricité de l'hiver. Existe-t-il une aide du CCAS ?",
            "Bonjour,\n\nLe CCAS peut vous aider. Une conseillère vous appellera pour "
            "fixer un rendez-vous ; préparez vos trois dernières fiches de paie ou "
            "attestations CAF.",
            "Merci, je suis disponible le matin.",
        ),
        (
            "Portage de repas pour ma mère",
            "Ma mère, 87 ans, ne peut plus cuisiner seule depuis sa chute. Comment "
            "mettre en place le portage de repas à domicile ?",
            "Bonjour,\n\nNous pouvons démarrer le portage dès lundi. Une visite à domicile "
            "est prévue pour évaluer ses besoins.",
            "Parfait, je serai présente lors de la visite.",
        ),
        (
            "Domiciliation administrative",
            "Je suis hébergé chez un ami et je n'ai pas d'adresse pour recevoir mon "
            "courrier. Puis-je être domicilié au CCAS ?",
            "Bonjour,\n\nOui, la domiciliation est possible. Présentez-vous à l'accueil du "
            "CCAS avec une pièce d'identité pour un entretien.",
            "",
        ),
        (
            "Dossier de logement social",
            "Bonjour, notre logement est devenu trop petit (deux adultes, trois enfants). "
            "Pouvez-vous m'aider à faire une demande de logement social ?",
            "Bonjour,\n\nNous vous accompagnons volontiers : prenez rendez-vous avec le "
            "service logement, munis de votre avis d'imposition.",
            "Je n'ai pas encore reçu mon avis d'imposition, est-ce bloquant ?",
        ),
    ],
    "voirie": [
        (
            "Nid de poule dangereux",
            "Bonjour, il y a un nid de poule très profond devant le 12 rue de la Gare, "
            "deux cyclistes sont déjà tombés.",
            "Bonjour,\n\nMerci pour votre signalement. Une équipe interviendra cette "
            "semaine pour le reboucher.",
            "C'est réparé, merci pour la rapidité !",
        ),
        (
            "Éclairage public en panne",
            "Les lampadaires de l'allée des Charmes sont éteints depuis trois soirs, "
            "c'est inquiétant pour les enfants qui rentrent du collège.",
            "Bonjour,\n\nLe prestataire d'éclairage public est prévenu ; l'intervention "
            "est programmée sous 48 heures.",
            "",
        ),
        (
            "Dépôt sauvage de déchets",
            "Un tas de gravats et un vieux canapé ont été déposés au bout du chemin des "
            "Vignes. Pouvez-vous les faire enlever ?",
            "Bonjour,\n\nLes services techniques passeront jeudi. Merci de votre vigilance.",
            "",
        ),
        (
            "Arbre menaçant de tomber",
            "Après la tempête, un grand peuplier penche dangereusement au-dessus du "
            "trottoir avenue de Lorraine.",
            "Bonjour,\n\nUn agent est passé : l'arbre sera abattu par précaution et la "
            "zone balisée en attendant.",
            "Merci, le balisage est bien en place.",
        ),
    ],
    "ecoles": [
        (
            "Inscription scolaire pour la rentrée",
            "Bonjour, nous arrivons dans la commune en août. Comment inscrire notre fille "
            "en CE1 à l'école Jules-Ferry ?",
            "Bonjour,\n\nEnvoyez-nous le livret de famille, un justificatif de domicile et "
            "le certificat de radiation de l'ancienne école ; l'inscription sera faite "
            "sous une semaine.",
            "Voici les documents demandés.",
        ),
        (
            "Facture de cantine erronée",
            "La facture de cantine de novembre compte 18 repas alors que mon fils était "
            "malade une semaine (certificat fourni).",
            "Bonjour,\n\nVous avez raison : les 4 repas seront déduits de la facture de décembre.",
            "",
        ),
        (
            "Place en accueil périscolaire le mercredi",
            "Reste-t-il des places à l'accueil de loisirs le mercredi après-midi pour un "
            "enfant de 7 ans ?",
            "Bonjour,\n\nIl reste deux places. Vous pouvez réserver sur le portail famille.",
            "",
        ),
        (
            "Allergie alimentaire : PAI",
            "Mon fils est allergique à l'arachide. Comment mettre en place un PAI pour la "
            "cantine ?",
            "Bonjour,\n\nLe médecin scolaire vous contactera ; en attendant, un panier "
            "repas est possible.",
            "Merci pour votre réponse rapide.",
        ),
    ],
    "urbanisme": [
        (
            "Déclaration préalable pour une clôture",
            "Bonjour, je voudrais remplacer la haie par une clôture de 1,80 m. Faut-il "
            "une déclaration préalable ?",
            "Bonjour,\n\nOui, dans le périmètre du PLU une déclaration préalable est "
            "nécessaire ; le formulaire Cerfa 13703 est en ligne.",
            "",
        ),
        (
            "Consultation du PLU",
            "Où puis-je consulter le plan local d'urbanisme pour savoir si mon terrain "
            "est constructible ?",
            "Bonjour,\n\nLe PLU est consultable en mairie aux heures d'ouverture et sur le "
            "Géoportail de l'urbanisme.",
            "",
        ),
        (
            "Permis de construire : délai d'instruction",
            "J'ai déposé un permis de construire pour une extension il y a deux mois. "
            "Quand aurai-je une réponse ?",
            "Bonjour,\n\nLe délai est de deux mois, prolongé d'un mois car le projet est "
            "situé aux abords d'un monument historique.",
            "D'accord, merci pour ces précisions.",
        ),
    ],
    "accueil": [
        (
            "Horaires d'ouverture pendant les fêtes",
            "Bonjour, la mairie est-elle ouverte le samedi 27 décembre ?",
            "Bonjour,\n\nLa mairie sera fermée le samedi 27 ; elle rouvre le lundi 29 à 8 h 30.",
            "",
        ),
        (
            "Location de la salle des fêtes",
            "Nous souhaitons louer la salle des fêtes pour un anniversaire le 14 juin. "
            "Est-elle disponible et à quel tarif ?",
            "Bonjour,\n\nLa salle est disponible ; le tarif pour les habitants est de "
            "250 € le week-end, caution de 500 €.",
            "Parfait, comment réserver ?",
        ),
        (
            "Objet trouvé",
            "J'ai perdu un portefeuille marron près du marché samedi matin. "
            "Quelqu'un l'a-t-il rapporté ?",
            "Bonjour,\n\nUn portefeuille correspondant a été déposé ; vous pouvez le "
            "récupérer à l'accueil avec une pièce d'identité.",
            "Merci infiniment !",
        ),
    ],
}
CHAT_LINES = [
    ("Bonjour, la mairie est-elle ouverte entre midi et deux ?",
     "Bonjour ! Oui, le mercredi seulement, de 12 h à 14 h.", "Merci, bonne journée"),
    ("Je n'arrive pas à me connecter au portail famille",
     "Bonjour, avez-vous essayé « mot de passe oublié » ? Le lien arrive par courriel.",
     "Ça marche, merci !"),
    ("Où déposer un encombrant ?",
     "La déchetterie est ouverte du mardi au samedi ; sinon, collecte sur rendez-vous.",
     "D'accord"),
    ("Combien de temps pour une carte d'identité ?",
     "En ce moment, comptez environ trois semaines après le rendez-vous.", ""),
    ("Bonjour, le marché de Noël a lieu quel week-end ?",
     "Bonjour, les 13 et 14 décembre sur la place de la mairie.", "Super, merci"),
]  # fmt: skip
SMS_LINES = [
    ("Bonjour, le ramassage des ordures est-il maintenu lundi férié ?",
     "Mairie de Mont-Bonvillers : oui, la collecte est maintenue lundi."),
    ("Coupure d'eau rue des Écoles depuis ce matin, c'est normal ?",
     "Mairie : travaux sur le réseau, retour de l'eau prévu vers 16 h."),
    ("Je confirme mon rendez-vous de jeudi 10h pour le passeport",
     "Mairie : merci, rendez-vous confirmé jeudi à 10 h."),
]  # fmt: skip
PHONE_SUMMARIES = [
    ("Appel : demande d'attestation d'accueil",
     "La personne héberge sa sœur venant du Maroc, souhaite l'attestation d'accueil."),
    ("Appel : réclamation bruit de chantier",
     "Chantier rue Pasteur dès 6 h 30 ; demande un rappel à l'entreprise."),
    ("Appel : question sur la taxe d'enlèvement des ordures",
     "Conteste le montant ; renvoyée vers le centre des finances publiques."),
]  # fmt: skip
COUNTER_SUMMARIES = [
    ("Accueil : aide pour remplir un dossier APA",
     "Dame âgée venue avec sa fille ; dossier APA à compléter avec le CCAS."),
    ("Accueil : déclaration de perte de carte d'identité",
     "Perte déclarée, renvoyée vers la pré-demande en ligne."),
    ("Accueil : demande de banc devant l'arrêt de bus",
     "Un riverain demande un banc à l'arrêt « Église » pour les personnes âgées."),
]  # fmt: skip
NOTES = [
    "Vérifier dans le registre avant de répondre.",
    "Dossier suivi par l'élu de quartier, le tenir informé.",
    "Personne déjà venue à l'accueil la semaine dernière pour le même sujet.",
    "Attendre le retour du prestataire.",
]
TAGS = ["urgent", "relance", "pièce manquante", "élu", "accessibilité"]
TEMPLATES = [
    (
        "Accusé de réception",
        None,
        "Bonjour {{ person.first_names }},\n\nNous avons bien reçu votre demande "
        "{{ case.reference }} ({{ case.subject }}). Le service {{ case.service }} vous "
        "répondra rapidement.\n\nBien cordialement,\n{{ agent.name }}\nMairie de Mont-Bonvillers",
        "open",
    ),
    (
        "Pièce manquante",
        None,
        "Bonjour {{ person.first_names }},\n\nPour traiter votre demande {{ case.reference }}, "
        "il nous manque un justificatif de domicile de moins d'un an. Vous pouvez le joindre "
        "en réponse à ce message.\n\nBien cordialement,\n{{ agent.name }}",
        "waiting",
    ),
    (
        "Demande traitée",
        None,
        "Bonjour {{ person.first_names }},\n\nVotre demande {{ case.reference }} est "
        "traitée. N'hésitez pas à nous recontacter si besoin.\n\nBien cordialement,\n"
        "{{ agent.name }}",
        "resolved",
    ),
    (
        "Acte envoyé par courrier",
        "etat-civil",
        "Bonjour {{ person.first_names }},\n\nL'acte demandé vous a été envoyé par courrier "
        "ce jour.\n\nLe service de l'état civil",
        "resolved",
    ),
]
UNKNOWN_SENDERS = [
    ("Durand Paul", "paul.durand.77@example.org"),
    ("Nadia BENSAÏD", "n.bensaid@example.net"),
    ("Jean-Luc Moreau", "jlmoreau@example.com"),
    ("Sophie Lefèvre", "sophie.lefevre@example.org"),
]
# channel, weight
CHANNELS = [
    ("email", 34),
    ("portal", 24),
    ("chat", 10),
    ("sms", 10),
    ("phone", 12),
    ("counter", 10),
]
STATUS_FR = [("resolved", "Résolue"), ("closed", "Close")]
STATUSES = [("new", 18), ("open", 24), ("waiting", 14), ("resolved", 20), ("closed", 24)]


@dataclass
class _Draft:
    case: Case
    messages: list  # (Message, attachments)
    events: list


def _weighted(rng: random.Random, pairs):
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def _office_time(rng: random.Random, day: date) -> datetime:
    at = time(rng.randint(8, 17), rng.randrange(60))
    return timezone.make_aware(datetime.combine(day, at))


def ensure_catalogue() -> tuple[list[Service], list[Tag]]:
    """The demo services, tags and reply templates (kept if they exist)."""
    from .services import DEMO_SERVICES

    services = [
        Service.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for name, slug in DEMO_SERVICES
    ]
    tags = [Tag.objects.get_or_create(name=name)[0] for name in TAGS]
    by_slug = {s.slug: s for s in services}
    for name, slug, body, status in TEMPLATES:
        ReplyTemplate.objects.get_or_create(
            name=name, defaults={"body": body, "service": by_slug.get(slug), "set_status": status}
        )
    return services, tags


def seed_cases(count: int = 300, seed: int = 1, today: date | None = None) -> int:
    """Add `count` demo cases; returns how many were created."""
    if count <= 0:
        return 0
    rng = random.Random(seed * 7919 + 11)
    today = today or timezone.localdate()
    services, tags = ensure_catalogue()
    by_slug = {s.slug: s for s in services}
    agents = list(
        get_user_model()
        .objects.filter(groups__name__in=["agent", "supervisor"])
        .order_by("pk")
        .distinct()
    )
    emails = list(
        ContactPoint.objects.filter(kind="email", status="ok")
        .order_by("person_id", "pk")
        .values_list("person_id", "normalized")[:4000]
    )
    mobiles = list(
        ContactPoint.objects.filter(kind="mobile", status="ok")
        .order_by("person_id", "pk")
        .values_list("person_id", "normalized")[:4000]
    )
    person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:4000])
    names = dict(
        (pk, (first, last))
        for pk, first, last in Person.objects.filter(
            pk__in={p for p, _ in emails} | {p for p, _ in mobiles} | set(person_ids)
        ).values_list("pk", "first_names", "last_name")
    )
    if not person_ids:
        return 0

    year = today.year
    with transaction.atomic():
        sequence, _ = CaseSequence.objects.select_for_update().get_or_create(year=year)
        first_number = sequence.last + 1
        sequence.last += count
        sequence.save(update_fields=["last"])
        drafts = [
            _draft(rng, f"{year}-{first_number + i:06d}", today, by_slug, agents, emails,
                   mobiles, person_ids, names)
            for i in range(count)
        ]  # fmt: skip
        _write(drafts, rng, tags)
    return count


def _draft(rng, reference, today, by_slug, agents, emails, mobiles, person_ids, names):
    channel = _weighted(rng, CHANNELS)
    status = _weighted(rng, STATUSES)
    if status in ("new", "open", "waiting"):
        # Mostly recent, with a backlog of a few overdue ones.
        age_days = rng.choice([0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 8, 12, 20])
    else:
        age_days = rng.choice([2, 3, 5, 7, 9, 12, 15, 20, 30, 45, 60])
    created = _office_time(rng, today - timedelta(days=age_days))
    if status in ("resolved", "closed") and age_days < 2:
        created -= timedelta(days=3)
    slug = rng.choice(list(THREADS))
    if channel == "chat":
        slug = "accueil"
        subject_in, reply_text, follow = rng.choice(CHAT_LINES)
        subject = subject_in[:80]
        body = subject_in
    elif channel == "sms":
        slug = rng.choice(["accueil", "voirie", "etat-civil"])
        body, reply_text = rng.choice(SMS_LINES)
        subject, follow = body[:80], ""
    elif channel == "phone":
        subject, body = rng.choice(PHONE_SUMMARIES)
        reply_text, follow = THREADS[slug][0][2], ""
    elif channel == "counter":
        subject, body = rng.choice(COUNTER_SUMMARIES)
        reply_text, follow = THREADS[slug][0][2], ""
    else:
        subject, body, reply_text, follow = rng.choice(THREADS[slug])
    service = by_slug.get(slug) if rng.random() > 0.1 else None
    days = service.sla_business_days if service else 5

    person_id, sender, sender_name = None, "", ""
    proposed, candidates = {}, []
    if channel == "email":
        if rng.random() < 0.12:
            sender_name, sender = rng.choice(UNKNOWN_SENDERS)
            words = sender_name.split()
            proposed = {"email": sender, "first_names": words[0], "last_name": words[-1].title()}
            if words[0].isupper():
                proposed.update(first_names=words[-1], last_name=words[0].title())
        elif emails:
            person_id, sender = rng.choice(emails)
    elif channel == "sms" and mobiles:
        person_id, sender = rng.choice(mobiles)
    else:
        person_id = rng.choice(person_ids)
    if person_id:
        first, last = names.get(person_id, ("", ""))
        sender_name = sender_name or f"{first} {last}".strip()
    if channel == "email" and person_id and rng.random() < 0.04:
        # Two persons share this mailbox (a couple): the agent picks who wrote.
        other = rng.choice(person_ids)
        candidates, person_id = sorted({person_id, other}), None

    case = Case(
        reference=reference,
        subject=subject[:300],
        service=service,
        person_id=person_id,
        channel=channel,
        status=status,
        priority=rng.choices([1, 2, 3, 4], weights=[10, 70, 15, 5])[0],
        created_at=created,
        updated_at=created,
        due_at=add_business_days(created, days),
        candidate_ids=candidates,
        proposed_person=proposed,
    )
    if status != "new" and agents and rng.random() < 0.7:
        case.assignee = rng.choice(agents)
    draft = _Draft(case, [], [])
    at = created

    def add(direction, text, **kw):
        nonlocal at
        message = Message(
            direction=direction,
            channel=channel
            if direction != "out" or channel in ("email", "sms", "chat", "portal")
            else "portal",
            person_id=person_id if direction != "note" else None,
            body_text=text,
            created_at=at,
            delivery="received" if direction != "out" else "sent",
            visible_to_citizen=direction != "note",
            **kw,
        )
        draft.messages.append((message, []))
        return message

    incoming = {
        "sender": sender,
        "sender_name": sender_name,
        "subject": subject if channel in ("email", "portal", "phone", "counter") else "",
    }
    if channel == "email":
        incoming["message_id"] = f"<{reference}.1@demo.mont-bonvillers.example>"
    if channel == "sms":
        incoming["message_id"] = f"demo-{reference}-1"
    add("in", body, **incoming)
    if rng.random() < 0.06 and channel in ("email", "portal"):
        draft.messages[-1] = (draft.messages[-1][0], [("facture.exe", "refused")])
    if status == "new":
        return draft
    if case.service:
        draft.events.append(("service", f"Envoyée au service {case.service.name}", at))
    if rng.random() < 0.3:
        at += timedelta(minutes=rng.randint(5, 240))
        add("note", rng.choice(NOTES), author=case.assignee)
    if status in ("waiting", "resolved", "closed") or (status == "open" and rng.random() < 0.4):
        at += timedelta(hours=rng.randint(1, 40))
        out_channel = channel if channel in ("email", "sms", "chat", "portal") else "portal"
        add(
            "out",
            reply_text,
            author=case.assignee,
            recipient=sender if out_channel in ("email", "sms") else "",
            subject=f"Re: {subject} [#{reference}]" if out_channel == "email" else "",
            message_id=f"<{reference}.2@demo.mont-bonvillers.example>"
            if out_channel == "email"
            else "",
        )
        case.first_response_at = at
        if follow and (status in ("open", "resolved", "closed") or channel == "chat"):
            at += timedelta(hours=rng.randint(1, 30)) if channel != "chat" else timedelta(minutes=1)
            add(
                "in",
                follow,
                sender=sender,
                sender_name=sender_name,
                message_id=f"<{reference}.3@demo.mont-bonvillers.example>"
                if channel == "email"
                else "",
            )
    if status in ("resolved", "closed"):
        at += timedelta(hours=rng.randint(1, 48))
        case.closed_at = at
        draft.events.append(("status", f"Statut : En cours → {dict(STATUS_FR)[status]}", at))
    case.updated_at = at
    return draft


def _write(drafts: list[_Draft], rng: random.Random, tags: list[Tag]) -> None:
    cases = Case.objects.bulk_create([d.case for d in drafts], batch_size=1000)
    messages, events, tag_rows, interactions = [], [], [], []
    for draft, case in zip(drafts, cases, strict=True):
        for message, _files in draft.messages:
            message.case_id = case.pk
            messages.append((message, _files))
        for kind, summary, at in draft.events:
            events.append(CaseEvent(case_id=case.pk, kind=kind, summary=summary, at=at))
        if rng.random() < 0.25:
            tag_rows.append(Case.tags.through(case_id=case.pk, tag_id=rng.choice(tags).pk))
    Message.objects.bulk_create([m for m, _ in messages], batch_size=2000)
    Attachment.objects.bulk_create(
        [
            Attachment(
                message_id=m.pk,
                filename=name,
                size=48128,
                content_type="application/x-dosexec",
                status=Attachment.Status.REFUSED,
                refusal_reason="Les fichiers exécutables ne sont pas acceptés : "
                "ce fichier est un programme Windows.",
            )
            for m, names in messages
            for name, _verdict in names
        ]
    )
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    Case.tags.through.objects.bulk_create(tag_rows, batch_size=2000)
    for message, _files in messages:
        if message.person_id and message.direction in ("in", "out"):
            interactions.append(
                Interaction(
                    person_id=message.person_id,
                    occurred_at=message.created_at,
                    kind="message_in" if message.direction == "in" else "message_out",
                    channel=message.channel,
                    summary=(message.subject or message.body_text)[:120],
                    actor_id=message.author_id,
                    ref_type="cases.message",
                    ref_id=str(message.pk),
                )
            )
    Interaction.objects.bulk_create(interactions, batch_size=2000)


def assign_demo_cases(username: str = "agent") -> int:
    """Give the demo agent some open cases, so that "assigned to me" is not empty. Only
    every third unassigned open case is taken, so running it again changes little."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return 0
    ids = list(
        Case.objects.filter(status__in=Case.OPEN_STATUSES, assignee__isnull=True)
        .filter(service__in=user.services.all())
        .order_by("pk")
        .values_list("pk", flat=True)[:300]
    )
    return Case.objects.filter(pk__in=ids[::3]).update(assignee=user)
