# ruff: noqa: E501 — the lexicon is data, kept one entry per line
"""More varied training requests: emails to a town hall composed from a lexicon per service.

corpus.KINDS gives a few dozen whole sentences per service; a model trained on them learns
those sentences. Real emails ask the same things with other words, so this generator builds
requests from parts: per service, topics with their objects ("une copie d'acte de
naissance"), what people want to do with them ("obtenir {o}"), and situations told in the
citizen's words ("le lampadaire du {num} rue {rue} clignote"), several synonyms each; they
are combined with request frames in four registers (formal letter, neutral email, informal,
SMS), service-neutral small talk, greetings, signatures, forwarded history, misspellings and
typos. The lexicon was written from the town-hall services' domain, independently of the
held-out phrasings (corpus.KINDS' last phrasing of each kind), which it never reads.

Training only: `generate(count, seed)` is deterministic and is appended to the training CSV
by corpus.generate; the held-out set is unchanged by it."""

import random
import re
from dataclasses import dataclass

from . import corpus


@dataclass(frozen=True)
class Topic:
    objects: tuple[str, ...]  # noun phrases, with their article
    actions: tuple[str, ...]  # infinitive phrases using {o}
    situations: tuple[str, ...]  # whole sentences in the citizen's words
    subjects: tuple[str, ...]  # email subject lines
    urgent: bool = False


T = Topic
LEXICON: dict[str, list[Topic]] = {
    "etat-civil": [
        T(
            (
                "un acte de naissance",
                "une copie intégrale de mon acte de naissance",
                "un extrait d'acte de naissance",
                "un extrait avec filiation",
                "un acte de mariage",
                "une copie d'acte de décès",
                "un extrait d'acte de naissance plurilingue",
                "l'acte de naissance de mon enfant",
            ),
            (
                "obtenir {o}",
                "demander {o}",
                "recevoir {o} par courrier",
                "me procurer {o}",
                "commander {o}",
                "récupérer {o}",
            ),
            (
                "Je suis né à {ville} mais j'habite maintenant la commune.",
                "La préfecture me réclame un acte d'état civil de moins de trois mois.",
                "C'est pour constituer mon dossier de retraite.",
                "Mon enfant est né à la maternité de la commune en {annee}.",
                "J'ai fait la demande sur internet mais je n'ai rien reçu.",
            ),
            ("Demande d'acte", "Acte de naissance", "Extrait d'acte", "Copie d'acte", "état civil"),
        ),
        T(
            (
                "une carte d'identité",
                "une carte nationale d'identité",
                "un passeport",
                "ma CNI",
                "un titre d'identité",
                "un passeport biométrique",
                "un rendez-vous pour la carte d'identité",
            ),
            (
                "refaire {o}",
                "renouveler {o}",
                "faire établir {o}",
                "déposer une demande pour {o}",
                "récupérer {o}",
                "avoir {o} avant les vacances",
            ),
            (
                "Ma carte d'identité est périmée depuis le mois dernier.",
                "J'ai fait la pré-demande sur le site de l'ANTS.",
                "Nous partons à l'étranger en {mois} et mon passeport n'est plus valable.",
                "Le SMS dit que mon titre est disponible en mairie.",
                "Il n'y a plus aucun créneau de rendez-vous sur votre agenda en ligne.",
                "J'ai égaré mes papiers d'identité.",
                "Faut-il venir avec l'enfant pour la prise d'empreintes ?",
            ),
            (
                "Carte d'identité",
                "Passeport",
                "Rendez-vous titre d'identité",
                "CNI",
                "Renouvellement passeport",
                "Papiers perdus",
            ),
        ),
        T(
            (
                "un mariage",
                "notre mariage civil",
                "un PACS",
                "le dossier de mariage",
                "la publication des bans",
                "la cérémonie de mariage",
                "un certificat de célibat",
            ),
            (
                "organiser {o}",
                "préparer {o}",
                "déposer {o}",
                "célébrer {o} en mairie",
                "connaître les pièces pour {o}",
                "réserver une date pour {o}",
            ),
            (
                "Nous voudrions nous dire oui en mairie l'été prochain.",
                "Il nous faut connaître la liste des témoins à fournir.",
                "Nous souhaitons conclure un pacte civil de solidarité.",
                "Nous sommes tous les deux divorcés.",
                "Nous aimerions que l'adjoint au maire célèbre notre union.",
            ),
            ("Mariage", "Dossier de mariage", "PACS", "Pacte civil de solidarité", "Union civile"),
        ),
        T(
            (
                "une déclaration de naissance",
                "une reconnaissance de paternité",
                "un livret de famille",
                "un duplicata du livret de famille",
                "une reconnaissance anticipée",
                "la mise à jour du livret de famille",
            ),
            ("faire {o}", "obtenir {o}", "déclarer {o}", "demander {o}", "établir {o}"),
            (
                "Notre enfant vient de naître à la maternité.",
                "Nous ne sommes pas mariés avec le papa.",
                "Le livret de famille a disparu dans un déménagement.",
                "Notre fille est née le {date}.",
            ),
            (
                "Livret de famille",
                "Naissance",
                "Reconnaissance d'enfant",
                "Déclaration de naissance",
            ),
        ),
        T(
            (
                "un changement de prénom",
                "un changement de nom",
                "un nom d'usage",
                "une rectification d'acte",
                "une légalisation de signature",
                "une erreur sur mon acte de naissance",
                "une mention marginale",
            ),
            ("demander {o}", "faire {o}", "obtenir {o}", "corriger {o}", "faire enregistrer {o}"),
            (
                "Mon nom est mal orthographié sur les actes.",
                "Je souhaite porter le nom de mes deux parents.",
                "Le document doit être légalisé pour un pays étranger.",
                "Après mon divorce je voudrais reprendre mon nom de naissance.",
                "Il manque un accent sur mon prénom dans l'acte.",
            ),
            (
                "Changement de nom",
                "Prénom",
                "Rectification d'état civil",
                "Légalisation de signature",
            ),
        ),
    ],
    "action-sociale": [
        T(
            (
                "une aide financière",
                "une aide d'urgence",
                "un secours exceptionnel",
                "une aide pour payer mes factures",
                "une aide alimentaire",
                "des bons alimentaires",
                "un colis de l'épicerie solidaire",
                "une aide pour l'énergie",
            ),
            (
                "obtenir {o}",
                "demander {o}",
                "bénéficier de {o}",
                "solliciter {o}",
                "avoir droit à {o}",
            ),
            (
                "Je suis au RSA et je n'arrive plus à boucler les fins de mois.",
                "Mon allocation chômage a pris fin.",
                "J'ai reçu une facture de régularisation de chauffage énorme.",
                "Je suis mère isolée avec trois enfants.",
                "La CAF a suspendu mes allocations.",
                "Je n'ai plus rien dans le frigo pour les enfants.",
                "Je suis surendetté et l'assistante sociale m'a parlé du CCAS.",
            ),
            (
                "Demande d'aide",
                "CCAS",
                "Aide sociale",
                "Difficultés financières",
                "Épicerie solidaire",
                "Besoin d'aide",
            ),
        ),
        T(
            (
                "une aide à domicile",
                "le portage de repas",
                "l'allocation personnalisée d'autonomie",
                "le registre canicule",
                "une place en EHPAD",
                "le plan grand froid",
            ),
            (
                "mettre en place {o}",
                "demander {o}",
                "obtenir {o} pour ma mère",
                "inscrire mon père à {o}",
                "bénéficier de {o}",
                "avoir des renseignements sur {o}",
            ),
            (
                "Ma grand-mère a {age_vieux} ans et vit seule.",
                "Mon père ne peut plus cuisiner depuis sa chute.",
                "Ma mère sort de l'hôpital et perd son autonomie.",
                "Notre voisin âgé semble isolé, il ne sort plus.",
                "Mes parents âgés ne peuvent plus rester seuls chez eux.",
                "Je m'occupe de mon mari malade et je suis épuisée.",
            ),
            (
                "Personne âgée",
                "Aide à domicile",
                "Portage de repas",
                "Maintien à domicile",
                "Registre canicule",
                "APA",
            ),
        ),
        T(
            (
                "un logement social",
                "un HLM",
                "une demande de logement",
                "un appartement plus grand",
                "un logement adapté au handicap",
                "mon dossier de logement social",
            ),
            (
                "obtenir {o}",
                "avoir {o}",
                "faire avancer {o}",
                "renouveler {o}",
                "déposer {o}",
                "trouver {o}",
            ),
            (
                "Mon logement est insalubre, il y a des moisissures partout.",
                "Le bailleur ne répond jamais à mes courriers.",
                "Je suis handicapé et mon appartement au troisième étage n'a pas d'ascenseur.",
                "J'attends une attribution depuis plusieurs années.",
            ),
            ("Logement social", "Demande HLM", "Logement", "Relogement", "Dossier logement"),
        ),
        T(
            (
                "un hébergement d'urgence",
                "un abri pour cette nuit",
                "une mise à l'abri",
                "une solution de relogement immédiate",
                "une place en foyer",
            ),
            ("trouver {o}", "obtenir {o}", "avoir {o} rapidement", "demander {o}"),
            (
                "Je suis à la rue avec mes enfants depuis ce matin.",
                "L'huissier est venu nous expulser.",
                "Je fuis des violences conjugales et je n'ai nulle part où aller.",
                "Je dors dans ma voiture depuis trois jours.",
                "Notre logement a brûlé cette nuit.",
            ),
            ("URGENT logement", "Expulsion", "Hébergement d'urgence", "Sans abri", "Aide urgente"),
            True,
        ),
        T(
            (
                "l'AAH",
                "une aide pour personne handicapée",
                "une carte mobilité inclusion",
                "le dossier MDPH",
                "une domiciliation administrative",
                "une aide pour remplir mes papiers",
            ),
            (
                "constituer {o}",
                "obtenir {o}",
                "remplir {o}",
                "avoir de l'aide pour {o}",
                "faire une demande de {o}",
            ),
            (
                "Je n'ai pas d'adresse fixe pour recevoir mon courrier.",
                "Je suis reconnu travailleur handicapé.",
                "Je ne sais pas remplir les formulaires sur internet.",
                "L'assistante sociale du département est injoignable.",
            ),
            ("Handicap", "MDPH", "Domiciliation", "Accompagnement social"),
        ),
    ],
    "voirie": [
        T(
            (
                "un nid-de-poule",
                "la chaussée",
                "le trottoir",
                "la route",
                "un trou dans la rue",
                "des pavés descellés",
                "le revêtement de la rue",
                "une bordure de trottoir",
            ),
            ("signaler {o}", "faire réparer {o}", "faire reboucher {o}", "faire refaire {o}"),
            (
                "Il y a un trou énorme sur la chaussée au niveau du {num} rue {rue}.",
                "Le bitume est fissuré sur toute la longueur de la rue {rue}.",
                "Le trottoir est défoncé et les poussettes ne passent plus.",
                "Ma voiture a crevé à cause d'un nid de poule rue {rue}.",
                "Les racines des arbres soulèvent le trottoir rue {rue}.",
            ),
            (
                "Nid de poule",
                "Chaussée dégradée",
                "Trottoir abîmé",
                "Voirie",
                "Route en mauvais état",
                "Signalement voirie",
            ),
        ),
        T(
            (
                "l'éclairage public",
                "un lampadaire",
                "un réverbère",
                "les lumières de la rue",
                "un candélabre",
                "l'éclairage du parking",
            ),
            (
                "signaler une panne de {o}",
                "faire réparer {o}",
                "faire rallumer {o}",
                "faire remplacer l'ampoule de {o}",
            ),
            (
                "Le lampadaire devant le {num} rue {rue} est éteint depuis dix jours.",
                "La rue {rue} est dans le noir complet la nuit.",
                "Un réverbère grésille et clignote toute la nuit.",
                "L'éclairage ne s'allume plus le soir dans notre lotissement.",
                "Les lampes restent allumées toute la journée rue {rue}.",
            ),
            (
                "Éclairage public",
                "Lampadaire en panne",
                "Panne d'éclairage",
                "Réverbère",
                "Rue dans le noir",
            ),
        ),
        T(
            (
                "le nettoyage de la rue",
                "les tags",
                "les graffitis",
                "les feuilles mortes",
                "les caniveaux",
                "la balayeuse",
                "le désherbage des trottoirs",
                "les déjections canines",
            ),
            (
                "demander {o}",
                "faire enlever {o}",
                "signaler {o}",
                "faire passer {o}",
                "faire nettoyer {o}",
            ),
            (
                "Des graffitis ont été peints sur la façade de notre immeuble rue {rue}.",
                "Les caniveaux sont bouchés par les feuilles.",
                "Le trottoir est sale, personne ne passe le balai.",
                "Les mauvaises herbes envahissent les trottoirs du quartier.",
                "Il y a du verre brisé partout sur la place.",
                "La balayeuse n'est pas passée depuis des semaines.",
            ),
            ("Propreté", "Tags", "Nettoyage", "Saleté", "Graffitis"),
        ),
        T(
            (
                "un arbre tombé",
                "une chute d'arbre",
                "une inondation de la chaussée",
                "une plaque d'égout",
                "un câble à terre",
                "un poteau",
                "une route inondée",
                "un affaissement de chaussée",
            ),
            (
                "signaler {o}",
                "faire enlever {o}",
                "faire sécuriser {o}",
                "faire intervenir quelqu'un pour {o}",
            ),
            (
                "Un arbre déraciné bloque toute la route rue {rue}.",
                "Un regard d'égout est ouvert au milieu de la chaussée.",
                "L'eau monte sur la route et les voitures ne passent plus.",
                "Un câble pend au-dessus du trottoir après l'orage.",
                "Le panneau stop a été arraché au carrefour.",
                "Un trou s'est ouvert dans la chaussée, une voiture est tombée dedans.",
            ),
            (
                "URGENT chaussée",
                "Arbre sur la route",
                "Danger voirie",
                "Route bloquée",
                "Inondation",
            ),
            True,
        ),
        T(
            (
                "une place de stationnement pour un déménagement",
                "un arrêté de circulation",
                "une autorisation d'occupation du domaine public",
                "un permis de stationnement",
                "un emplacement pour une benne",
                "un arrêté pour un échafaudage",
            ),
            ("obtenir {o}", "demander {o}", "réserver {o}", "avoir {o}"),
            (
                "Je déménage le {date} et le camion doit se garer devant chez moi.",
                "Nous avons des travaux de toiture et il faut poser un échafaudage.",
                "Une benne à gravats doit être posée sur la voie publique.",
                "Le livreur de meubles aura besoin de bloquer la rue une matinée.",
            ),
            (
                "Déménagement",
                "Arrêté de voirie",
                "Occupation du domaine public",
                "Stationnement travaux",
                "Benne",
            ),
        ),
        T(
            (
                "un ralentisseur",
                "un passage piéton",
                "la signalisation",
                "un panneau de limitation de vitesse",
                "un feu tricolore",
                "le marquage au sol",
                "un miroir de sécurité",
            ),
            ("demander {o}", "faire installer {o}", "faire repeindre {o}", "faire réparer {o}"),
            (
                "Le marquage du passage piéton est complètement effacé.",
                "Le feu rouge du carrefour ne fonctionne plus.",
                "Un panneau de signalisation est tordu rue {rue}.",
                "Il faudrait un dos d'âne dans notre rue.",
            ),
            ("Signalisation", "Ralentisseur", "Passage piéton", "Feu tricolore"),
        ),
    ],
    "ecoles": [
        T(
            (
                "une inscription scolaire",
                "l'inscription en maternelle",
                "l'inscription en CP",
                "une dérogation de secteur",
                "un certificat d'inscription",
                "un changement d'école",
                "la carte scolaire",
            ),
            (
                "faire {o}",
                "demander {o}",
                "obtenir {o}",
                "connaître les règles pour {o}",
                "finaliser {o}",
            ),
            (
                "Mon fils {enfant} aura trois ans cette année.",
                "Nous arrivons dans la commune au mois de {mois}.",
                "Ma fille entre au CP à la rentrée.",
                "L'école de notre secteur est loin de mon travail.",
                "Le directeur de l'{ecole} me demande le certificat de la mairie.",
            ),
            (
                "Inscription scolaire",
                "Inscription école",
                "Rentrée scolaire",
                "Dérogation",
                "Scolarité",
            ),
        ),
        T(
            (
                "la cantine",
                "la restauration scolaire",
                "les repas de la cantine",
                "la facture de cantine",
                "un panier repas",
                "le menu de la cantine",
            ),
            (
                "inscrire mon enfant à {o}",
                "payer {o}",
                "contester {o}",
                "me renseigner sur {o}",
                "annuler {o}",
                "modifier {o}",
            ),
            (
                "Mon fils a une allergie alimentaire.",
                "On m'a facturé des repas alors que ma fille était absente.",
                "Le tarif selon le quotient familial me paraît trop élevé.",
                "Les enfants se plaignent des repas servis le midi.",
                "Je n'arrive pas à réserver les repas sur le portail famille.",
                "Mon enfant mange à la cantine le lundi et le jeudi seulement.",
            ),
            ("Cantine", "Restauration scolaire", "Facture cantine", "Repas", "Portail famille"),
        ),
        T(
            (
                "la garderie",
                "l'accueil périscolaire",
                "le centre de loisirs",
                "le centre aéré",
                "l'accueil du mercredi",
                "les activités périscolaires",
                "les mini-camps",
            ),
            (
                "inscrire ma fille à {o}",
                "inscrire mon fils à {o}",
                "réserver {o}",
                "connaître les horaires de {o}",
                "payer {o}",
                "désinscrire mon enfant de {o}",
            ),
            (
                "Je commence le travail à 7h et je dois déposer les enfants avant.",
                "Je finis tard et je ne peux pas récupérer mon enfant à 16h30.",
                "Les vacances de {vacances} approchent et je n'ai pas de solution de garde.",
                "La facture du périscolaire comporte une erreur.",
                "Ma fille de {age} ans aimerait aller au centre de loisirs.",
            ),
            (
                "Périscolaire",
                "Garderie",
                "Centre de loisirs",
                "Accueil du mercredi",
                "Vacances scolaires",
            ),
        ),
        T(
            (
                "le transport scolaire",
                "la sécurité à l'école",
                "un accident dans la cour",
                "un enfant laissé seul",
                "le car scolaire",
            ),
            ("signaler {o}", "vous alerter sur {o}", "avoir des nouvelles sur {o}"),
            (
                "Le car scolaire n'est pas passé ce matin et les enfants attendent dehors.",
                "Mon fils est rentré de l'école avec une blessure à la tête.",
                "La grille de l'école était grande ouverte pendant la récréation.",
                "Une odeur de gaz est signalée dans la cantine.",
            ),
            ("URGENT école", "Sécurité école", "Accident école", "Transport scolaire"),
            True,
        ),
        T(
            (
                "les travaux dans l'école",
                "le chauffage de la classe",
                "les sanitaires de l'école",
                "une classe fermée",
                "le conseil d'école",
                "les fournitures scolaires",
            ),
            ("signaler {o}", "vous interroger sur {o}", "avoir des informations sur {o}"),
            (
                "Il fait froid dans les classes de l'{ecole}.",
                "Les toilettes de l'école sont bouchées depuis une semaine.",
                "On parle d'une fermeture de classe à la rentrée.",
                "Le toit du préau fuit quand il pleut.",
            ),
            ("École", "Bâtiment scolaire", "Conseil d'école", "Classe"),
        ),
    ],
    "urbanisme": [
        T(
            (
                "un permis de construire",
                "une déclaration préalable de travaux",
                "une extension de maison",
                "une véranda",
                "un abri de jardin",
                "une piscine",
                "un carport",
                "une surélévation",
                "des panneaux photovoltaïques",
            ),
            (
                "déposer {o}",
                "construire {o}",
                "faire autoriser {o}",
                "savoir si j'ai besoin d'une autorisation pour {o}",
                "connaître le délai d'instruction pour {o}",
                "modifier {o}",
            ),
            (
                "Nous voulons agrandir la maison de 30 m².",
                "Mon dossier est en cours d'instruction depuis deux mois.",
                "L'architecte nous a dit qu'il fallait déposer un dossier en mairie.",
                "Le service instructeur m'a demandé des pièces complémentaires.",
                "Nous souhaitons aménager les combles.",
                "Je veux creuser une piscine enterrée dans mon jardin.",
            ),
            (
                "Permis de construire",
                "Déclaration préalable",
                "Travaux",
                "Autorisation d'urbanisme",
                "Extension",
            ),
        ),
        T(
            (
                "le PLU",
                "le plan local d'urbanisme",
                "un certificat d'urbanisme",
                "le cadastre",
                "le zonage de ma parcelle",
                "les règles de construction",
                "un terrain à bâtir",
            ),
            ("consulter {o}", "obtenir {o}", "connaître {o}", "vérifier {o}", "demander {o}"),
            (
                "Je veux acheter un terrain rue {rue} et savoir s'il est constructible.",
                "Le notaire me demande un certificat d'urbanisme pour la vente.",
                "Ma parcelle est classée en zone agricole.",
                "Je voudrais diviser mon terrain en deux lots.",
                "Quelle est la hauteur maximale autorisée dans mon quartier ?",
            ),
            ("PLU", "Certificat d'urbanisme", "Terrain constructible", "Cadastre", "Zonage"),
        ),
        T(
            (
                "une construction sans autorisation",
                "des travaux illégaux",
                "un mur trop haut",
                "une infraction au code de l'urbanisme",
                "le chantier du voisin",
            ),
            (
                "signaler {o}",
                "faire contrôler {o}",
                "porter plainte pour {o}",
                "faire vérifier {o}",
            ),
            (
                "Le voisin agrandit sa maison sans aucun panneau affiché.",
                "Un chantier a démarré sans permis apparent au {num} rue {rue}.",
                "La nouvelle construction nous cache la lumière.",
                "Le voisin a construit un garage en limite de propriété.",
                "Une maison est en train d'être transformée en plusieurs appartements.",
            ),
            (
                "Infraction urbanisme",
                "Construction illégale",
                "Travaux du voisin",
                "Chantier sans permis",
            ),
        ),
        T(
            (
                "un ravalement de façade",
                "le changement des fenêtres",
                "une clôture",
                "un portail",
                "la couleur des volets",
                "la réfection de la toiture",
                "une isolation par l'extérieur",
            ),
            (
                "faire {o}",
                "réaliser {o}",
                "déclarer {o}",
                "obtenir l'autorisation pour {o}",
                "installer {o}",
            ),
            (
                "Je veux passer de volets en bois à des volets roulants.",
                "Nous aimerions repeindre la façade en ocre.",
                "Le nuancier communal m'est demandé.",
            ),
            ("Ravalement de façade", "Clôture", "Fenêtres", "Toiture", "Volets"),
        ),
    ],
    "accueil": [
        T(
            (
                "les horaires d'ouverture de la mairie",
                "les horaires du guichet",
                "l'adresse de la mairie annexe",
                "la permanence du samedi",
                "les jours de fermeture",
            ),
            ("connaître {o}", "avoir {o}", "vérifier {o}"),
            (
                "Je ne peux venir qu'en fin de journée.",
                "Le site internet n'indique pas les horaires des jours fériés.",
                "Je voudrais passer entre midi et deux.",
                "Je ne sais pas à quel service m'adresser.",
            ),
            ("Horaires", "Renseignement", "Question", "Mairie", "Information"),
        ),
        T(
            (
                "une attestation de domicile",
                "un certificat de vie",
                "une attestation d'accueil",
                "une copie certifiée conforme",
                "un certificat de résidence",
                "une légalisation de document",
            ),
            ("obtenir {o}", "faire établir {o}", "demander {o}", "faire signer {o}"),
            (
                "Ma caisse de retraite étrangère me réclame ce document chaque année.",
                "Un membre de ma famille vient me rendre visite depuis l'étranger.",
                "C'est pour un dossier de visa.",
            ),
            ("Attestation", "Certificat", "Justificatif", "Certificat de vie"),
        ),
        T(
            (
                "un objet trouvé",
                "mes clés",
                "un portefeuille",
                "un téléphone perdu",
                "un sac oublié",
                "mes papiers perdus",
            ),
            ("récupérer {o}", "déposer {o}", "retrouver {o}", "déclarer la perte de {o}"),
            (
                "J'ai perdu mes affaires en ville samedi.",
                "J'ai ramassé un portefeuille sur le parking de la poste.",
                "Quelqu'un a-t-il rapporté un doudou ?",
                "J'ai oublié mon parapluie au guichet.",
            ),
            ("Objet trouvé", "Objets perdus", "Perte", "Clés trouvées"),
        ),
        T(
            (
                "une réclamation",
                "une plainte sur l'accueil",
                "mon courrier resté sans réponse",
                "un rendez-vous avec le maire",
                "une suggestion",
                "le service compétent",
            ),
            ("faire {o}", "déposer {o}", "obtenir {o}", "connaître {o}", "adresser {o}"),
            (
                "J'ai envoyé trois courriels sans jamais recevoir de réponse.",
                "L'agent du guichet a été désagréable avec moi.",
                "Je souhaiterais rencontrer Monsieur le Maire.",
                "Je ne sais pas qui peut traiter ma question.",
            ),
            ("Réclamation", "Rendez-vous avec le maire", "Sans réponse", "Suggestion"),
        ),
    ],
    "elections": [
        T(
            (
                "les listes électorales",
                "mon inscription électorale",
                "ma carte électorale",
                "ma situation électorale",
                "le registre électoral",
                "les élections municipales",
            ),
            (
                "m'inscrire sur {o}",
                "vérifier {o}",
                "recevoir {o}",
                "modifier {o}",
                "faire inscrire mon fils sur {o}",
            ),
            (
                "Je viens de déménager dans la commune.",
                "Je suis citoyen européen et je réside ici.",
                "Mon fils vient d'avoir dix-huit ans.",
                "Ma carte d'électeur comporte une erreur d'adresse.",
                "Je ne suis pas certain d'être inscrit pour le prochain scrutin.",
            ),
            (
                "Listes électorales",
                "Inscription électorale",
                "Carte électorale",
                "Élections",
                "Vote",
            ),
        ),
        T(
            (
                "une procuration",
                "mon bureau de vote",
                "le vote par procuration",
                "un poste d'assesseur",
                "le dépouillement",
                "l'accessibilité du bureau de vote",
            ),
            (
                "établir {o}",
                "donner {o}",
                "connaître {o}",
                "participer à {o}",
                "trouver {o}",
                "me proposer pour {o}",
            ),
            (
                "Je serai en déplacement le jour du vote.",
                "Je ne sais pas où je dois voter depuis mon déménagement.",
                "Je voudrais aider pour la tenue du bureau de vote.",
            ),
            ("Procuration", "Bureau de vote", "Assesseur", "Scrutin"),
        ),
        T(
            (
                "le recensement citoyen",
                "l'attestation de recensement",
                "la journée défense et citoyenneté",
                "la JDC",
                "le recensement militaire",
                "le recensement de la population",
            ),
            (
                "faire {o}",
                "obtenir {o}",
                "récupérer {o}",
                "effectuer {o}",
                "avoir un duplicata de {o}",
            ),
            (
                "Ma fille vient d'avoir seize ans.",
                "On me demande ce papier pour le bac et le permis.",
                "Mon fils a oublié de se faire recenser.",
                "Un agent recenseur est passé chez moi, est-ce officiel ?",
            ),
            ("Recensement citoyen", "JDC", "Attestation de recensement", "Recensement"),
        ),
    ],
    "dechets": [
        T(
            (
                "la collecte des ordures ménagères",
                "le ramassage des poubelles",
                "le bac jaune",
                "le tri sélectif",
                "la poubelle verte",
                "les sacs de tri",
                "le calendrier de collecte",
            ),
            ("connaître {o}", "signaler un oubli de {o}", "me renseigner sur {o}", "recevoir {o}"),
            (
                "Les éboueurs ne sont pas passés dans notre rue {rue}.",
                "Notre bac est resté plein toute la semaine.",
                "Le camion poubelle a oublié notre impasse.",
                "Je ne sais pas quel jour sortir les poubelles.",
                "Le bac de recyclage n'a pas été vidé.",
            ),
            ("Collecte", "Poubelles", "Ramassage des ordures", "Tri sélectif", "Ordures ménagères"),
        ),
        T(
            (
                "un bac à ordures",
                "un nouveau conteneur",
                "un composteur",
                "un bac de tri",
                "le couvercle de ma poubelle",
            ),
            ("obtenir {o}", "remplacer {o}", "commander {o}", "faire réparer {o}", "échanger {o}"),
            (
                "Ma poubelle a été cassée par le camion de ramassage.",
                "On nous a volé notre conteneur.",
                "Nous venons d'emménager et il n'y a aucun bac.",
            ),
            ("Bac cassé", "Conteneur", "Composteur", "Poubelle"),
        ),
        T(
            (
                "les encombrants",
                "la déchetterie",
                "un dépôt sauvage",
                "des gravats",
                "de vieux meubles",
                "un matelas usagé",
                "des déchets verts",
            ),
            (
                "faire enlever {o}",
                "me débarrasser de {o}",
                "signaler {o}",
                "déposer {o}",
                "connaître les horaires de {o}",
            ),
            (
                "Des sacs d'ordures ont été abandonnés dans le bois.",
                "Quelqu'un a vidé une camionnette de déchets au bord du chemin.",
                "Je dois jeter une vieille machine à laver.",
                "Il me faut une carte d'accès pour la déchèterie.",
                "Des pneus et des gravats traînent sur le terrain vague.",
            ),
            ("Encombrants", "Déchèterie", "Dépôt sauvage", "Déchets verts"),
        ),
        T(
            (
                "la pollution du ruisseau",
                "une odeur nauséabonde",
                "le brûlage des déchets",
                "les espaces verts",
                "les arbres de la commune",
                "les produits phytosanitaires",
            ),
            ("signaler {o}", "vous alerter sur {o}", "avoir des informations sur {o}"),
            (
                "Le voisin fait brûler ses déchets dans son jardin.",
                "Une odeur de pourri vient de la rivière.",
                "De l'huile s'écoule dans le fossé.",
                "Les haies du parc n'ont pas été taillées.",
                "Les moustiques prolifèrent près de la mare communale.",
            ),
            ("Pollution", "Environnement", "Odeurs", "Espaces verts", "Brûlage"),
        ),
    ],
    "police-municipale": [
        T(
            (
                "des nuisances sonores",
                "le bruit du voisin",
                "un tapage nocturne",
                "des aboiements",
                "la musique trop forte",
                "des fêtes tous les soirs",
                "le bruit des scooters",
            ),
            (
                "signaler {o}",
                "faire cesser {o}",
                "porter plainte pour {o}",
                "faire intervenir la police pour {o}",
            ),
            (
                "Mon voisin met la musique très fort jusqu'à trois heures du matin.",
                "Le chien d'à côté hurle toute la journée.",
                "Des jeunes crient et klaxonnent tous les soirs en bas de l'immeuble.",
                "Nous ne dormons plus à cause du bruit.",
                "Les voisins font des travaux à la perceuse le dimanche.",
            ),
            ("Nuisances sonores", "Bruit", "Tapage nocturne", "Voisinage", "Trouble de voisinage"),
        ),
        T(
            (
                "une voiture ventouse",
                "un véhicule abandonné",
                "un stationnement gênant",
                "la fourrière",
                "une voiture garée devant mon garage",
                "un véhicule sur le trottoir",
            ),
            (
                "signaler {o}",
                "faire enlever {o}",
                "récupérer mon véhicule à {o}",
                "faire verbaliser {o}",
            ),
            (
                "Une voiture immobile occupe la même place depuis des semaines.",
                "Je ne peux plus sortir de chez moi, un véhicule bloque l'entrée.",
                "Les voitures se garent sur le trottoir et les piétons marchent sur la route.",
                "Ma voiture a disparu, je pense qu'elle a été enlevée.",
            ),
            ("Stationnement gênant", "Véhicule abandonné", "Fourrière", "Voiture ventouse"),
        ),
        T(
            (
                "une agression",
                "des menaces",
                "un vol",
                "un cambriolage",
                "des dégradations",
                "un squat",
                "des rodéos urbains",
                "un comportement dangereux",
            ),
            (
                "signaler {o}",
                "déclarer {o}",
                "demander une patrouille suite à {o}",
                "faire intervenir la police municipale pour {o}",
            ),
            (
                "Des individus cassent les boîtes aux lettres de la résidence.",
                "Un groupe nous insulte et nous menace en bas de l'immeuble.",
                "Des motos font des rodéos dans le parc tous les soirs.",
                "Une voiture roule très vite devant l'école chaque matin.",
                "Des personnes squattent le hall et il y a des seringues par terre.",
            ),
            ("URGENT sécurité", "Agression", "Insécurité", "Dégradations", "Police municipale"),
            True,
        ),
        T(
            (
                "un chien dangereux",
                "un permis de détention",
                "un animal errant",
                "un chat perdu",
                "la fourrière animale",
                "un animal blessé",
                "un chien mordeur",
            ),
            ("déclarer {o}", "signaler {o}", "obtenir {o}", "récupérer {o}", "retrouver {o}"),
            (
                "J'ai adopté un chien de catégorie.",
                "Un chien sans collier traîne dans le quartier.",
                "Notre chat a disparu depuis trois jours.",
                "Un chien m'a mordu en promenade.",
                "Des chats errants se multiplient dans la cour.",
            ),
            ("Animal", "Chien dangereux", "Animal errant", "Fourrière animale"),
        ),
    ],
    "cimetiere": [
        T(
            (
                "une concession",
                "une concession funéraire",
                "une case au columbarium",
                "un emplacement au cimetière",
                "le renouvellement de la concession",
                "une tombe",
                "une cavurne",
            ),
            (
                "acheter {o}",
                "renouveler {o}",
                "réserver {o}",
                "prolonger {o}",
                "connaître le prix de {o}",
                "reprendre {o}",
            ),
            (
                "La concession familiale arrive à son terme.",
                "Nous avons reçu un courrier de reprise de sépulture.",
                "Il ne reste plus de place dans le caveau de famille.",
                "La tombe de mes grands-parents est à l'abandon.",
            ),
            ("Concession", "Cimetière", "Columbarium", "Renouvellement concession", "Sépulture"),
        ),
        T(
            (
                "une inhumation",
                "des obsèques",
                "une crémation",
                "la dispersion des cendres",
                "une autorisation d'inhumer",
                "l'ouverture du caveau",
                "un transport de corps",
                "une exhumation",
            ),
            ("organiser {o}", "obtenir {o}", "demander {o}", "préparer {o}"),
            (
                "Mon père est décédé cette nuit à son domicile.",
                "Les pompes funèbres attendent votre autorisation.",
                "L'enterrement doit avoir lieu samedi.",
                "Nous voulons disperser les cendres de maman au jardin du souvenir.",
                "Le corps doit être rapatrié à l'étranger.",
            ),
            ("Décès", "Obsèques", "Inhumation", "Funérailles", "Crémation"),
            True,
        ),
        T(
            (
                "l'entretien du cimetière",
                "les horaires du cimetière",
                "une pierre tombale abîmée",
                "un vol de fleurs sur une tombe",
                "les allées du cimetière",
            ),
            ("signaler {o}", "connaître {o}", "faire réparer {o}", "me plaindre de {o}"),
            (
                "Les herbes envahissent les allées entre les tombes.",
                "Des objets ont disparu de la sépulture de ma mère.",
                "Le portail du cimetière est fermé en journée.",
                "Un monument funéraire menace de s'effondrer.",
            ),
            ("Entretien cimetière", "Horaires cimetière", "Tombe", "Cimetière communal"),
        ),
    ],
    "petite-enfance": [
        T(
            (
                "une place en crèche",
                "la crèche municipale",
                "le multi-accueil",
                "une halte-garderie",
                "la commission d'attribution des places",
                "un accueil occasionnel",
                "la micro-crèche",
            ),
            (
                "obtenir {o}",
                "demander {o}",
                "inscrire mon bébé à {o}",
                "connaître les tarifs de {o}",
                "relancer ma demande pour {o}",
            ),
            (
                "Je suis enceinte et j'accouche en {mois}.",
                "Mon congé maternité se termine bientôt.",
                "Notre bébé a {mois_bebe} mois.",
                "Nous avons déposé notre dossier de pré-inscription il y a longtemps.",
            ),
            ("Crèche", "Place en crèche", "Multi-accueil", "Petite enfance", "Halte-garderie"),
        ),
        T(
            (
                "une assistante maternelle",
                "une nounou",
                "le relais petite enfance",
                "le RAM",
                "un mode de garde",
                "la liste des assistantes maternelles agréées",
                "une garde à domicile",
            ),
            ("trouver {o}", "contacter {o}", "obtenir {o}", "avoir {o}", "choisir {o}"),
            (
                "Je cherche quelqu'un pour garder mon bébé à partir de septembre.",
                "Je suis assistante maternelle agréée et j'ai une place disponible.",
                "Nous avons besoin d'un mode de garde pour notre nourrisson.",
                "Je voudrais des conseils pour mon contrat de travail avec la nounou.",
            ),
            (
                "Assistante maternelle",
                "Mode de garde",
                "Relais petite enfance",
                "Nounou",
                "Garde d'enfant",
            ),
        ),
        T(
            (
                "la PMI",
                "les ateliers parents-bébés",
                "le lieu d'accueil enfants-parents",
                "l'adaptation à la crèche",
                "les vaccins demandés par la crèche",
            ),
            ("me renseigner sur {o}", "participer à {o}", "connaître les horaires de {o}"),
            (
                "Mon bébé pleure beaucoup au moment de l'adaptation.",
                "La crèche demande le carnet de santé à jour.",
                "Je cherche un lieu pour rencontrer d'autres jeunes parents.",
            ),
            ("Parents-bébés", "Crèche", "Petite enfance"),
        ),
    ],
    "vie-associative": [
        T(
            (
                "la salle des fêtes",
                "une salle municipale",
                "la salle polyvalente",
                "une salle pour un anniversaire",
                "la location de salle",
                "une salle de réunion",
            ),
            (
                "louer {o}",
                "réserver {o}",
                "connaître le tarif de {o}",
                "visiter {o}",
                "annuler la réservation de {o}",
            ),
            (
                "Nous organisons un repas de famille pour soixante personnes.",
                "Je fête mes cinquante ans le samedi {date}.",
                "Notre association se réunit une fois par mois.",
                "La caution de la location ne m'a pas été rendue.",
                "Nous cherchons un lieu pour une fête de mariage.",
            ),
            ("Location salle", "Salle des fêtes", "Réservation salle", "Salle municipale"),
        ),
        T(
            (
                "une subvention",
                "le forum des associations",
                "le prêt de matériel",
                "la création d'une association",
                "un créneau au gymnase",
                "des barnums et des tables",
                "la fête du village",
                "un local associatif",
            ),
            ("demander {o}", "obtenir {o}", "participer à {o}", "réserver {o}", "emprunter {o}"),
            (
                "Notre association {asso} organise une manifestation au printemps.",
                "Nous sommes bénévoles et manquons de moyens.",
                "Le club cherche un local pour stocker son matériel.",
                "Nous voulons monter une association culturelle dans le quartier.",
            ),
            (
                "Subvention",
                "Association",
                "Forum des associations",
                "Prêt de matériel",
                "Manifestation",
            ),
        ),
        T(
            (
                "la piscine municipale",
                "la médiathèque",
                "l'école de musique",
                "le stade",
                "le gymnase",
                "les activités sportives",
                "la bibliothèque",
                "le conservatoire",
                "le club de foot",
                "les cours de danse",
                "le théâtre municipal",
            ),
            (
                "connaître les horaires de {o}",
                "m'inscrire à {o}",
                "inscrire mes enfants à {o}",
                "connaître les tarifs de {o}",
                "accéder à {o}",
            ),
            (
                "Mes enfants voudraient faire du sport le mercredi.",
                "Je voudrais emprunter des livres et des DVD.",
                "Je cherche des cours de guitare pour adulte.",
                "Le programme culturel de la saison m'intéresse.",
                "Notre club de basket a besoin d'un créneau d'entraînement.",
            ),
            ("Sport", "Médiathèque", "Culture", "Piscine", "Activités", "Loisirs"),
        ),
    ],
}

# More topics per service: what the town hall is also asked, in other words.
MORE: dict[str, list[Topic]] = {
    "etat-civil": [
        T(
            (
                "un certificat de nationalité",
                "un acte de reconnaissance",
                "la transcription d'un acte étranger",
                "un acte de divorce",
                "une mention de divorce",
                "un certificat de décès",
            ),
            ("obtenir {o}", "faire transcrire {o}", "demander {o}", "faire apposer {o}"),
            (
                "Notre enfant est né à l'étranger, il faut transcrire son acte.",
                "Le jugement de divorce doit être porté sur mon acte de mariage.",
                "La banque me demande l'acte de décès de mon époux.",
                "Mon père est né dans une autre commune, faut-il lui écrire ?",
            ),
            ("État civil", "Transcription", "Acte de décès", "Divorce"),
        ),
    ],
    "action-sociale": [
        T(
            (
                "un tarif social",
                "la réduction sur la cantine",
                "une aide pour les vacances des enfants",
                "une aide pour les fournitures",
                "le quotient familial",
                "une aide aux transports",
                "une carte de réduction",
            ),
            ("bénéficier de {o}", "demander {o}", "obtenir {o}", "calculer {o}"),
            (
                "Je suis seule avec mes enfants et un petit salaire.",
                "Avec mes faibles ressources, les factures de la famille sont trop lourdes.",
                "Je touche le minimum vieillesse.",
                "Nous venons de perdre notre emploi tous les deux.",
                "Les fins de mois sont très difficiles pour notre foyer.",
            ),
            ("Aide", "Tarif social", "Difficultés", "Ressources modestes"),
        ),
        T(
            (
                "une personne isolée",
                "une voisine en détresse",
                "une personne âgée seule",
                "une personne vulnérable",
                "un voisin qui ne va pas bien",
            ),
            ("signaler {o}", "faire visiter {o}", "faire aider {o}", "vous alerter au sujet d'{o}"),
            (
                "Ma voisine de palier ne sort plus et ne répond plus quand on frappe.",
                "Un monsieur âgé de la résidence semble désorienté.",
                "Une dame seule n'a plus de chauffage et ne mange pas à sa faim.",
                "Notre voisin vit dans des conditions très précaires.",
                "Personne ne rend visite à cette dame depuis des mois.",
            ),
            ("Personne isolée", "Signalement", "Inquiétude voisin", "Isolement"),
        ),
    ],
    "voirie": [
        T(
            (
                "le banc public",
                "le mobilier urbain",
                "une poubelle de rue",
                "le square",
                "les crottes de chien",
                "les chewing-gums sur le trottoir",
                "l'abribus",
            ),
            (
                "faire nettoyer {o}",
                "faire réparer {o}",
                "signaler l'état {o}",
                "faire remplacer {o}",
            ),
            (
                "Le banc de la place est cassé et sale.",
                "Les corbeilles de rue débordent le week-end.",
                "L'abribus a une vitre brisée depuis un mois.",
                "Les déjections canines rendent le trottoir impraticable.",
                "Le square est couvert de détritus et d'inscriptions.",
            ),
            ("Mobilier urbain", "Propreté", "Square", "Abribus"),
        ),
        T(
            (
                "le déneigement",
                "le salage des routes",
                "le verglas",
                "le fauchage des bas-côtés",
                "l'élagage des arbres de la rue",
                "les haies qui débordent sur le trottoir",
            ),
            ("demander {o}", "signaler {o}", "faire prévoir {o}"),
            (
                "La rue en pente est une patinoire ce matin.",
                "Les branches des platanes touchent les fenêtres.",
                "Les herbes hautes cachent la visibilité au carrefour.",
                "La haie du voisin empiète sur le trottoir et les piétons doivent descendre sur la route.",
            ),
            ("Déneigement", "Élagage", "Verglas", "Fauchage"),
        ),
    ],
    "ecoles": [
        T(
            (
                "les horaires de l'école",
                "les vacances scolaires",
                "la sortie des classes",
                "l'accueil du soir",
                "la garderie du matin",
                "le mercredi après-midi",
            ),
            ("connaître {o}", "me renseigner sur {o}", "avoir des informations sur {o}"),
            (
                "Je termine le travail à 18h et l'école ferme avant.",
                "Je ne sais pas à quelle heure récupérer ma fille le soir.",
                "Les horaires ont changé depuis la réforme des rythmes scolaires.",
                "Mon fils est en CE1 à l'{ecole}.",
            ),
            ("Horaires école", "Périscolaire", "Accueil du soir"),
        ),
    ],
    "urbanisme": [
        T(
            (
                "des panneaux solaires",
                "une pompe à chaleur",
                "une antenne parabolique",
                "une division de terrain",
                "une terrasse surélevée",
            ),
            (
                "installer {o}",
                "poser {o}",
                "déclarer {o}",
                "savoir s'il faut une autorisation pour {o}",
            ),
            (
                "Le dossier de déclaration préalable est-il à déposer en ligne ?",
                "Notre maison est en zone pavillonnaire.",
                "L'installateur nous dit que la mairie doit donner son accord.",
            ),
            ("Déclaration préalable", "Travaux", "Urbanisme", "Autorisation"),
        ),
    ],
    "accueil": [
        T(
            (
                "l'ouverture de la mairie",
                "la fermeture du guichet",
                "les jours fériés",
                "l'accueil du public",
                "la mairie annexe",
                "les horaires d'été",
                "la pause déjeuner",
            ),
            ("connaître {o}", "savoir {o}", "vérifier {o}"),
            (
                "Je trouve souvent porte close quand je passe.",
                "Je voudrais venir un samedi matin.",
                "Je ne peux me libérer qu'en fin d'après-midi.",
                "Je voudrais passer déposer un document pendant les vacances.",
                "Est-ce que le guichet est ouvert entre midi et deux ?",
            ),
            ("Horaires d'ouverture", "Ouverture mairie", "Accueil", "Renseignement"),
        ),
        T(
            (
                "l'adresse mail du service",
                "un formulaire",
                "le site de la commune",
                "le bulletin municipal",
                "le compte citoyen",
            ),
            ("trouver {o}", "obtenir {o}", "recevoir {o}", "accéder à {o}"),
            (
                "Je n'arrive pas à me connecter à mon espace en ligne.",
                "Je n'ai pas reçu le magazine de la ville.",
                "Le lien du site ne fonctionne pas.",
                "Je ne sais pas quel service peut me répondre.",
            ),
            ("Contact", "Site internet", "Information", "Question générale"),
        ),
    ],
    "elections": [
        T(
            (
                "le vote des personnes handicapées",
                "l'accès au bureau de vote",
                "le bureau de vote",
                "les résultats des élections",
                "la radiation des listes",
            ),
            ("connaître {o}", "me renseigner sur {o}", "consulter {o}", "contester {o}"),
            (
                "Je me déplace en fauteuil et je voudrais voter seul.",
                "Mon nom a disparu de la liste électorale.",
                "Il y aura des élections législatives bientôt.",
            ),
            ("Élections", "Vote", "Bureau de vote", "Liste électorale"),
        ),
    ],
    "dechets": [
        T(
            (
                "les piles usagées",
                "les pots de peinture",
                "les déchets dangereux",
                "les ampoules",
                "l'huile de vidange",
                "les médicaments périmés",
                "les déchets d'amiante",
                "le compost",
            ),
            ("jeter {o}", "déposer {o}", "recycler {o}", "me débarrasser de {o}", "récupérer {o}"),
            (
                "Je fais du tri dans mon garage.",
                "Je ne sais pas dans quelle poubelle mettre ces produits.",
                "La déchèterie refuse certains produits.",
                "La commune distribue-t-elle du compost au printemps ?",
                "J'ai des sacs de tonte de gazon à évacuer.",
            ),
            ("Déchets dangereux", "Recyclage", "Tri", "Compost"),
        ),
    ],
    "police-municipale": [
        T(
            (
                "une dégradation de véhicule",
                "des vitres cassées",
                "un vandalisme",
                "un vol de vélo",
                "des voitures fracturées",
                "un camping-car installé",
                "une installation illicite de caravanes",
            ),
            (
                "signaler {o}",
                "déposer plainte pour {o}",
                "faire constater {o}",
                "faire évacuer {o}",
            ),
            (
                "Plusieurs voitures ont été fracturées cette nuit sur le parking.",
                "Mon rétroviseur a été arraché devant chez moi.",
                "Des caravanes se sont installées sur le terrain de sport.",
                "Des gens du voyage occupent le parking de la salle des fêtes.",
                "On m'a volé mon vélo attaché devant la gare.",
            ),
            ("Vandalisme", "Dégradations", "Vol", "Gens du voyage", "Police municipale"),
        ),
        T(
            (
                "la vitesse excessive",
                "les excès de vitesse",
                "un contrôle de vitesse",
                "les motos trop rapides",
                "la sécurité routière",
            ),
            ("signaler {o}", "demander {o}", "faire cesser {o}"),
            (
                "Les voitures foncent à plus de 80 devant la sortie des écoles.",
                "Un conducteur fait des allers-retours à toute allure chaque soir.",
                "Il faudrait des contrôles radar dans notre rue.",
                "On a failli se faire renverser sur le passage piéton.",
            ),
            ("Vitesse", "Sécurité routière", "Danger", "Excès de vitesse"),
        ),
    ],
    "cimetiere": [
        T(
            (
                "une tombe à l'abandon",
                "une procédure de reprise",
                "un caveau",
                "une plaque funéraire",
                "un monument funéraire",
                "le jardin du souvenir",
            ),
            (
                "conserver {o}",
                "contester {o}",
                "entretenir {o}",
                "faire graver {o}",
                "faire poser {o}",
            ),
            (
                "La pierre de la tombe est fissurée.",
                "Nous voulons faire ajouter un nom sur le monument.",
                "Le marbrier a besoin d'une autorisation de travaux au cimetière.",
            ),
            ("Cimetière", "Sépulture", "Reprise de concession", "Travaux funéraires"),
        ),
    ],
    "petite-enfance": [
        T(
            (
                "un accueil pour mon bébé",
                "une solution de garde pour mon nourrisson",
                "un accueil d'urgence en crèche",
                "la liste d'attente de la crèche",
            ),
            ("trouver {o}", "obtenir {o}", "connaître {o}"),
            (
                "Je suis enceinte de mon deuxième enfant.",
                "Notre bébé naîtra au printemps.",
                "Mon congé parental se termine dans deux mois.",
                "Nous travaillons tous les deux en horaires décalés.",
            ),
            ("Garde d'enfant", "Bébé", "Petite enfance", "Crèche"),
        ),
    ],
    "vie-associative": [
        T(
            (
                "la fête de la musique",
                "le marché de Noël",
                "le festival d'été",
                "une exposition",
                "un concert",
                "un vide-grenier",
                "une brocante",
            ),
            ("participer à {o}", "organiser {o}", "tenir un stand à {o}", "m'inscrire à {o}"),
            (
                "Je suis artiste amateur et voudrais exposer mes toiles.",
                "Notre groupe de musique cherche une scène.",
                "Je voudrais réserver un emplacement de brocante.",
                "Le comité de quartier prépare une fête.",
            ),
            ("Événement", "Vide-grenier", "Culture", "Animation"),
        ),
    ],
}
for _service, _topics in MORE.items():
    LEXICON[_service].extend(_topics)

# Situations told without naming the service, by topic index: what real emails mostly are.
TOLD: dict[str, dict[int, tuple[str, ...]]] = {
    "etat-civil": {
        0: (
            "Pour mon dossier de naturalisation on me demande l'original de mon acte.",
            "Ma grand-mère est née dans la commune avant la guerre et nous faisons notre arbre généalogique.",
            "L'administration espagnole veut un document d'état civil traduit.",
        ),
        1: (
            "Mon titre d'identité arrive à expiration dans deux mois.",
            "La photo de ma carte ne me ressemble plus du tout, on me refuse à la banque.",
            "Je dois voyager pour le travail et mon document de voyage est périmé.",
            "Le guichet de la commune voisine n'a plus de créneau avant trois mois.",
        ),
        2: (
            "Nous avons fixé la date de la noce et réservé le restaurant.",
            "Nos témoins habitent à l'étranger, peuvent-ils envoyer une copie de leur pièce ?",
        ),
        3: (
            "Le papa ne pourra pas être présent à la maternité pour la déclaration.",
            "Il manque notre deuxième enfant sur le livret.",
        ),
    },
    "action-sociale": {
        0: (
            "Le compteur risque d'être coupé si je ne règle pas la facture.",
            "Je n'ai plus de quoi acheter à manger jusqu'à la fin du mois.",
            "Mon conseiller à France Travail m'a orienté vers la mairie.",
            "Je suis étudiant et je saute des repas faute d'argent.",
        ),
        1: (
            "Mon oncle ne peut plus monter les escaliers et refuse la maison de retraite.",
            "Ma mère oublie de prendre ses médicaments et de manger.",
            "Mon père est seul depuis le décès de ma mère et ne se nourrit plus correctement.",
        ),
        2: (
            "Le propriétaire veut récupérer l'appartement et je ne trouve rien avec mon budget.",
            "Le loyer représente plus de la moitié de mes revenus.",
            "Nous attendons une réponse de la commission d'attribution.",
        ),
        3: (
            "Je ne sais pas où dormir ce soir avec mon bébé.",
            "Le foyer m'a mise dehors ce matin.",
        ),
    },
    "voirie": {
        0: (
            "Les vélos font des écarts pour éviter les trous devant l'école.",
            "Une bouche à clé dépasse du trottoir et les gens trébuchent.",
            "La route est pleine d'ornières depuis le passage des camions.",
        ),
        1: (
            "On ne voit plus rien le soir en rentrant du travail dans notre impasse.",
            "Trois poteaux d'éclairage sur cinq sont éteints dans la rue.",
        ),
        2: (
            "Le carrefour est couvert de boue laissée par les engins du chantier.",
            "Des sacs et des bouteilles s'entassent au bord du trottoir depuis le week-end.",
        ),
        3: (
            "Le ruisseau déborde sur la route après l'orage de cette nuit.",
            "Un mur s'est effondré sur le trottoir rue {rue}.",
        ),
    },
    "ecoles": {
        0: (
            "Nous emménageons pendant l'été et la rentrée approche.",
            "Mon aîné est déjà scolarisé à l'{ecole} et nous voulons y mettre le cadet.",
            "On m'a dit que l'école du quartier était complète.",
        ),
        1: (
            "Le prélèvement pour les repas a été fait deux fois ce mois-ci.",
            "Mon enfant a un régime alimentaire particulier pour raison médicale.",
        ),
        2: (
            "Je travaille en horaires décalés et je dois faire garder mes enfants le matin tôt.",
            "Ma fille voudrait partir en séjour avec le centre cet été.",
            "Il n'y a plus de place le mercredi pour mon fils.",
        ),
    },
    "urbanisme": {
        0: (
            "Nous voudrions ajouter une pièce à l'arrière de la maison.",
            "L'artisan commence dans un mois et attend le feu vert de la mairie.",
            "Le délai d'instruction est-il dépassé ?",
        ),
        1: (
            "Nous hésitons à acheter une maison avec un grand terrain.",
            "Je voudrais vendre une partie de mon jardin pour qu'on y construise une maison.",
        ),
        2: (
            "Un hangar a poussé chez le voisin en quelques jours.",
            "Le chantier d'en face ne respecte pas ce qui était affiché.",
        ),
        3: (
            "Nous voulons remplacer la haie par un muret.",
            "La façade de notre maison est noircie et nous voulons la rénover.",
        ),
    },
    "accueil": {
        0: (
            "Je voudrais savoir si je peux passer demain en fin de matinée.",
            "Je suis venu hier et c'était fermé alors que le site disait ouvert.",
            "Je ne sais pas du tout à qui poser ma question.",
        ),
        2: (
            "J'ai laissé mon écharpe sur une chaise au rez-de-chaussée de la mairie.",
            "Un enfant a perdu son sac de sport sur la place du marché.",
        ),
        3: (
            "J'ai envoyé un courrier en recommandé il y a un mois et toujours rien.",
            "L'agent au téléphone m'a raccroché au nez.",
        ),
    },
    "elections": {
        0: (
            "Je vais avoir dix-huit ans avant le prochain scrutin.",
            "J'ai changé d'adresse dans la commune, faut-il le signaler pour voter ?",
            "Ma carte d'électeur indique toujours mon nom de jeune fille.",
        ),
        1: (
            "Je serai en vacances à l'étranger le jour des élections.",
            "Mon bureau de vote a-t-il changé depuis les dernières élections ?",
        ),
        2: (
            "Mon fils doit s'inscrire à son examen et il lui manque ce certificat.",
            "On ne retrouve plus le papier de la journée citoyenne.",
        ),
    },
    "dechets": {
        0: (
            "Le camion des ordures n'est pas passé mardi dans le lotissement.",
            "Les sacs jaunes s'entassent devant les maisons depuis une semaine.",
            "Je ne sais plus quel jour sortir le bac de recyclage.",
        ),
        1: (
            "Le couvercle de notre poubelle s'est arraché.",
            "Les nouveaux locataires n'ont pas reçu de bac.",
        ),
        2: (
            "Je rénove ma cuisine et je dois évacuer les anciens meubles.",
            "Un tas de déchets de chantier a été abandonné près du terrain de foot.",
            "Quelqu'un laisse des sacs d'ordures au pied des conteneurs à verre.",
        ),
        3: (
            "Une fumée épaisse sort du jardin voisin tous les week-ends.",
            "La rivière a une couleur anormale depuis hier.",
        ),
    },
    "police-municipale": {
        0: (
            "Les voisins du dessus crient et claquent les portes toute la nuit.",
            "Un coq chante dès quatre heures du matin dans le jardin d'à côté.",
            "Les soirées de la maison voisine se terminent à l'aube.",
        ),
        1: (
            "Une camionnette bloque la sortie de notre parking tous les matins.",
            "Des voitures se garent sur la piste cyclable.",
        ),
        2: (
            "Des jeunes jettent des pierres sur les voitures depuis le pont.",
            "On a tagué et cassé la porte de notre local associatif.",
            "Un individu menace les passants devant la supérette.",
        ),
        3: (
            "Le chien des voisins se sauve et court après les enfants.",
            "Un chat est coincé dans un arbre depuis hier.",
        ),
    },
    "cimetiere": {
        0: (
            "Nous voulons préparer l'avenir et acheter un emplacement pour notre couple.",
            "La durée de la concession de notre famille est presque écoulée.",
        ),
        1: (
            "Mon grand-père vient de nous quitter à l'hôpital.",
            "La cérémonie aura lieu lundi à l'église puis au cimetière communal.",
            "Notre famille souhaite que l'urne rejoigne le caveau des grands-parents.",
        ),
        2: (
            "La tombe de mon frère a été dégradée.",
            "Les poubelles du cimetière débordent de fleurs fanées.",
        ),
    },
    "petite-enfance": {
        0: (
            "Nous attendons un heureux événement pour l'automne.",
            "Notre dossier de préinscription n'a pas reçu de réponse.",
            "Mon bébé aura six mois quand je retournerai travailler.",
        ),
        1: (
            "Je voudrais rencontrer des professionnelles de la garde près de chez moi.",
            "Je vais embaucher une garde à domicile et je ne connais pas les démarches.",
        ),
    },
    "vie-associative": {
        0: (
            "Nous fêtons les vingt ans de notre fille en juin.",
            "La salle doit avoir une cuisine et des tables pour cent personnes.",
            "Le club de danse a besoin d'une salle pour son gala.",
        ),
        1: (
            "Notre club de pétanque voudrait organiser un concours l'été prochain.",
            "Les bénévoles de notre association cherchent un lieu de stockage.",
        ),
        2: (
            "Je voudrais faire de la natation le soir après le travail.",
            "Mon fils adore lire et voudrait une carte de lecteur.",
            "Je cherche un club de randonnée dans la commune.",
        ),
    },
}
for _service, _by_topic in TOLD.items():
    for _index, _told in _by_topic.items():
        _topic = LEXICON[_service][_index]
        LEXICON[_service][_index] = Topic(
            _topic.objects,
            _topic.actions,
            _topic.situations + _told,
            _topic.subjects,
            _topic.urgent,
        )

# --- long, indirect requests: the request comes late, or is only implied ---------------------
# Real emails often tell a story first (who writes, what happened, what was already tried) and
# ask at the end, or never ask in so many words. Written for every service, so that length
# and indirection say nothing about the service; more of them for the services whose requests
# are most often told rather than asked (police municipale, petite enfance, vie associative,
# accueil, élections).
STORIES: dict[str, tuple[str, ...]] = {
    "police-municipale": (
        "Depuis l'arrivée de nouveaux locataires au-dessus de chez nous, nous n'avons plus une nuit calme : talons, cris, portes qui claquent et musique jusqu'à l'aube. Nous avons glissé un mot poli sous leur porte, puis nous sommes allés leur parler, sans résultat. Le bailleur ne répond pas. Que pouvons-nous faire de plus ?",
        "Mon voisin laisse son berger allemand seul dans le jardin du matin au soir. L'animal aboie sans arrêt et a déjà sauté la clôture deux fois, ma petite fille a eu très peur. J'aimerais que quelqu'un passe constater la situation.",
        "Chaque matin en partant au travail je trouve une camionnette stationnée en travers de ma sortie de garage, toujours la même. J'ai laissé un mot sur le pare-brise, rien ne change. Est-ce que vos agents peuvent passer verbaliser ?",
        "Une voiture sans plaques est garée au fond du parking de la résidence depuis le printemps, les pneus sont à plat et des enfants jouent dedans. Le syndic dit que ce n'est pas de son ressort.",
        "Hier soir vers vingt-trois heures un groupe a fait brûler une poubelle au pied de notre immeuble, rue {rue}. Ce n'est pas la première fois, plusieurs habitants ont peur de sortir le soir. Serait-il possible de renforcer les rondes dans le quartier ?",
        "Ma voiture a été rayée sur toute la longueur pendant la nuit, devant le {num} rue {rue}. Je sais qu'une caméra est installée au carrefour : les images peuvent-elles être consultées avant d'être effacées ? Je compte porter plainte.",
        "En rentrant des courses j'ai trouvé un petit chien sans collier qui tremblait devant ma porte. Je l'ai mis à l'abri dans mon garage mais je ne peux pas le garder. Qui doit venir le chercher et vérifier s'il est pucé ?",
        "Notre chatte n'est pas rentrée depuis samedi. Elle est tatouée et stérilisée. Si quelqu'un vous l'a signalée ou si elle a été emmenée à la fourrière, merci de me prévenir.",
        "Le conflit avec mon voisin dure depuis des mois : il dépose ses déchets verts contre mon mur, m'insulte quand je passe et a menacé mon fils. J'ai gardé des messages. Je ne veux pas que cela dégénère, une médiation est-elle possible ?",
        "Des motos et des quads traversent le chemin du bois et le terrain de foot le dimanche après-midi, à toute vitesse, au milieu des promeneurs et des enfants. Un accident va finir par arriver.",
        "Le bar qui a ouvert en bas de chez nous laisse ses clients fumer et parler fort sur le trottoir bien après l'heure de fermeture. Les bouteilles finissent dans notre entrée.",
        "Je suis commerçant place {rue} et nous voudrions savoir si la commune peut installer une caméra de vidéoprotection devant nos vitrines, après trois tentatives d'effraction cette année.",
        "Mon fils de quinze ans s'est fait voler son vélo devant le collège et il dit avoir reconnu l'auteur. Avant d'aller au commissariat, je voudrais savoir si vos agents patrouillent à la sortie des classes.",
        "Le chien des voisins du {num} est de catégorie et sort sans muselière ni laisse. Je ne sais pas s'ils ont le permis de détention, mais plusieurs parents du quartier s'inquiètent.",
        "Des feux d'artifice et des pétards sont tirés presque tous les soirs depuis une semaine dans le square, nos animaux sont terrorisés et les personnes âgées de la résidence ne dorment plus.",
        "Un camping-car est installé depuis trois semaines sur la place du marché, ses occupants branchent des câbles sur l'éclairage public. Qui peut intervenir ?",
    ),
    "petite-enfance": (
        "Nous attendons notre premier enfant pour l'automne et tout le monde nous dit qu'il faut s'y prendre tôt. Nous travaillons tous les deux à temps plein et n'avons pas de famille dans la région. Par où commencer pour trouver une solution de garde à la fin du congé ?",
        "J'ai repris le travail il y a un mois et la personne qui gardait mon fils de huit mois vient d'arrêter pour raison de santé. Je me retrouve sans solution du jour au lendemain, ma mère le garde cette semaine mais ce ne peut pas durer.",
        "Notre dossier de pré-inscription a été déposé à six mois de grossesse. Notre fille a maintenant un an et nous n'avons eu aucune nouvelle de la commission. Sommes-nous toujours sur la liste ?",
        "Je suis agréée par le département depuis cette année et j'habite le quartier {rue}. J'ai deux places libres pour des petits à partir de la rentrée. Comment me faire connaître des familles de la commune ?",
        "La nounou de ma fille part à la retraite en juin. Je voudrais la liste des professionnelles agréées du secteur, et si possible des conseils pour le contrat et les déclarations Pajemploi.",
        "Je ne travaille que deux matinées par semaine et je cherche un endroit où laisser mon bébé quelques heures, pour qu'il s'habitue aux autres enfants avant l'école.",
        "Mon fils entre à la crèche en {mois} et je m'inquiète de la période d'adaptation : combien de temps dure-t-elle et faut-il que je pose des congés ?",
        "La directrice nous a signalé que notre contrat d'accueil devait être revu car nos horaires ont changé. Nous souhaiterions passer de trois à quatre jours par semaine pour notre petite de dix-huit mois.",
        "Jeune maman seule depuis peu, je me sens isolée avec mon nourrisson. Existe-t-il dans la commune un lieu où l'on peut venir avec son bébé rencontrer d'autres parents et des professionnelles ?",
        "Nous avons reçu la facture du mois de la structure multi-accueil et le montant ne correspond pas à notre quotient familial, alors que nous avons transmis notre avis d'imposition.",
        "Ma compagne accouche dans trois mois et nous venons d'emménager. On nous a parlé d'un relais pour les parents qui cherchent une assistante maternelle, où se trouve-t-il ?",
        "Notre bébé a une allergie alimentaire sévère. Avant de confirmer sa place à la crèche au {date}, nous voudrions savoir comment les repas et le protocole médical sont organisés.",
        "Mes jumeaux auront six mois à la fin de mon congé parental. La garde de deux nourrissons chez une professionnelle coûte très cher, y a-t-il des places collectives pour des jumeaux ?",
    ),
    "vie-associative": (
        "Nous sommes un petit groupe de voisins passionnés de jardinage et nous voudrions donner un cadre officiel à nos activités : ouvrir un compte, recevoir des dons, organiser une bourse aux plantes. Il paraît qu'il faut déposer des statuts, la mairie peut-elle nous accompagner ?",
        "Notre club de gymnastique compte cette année quatre-vingts adhérents, dont beaucoup d'enfants. Le dossier de demande d'aide financière pour la saison prochaine est-il déjà disponible, et avant quelle date faut-il le rendre ?",
        "Le {asso} fête ses vingt ans et nous aimerions organiser un concert en plein air en juin. Il nous faudrait une scène, des barrières, des tables et l'accès à l'électricité. À qui présenter notre projet ?",
        "Nous aimerions tenir un stand à la journée de rentrée où les associations présentent leurs activités en septembre. Comment s'inscrire et combien de tables peut-on avoir ?",
        "Notre association de théâtre amateur répète dans un garage prêté par un membre qui déménage. Il nous faudrait une salle deux soirs par semaine, même petite.",
        "Pour les quatre-vingts ans de ma mère nous serons une centaine, famille et amis. J'ai vu qu'il existe une grande salle près de la mairie, est-elle libre le dernier samedi de {mois} et quel est le prix pour les habitants ?",
        "Je viens d'arriver dans la commune avec mes deux adolescents qui cherchent un club de handball et une chorale. Existe-t-il un guide des activités proposées par les clubs et les associations locales ?",
        "Nous avons rendu les clés de la salle le dimanche soir, propre et rangée, et trois mois plus tard le chèque de caution n'a toujours pas été restitué.",
        "Notre association organise un vide-grenier au profit d'une école au Sénégal. Faut-il une autorisation, peut-on emprunter des grilles et installer une buvette ?",
        "Le président de notre association a démissionné et nous avons élu un nouveau bureau. Faut-il en informer la mairie pour garder notre créneau au gymnase et notre local ?",
        "Bénévole depuis dix ans au club de l'Amitié, je constate que nos adhérents vieillissent et que le local n'est pas accessible en fauteuil. Pourrions-nous en obtenir un autre, au rez-de-chaussée ?",
        "Ma fille voudrait s'inscrire à l'école de musique pour apprendre le violon mais les inscriptions semblent closes. Reste-t-il des places ou une liste d'attente ?",
    ),
    "accueil": (
        "Je travaille à Nancy et ne rentre jamais avant dix-huit heures trente. Je vois que vous fermez tôt en semaine : y a-t-il un soir de nocturne ou une ouverture le samedi matin pour déposer un dossier ?",
        "J'ai oublié ma pochette avec mes papiers et mes clés sur un banc du parc {rue} dimanche. Quelqu'un l'a peut-être rapportée chez vous ? Il y a aussi une carte de bus à mon nom.",
        "Ma tante qui vit au Maroc doit venir passer trois semaines chez moi cet été. Le consulat lui demande un document signé de ma part, visé par la mairie, pour son visa.",
        "Je touche une petite pension d'une caisse étrangère et chaque année elle me demande de prouver que je suis toujours vivante, avec un tampon officiel. Faut-il prendre rendez-vous ?",
        "Je ne sais pas du tout à qui m'adresser, alors je vous écris. J'ai une question sur un courrier reçu de la commune et je ne comprends pas de quel service il vient.",
        "Mon banquier me demande que ma signature soit authentifiée par la mairie sur un document destiné à l'étranger. Dois-je venir avec une pièce d'identité, et signer devant vous ?",
        "J'ai écrit à la mairie il y a plus d'un mois au sujet d'un problème dans mon quartier et je n'ai jamais reçu d'accusé de réception. Pouvez-vous me dire si mon message est bien arrivé et qui le traite ?",
        "Est-ce que la mairie est ouverte le lundi de Pâques et le pont de l'Ascension ? Je dois venir chercher un document et je ne veux pas me déplacer pour rien.",
        "Je souhaiterais obtenir un rendez-vous avec Monsieur le Maire pour lui présenter personnellement un projet qui me tient à cœur pour le quartier.",
        "J'ai trouvé une paire de lunettes de vue et un trousseau de clés devant la boulangerie. Je peux les déposer en mairie cet après-midi ?",
        "Je voudrais faire certifier conformes des photocopies de mes diplômes pour un dossier à l'étranger, on m'a dit que la mairie ne le faisait plus, est-ce vrai ?",
        "Je suis nouvellement installée et je cherche à savoir quels services se trouvent à la mairie principale et lesquels à la mairie annexe, et comment on peut vous joindre par téléphone.",
    ),
    "elections": (
        "Nous avons emménagé dans la commune en début d'année et je me rends compte que je suis sans doute encore rattaché à mon ancienne ville pour voter. Les élections approchent, est-il encore temps de faire le changement ?",
        "Le jour du scrutin je serai à l'hôpital pour une opération prévue de longue date. Ma fille, qui vote dans la même commune, pourrait voter à ma place : comment l'organiser ?",
        "Je n'ai jamais reçu ma carte d'électeur depuis mon arrivée, alors que j'ai fait la démarche en ligne il y a plusieurs mois. Comment savoir dans quel bureau je dois aller ?",
        "Mon fils a eu dix-huit ans en {mois}. Il a fait son recensement à seize ans, est-il inscrit automatiquement ou doit-il faire une démarche ?",
        "Je suis de nationalité portugaise et j'habite la commune depuis cinq ans. Ai-je le droit de participer aux prochaines municipales et aux européennes ?",
        "Retraité et disponible, je me propose de tenir un bureau de vote ou d'aider au comptage des bulletins lors des prochaines élections.",
        "Mon adresse sur ma carte est fausse, il manque le numéro d'appartement, et mon nom de naissance n'apparaît pas. Ces erreurs peuvent-elles m'empêcher de voter ?",
        "Ma fille aura seize ans le mois prochain. On m'a dit qu'elle devait se présenter en mairie pour une démarche liée à la journée défense, sans laquelle elle ne pourra pas passer son permis.",
        "Ma mère, quatre-vingt-douze ans, ne peut plus se déplacer. Elle tient beaucoup à voter. Un policier ou un agent peut-il venir chez elle pour la procuration ?",
        "Le bureau de l'école où je votais a fermé. Ma carte indique encore l'ancienne adresse, où faudra-t-il aller dimanche ?",
        "Je suis étudiant à Lyon mais mes parents habitent ici. Puis-je rester inscrit dans la commune et voter chez eux ?",
        "Mon mari est décédé l'an dernier et il reçoit toujours la propagande électorale. Faut-il le signaler pour qu'il soit radié ?",
    ),
    "etat-civil": (
        "Nous préparons un dossier de regroupement familial et l'administration exige des documents d'état civil récents pour chacun de nos trois enfants, tous nés ici.",
        "Mon grand-père est né dans la commune en 1931. Je fais des recherches sur l'histoire de la famille et voudrais savoir si les registres anciens peuvent être consultés.",
        "Nous nous sommes pacsés l'an dernier et voudrions maintenant nous marier en septembre prochain. Faut-il déposer un dossier longtemps à l'avance et qui peut être témoin ?",
        "Ma carte arrive à expiration juste avant un voyage au Canada et les créneaux en ligne sont pleins sur des semaines. Vous arrive-t-il de libérer des places ?",
        "Notre fils est né le mois dernier à la maternité de Nancy, mais nous habitons ici. Où trouver son acte de naissance pour la CAF ?",
        "Je voudrais changer de prénom, celui que m'ont donné mes parents me porte préjudice depuis l'enfance.",
    ),
    "action-sociale": (
        "Depuis mon licenciement je n'arrive plus à payer mon loyer et mes factures, j'ai reçu une lettre de relance du fournisseur d'énergie. Je ne sais pas vers qui me tourner.",
        "Ma mère vit seule, elle a quatre-vingt-sept ans et ne peut plus préparer ses repas. Nous habitons loin et cherchons une aide à domicile ou un portage de repas.",
        "Je suis séparée, j'élève seule trois enfants et mon dossier de logement social est en attente depuis deux ans. Notre appartement est trop petit et humide.",
        "Un voisin âgé ne sort plus de chez lui depuis des semaines et semble ne plus s'alimenter correctement. Je m'inquiète, qui peut passer le voir ?",
        "Mon fils handicapé va avoir vingt ans et je ne comprends rien aux démarches pour ses allocations d'adulte. Quelqu'un peut-il m'aider à remplir le dossier ?",
        "Je suis retraité avec une petite pension et la facture de chauffage de cet hiver me fait peur. Existe-t-il une aide de la commune ?",
    ),
    "voirie": (
        "En sortant de chez moi ce matin j'ai failli tomber : une plaque d'égout s'est affaissée sur le trottoir devant le {num} rue {rue}, et il fait noir car le réverbère est éteint depuis une semaine.",
        "Depuis les travaux de l'an dernier, l'eau de pluie stagne dans notre rue et ruisselle dans les garages. Les riverains aimeraient que la chaussée soit reprise.",
        "Les branches d'un arbre de la place cachent le feu tricolore et le panneau stop, les voitures ne le voient plus en arrivant.",
        "Je dois faire livrer un container de déménagement et il faudra bloquer deux places devant chez moi une journée.",
        "Les racines des platanes ont soulevé le trottoir de l'avenue, les poussettes et les fauteuils roulants doivent passer sur la route.",
        "Des tags injurieux ont été peints sur le mur de l'école pendant le week-end, les enfants les voient en arrivant.",
    ),
    "ecoles": (
        "Nous déménageons dans la commune pendant l'été et notre fils entrera en CE1 en septembre. Nous ne savons pas de quelle école dépend notre nouvelle adresse ni comment l'inscrire.",
        "Ma fille mange à la cantine depuis la rentrée et je reçois une facture pour des jours où elle était malade, avec certificat.",
        "Je reprends un emploi avec des horaires tôt le matin et je dois trouver une solution pour déposer mes enfants avant la classe, ainsi que le mercredi.",
        "Notre petit dernier aura trois ans en décembre, peut-il faire sa première rentrée en maternelle en septembre ?",
        "Mon fils a une allergie à l'arachide, il faut mettre en place un protocole avec l'école et la restauration scolaire.",
        "Pour les vacances de {vacances} nous cherchons un centre de loisirs pour nos deux enfants de six et neuf ans.",
    ),
    "urbanisme": (
        "Nous aimerions agrandir notre maison d'une véranda d'environ vingt mètres carrés côté jardin, et changer les fenêtres. Avant de signer avec l'artisan, nous voulons être sûrs des autorisations.",
        "Nous venons d'acheter un terrain et voudrions savoir ce que le plan local d'urbanisme permet d'y construire : hauteur, distance aux limites, surface.",
        "Mon voisin construit un abri de jardin énorme collé à ma clôture et je ne vois aucun panneau d'affichage. A-t-il le droit ?",
        "Je veux remplacer ma vieille clôture par un mur en parpaings et poser un portail motorisé.",
        "Nous avons déposé notre demande il y a deux mois et n'avons aucune nouvelle, le délai d'instruction est-il dépassé ?",
        "Je souhaite installer des panneaux solaires sur mon toit, on me dit qu'il faut une déclaration.",
    ),
    "dechets": (
        "Depuis le changement de calendrier, le camion ne passe plus dans notre impasse et nos poubelles restent pleines sur le trottoir pendant des jours.",
        "Nous venons d'emménager et il n'y a aucun bac devant la maison, les anciens propriétaires les ont emportés.",
        "Je vide la maison de mes parents et j'ai une armoire, un matelas et une machine à laver à faire enlever.",
        "Quelqu'un a déposé des gravats et des pots de peinture au bord du chemin près du bois, en pleine nature.",
        "Je voudrais faire du compost au fond du jardin mais je ne sais pas comment m'y prendre, la commune aide-t-elle ?",
        "Notre bac jaune a été cassé par le camion de ramassage, le couvercle ne tient plus.",
    ),
    "cimetiere": (
        "Ma mère est décédée hier à l'hôpital. Elle voulait reposer près de mon père, dans le caveau familial de la commune. Je ne sais pas par où commencer.",
        "La concession de mes grands-parents arrive à son terme et nous souhaitons la garder dans la famille.",
        "En me rendant sur la tombe de mon mari, j'ai constaté que la stèle avait été renversée et des fleurs volées.",
        "Nous aimerions disperser les cendres de notre père dans le jardin du souvenir et savoir si une plaque peut être posée.",
        "Un marbrier doit intervenir sur notre sépulture pour graver un nom, faut-il une autorisation préalable ?",
        "Les allées entre les tombes sont envahies d'herbes et il est difficile d'accéder à celle de ma famille.",
    ),
}

# Share of the non-SMS varied requests told as a story.
STORY_SHARE = 0.08
# Service-neutral context that long emails wrap around the request.
CONTEXT = (
    "Je me permets de vous écrire après en avoir longuement discuté en famille.",
    "Pour vous situer, nous sommes installés dans la commune depuis une dizaine d'années et nous y sommes très attachés.",
    "Je vous prie de m'excuser pour la longueur de ce message, mais je préfère tout vous expliquer.",
    "J'ai d'abord essayé de trouver la réponse sur votre site internet, sans succès.",
    "J'ai appelé le standard à plusieurs reprises, mais je tombe toujours sur le répondeur.",
    "Mon épouse et moi travaillons tous les deux et nous avons peu de temps en semaine.",
    "Je vous écris de la part de ma mère, qui n'a pas internet.",
    "Je vous remercie par avance de l'attention que vous porterez à ce message, et de la suite que vous voudrez bien lui donner.",
    "Je ne voudrais pas abuser de votre temps, je sais que vos services sont très sollicités.",
    "Une amie m'a dit que vous pourriez peut-être m'aider.",
    "Je précise que je suis disponible le mercredi après-midi si un rendez-vous est nécessaire.",
    "Je vous joins mes coordonnées complètes ci-dessous.",
    "Ce n'est pas facile pour moi d'écrire ce genre de message.",
    "Je vous remercie pour votre réactivité la dernière fois que je vous ai sollicité(e).",
)

# --- frames per register: {a} is an action with its object filled in --------------------------

FORMAL = (
    "Je souhaiterais {a}.",
    "Je me permets de vous solliciter afin de {a}.",
    "Pourriez-vous m'indiquer la marche à suivre pour {a} ?",
    "Je vous saurais gré de bien vouloir m'indiquer comment {a}.",
    "J'ai l'honneur de vous solliciter afin de {a}.",
    "Je vous serais reconnaissant(e) de m'indiquer les démarches nécessaires pour {a}.",
    "Auriez-vous l'amabilité de me préciser les pièces à fournir pour {a} ?",
    "Je sollicite votre bienveillance afin de {a}.",
)
NEUTRAL = (
    "Je voudrais {a}.",
    "Comment faire pour {a} ?",
    "Est-il possible de {a} ?",
    "Quelles sont les démarches pour {a} ?",
    "Que faut-il fournir pour {a} ?",
    "J'aimerais savoir comment {a}.",
    "À qui dois-je m'adresser pour {a} ?",
    "Quel est le délai pour {a} ?",
    "Je cherche à {a}.",
    "Pouvez-vous m'aider à {a} ?",
    "J'ai besoin de {a}.",
    "Est-ce que je peux {a} en mairie ?",
    "Je vous contacte pour {a}.",
    "Merci de m'expliquer comment {a}.",
)
INFORMAL = (
    "je veux {a}",
    "c possible de {a} ?",
    "comment on fait pour {a}",
    "je voudrais {a} svp",
    "besoin de {a} merci",
    "on peut {a} ou pas ?",
    "je dois {a}, je fais comment ?",
    "est ce que je peux {a}",
)
OBJECT_FRAMES = (
    "Concernant {o}, pouvez-vous me renseigner ?",
    "Je vous écris au sujet de {o}.",
    "Question sur {o} :",
    "Renseignements sur {o} svp",
    "J'aurais une question concernant {o}.",
    "{O} : quelles démarches ?",
)

# Small talk any service receives: the model must learn that it says nothing.
NEUTRAL_TALK = (
    "Je suis nouvel(le) habitant(e) de la commune.",
    "J'habite au {num} rue {rue} depuis {age} ans.",
    "J'ai essayé de vous téléphoner mais la ligne était occupée.",
    "Je travaille la journée et ne peux pas me déplacer facilement.",
    "Je vous ai déjà écrit il y a quinze jours, sans réponse.",
    "Merci de me répondre rapidement.",
    "Je vous remercie de votre attention.",
    "Je reste à votre disposition pour tout complément.",
    "Vous pouvez me joindre au 06 {tel}.",
    "Je ne suis pas très doué avec les démarches en ligne.",
    "Mon voisin m'a conseillé de vous écrire.",
    "Je vous joins une photo.",
    "Désolé de vous déranger pour cela.",
    "Merci pour le travail de vos équipes.",
    "Je suis âgé(e) et je ne conduis plus.",
    "Mon dossier porte le numéro {num}{num}.",
    "Je passerai peut-être en mairie jeudi.",
    "J'attends votre retour avec impatience.",
)
OPENINGS = corpus.OPENINGS + [
    "Bonjour Madame,",
    "Bonjour Monsieur,",
    "Salut,",
    "Bonjour la mairie,",
    "Madame la Maire,",
    "Chère Madame, cher Monsieur,",
    "Bonjour, j'espère que vous allez bien.",
    "Coucou,",
    "Bonsoir Madame, Monsieur,",
]
FORMAL_CLOSINGS = (
    "Veuillez agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
    "Je vous prie d'agréer, Monsieur le Maire, l'expression de ma haute considération.",
    "Dans l'attente de votre réponse, je vous prie de croire à mes sentiments respectueux.",
    "Respectueusement,",
    "Avec mes remerciements anticipés,",
)
CLOSINGS = corpus.CLOSINGS + [
    "Merci beaucoup",
    "A bientôt",
    "Bonne soirée",
    "Bien à vous",
    "mrc",
    "Merci de votre aide",
    "Slt",
]
TOWNS = [
    "Nancy",
    "Metz",
    "Lyon",
    "Paris",
    "Strasbourg",
    "Épinal",
    "Lunéville",
    "Casablanca",
    "Alger",
    "Porto",
]

# Spelling as typed in a hurry: (pattern, replacements).
MISSPELLINGS = [
    (r"\bvoudrais\b", ["voudrai", "voudré", "voudrait"]),
    (r"\bs'il vous plaît\b", ["svp", "sil vous plait", "s'il vous plait"]),
    (r"\best-ce que\b", ["esque", "est ce que", "es que"]),
    (r"\best-il\b", ["est il", "es qu'il"]),
    (r"\bpeut-on\b", ["peut on", "on peut"]),
    (r"\baujourd'hui\b", ["aujourdhui", "ajd", "aujourd hui"]),
    (r"\bquelqu'un\b", ["quelquun", "qqn", "quelqu un"]),
    (r"\bc'est\b", ["c", "cest", "sé"]),
    (r"\bj'ai\b", ["jai", "g"]),
    (r"\bje suis\b", ["jsuis", "chui", "je sui"]),
    (r"\bpourquoi\b", ["pk", "pourquoi"]),
    (r"\bbeaucoup\b", ["bcp", "boucoup"]),
    (r"\bmerci\b", ["mrc", "merci"]),
    (r"\bça\b", ["sa", "ca"]),
    (r"\bpour\b", ["pr", "pour"]),
    (r"\bquand\b", ["qd", "quant"]),
    (r"\bquelle\b", ["quel", "qu'elle"]),
    (r"\bfaut-il\b", ["faut il", "il faut"]),
    (r"\brendez-vous\b", ["rdv", "rendez vous", "rendé-vous"]),
    (r"\bnous\b", ["ns", "nous"]),
    (r"\bvous\b", ["vs", "vous"]),
    (r"\btrès\b", ["tres", "tré"]),
    (r"\bparce que\b", ["pcq", "parceque"]),
    (r"\bdemande\b", ["demmande", "demande"]),
    (r"\bmaintenant\b", ["mnt", "maintenan"]),
    (r"\bdéjà\b", ["deja", "dejà"]),
    (r"\bappeler\b", ["appeller"]),
    (r"\bdisponible\b", ["dispo"]),
    (r"ez\b", ["er", "é"]),
    (r"ais\b", ["ai", "é"]),
]


def _sample(rng: random.Random, items) -> str:
    return rng.choice(list(items))


def _misspell(text: str, rng: random.Random, rate: float) -> str:
    for pattern, choices in MISSPELLINGS:
        if rng.random() < rate:
            text = re.sub(pattern, lambda _m, options=choices: rng.choice(options), text)
    return text


def _contract(text: str) -> str:
    """French elision and contraction after the object is put in its frame."""
    text = re.sub(r"\b([Dd])e ([aeiouhéèêAEIOUHÉ])", r"\1'\2", text)
    text = re.sub(r"\b([Dd])e le\b", r"\1u", text)
    text = re.sub(r"\b([Dd])e les\b", r"\1es", text)
    text = re.sub(r"\bà le\b", "au", text)
    text = re.sub(r"\bà les\b", "aux", text)
    return text


def _core(topic: Topic, register: str, rng: random.Random, streets: list[str]) -> str:
    obj = _sample(rng, topic.objects)
    roll = rng.random()
    if roll < 0.3 and topic.situations:
        # A situation alone: the citizen tells what happens and lets the town hall act.
        sentence = _sample(rng, topic.situations)
    elif roll < 0.42:
        sentence = _sample(rng, OBJECT_FRAMES).replace("{O}", obj[:1].upper() + obj[1:])
        sentence = sentence.replace("{o}", obj)
    else:
        action = _sample(rng, topic.actions).replace("{o}", obj)
        frames = {"formal": FORMAL, "informal": INFORMAL, "sms": INFORMAL}.get(register, NEUTRAL)
        sentence = _sample(rng, frames).replace("{a}", action)
    sentence = _contract(sentence)
    parts = [sentence]
    extra = rng.choice([0, 1, 1, 2]) if register != "sms" else rng.choice([0, 0, 1])
    for situation in rng.sample(list(topic.situations), min(extra, len(topic.situations))):
        if situation != sentence:
            parts.append(situation)
    if rng.random() < 0.3:
        rng.shuffle(parts)
    return corpus._fill(" ".join(parts), rng, streets).replace("{ville}", rng.choice(TOWNS))


def _email(service: str, topic: Topic, rng: random.Random, streets: list[str], index: int):
    register = rng.choices(["formal", "neutral", "informal", "sms"], weights=[2, 4, 2, 2])[0]
    story = register != "sms" and rng.random() < STORY_SHARE
    if story:
        # A told story, sometimes followed by the explicit request, wrapped in context.
        body = [corpus._fill(_sample(rng, STORIES[service]), rng, streets)]
        if rng.random() < 0.4:
            body.append(_core(topic, register, rng, streets))
        for sentence in rng.sample(CONTEXT, rng.choice([1, 1, 2, 3])):
            body.insert(0 if rng.random() < 0.6 else len(body), sentence)
    else:
        body = [_core(topic, register, rng, streets)]
    # Service-neutral talk around the request, more of it in long emails.
    talk = rng.choices([0, 1, 2, 3], weights=[4, 3, 2, 1])[0] if register != "sms" else 0
    for _ in range(talk):
        sentence = corpus._fill(_sample(rng, NEUTRAL_TALK), rng, streets)
        body.insert(rng.randrange(len(body) + 1), sentence)
    if rng.random() < 0.1:
        other_service = rng.choice([s for s in LEXICON if s != service])
        other = _core(rng.choice(LEXICON[other_service]), "neutral", rng, streets)
        body.append("Et aussi : " + other[:1].lower() + other[1:])
    urgent = topic.urgent
    if rng.random() < (0.5 if topic.urgent else 0.06):
        body.append(_sample(rng, corpus.URGENT_CUES))
        urgent = True
    if register == "sms":
        text = " ".join(body).lower()
        text = re.sub(r"[.,;:]", "", text) if rng.random() < 0.6 else text
        text = _misspell(text, rng, 0.7)
        if rng.random() < 0.5:
            text = rng.choice(["bjr ", "bonjour ", "slt ", ""]) + text
        if rng.random() < 0.5:
            text += rng.choice([" merci", " mrc", " svp", " cdt", " bonne journée", ""])
        if rng.random() < 0.4:
            text += "\n" + rng.choice(corpus.FIRST_NAMES)
    else:
        joiner = "\n\n" if rng.random() < 0.3 else ("\n" if rng.random() < 0.5 else " ")
        text_body = joiner.join(body)
        opening = _sample(rng, OPENINGS)
        closing = _sample(rng, FORMAL_CLOSINGS if register == "formal" else CLOSINGS)
        name = f"{rng.choice(corpus.FIRST_NAMES)} {rng.choice(corpus.LAST_NAMES)}"
        if rng.random() < 0.3:
            name = name.split()[0] + " " + name.split()[-1].upper()
        signature = [name if rng.random() < 0.85 else ""]
        if rng.random() < 0.5:
            signature.append(corpus._fill(_sample(rng, corpus.SIGNATURE_EXTRAS), rng, streets))
        if rng.random() < 0.15:
            signature.append(
                f"{rng.randint(1, 120)} rue {rng.choice(streets)}\n54084 Mont-Bonvillers\nTél. 06 {corpus._fill('{tel}', rng, streets)}"
            )
        text = "\n".join(
            x for x in [opening, "", text_body, "", closing, *signature] if x is not None
        )
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        if register == "informal" or rng.random() < 0.15:
            text = _misspell(text, rng, 0.3)
        if rng.random() < 0.12:
            text += "\n\n" + corpus._fill(_sample(rng, corpus.HISTORY), rng, streets)
    if rng.random() < 0.3:
        text = corpus._strip_accents(text)
    if rng.random() < 0.1:
        text = text.lower()
    if rng.random() < 0.3:
        text = corpus._typos(text, rng, rate=rng.choice([0.01, 0.02, 0.03]))
    roll = rng.random()
    if roll < 0.55:
        subject = _sample(rng, topic.subjects)
    elif roll < 0.8:
        subject = _sample(rng, corpus.GENERIC_SUBJECTS)
    else:
        subject = ""
    if subject and rng.random() < 0.2:
        subject = rng.choice(["RE: ", "TR: ", "Fwd: ", "Re : "]) + subject
    if subject and register == "sms" and rng.random() < 0.5:
        subject = ""
    if subject:
        text = f"{subject}\n{text}"
    topic_index = LEXICON[service].index(topic)
    return corpus.Example(
        text=text,
        label=service,
        urgency="urgent" if urgent else "normal",
        source=f"variety:{service}:{'story' if story else topic_index}",
    )


def generate(count: int = 6000, seed: int = 7) -> list[corpus.Example]:
    """`count` requests spread evenly over the services, deterministic for a seed."""
    rng = random.Random(seed)
    streets = corpus._streets()
    services = sorted(LEXICON)
    examples = []
    for index in range(count):
        service = services[index % len(services)]
        topic = rng.choice(LEXICON[service])
        examples.append(_email(service, topic, rng, streets, index))
    return examples
