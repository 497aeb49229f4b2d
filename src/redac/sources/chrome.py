"""Page chrome, one whole line at a time: skip links, share widgets, cookie and subscription banners,
bylines, breadcrumbs, footers ("Aller au contenu", "Partager sur Facebook", "© ... Mentions légales").

Every rule matches a whole line, so a story sentence that merely mentions a cookie is kept.
"""

from __future__ import annotations

import re

from redac.text import count_words


def whole_line(pattern: str) -> re.Pattern[str]:
    """A case-blind regex for a line that is ``pattern`` alone, give or take punctuation and arrows around it."""
    return re.compile(rf"^\W*(?:{pattern})[\s:.!»›>\-–—|]*$", re.I)


_SUBSCRIBE = r"(?:s'abonner|abonnez-vous|je\s+m'abonne|m'abonner|subscribe)"
_ACCOUNT_ITEM = re.compile(rf"^\W*(?:{_SUBSCRIBE}\b.{{0,40}}|(?:abonnement|offre)\b.{{0,40}}"
                           r"(?:€|offert|mois|gratuit)|se\s+connecter|connexion|connectez-vous|"
                           r"déjà\s+abonné\s*\?.{0,20}|mon\s+compte|"
                           r"mon\s+espace|s'identifier|s'inscrire|inscription|log\s*in|sign\s*in)\W*$", re.I)
_FOOTER_ITEM = re.compile(r"^\W*(?:mentions\s+légales|politique\s+de\s+confidentialité|(?:gérer|gestion\s+de)\s+"
                          r"(?:mes|vos|des)\s+cookies|cookies|cgu|cgv|contact|nous\s+contacter|contactez-nous|"
                          r"plan\s+du\s+site|publicité|annonceurs|qui\s+sommes-nous|accessibilité|données\s+"
                          r"personnelles|conditions\s+générales.{0,30}|privacy\s+policy|terms\s+of\s+(?:use|service))"
                          r"\W*$", re.I)
_RIGHTS = re.compile(r"tous\s+droits\s+réservés|all\s+rights\s+reserved|reproduction\s+interdite", re.I)


def _items(line: str) -> list[str]:
    return [x for x in re.split(r"\s*(?:[|·•/]|\s[–—-]\s)\s*", line) if x.strip()]


def _is_footer(line: str) -> bool:
    """"© Le Courrier – Mentions légales – Politique de confidentialité": every item is legal small print."""
    if count_words(line) > 40:
        return False
    items = _items(line)
    small_print = [bool(_FOOTER_ITEM.match(x) or _RIGHTS.search(x)) for x in items]
    if len(items) < 2 and not _RIGHTS.search(line):  # a lone "Publicité" or "Contact" is not a footer
        return False
    return any(small_print) and all(p or ("©" in x and count_words(x) <= 8) for p, x in zip(small_print, items,
                                                                                                 strict=True))


def _account_kind(line: str) -> str | None:
    """"S'abonner | Se connecter", "Connexion | Abonnement 1 € le premier mois": the account menu."""
    items = _items(line)
    if not items or count_words(line) > 20 or not all(_ACCOUNT_ITEM.match(x) for x in items):
        return None
    return "subscription" if re.search(rf"{_SUBSCRIBE}|abonn", line, re.I) else "navigation"


_CHROME: list[tuple[str, object]] = [
    ("skip_link", whole_line(r"(?:aller|passer|accéder|sauter|revenir)\s+(?:directement\s+)?(?:au|à la|aux|à)\s+"
                              r"(?:contenu(?:\s+principal)?|menu|navigation|recherche|pied de page|sommaire)"
                              r"|skip\s+to\s+(?:main\s+)?(?:content|navigation|menu)")),
    ("comments", whole_line(r"(?:\d+\s+)?commentaires?|(?:\d+\s+)?réactions?|commentaires?\s*\(\s*\d+\s*\)|"
                             r"(?:laisser|ajouter|voir|afficher|lire)\s+(?:un|les|des|le)\s+commentaires?|"
                             r"(?:voir|afficher|lire|charger)\s+(?:plus\s+de\s+|les\s+(?:\d+\s+)?(?:autres\s+)?|"
                             r"tous\s+les\s+(?:\d+\s+)?)commentaires?(?:\s+suivants)?|"
                             r"réagir(?:\s+à\s+(?:cet|l')\s*article)?(?:\s*\(\s*\d+\s+commentaires?\s*\))?|réagissez|"
                             r"commenter|(?:connectez-vous|identifiez-vous|inscrivez-vous|abonnez-vous)\s+pour\s+"
                             r"(?:réagir|commenter|laisser\s+un\s+commentaire)|vous\s+devez\s+être\s+(?:connecté|abonné|"
                             r"inscrit|identifié)e?s?\s+pour\s+(?:commenter|réagir|laisser\s+un\s+commentaire)|"
                             r"(?:\d+\s+)?comments?|leave\s+a\s+(?:comment|reply)|signaler\s+(?:un\s+)?(?:abus|contenu)")),
    ("member_banner", whole_line(r"membres?(?:\s+(?:publique|public|premium|uniquement))?|publique|"
                                  r"(?:article\s+|contenu\s+)?réservé\s+aux\s+abonnés|abonnés?|premium|"
                                  r"exclusivité\s+abonnés|members?\s+only|subscribers?\s+only")),
    ("share", whole_line(r"(?:(?:partager|partagez|share|tweeter|tweet|envoyer|imprimer|print|copier\s+le\s+lien|"
                          r"copy\s+link|cet\s+article|l'article|this\s+article|sur|on|par|via|facebook|twitter|x|"
                          r"linkedin|whatsapp|messenger|pinterest|telegram|e-?mail|mail|flipboard|reddit|bluesky)"
                          r"[\s|·•,/:]*)+")),
    ("footer", _is_footer),
    ("navigation", lambda line: _is_breadcrumb(line)),
    ("newsletter", re.compile(r"^(?=.*\bnewsletters?\b)(?!.*[.!?]\s+\S).{0,200}$|^\W*newsletters?\b.{0,250}$"
                              r"|^(?=.*\b(?:newsletters?|lettre d'information|recevez|recevoir|e-?mail|alertes?)\b)"
                              r".{0,250}(?:\b(?:s'inscrire|je m'inscris|inscrivez-vous|je m'abonne|subscribe|sign up)"
                              r"\s*[!\]]?|\[\s*(?:ok|valider|envoyer)\s*\])\s*$"
                              r"|^\W*(?:je m'inscris|s'inscrire|inscrivez-vous|sign up)\W*$"
                              r"|^\W*votre\s+(?:adresse\s+)?e-?mail\W*$", re.I)),
    ("subscription", re.compile(rf"^\W*{_SUBSCRIBE}\b(?!.*\.$).{{0,100}}$|^\W*déjà\s+abonné\s*\?.{{0,30}}$"
                                r"|^\W*(?:abonnement|offre)\b(?!.*\.$)(?=.*(?:€|offert|premier\s+mois)).{0,80}$",
                                re.I)),
    ("account", _account_kind),  # returns "subscription" or "navigation"
    ("advert", whole_line(r"publicité|pub|advertisement|advertising|annonce|contenu\s+sponsorisé|sponsorisé|"
                           r"sponsored(?:\s+content)?|contenu\s+partenaire|publi-?rédactionnel")),
    ("advert", re.compile(r"^\W*(?:contenu\s+)?(?:sponsorisé|sponsored|partenaire|publi-?rédactionnel|publicité)\s*"
                          r"[·•|]\s*[^.!?]{0,200}[.!?]?$", re.I)),
    ("cookie_banner", re.compile(r"^(?=.*\bcookies?\b)(?=.*\b(?:accept|consent|utilis|paramétr|politique|traceurs|"
                                 r"we use|nous utilisons|préférences|preferences)).{0,600}$|^\W*(?:tout accepter|"
                                 r"accepter(?:\s+et\s+fermer)?|tout refuser|refuser|continuer sans accepter|"
                                 r"paramétrer(?:\s+les\s+cookies)?|personnaliser|gérer mes choix|j'accepte|"
                                 r"accept all|reject all|manage (?:cookies|preferences))\W*$", re.I)),
    ("cookie_banner", whole_line(r"nous\s+respectons\s+votre\s+vie\s+privée|(?:respect\s+de\s+)?votre\s+vie\s+privée|"
                                  r"gestion\s+de\s+vos\s+préférences|(?:vos|gérer\s+(?:mes|vos))\s+préférences|"
                                  r"paramètres\s+(?:des\s+cookies|de\s+confidentialité)|your\s+privacy(?:\s+choices)?")),
    ("photo_credit", re.compile(r"^\W*(?i:©|\(c\)|copyright|crédits?(?:\s+photos?)?\s*:|photos?\s*:|"
                                r"illustration\s*:|image\s*:)\s*[^.!?]{0,80}$"
                                r"|^\(?(?:[\w .'-]{0,30}/\s*)?(?:AFP|Reuters|REUTERS|AP|Getty Images|EPA|"
                                r"Sipa|SIPA|Maxppp|MAXPPP|Abaca|ABACA|PA|Hans Lucas)(?:\s*/\s*[\w .'-]{1,40})?\)?$")),
    ("byline", re.compile(r"^(?:[Pp]ar|[Bb]y)\s+[A-ZÀ-Þ][\w'-]+(?:\s+[A-ZÀ-Þ][\w'-]+){0,3}(?:\s*(?:,|et|and|"
                          r"avec|—|-|\||·|•)\s*[^.!?]*)?$|^\W*(?:publié|mis à jour|modifié|actualisé|posted|"
                          r"updated|published)\s+(?:le|à|il y a|on|at)\b[^.!?]{0,80}$", re.I)),
    ("byline", whole_line(r"(?:temps\s+de\s+)?lecture\s*:?\s*\d+\s*min(?:utes?)?|\d+\s*min(?:utes?)?\s+de\s+lecture|"
                           r"le\s+\d{1,2}/\d{1,2}(?:/\d{2,4})?(?:\s*(?:à|-|,)?\s*\d{1,2}\s*[h:]\s*\d{2})?|"
                           r"\d{1,2}/\d{1,2}(?:/\d{2,4})?\s*(?:à|-|,)?\s*\d{1,2}\s*[h:]\s*\d{2}")),
    ("navigation", whole_line(r"accueil|home|menu|rechercher|recherche|search|se connecter|connexion|mon compte|"
                              r"log in")),
    ("footer", whole_line(r".{0,60}tous droits réservés.{0,60}|.{0,60}all rights reserved.{0,60}|mentions légales|"
                           r"politique de confidentialité|nous contacter|contactez-nous|plan du site|cgu|cgv|"
                           r"conditions générales(?:\s+d'utilisation|\s+de vente)?|gestion des cookies|"
                           r"privacy policy|terms of (?:use|service)")),
    ("trailer", whole_line(r"source\s+link(?:\s*-?\s*\d+)?|sources?\s*:\s*[^\s.!?]+(?:[\s,/]+[^\s.!?]+){0,3}|"
                            r"lire\s+la\s+suite.{0,80}|read\s+more.{0,80}|continue\s+reading.{0,80}|voir\s+plus|"
                            r"la\s+suite\s+(?:après|ci-dessous).{0,40}|(?:avec|with)\s+(?:afp|reuters|ap|ats|belga)"
                            r"(?:\s+et\s+\w+)?")),
]


def chrome_kind(line: str) -> str | None:
    """Kind of page chrome a whole line is (skip link, banner, share widget...), or None for text."""
    for kind, test in _CHROME:
        got = test.match(line) if isinstance(test, re.Pattern) else test(line)  # type: ignore[operator]
        if got:
            return got if isinstance(got, str) else kind
    return None


def _is_breadcrumb(line: str) -> bool:
    """"Accueil › International › Asie", "Culture > Festivals", "EN DIRECT | Tennis : ... | Rugby : ...":
    short crumbs and no sentence punctuation (a table row never gets here: tables are found first)."""
    if len(line) > 300 or line.startswith("|"):
        return False
    crumbs = re.split(r"\s+[›»>/|]\s+", line)
    if len(crumbs) >= 3:
        return all(0 < len(c) <= 60 and not re.search(r"[.!?]", c) for c in crumbs)
    return len(crumbs) == 2 and bool(re.search(r"\s[›»>]\s", line)) and all(
        count_words(c) <= 3 and not re.search(r"[\d.!?:;,]", c) for c in crumbs)
