# ruff: noqa: E501 — the phrasings are data, kept one per line
"""The shipped triage corpus: emails to a town hall, written to look like the real ones, and
the real service-public.fr question titles that fall within a town hall's services.

`generate(seed)` is deterministic: the same seed gives the same messages, byte for byte. The
held-out test set is not a random 20 % of the generated messages, which would share their
sentences with the training set and make the score meaningless: each request kind has
several phrasings written independently, and the last phrasing of every kind is only ever
used for the test set. A test message therefore asks for something the model has seen asked,
but never in those words, with the same noise (openings, typos, signatures, forwarded
history, a second topic) as the training ones. The fact sheets are split by sheet.

The training side also gets requests composed from the per-service lexicon of variety.py
(other words, registers and misspellings); they are added after the held-out set is drawn,
from their own random generator, so the held-out set is byte for byte the same."""

import csv
import hashlib
import json
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_CSV = DATA_DIR / "triage_train.csv"
TEST_CSV = DATA_DIR / "triage_test.csv"

# The demo town's services: (slug, name). The first six are created by the demo seed, the
# others by `parvis assist setup --demo`.
SERVICES = [
    ("etat-civil", "État civil"),
    ("action-sociale", "Action sociale (CCAS)"),
    ("voirie", "Voirie et propreté"),
    ("ecoles", "Écoles et périscolaire"),
    ("urbanisme", "Urbanisme"),
    ("accueil", "Accueil"),
    ("elections", "Élections et recensement citoyen"),
    ("dechets", "Déchets et environnement"),
    ("police-municipale", "Police municipale et tranquillité publique"),
    ("cimetiere", "Cimetière et affaires funéraires"),
    ("petite-enfance", "Petite enfance"),
    ("vie-associative", "Vie associative, sport et culture"),
]

# service-public.fr fact-sheet folders ("dossier") that a town-hall service answers.
FICHE_DOSSIERS = {
    "Mariage": "etat-civil",
    "Pacte civil de solidarité (Pacs)": "etat-civil",
    "Naissance": "etat-civil",
    "Carte d'identité": "etat-civil",
    "Passeport": "etat-civil",
    "Nom et prénom": "etat-civil",
    "Actes d'état civil": "etat-civil",
    "Changement d'état civil": "etat-civil",
    "Certificat, copie, légalisation et conservation de documents": "etat-civil",
    "Déclaration de décès, obsèques et sépulture": "cimetiere",
    "Élections": "elections",
    "Recensement, JDC et service national": "elections",
    "École primaire (maternelle et élémentaire)": "ecoles",
    "Accueil de loisirs\xa0(centre de loisirs, colonie de vacances...)": "ecoles",
    "Aides financières pour la scolarité": "ecoles",
    "Autorisations d'urbanisme": "urbanisme",
    "Travaux": "urbanisme",
    "Allocations et aides aux personnes âgées": "action-sociale",
    "Revenu de solidarité active (RSA)": "action-sociale",
    "Prime d'activité": "action-sociale",
    "Handicap\xa0: allocations (AAH, AEEH) et aides": "action-sociale",
    "Hébergement des personnes âgées": "action-sociale",
    "Hébergement social": "action-sociale",
    "Accéder à un logement social": "action-sociale",
    "Aides au paiement des factures : eau, téléphone, électricité, gaz": "action-sociale",
    "Déchets": "dechets",
    "Troubles de voisinage": "police-municipale",
    "Animal de compagnie": "police-municipale",
    "Sport": "vie-associative",
    "Art": "vie-associative",
}

# --- request kinds -----------------------------------------------------------------------------
# Each kind: (service, urgent by nature, subjects, phrasings). The LAST phrasing of each kind
# is reserved for the test set. Slots: {rue} {num} {date} {enfant} {ecole} {age} {nom} {salle}
# {heure} {annee} {asso}.


@dataclass(frozen=True)
class Kind:
    service: str
    urgent: bool
    subjects: tuple[str, ...]
    phrasings: tuple[str, ...]


K = Kind
KINDS = [
    # État civil
    K(
        "etat-civil",
        False,
        ("Acte de naissance", "demande d'acte", "Copie intégrale"),
        (
            "Je souhaiterais obtenir une copie intégrale de mon acte de naissance, je suis né(e) à Mont-Bonvillers en {annee}.",
            "pourriez vous m'envoyer un extrait d'acte de naissance avec filiation pour mon dossier de {dossier}",
            "J'ai besoin d'un acte de naissance de moins de trois mois, comment faire la demande depuis l'étranger ?",
            "Il me faut l'extrait de naissance de mon fils {enfant} (né en {annee} dans votre commune), c'est pour son inscription.",
            "Le notaire me réclame une copie de l'acte de naissance de ma mère, née ici en 1948. Pouvez-vous me la faire parvenir par courrier ?",
        ),
    ),
    K(
        "etat-civil",
        False,
        ("Carte d'identité", "CNI", "Passeport", "rdv passeport"),
        (
            "Je voudrais prendre rendez-vous pour refaire ma carte d'identité qui expire le {date}.",
            "Ma fille part en voyage scolaire, il lui faut un passeport. Quels sont vos créneaux de rendez-vous ?",
            "j'ai perdu ma carte d'identite dans le bus, que dois je faire pour la refaire ? faut il une déclaration de perte",
            "Bonjour, le site ANTS me demande une pré-demande, ensuite je dois venir chez vous pour les empreintes ? Il y a combien d'attente pour un RDV passeport ?",
            "Mon passeport a été volé pendant les vacances. Je dois en refaire un rapidement, pouvez-vous m'indiquer la marche à suivre et la première date disponible pour déposer le dossier ?",
        ),
    ),
    K(
        "etat-civil",
        False,
        ("Mariage", "Dossier de mariage", "PACS"),
        (
            "Nous souhaitons nous marier à la mairie en {mois} prochain, quelles pièces faut-il fournir pour le dossier de mariage ?",
            "Mon compagnon et moi voulons nous pacser, est-ce que ça se fait en mairie et faut-il un rendez-vous ?",
            "Pourriez-vous me dire si la salle des mariages est libre le samedi {date} ? Nous aimerions célébrer notre union ce jour-là.",
            "On a déposé le dossier de mariage le mois dernier, les bans sont-ils publiés ? on n'a pas de nouvelles",
            "Ma future épouse est de nationalité marocaine : quels documents supplémentaires devons-nous apporter pour notre union civile, et faut-il une audition préalable ?",
        ),
    ),
    K(
        "etat-civil",
        False,
        ("Livret de famille", "Reconnaissance", "Déclaration de naissance"),
        (
            "Notre bébé est né le {date}, comment mettre à jour le livret de famille ?",
            "Je souhaite faire une reconnaissance anticipée de paternité avant la naissance, faut-il venir avec la future maman ?",
            "j'ai perdu mon livret de famille lors du déménagement, comment obtenir un duplicata ?",
            "Nous ne sommes pas mariés et voulons reconnaître notre enfant avant l'accouchement prévu en {mois}. Quelles démarches ?",
            "Suite à notre divorce je dois récupérer un second livret de famille, est ce possible et quels justificatifs apporter ?",
        ),
    ),
    K(
        "etat-civil",
        False,
        ("Changement de prénom", "Nom d'usage", "Légalisation"),
        (
            "Je voudrais changer de prénom, est-ce que la demande se fait auprès de l'officier d'état civil ?",
            "Pouvez-vous légaliser ma signature sur un document destiné à une administration étrangère ?",
            "Je souhaite ajouter le nom de ma mère à mon nom, comment procéder ?",
            "Il y a une erreur d'orthographe sur l'acte de naissance de mon fils ({enfant} au lieu de {enfant2}), qui peut la corriger ?",
            "Ma fille voudrait porter le nom de son père en nom d'usage. Doit-elle faire la démarche elle-même ou est-ce à moi de venir ?",
        ),
    ),
    # Action sociale (CCAS)
    K(
        "action-sociale",
        False,
        ("Aide financière", "Demande d'aide", "Difficultés"),
        (
            "Je suis au chômage et j'ai du mal à payer mes factures d'électricité, est-ce que le CCAS peut m'aider ?",
            "je voudrais savoir si je peux avoir une aide pour payer la cantine de mes enfants, je suis seule avec 3 enfants",
            "Nous traversons une période difficile, pouvons-nous bénéficier d'une aide alimentaire ou d'un colis ?",
            "Mon RSA a été suspendu et je n'ai plus de quoi payer mon loyer ce mois-ci. Qui peut me recevoir ?",
            "Depuis mon arrêt maladie mes revenus ont beaucoup baissé et les dettes s'accumulent : existe-t-il une aide ponctuelle ou un accompagnement budgétaire à la mairie ?",
        ),
    ),
    K(
        "action-sociale",
        False,
        ("Personne âgée", "Aide à domicile", "Portage de repas"),
        (
            "Ma mère de {age_vieux} ans vit seule rue {rue} et ne peut plus faire ses courses, existe-t-il un portage de repas ?",
            "Je souhaite inscrire mon père sur le registre des personnes vulnérables pour la canicule.",
            "Comment faire une demande d'APA pour mon grand-père qui perd son autonomie ?",
            "Ma voisine âgée ne sort plus de chez elle et semble perdue, je m'inquiète, qui peut passer la voir ?",
            "Mes parents souhaitent une téléassistance et quelques heures d'aide ménagère par semaine, le CCAS propose-t-il ce type de service et à quel tarif ?",
        ),
    ),
    K(
        "action-sociale",
        False,
        ("Logement social", "Demande de logement", "Hébergement"),
        (
            "J'ai déposé une demande de logement social il y a deux ans et je n'ai toujours rien, pouvez-vous appuyer mon dossier ?",
            "Je cherche un logement plus petit car je n'arrive plus à payer le loyer, comment faire une demande HLM ?",
            "Mon appartement est insalubre (humidité, moisissures) et le propriétaire ne fait rien, vers qui me tourner ?",
            "Comment renouveler ma demande de logement social ? J'ai reçu un courrier mais je n'ai pas compris.",
            "Avec deux enfants nous vivons à quatre dans un studio : le numéro unique de demande de logement est le {num}{num}, y a-t-il du nouveau sur les attributions ?",
        ),
    ),
    K(
        "action-sociale",
        True,
        ("URGENT hébergement", "Sans logement", "Expulsion"),
        (
            "Je suis expulsé de mon logement demain matin et je n'ai nulle part où aller avec mes enfants.",
            "Ma fille et moi sommes à la rue depuis hier soir, pouvez-vous nous trouver un hébergement d'urgence ?",
            "Mon mari m'a mise dehors, je dors dans ma voiture, j'ai besoin d'aide rapidement",
            "Le propriétaire a changé les serrures pendant mon absence, toutes mes affaires sont dedans et je dors chez une amie ce soir, je ne sais pas quoi faire",
            "On nous coupe l'électricité et le chauffage aujourd'hui alors que j'ai un bébé de deux mois : pouvez-vous intervenir auprès du fournisseur en urgence ?",
        ),
    ),
    # Voirie et propreté
    K(
        "voirie",
        False,
        ("Nid de poule", "Chaussée abîmée", "trottoir"),
        (
            "Il y a un gros nid de poule devant le {num} rue {rue}, plusieurs voitures ont déjà abîmé leurs pneus.",
            "Le trottoir de la rue {rue} est complètement défoncé, ma mère a failli tomber avec son déambulateur.",
            "la chaussee s'affaisse au niveau du {num} {rue}, ça s'aggrave avec la pluie",
            "Des pavés se sont descellés sur la place près de la boulangerie, c'est dangereux pour les vélos.",
            "Depuis les travaux du gaz la route n'a jamais été correctement refaite rue {rue} : une tranchée mal rebouchée fait sauter les voitures à chaque passage.",
        ),
    ),
    K(
        "voirie",
        False,
        ("Éclairage public", "Lampadaire", "Réverbère"),
        (
            "Le lampadaire devant chez moi au {num} rue {rue} ne fonctionne plus depuis une semaine.",
            "Toute la rue {rue} est plongée dans le noir le soir, l'éclairage public est en panne.",
            "un réverbère clignote sans arrêt rue {rue}, ça empêche de dormir",
            "L'éclairage reste allumé en plein jour dans l'allée {rue}, c'est du gaspillage.",
            "Plus aucune lumière sur le chemin piéton qui longe l'école depuis la tempête ; les enfants rentrent à la nuit tombée et ne voient rien.",
        ),
    ),
    K(
        "voirie",
        False,
        ("Propreté", "Tags", "Nettoyage"),
        (
            "Des tags ont été faits sur le mur de l'école rue {rue}, pouvez-vous les effacer ?",
            "Les feuilles mortes bouchent les caniveaux de la rue {rue}, quand passe la balayeuse ?",
            "il y a des crottes de chien partout sur le trottoir de la place, c'est degoutant, que fait la mairie",
            "Le banc du square est couvert d'inscriptions et de chewing-gum, est-il prévu de le nettoyer ?",
            "Après le marché du dimanche, cartons et cagettes restent sur la chaussée jusqu'au mercredi : le nettoyage de la voie pourrait-il être programmé plus tôt ?",
        ),
    ),
    K(
        "voirie",
        True,
        ("URGENT arbre tombé", "Danger chaussée", "Inondation rue"),
        (
            "Un arbre est tombé en travers de la rue {rue} suite au vent, la circulation est bloquée.",
            "Une plaque d'égout a été arrachée devant le {num} rue {rue}, il y a un trou béant sur la chaussée.",
            "la rue {rue} est inondée, l'eau monte et les avaloirs sont bouchés !!",
            "Un poteau électrique penche dangereusement au-dessus du trottoir au coin de la rue {rue}.",
            "Une grosse branche menace de s'écraser sur l'arrêt de bus de la rue {rue} où attendent les collégiens chaque matin.",
        ),
    ),
    K(
        "voirie",
        False,
        ("Stationnement travaux", "Autorisation voirie", "Déménagement"),
        (
            "Je déménage le {date} et souhaiterais réserver deux places de stationnement devant le {num} rue {rue} pour le camion.",
            "Quelle est la démarche pour obtenir un arrêté de voirie pour poser un échafaudage sur le trottoir ?",
            "Notre entreprise doit livrer une benne rue {rue}, faut-il une autorisation d'occupation du domaine public ?",
            "Un camion de déménagement peut-il stationner devant chez moi samedi matin ? il faut faire une demande ?",
            "Le couvreur doit installer une nacelle pendant trois jours devant la maison, sur la voie publique ; combien de temps à l'avance faut-il demander l'arrêté ?",
        ),
    ),
    # Écoles et périscolaire
    K(
        "ecoles",
        False,
        ("Inscription scolaire", "Inscription école", "Rentrée"),
        (
            "Je souhaite inscrire mon fils {enfant} en petite section à l'{ecole} pour la rentrée de septembre.",
            "Nous venons d'emménager rue {rue}, dans quelle école notre fille de {age} ans doit-elle être inscrite ?",
            "quels documents faut il pour l'inscription en CP ? mon fils est actuellement en maternelle ailleurs",
            "Est-il possible de demander une dérogation pour que ma fille aille à l'{ecole} plutôt qu'à l'école de notre secteur ?",
            "Nous arrivons de Lyon pendant l'année : notre garçon de {age} ans peut-il intégrer une classe en cours d'année, et qui nous délivre le certificat d'inscription ?",
        ),
    ),
    K(
        "ecoles",
        False,
        ("Cantine", "Restauration scolaire", "Facture cantine"),
        (
            "Je voudrais inscrire mes deux enfants à la cantine de l'{ecole} à partir de lundi.",
            "J'ai reçu la facture de cantine du mois de {mois}, il y a des repas comptés alors que {enfant} était malade.",
            "mon fils a une allergie aux arachides, comment mettre en place un PAI pour la cantine ?",
            "Pouvez-vous me dire le tarif des repas à la cantine selon le quotient familial ?",
            "Ma fille ne mange pas de viande : le restaurant scolaire propose-t-il un menu végétarien, et dois-je le signaler sur le portail famille ?",
        ),
    ),
    K(
        "ecoles",
        False,
        ("Garderie", "Périscolaire", "Centre de loisirs"),
        (
            "Y a-t-il encore des places au centre de loisirs pour les vacances de {vacances} ?",
            "Je souhaite inscrire {enfant} à la garderie du matin à partir de 7h30.",
            "comment on inscrit les enfants au centre aéré cet été ? les inscriptions sont ouvertes ?",
            "L'accueil du soir se termine à quelle heure ? je finis le travail à 18h30.",
            "Mes horaires changent le mois prochain : puis-je passer mon fils de l'étude surveillée à l'accueil périscolaire du mercredi ?",
        ),
    ),
    K(
        "ecoles",
        True,
        ("URGENT enfant école", "Problème école", "Sortie d'école"),
        (
            "Mon fils n'a pas été récupéré par le bus scolaire ce matin et il est seul à l'arrêt, que faire ?",
            "Ma fille a été blessée dans la cour de l'{ecole} et personne ne m'a prévenue !",
            "Il y a une fuite de gaz signalée près de l'école, les enfants sont-ils en sécurité ?",
            "le portail de l'école maternelle reste ouvert pendant les heures de classe, un enfant est sorti seul hier",
            "Personne n'était présent à la garderie ce soir à 18h, mon enfant attendait seul devant la grille fermée.",
        ),
    ),
    # Urbanisme
    K(
        "urbanisme",
        False,
        ("Permis de construire", "Extension", "Déclaration préalable"),
        (
            "Je souhaite construire une extension de 25 m² à ma maison, faut-il un permis de construire ou une déclaration préalable ?",
            "Où en est l'instruction de mon permis de construire déposé le {date} ?",
            "je veux poser des panneaux solaires sur mon toit, il y a une demande a faire en mairie ?",
            "Pouvons-nous construire un abri de jardin de 12 m² en limite de propriété ?",
            "Nous voudrions transformer notre garage en pièce à vivre et créer une fenêtre sur rue : quelle autorisation déposer et quel délai de réponse ?",
        ),
    ),
    K(
        "urbanisme",
        False,
        ("PLU", "Certificat d'urbanisme", "Terrain constructible"),
        (
            "Le terrain situé rue {rue} (parcelle AB {num}) est-il constructible selon le PLU ?",
            "Je voudrais consulter le plan local d'urbanisme, est-il disponible en ligne ?",
            "Pouvez-vous me délivrer un certificat d'urbanisme pour la vente de ma maison ?",
            "quelle hauteur maximum pour une clôture dans la zone UB ?",
            "Un promoteur veut acheter le terrain voisin ; est-ce que la modification du plan local en cours permettrait un immeuble de quatre étages à cet endroit ?",
        ),
    ),
    K(
        "urbanisme",
        False,
        ("Travaux voisin", "Construction illégale", "Infraction urbanisme"),
        (
            "Mon voisin construit un mur de 3 mètres sans aucune autorisation affichée, est-ce normal ?",
            "Des travaux ont commencé au {num} rue {rue} sans panneau de permis, pouvez-vous vérifier ?",
            "le voisin a surélevé son garage et ça nous prive de soleil, il avait le droit ?",
            "Une véranda a été construite en limite de notre terrain, nous pensons qu'elle n'est pas conforme.",
            "Depuis un mois des ouvriers bâtissent un second logement au fond du jardin mitoyen ; aucune affiche n'est visible depuis la rue, qui contrôle cela ?",
        ),
    ),
    K(
        "urbanisme",
        False,
        ("Ravalement", "Clôture", "Façade"),
        (
            "Je souhaite refaire la façade de ma maison en changeant la couleur, faut-il une autorisation ?",
            "Pour remplacer nos fenêtres en bois par du PVC, doit-on déposer un dossier en mairie ?",
            "On veut installer un portail et une clôture, c'est quoi la démarche ?",
            "Quelles couleurs de volets sont autorisées dans le centre ancien ?",
            "La maison est dans le périmètre du monument historique : l'architecte des bâtiments de France doit-il donner son avis pour changer la toiture ?",
        ),
    ),
    # Accueil
    K(
        "accueil",
        False,
        ("Horaires", "Renseignement", "Question"),
        (
            "Quels sont les horaires d'ouverture de la mairie le samedi matin ?",
            "La mairie est-elle ouverte pendant le pont du {date} ?",
            "bonjour a quelle heure ferme l'accueil le mercredi",
            "Je voudrais savoir à quel service m'adresser pour une question, pouvez-vous me renseigner ?",
            "Je n'arrive pas à joindre le standard depuis ce matin, le numéro a-t-il changé et jusqu'à quand puis-je passer au guichet aujourd'hui ?",
        ),
    ),
    K(
        "accueil",
        False,
        ("Attestation", "Justificatif", "Certificat de résidence"),
        (
            "J'ai besoin d'une attestation de domicile, la mairie peut-elle en délivrer une ?",
            "Pouvez-vous me fournir un certificat de vie pour ma caisse de retraite étrangère ?",
            "comment faire une attestation d'accueil pour un membre de ma famille qui vient me voir ?",
            "Pouvez-vous certifier conforme la copie de mon diplôme ?",
            "Ma banque demande un justificatif prouvant que j'habite la commune depuis cinq ans : quel document la mairie peut-elle établir ?",
        ),
    ),
    K(
        "accueil",
        False,
        ("Objet trouvé", "Perdu", "Réclamation"),
        (
            "J'ai perdu mon portefeuille sur le marché samedi, quelqu'un l'a-t-il rapporté en mairie ?",
            "Je souhaite faire une réclamation sur l'accueil que j'ai reçu au guichet hier.",
            "j'ai trouvé un trousseau de clés devant la poste, je peux le déposer chez vous ?",
            "Mon message du mois dernier est resté sans réponse, à qui dois-je m'adresser ?",
            "Mes lunettes de vue sont restées dans la salle d'attente lors de mon passage de mardi ; ont-elles été mises de côté ?",
        ),
    ),
    # Élections et recensement
    K(
        "elections",
        False,
        ("Inscription listes électorales", "Élections", "Vote"),
        (
            "Je viens d'emménager, comment m'inscrire sur les listes électorales de la commune ?",
            "Je ne suis pas sûr d'être inscrit pour voter, comment vérifier ma situation électorale ?",
            "jusqu'a quand peut on s'inscrire pour voter aux prochaines élections ?",
            "Je n'ai pas reçu ma carte électorale, est-ce normal ?",
            "Ressortissant belge installé ici depuis {age} ans, ai-je le droit de participer aux municipales et faut-il une démarche particulière ?",
        ),
    ),
    K(
        "elections",
        False,
        ("Procuration", "Bureau de vote", "Assesseur"),
        (
            "Je serai absent le jour du scrutin, comment donner procuration à ma sœur ?",
            "Dans quel bureau de vote dois-je aller ? J'habite rue {rue}.",
            "je voudrais être assesseur dans un bureau de vote, c'est possible ?",
            "Le bureau de vote de l'{ecole} est-il accessible en fauteuil roulant ?",
            "Mon mari hospitalisé ne pourra pas se déplacer dimanche : un policier peut-il venir recueillir sa procuration à l'hôpital ?",
        ),
    ),
    K(
        "elections",
        False,
        ("Recensement citoyen", "JDC", "Attestation de recensement"),
        (
            "Mon fils a eu 16 ans le mois dernier, comment faire son recensement citoyen ?",
            "J'ai perdu l'attestation de recensement, on me la demande pour le permis de conduire.",
            "ma fille a oublié de se faire recenser a 16 ans, elle en a 18, c'est grave ?",
            "Le recensement militaire peut-il se faire en ligne ou faut-il venir en mairie ?",
            "Mon neveu doit passer son code de la route et l'auto-école réclame la preuve qu'il s'est déclaré à seize ans : comment l'obtenir ?",
        ),
    ),
    # Déchets et environnement
    K(
        "dechets",
        False,
        ("Collecte", "Poubelles non ramassées", "Ramassage"),
        (
            "Les poubelles de la rue {rue} n'ont pas été ramassées cette semaine.",
            "Quel est le jour de collecte des ordures ménagères dans mon quartier ?",
            "le camion est passé mais n'a pas vidé notre bac jaune, il y avait pourtant que des emballages",
            "Les jours de ramassage changent-ils pendant les fêtes de fin d'année ?",
            "Depuis le nouveau calendrier, les sacs du tri restent devant les immeubles de la résidence jusqu'au lendemain soir ; le passage a-t-il été décalé ?",
        ),
    ),
    K(
        "dechets",
        False,
        ("Bac cassé", "Conteneur", "Composteur"),
        (
            "Notre bac à ordures est cassé (roue arrachée), comment obtenir un remplacement ?",
            "Je souhaite un composteur pour mon jardin, la commune en distribue-t-elle ?",
            "on a emménagé et il n'y a pas de poubelle dans la maison, comment en avoir une",
            "Mon conteneur de tri a été volé devant chez moi, que dois-je faire ?",
            "Nous sommes désormais six à la maison : peut-on échanger notre petite poubelle grise contre un modèle plus grand ?",
        ),
    ),
    K(
        "dechets",
        False,
        ("Encombrants", "Déchèterie", "Dépôt sauvage"),
        (
            "Comment faire enlever un vieux canapé et un matelas ? Y a-t-il un ramassage des encombrants ?",
            "Quels sont les horaires de la déchèterie et faut-il un badge ?",
            "quelqu'un a jeté des sacs de gravats et des pneus au bout du chemin {rue}, c'est un depot sauvage",
            "Où puis-je déposer des pots de peinture et des piles usagées ?",
            "Notre vieux réfrigérateur ne rentre pas dans la voiture ; la collectivité propose-t-elle de venir le chercher à domicile, et est-ce payant ?",
        ),
    ),
    K(
        "dechets",
        False,
        ("Environnement", "Pollution", "Espaces verts"),
        (
            "Une odeur d'égout très forte se dégage du ruisseau derrière la rue {rue}.",
            "Est-il autorisé de brûler des déchets verts dans son jardin ?",
            "des poissons morts flottent dans l'étang communal, il y a peut être une pollution",
            "Quand aura lieu la prochaine distribution de compost gratuit ?",
            "Une entreprise du secteur rejette une fumée noire tous les soirs vers 22h, l'air devient irrespirable dans le lotissement.",
        ),
    ),
    # Police municipale
    K(
        "police-municipale",
        False,
        ("Nuisances sonores", "Bruit", "Voisinage"),
        (
            "Mon voisin du {num} rue {rue} fait la fête tous les week-ends jusqu'à 4h du matin.",
            "Un chien aboie sans arrêt toute la journée dans la maison d'à côté, nous n'en pouvons plus.",
            "les jeunes font du rodeo en moto tous les soirs sur le parking rue {rue}",
            "Des travaux bruyants ont lieu le dimanche chez le voisin, est-ce autorisé ?",
            "La terrasse du bar en bas de chez moi garde la musique à fond bien après minuit, nos enfants ne dorment plus.",
        ),
    ),
    K(
        "police-municipale",
        False,
        ("Stationnement gênant", "Véhicule abandonné", "Fourrière"),
        (
            "Une voiture est garée sur le trottoir devant chez moi depuis trois semaines et ne bouge plus.",
            "Des véhicules stationnent tous les jours devant mon garage, je ne peux plus sortir.",
            "ma voiture a ete enlevee par la fourriere, ou puis je la recuperer ?",
            "Un camping-car est installé sur le parking du stade depuis un mois, est-ce autorisé ?",
            "Une épave sans plaques rouille depuis l'été au bout de l'impasse {rue}, les pneus sont crevés et des enfants jouent dedans.",
        ),
    ),
    K(
        "police-municipale",
        True,
        ("URGENT sécurité", "Danger", "Agression"),
        (
            "Un chien errant agressif rôde près de l'{ecole}, il a failli mordre un enfant.",
            "Des individus squattent le local à vélos de notre immeuble et nous menacent.",
            "il y a une voiture qui roule à toute vitesse tous les matins devant l'école, un jour il y aura un accident",
            "Des vitres de voitures ont été cassées cette nuit rue {rue}, la mienne comprise.",
            "Un homme a suivi ma fille à la sortie du collège hier et rôdait encore ce matin devant la grille ; pouvez-vous envoyer une patrouille ?",
        ),
    ),
    K(
        "police-municipale",
        False,
        ("Objets trouvés police", "Animal", "Chiens dangereux"),
        (
            "Je dois déclarer mon chien de catégorie 2, faut-il passer en mairie pour le permis de détention ?",
            "J'ai trouvé un chat blessé dans la rue, qui contacter ?",
            "Notre chien s'est échappé hier soir, a-t-il été récupéré par la fourrière animale ?",
            "comment faire un permis de detention pour un rottweiler",
            "Un troupeau de moutons échappé d'un pré divague sur la départementale près du rond-point ; à qui appartient-il ?",
        ),
    ),
    # Cimetière et affaires funéraires
    K(
        "cimetiere",
        False,
        ("Concession", "Cimetière", "Renouvellement concession"),
        (
            "La concession de mes grands-parents arrive à échéance, comment la renouveler ?",
            "Je souhaite acheter une concession au cimetière communal, quels sont les tarifs ?",
            "on a reçu un avis disant que la tombe de notre famille est en état d'abandon, que faire",
            "Est-il possible de réserver une case au columbarium ?",
            "Un panneau a été posé sur le caveau de mon oncle annonçant une reprise ; nous voulons conserver l'emplacement, combien coûte une prolongation de trente ans ?",
        ),
    ),
    K(
        "cimetiere",
        True,
        ("Inhumation", "Obsèques", "Décès"),
        (
            "Mon père est décédé hier, les pompes funèbres demandent l'autorisation d'inhumation dans le caveau familial.",
            "Nous organisons les obsèques de ma mère vendredi, faut-il une autorisation pour la dispersion des cendres au jardin du souvenir ?",
            "le corps de mon mari doit etre transporté en Italie pour l'enterrement, quelles autorisations ?",
            "Les obsèques ont lieu après-demain et le caveau doit être ouvert, à qui s'adresser ?",
            "Ma grand-mère vient de nous quitter ; la cérémonie est prévue jeudi et l'entreprise funéraire attend l'accord de la commune pour l'urne dans la sépulture de son époux.",
        ),
    ),
    K(
        "cimetiere",
        False,
        ("Entretien cimetière", "Tombe", "Horaires cimetière"),
        (
            "Les allées du cimetière sont envahies d'herbes, quand est prévu l'entretien ?",
            "Des fleurs et une plaque ont été volées sur la tombe de mon fils.",
            "a quelle heure ouvre le cimetiere le dimanche ?",
            "Un arbre du cimetière a endommagé la pierre tombale de ma famille.",
            "Le robinet près du carré militaire ne donne plus d'eau, impossible d'arroser les plantes sur la sépulture de mes parents.",
        ),
    ),
    # Petite enfance
    K(
        "petite-enfance",
        False,
        ("Crèche", "Place en crèche", "Multi-accueil"),
        (
            "Je suis enceinte de 5 mois et souhaite inscrire mon bébé à la crèche municipale.",
            "Où en est notre demande de place en crèche déposée en {mois} ?",
            "comment se passe l'attribution des places en creche ? il y a une commission ?",
            "La crèche peut-elle accueillir notre fils deux jours par semaine seulement ?",
            "Nous reprenons tous les deux le travail quand notre fille aura quatre mois : quelle structure d'accueil collectif pour tout-petits pourrait la prendre à ce moment-là ?",
        ),
    ),
    K(
        "petite-enfance",
        False,
        ("Assistante maternelle", "RPE", "Mode de garde"),
        (
            "Pouvez-vous me transmettre la liste des assistantes maternelles agréées de la commune ?",
            "Je cherche une nounou pour mon bébé de {mois_bebe} mois près de la rue {rue}.",
            "c'est quoi le relais petite enfance et comment ça marche ?",
            "Je suis assistante maternelle et voudrais participer aux ateliers du relais.",
            "Notre nourrice part à la retraite en juin ; qui peut nous aider à trouver une autre professionnelle agréée pour garder nos jumeaux de dix-huit mois ?",
        ),
    ),
    # Vie associative, sport et culture
    K(
        "vie-associative",
        False,
        ("Location salle", "Salle des fêtes", "Réservation salle"),
        (
            "Je voudrais louer la {salle} pour un anniversaire le samedi {date}, est-elle disponible ?",
            "Quel est le tarif de location de la {salle} pour les habitants de la commune ?",
            "peut on louer une salle pour un repas de famille d'une cinquantaine de personnes ?",
            "Notre association souhaite réserver une salle tous les jeudis soir pour des répétitions.",
            "Pour le baptême de notre petit-fils fin {mois}, nous cherchons un lieu municipal pouvant accueillir quatre-vingts convives avec une cuisine équipée.",
        ),
    ),
    K(
        "vie-associative",
        False,
        ("Subvention association", "Association", "Forum"),
        (
            "Notre association {asso} souhaite déposer une demande de subvention pour l'année prochaine.",
            "Comment inscrire notre club au forum des associations de septembre ?",
            "on voudrait créer une association de quartier, la mairie peut nous aider ?",
            "Pouvons-nous emprunter des tables et des barnums pour la fête de notre association ?",
            "Le {asso} organise un tournoi caritatif en {mois} et aimerait un soutien financier de la ville ainsi que le prêt de la sono municipale.",
        ),
    ),
    K(
        "vie-associative",
        False,
        ("Sport", "Médiathèque", "Culture"),
        (
            "Quels sont les horaires de la piscine municipale pendant les vacances ?",
            "Comment s'inscrire à la médiathèque et est-ce gratuit pour les enfants ?",
            "le gymnase est il disponible le dimanche pour notre club de badminton ?",
            "Y a-t-il des cours de musique pour adultes à l'école municipale ?",
            "Mon fils aimerait pratiquer le judo ou la boxe ; quels clubs sportifs accueillent les enfants de neuf ans dans la commune et où trouver leurs coordonnées ?",
        ),
    ),
]

# --- the noise around a request -------------------------------------------------------------------

OPENINGS = [
    "Bonjour,",
    "Bonjour,",
    "Bonjour Madame, Monsieur,",
    "Madame, Monsieur,",
    "Bonsoir,",
    "Bjr",
    "Monsieur le Maire,",
    "Bonjour à tous,",
    "Hello,",
    "Mesdames, Messieurs,",
    "",
    "",
    "Bonjour Mme la Maire,",
    "Bonjour, je me permets de vous écrire.",
]
INTROS = [
    "",
    "",
    "",
    "Je me permets de vous contacter car ",
    "Je vous écris au sujet de la chose suivante : ",
    "Suite à mon appel de ce matin, ",
    "Une petite question : ",
    "Je reviens vers vous car ",
    "Voilà, ",
    "Excusez-moi de vous déranger mais ",
    "Sur les conseils de l'accueil, ",
    "Je vous sollicite car ",
]
DETAILS = [
    "J'ai déjà appelé la semaine dernière mais personne n'a pu me répondre.",
    "Je suis joignable en journée au 06 {tel}.",
    "Je travaille en horaires décalés, merci de me répondre par mail.",
    "Je vous joins les documents que j'ai.",
    "C'est la deuxième fois que je vous écris à ce sujet.",
    "Merci de votre compréhension.",
    "Je reste disponible pour tout renseignement complémentaire.",
    "Je ne suis pas très à l'aise avec internet, d'où mon message.",
    "Mon numéro de dossier est le {num}{num}.",
    "Ma voisine m'a dit de vous écrire directement.",
    "Je vous remercie de bien vouloir me tenir informé(e).",
    "J'habite au {num} rue {rue}.",
    "Je précise que je suis en situation de handicap.",
    "PS : pouvez-vous me rappeler plutôt le matin ?",
]
URGENT_CUES = [
    "C'est urgent !",
    "Merci de traiter ma demande au plus vite, c'est très urgent.",
    "Il y a un réel danger, merci d'intervenir rapidement.",
    "URGENT svp",
    "Je n'ai plus aucune solution, merci de me répondre dès que possible.",
    "La situation est grave, intervenez immédiatement s'il vous plaît.",
]
CLOSINGS = [
    "Cordialement,",
    "Cordialement",
    "Bien cordialement,",
    "Merci d'avance,",
    "Merci par avance pour votre aide.",
    "Dans l'attente de votre réponse, veuillez agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
    "Bonne journée",
    "Bien à vous,",
    "Merci !",
    "Sincères salutations",
    "",
    "cdt",
]
FIRST_NAMES = [
    "Nathalie", "Stéphane", "Isabelle", "Christophe", "Sandrine", "Julien", "Aurélie",
    "Mohamed", "Sophie", "Thomas", "Céline", "Nicolas", "Fatima", "Sébastien", "Émilie",
    "Karim", "Valérie", "Jean-Pierre", "Marie-Claude", "Kevin", "Léa", "Yannick", "Inès",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Haddad",
    "Nguyen", "Rousseau", "Fontaine", "Chevalier", "Marchal", "Klein", "Schmitt",
]  # fmt: skip
CHILD_NAMES = ["Lucas", "Emma", "Léo", "Jade", "Hugo", "Louise", "Nolan", "Chloé", "Adam", "Lina"]
SCHOOLS = ["école Jules Ferry", "école des Tilleuls", "école Pasteur", "école du Centre",
           "école maternelle Les Lilas", "école Marie Curie"]  # fmt: skip
HALLS = ["salle des fêtes", "salle Pierre Mendès", "salle polyvalente", "salle du Moulin"]
ASSOCIATIONS = ["Les Amis du Patrimoine", "FC Mont-Bonvillers", "Club de l'Amitié",
                "Comité des fêtes", "Judo Club", "Les Petits Loups"]  # fmt: skip
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "septembre",
          "octobre", "novembre", "décembre"]  # fmt: skip
HOLIDAYS = ["la Toussaint", "Noël", "février", "printemps", "cet été"]
FILES = ["retraite", "mariage", "naturalisation", "succession", "passeport"]
SIGNATURE_EXTRAS = [
    "Envoyé de mon iPhone",
    "Envoyé depuis mon appareil Samsung Galaxy",
    "Tél : 06 {tel}",
    "{num} rue {rue}\n54084 Mont-Bonvillers",
    "Obtenir Outlook pour Android",
    "",
    "",
    "",
]
# Earlier exchanges quoted under a reply or forwarded: often about another topic.
HISTORY = [
    "Le {date} à 10:12, Mairie de Mont-Bonvillers <mairie@mont-bonvillers.fr> a écrit :\n"
    "> Madame, Monsieur,\n> Nous accusons réception de votre demande.\n"
    "> Cordialement,\n> L'accueil de la mairie",
    "-------- Message transféré --------\nDe : {prenom} {nom2}\n"
    "Objet : Re: votre demande\n\nBonjour, je transmets à la mairie comme convenu.",
    "> Le {date}, {prenom} a écrit :\n> Tu as pensé à écrire à la mairie ?\n> Bisous",
    "-----Message d'origine-----\nDe : accueil@mont-bonvillers.fr\nObjet : Votre demande\n"
    "Votre message a bien été transmis au service concerné.",
]
SMS_STYLE = [
    (r"\bbonjour\b", "bjr"),
    (r"\bs'il vous plaît\b", "svp"),
    (r"\bpour\b", "pr"),
    (r"\bquelque\b", "qlq"),
    (r"\bbeaucoup\b", "bcp"),
    (r"\bmerci\b", "mrc"),
    (r"\bje suis\b", "jsuis"),
    (r"\brendez-vous\b", "rdv"),
]
GENERIC_SUBJECTS = ["Demande", "Question", "Renseignement", "Demande d'information", "Bonjour",
                    "Message", "Réclamation", "Besoin d'aide", "(sans objet)", "Mairie"]  # fmt: skip
STREETS_FALLBACK = ["de la Gare", "Victor Hugo", "des Écoles", "du Moulin", "Pasteur",
                    "de la République", "des Jardins", "Saint-Nicolas"]  # fmt: skip


def _streets() -> list[str]:
    """Real street names of the demo town (Base Adresse Nationale), without 'Rue'."""
    from django.conf import settings

    path = Path(settings.PARVIS_SHARED_DATA) / "ban" / "adresses-54084.csv"
    names = set()
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                name = row.get("voie_nom", "")
                name = re.sub(r"^(rue|avenue|place|chemin|allée|impasse)\s+", "", name, flags=re.I)
                if name:
                    names.add(name)
    return sorted(names) or STREETS_FALLBACK


def _fill(template: str, rng: random.Random, streets: list[str]) -> str:
    values = {
        "rue": rng.choice(streets),
        "num": str(rng.randint(1, 120)),
        "date": f"{rng.randint(1, 28)} {rng.choice(MONTHS)}",
        "enfant": rng.choice(CHILD_NAMES),
        "enfant2": rng.choice(CHILD_NAMES),
        "ecole": rng.choice(SCHOOLS),
        "age": str(rng.randint(3, 11)),
        "age_vieux": str(rng.randint(78, 96)),
        "annee": str(rng.randint(1950, 2015)),
        "mois": rng.choice(MONTHS),
        "mois_bebe": str(rng.randint(2, 14)),
        "vacances": rng.choice(HOLIDAYS),
        "salle": rng.choice(HALLS),
        "asso": rng.choice(ASSOCIATIONS),
        "dossier": rng.choice(FILES),
        "prenom": rng.choice(FIRST_NAMES),
        "nom2": rng.choice(LAST_NAMES),
        "tel": " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4)),
    }
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def _strip_accents(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def _typos(text: str, rng: random.Random, rate: float) -> str:
    """Swapped, dropped and doubled letters, as typed in a hurry on a phone."""
    chars = list(text)
    out = []
    i = 0
    while i < len(chars):
        ch = chars[i]
        roll = rng.random()
        if ch.isalpha() and roll < rate:
            kind = rng.randrange(3)
            if kind == 0 and i + 1 < len(chars) and chars[i + 1].isalpha():
                out += [chars[i + 1], ch]
                i += 2
                continue
            if kind == 1:
                i += 1
                continue
            out += [ch, ch]
        else:
            out.append(ch)
        i += 1
    return "".join(out)


@dataclass
class Example:
    text: str
    label: str
    urgency: str  # "urgent" or "normal"
    source: str  # "email:<kind>:<phrasing>" or "fiche:<id>"


def _email(kind_index: int, phrasing: int, rng: random.Random, streets: list[str]) -> Example:
    kind = KINDS[kind_index]
    core = _fill(kind.phrasings[phrasing], rng, streets)
    intro = rng.choice(INTROS)
    if intro and core[:1].isupper() and not intro.endswith(". "):
        core = core[0].lower() + core[1:]
    parts = [intro + core]
    if rng.random() < 0.45:
        parts.append(_fill(rng.choice(DETAILS), rng, streets))
    if rng.random() < 0.12:
        # A second, secondary topic from another service, as people do.
        other = rng.choice([k for k in KINDS if k.service != kind.service])
        aside = _fill(rng.choice(other.phrasings[:-1]), rng, streets)
        parts.append("Autre chose : " + aside[0].lower() + aside[1:])
    urgent = kind.urgent
    if rng.random() < (0.5 if kind.urgent else 0.07):
        parts.append(rng.choice(URGENT_CUES))
        urgent = True
    if kind.urgent and rng.random() < 0.15:
        urgent = True
    body = " ".join(parts) if rng.random() < 0.5 else "\n".join(parts)
    opening = rng.choice(OPENINGS)
    closing = rng.choice(CLOSINGS)
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    if rng.random() < 0.3:
        name = name.split()[0] + " " + name.split()[-1].upper()
    signature = "\n".join(
        s
        for s in [
            name if rng.random() < 0.85 else "",
            _fill(rng.choice(SIGNATURE_EXTRAS), rng, streets),
        ]
        if s
    )
    lines = [opening, "", body, "", closing, signature]
    text = "\n".join(line for line in lines if line is not None).strip()
    if rng.random() < 0.15:
        text += "\n\n" + _fill(rng.choice(HISTORY), rng, streets)
    # Noise: no accents, lower case, SMS abbreviations, typos.
    if rng.random() < 0.25:
        text = _strip_accents(text)
    if rng.random() < 0.12:
        text = text.lower()
    if rng.random() < 0.15:
        for pattern, short in SMS_STYLE:
            text = re.sub(pattern, short, text, flags=re.IGNORECASE)
    if rng.random() < 0.35:
        text = _typos(text, rng, rate=rng.choice([0.01, 0.02, 0.04]))
    # The last subject of a kind, like its last phrasing, is kept for the test set.
    subjects = kind.subjects[-1:] if phrasing == len(kind.phrasings) - 1 else kind.subjects[:-1]
    roll = rng.random()
    subject = (
        rng.choice(subjects) if roll < 0.6 else rng.choice(GENERIC_SUBJECTS) if roll < 0.85 else ""
    )
    if subject and rng.random() < 0.2:
        subject = rng.choice(["RE: ", "TR: ", "Fwd: "]) + subject
    if subject:
        text = f"{subject}\n{text}"
    return Example(
        text=text,
        label=kind.service,
        urgency="urgent" if urgent else "normal",
        source=f"email:{kind_index}:{phrasing}",
    )


def fiche_examples() -> list[Example]:
    """The real service-public.fr questions (titles) of the folders a town hall answers."""
    from django.conf import settings

    path = Path(settings.PARVIS_SHARED_DATA) / "service-public" / "fiches.jsonl"
    if not path.exists():
        return []
    examples = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            fiche = json.loads(line)
            service = FICHE_DOSSIERS.get(fiche.get("dossier", ""))
            if service:
                text = f"{fiche['title']}\n{fiche['dossier']}"
                examples.append(Example(text, service, "normal", f"fiche:{fiche['id']}"))
    return examples


def article_examples() -> list[Example]:
    """The town hall's own knowledge-base articles, paragraph by paragraph, labelled by the
    service that writes them: the vocabulary of each service in its own words. Training only."""
    examples = []
    path = DATA_DIR / "town_articles.jsonl"
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            article = json.loads(line)
            service = article["services"][0]
            for paragraph in article["body"].split("\n"):
                if len(paragraph) > 40:
                    examples.append(
                        Example(
                            f"{article['title']}\n{paragraph}",
                            service,
                            "normal",
                            f"article:{article['id']}",
                        )
                    )
    return examples


def _is_test_fiche(fiche_id: str) -> bool:
    return int(hashlib.sha256(fiche_id.encode()).hexdigest(), 16) % 5 == 0


def generate(count: int = 2500, seed: int = 4, test_share: float = 0.2, varied: int = 20_000):
    """(train, test) examples: `count` emails plus the mapped fact-sheet titles; the training
    side also gets `varied` requests composed from the lexicon of variety.py (training only:
    the held-out set is the same with or without them)."""
    rng = random.Random(seed)
    streets = _streets()
    train, test = [], []
    for index in range(count):
        kind_index = index % len(KINDS)
        kind = KINDS[kind_index]
        is_test = rng.random() < test_share
        if is_test:
            phrasing = len(kind.phrasings) - 1
        else:
            phrasing = rng.randrange(len(kind.phrasings) - 1)
        (test if is_test else train).append(_email(kind_index, phrasing, rng, streets))
    for example in fiche_examples():
        (test if _is_test_fiche(example.source[6:]) else train).append(example)
    train.extend(article_examples())
    rng.shuffle(train)
    rng.shuffle(test)
    if varied:
        from . import variety

        train.extend(variety.generate(varied, seed=seed + 1))
        random.Random(seed + 2).shuffle(train)
    return train, test


def write_csv(path: Path, examples: list[Example]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "urgency", "source"])
        for example in examples:
            writer.writerow([example.text, example.label, example.urgency, example.source])


def read_csv(path) -> list[Example]:
    """A labelled CSV with at least `text,label` (urgency and source optional)."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"text", "label"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        rows = []
        for row in reader:
            if (row.get("label") or "").strip():
                rows.append(
                    Example(
                        row["text"] or "",
                        row["label"].strip(),
                        (row.get("urgency") or "normal").strip() or "normal",
                        row.get("source") or "",
                    )
                )
    return rows
