"""Stock phrases of page furniture in the languages of the open web, kept as data for tasks.clean's rules.

Each tuple is one kind of furniture; tasks.clean turns it into one case-insensitive pattern. Only phrases that
publishing software and news sites put on pages as labels or prompts belong here: never words of a topic.
Add a language by adding its phrases to each kind.
"""

from __future__ import annotations

# Headings of the boxes that follow an article (related stories, recommendations, about the author): the
# whole line is the phrase, with at most some punctuation. Near the end of the text they also end the article.
RELATED_HEADINGS: tuple[str, ...] = (
    # en
    "related", "related articles", "related stories", "related posts", "related content", "related news",
    "related coverage", "related topics", "you may also like", "you might also like", "you may also be interested in",
    "more from", "more stories", "more on this topic", "more on this story", "read more",
    "read also", "also read", "recommended", "recommended for you", "recommended stories",
    "discover our latest editorial picks", "popular posts",
    "most read", "most popular", "trending", "top stories", "latest news", "latest posts", "recent posts",
    # de
    "das könnte sie auch interessieren", "das könnte dich auch interessieren", "das könnte ihnen auch gefallen",
    "das könnte dir auch gefallen", "mehr zum thema", "mehr zu diesem thema", "mehr themen", "lesen sie auch",
    "lesen sie auch die folgenden beiträge", "lies auch", "auch interessant", "ebenfalls interessant",
    "weitere artikel", "weitere beiträge", "weitere themen", "weitere nachrichten", "ähnliche artikel",
    "ähnliche beiträge", "verwandte artikel", "verwandte beiträge", "zum weiterlesen", "weiterlesen",
    "unsere empfehlungen", "empfehlungen",
    "meistgelesen", "meistgelesene artikel", "meist gelesen", "meistgelesene", "meist-diskutiert",
    "meistdiskutiert", "beliebte artikel", "beliebte beiträge", "aktuelle news", "aktuelle beiträge",
    "neueste beiträge", "vorschau auf den nächsten artikel", "alle artikel zu unseren recherchen",
    # fr
    "à lire aussi", "a lire aussi", "lire aussi", "à lire également", "sur le même sujet", "articles similaires",
    "articles liés", "articles connexes", "vous aimerez aussi", "vous aimerez peut-être aussi",
    "dans la même rubrique", "les plus lus",
    # es
    "le puede interesar", "te puede interesar", "también te puede interesar", "también le puede interesar",
    "temas relacionados", "noticias relacionadas", "artículos relacionados", "contenido relacionado",
    "lee también", "lea también", "te recomendamos", "más noticias", "lo más leído", "visto ahora",
    # it
    "potrebbe interessarti", "ti potrebbe interessare", "potrebbero interessarti", "leggi anche",
    "articoli correlati", "notizie correlate", "i più letti",
    # pt
    "leia também", "veja também", "notícias relacionadas", "artigos relacionados", "mais lidas",
    # nl
    "lees ook", "lees meer", "gerelateerde artikelen", "meer over dit onderwerp",
    # pl
    "dowiedz się więcej", "czytaj także", "czytaj też", "zobacz też", "zobacz także", "polecamy",
    "najczęściej czytane", "podobne artykuły",
)

# Labels of sharing, liking, comment and paging widgets, and of the tag / table-of-contents / author boxes:
# the whole line is the label (the box's own text is judged on its own).
WIDGET_LABELS: tuple[str, ...] = (
    "about the author", "about the authors", "über den autor", "über die autorin", "über die autoren",
    "à propos de l'auteur", "à propos de l’auteur", "sobre el autor", "sobre la autora", "l'autore", "o autorze",
    # en
    "sharing is caring", "be sociable, share", "share this", "share this article", "share this story",
    "like this", "share", "no comments", "leave a comment", "load more", "show more", "table of contents",
    "contents", "tags", "topics", "advertisement", "sponsored", "external content", "print", "email",
    # de
    "gefällt mir", "teilen", "artikel teilen", "diesen artikel teilen", "beitrag teilen", "seite teilen",
    "jetzt teilen", "keine kommentare", "kommentare", "kommentar schreiben", "kommentieren", "mehr laden",
    "lade weitere inhalte", "weitere inhalte laden", "inhaltsverzeichnis", "schlagworte", "schlagwörter",
    "stichworte", "themen", "anzeige", "werbung", "externer inhalt", "drucken", "artikel drucken",
    "seite drucken", "bild anzeigen", "zurück", "nach oben", "zum seitenanfang", "originalartikel",
    "kontakt", "impressum", "sponsoren und partner", "unsere partner", "contact", "contact us",
    # fr
    "partager", "partager cet article", "aucun commentaire", "commentaires", "imprimer", "publicité",
    "sommaire", "mots-clés", "mots clés", "contenu externe",
    # es
    "compartir", "compartir en", "comentarios", "sin comentarios", "imprimir", "publicidad", "etiquetas",
    "contenido externo", "índice",
    # it
    "condividi", "commenti", "nessun commento", "stampa", "pubblicità", "sommario", "tag",
    # pl
    "udostępnij", "komentarze", "brak komentarzy", "drukuj", "reklama", "tagi",
    # nl, pt
    "delen", "reacties", "compartilhar", "comentários",
)

# Start of a prompt to subscribe, register, log in, follow, or install an app (a short paragraph).
PROMPT_STARTS: tuple[str, ...] = (
    # en
    "to view the full story", "to read the full story", "to continue reading", "already a subscriber",
    "if you’re seeing this message", "if you're seeing this message", "first-time subscribers",
    "subscribe to", "subscribe now", "sign up for", "sign up to", "log in to", "login to", "register to",
    "follow us on", "if you enjoyed reading this",
    "if you enjoyed this", "did you enjoy this", "support our journalism", "support independent journalism",
    "submit your letter",
    # de
    "mit unserem newsletter", "unser newsletter", "newsletter abonnieren", "jetzt newsletter", "zum newsletter",
    "abonnieren sie", "abonniere", "melden sie sich", "jetzt anmelden", "jetzt registrieren",
    "bitte loggen sie sich", "bitte melden sie sich", "registrieren sie sich", "folgen sie uns", "folge uns",
    "unterstütze", "unterstützen sie", "sie lesen gern", "sie lesen gerne", "artikel gefallen",
    "hat dir der artikel gefallen", "hat ihnen der artikel gefallen", "den artikel mit anderen teilen",
    "diesen artikel teilen", "mit diesem button", "jede kleine spende", "jetzt spenden", "wir respektieren",
    "keine lust alleine", "*werbung", "werbung:", "anzeige:", "anzeige,", "dieser beitrag enthält werbung",
    "dieser artikel enthält affiliate", "dieser beitrag enthält affiliate", "bei den verlinkungen handelt es sich",
    "dieses skript als pdf", "als pdf herunterladen", "ihr browser", "bitte aktivieren sie javascript",
    "um diesen inhalt zu sehen", "um dieses video", "zapraszamy",
    "keine kommentare", "noch keine kommentare", "sei der erste", "seien sie der erste", "be the first to comment",
    "no comments yet", "werden sie mitglied", "jetzt mitglied werden", "become a member", "help us continue",
    "werbung.", "anzeige.", "get the latest news straight to your",
    # fr
    "abonnez-vous", "inscrivez-vous", "connectez-vous", "suivez-nous", "déjà abonné", "pour lire la suite",
    "soutenez", "votre navigateur",
    # es
    "suscríbete", "suscríbase", "regístrate", "inicia sesión", "inicie sesión", "síguenos", "únete a",
    "¿ya sabías que", "tu navegador", "su navegador", "hacemos periodismo", "apoya el periodismo",
    # it
    "iscriviti", "abbonati", "seguici", "accedi per", "il tuo browser",
    # pl
    "zaloguj się", "subskrybuj", "obserwuj nas", "twoja przeglądarka",
    # pt
    "assine", "inscreva-se", "siga-nos", "seu navegador",
)

# Words that make a short paragraph a cookie or JavaScript notice when it names cookies or JavaScript too.
NOTICE_TOPICS: tuple[str, ...] = ("cookie", "javascript", "java script")
NOTICE_VERBS: tuple[str, ...] = (
    "accept", "enable", "disabled", "we use", "site uses", "website uses", "allow", "consent", "settings",
    "akzeptier", "aktivier", "deaktiviert", "verwende", "nutzt", "nutzen", "einwillig", "zustimm", "erlaub",
    "accepte", "activ", "utilis", "désactiv", "autoris",
    "acept", "habilit", "deshabilit", "usamos", "utiliza", "permit",
    "accett", "abilit", "disabilit", "utilizz",
    "akcept", "włącz", "wyłącz", "używa",
    "aceit", "ativ",
)

# Rights notices ("© 2020 X. All Rights Reserved.") in a short paragraph, anywhere in it.
RIGHTS_NOTICES: tuple[str, ...] = (
    "all rights reserved", "alle rechte vorbehalten", "tous droits réservés", "todos los derechos reservados",
    "tutti i diritti riservati", "wszelkie prawa zastrzeżone", "todos os direitos reservados",
    "alle rechten voorbehouden", "is the copyrighted property of", "written permission must be obtained",
)

# Post metadata lines that blogs print under or above a post.
POST_META_STARTS: tuple[str, ...] = (
    "this entry was posted", "posted in", "filed under", "category :", "category:", "categories:",
    "kategorie:", "kategorien:", "veröffentlicht am", "veröffentlicht in", "der beitrag wurde am",
    "dieser beitrag wurde", "release date:", "opublikowano:", "publié le", "publicado el", "pubblicato il",
    "titelbild:", "quelle: foto", "foto:", "bild:", "fotos:", "bildquelle:",
    "letzte aktualisierung am", "zuletzt aktualisiert am", "last updated on", "news date", "suggested citation",
    "zitiervorschlag", "zitierweise", "cite this article", "citar este artículo",
)

# Labels that start a teaser line ("Le puede interesar: <headline>", "MIRA: <headline>", "Lesen Sie auch: ...").
# The related-box headings count too (tasks.clean joins the two).
TEASER_LABELS: tuple[str, ...] = (
    "watch", "video", "listen", "mira", "mire", "ver", "video:", "siehe", "voir", "regarder", "guarda", "zobacz",
    "lesen sie", "lies", "lire", "leer", "lea", "lee", "leia", "czytaj", "mehr", "more", "plus", "más", "più",
)

# Month and weekday names (full and short forms) for date lines in other languages than English.
MONTH_NAMES: tuple[str, ...] = (
    # de
    "januar", "jänner", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
    "november", "dezember", "jan", "feb", "mär", "apr", "jun", "jul", "aug", "sep", "okt", "nov", "dez",
    # fr
    "janvier", "février", "mars", "avril", "juin", "juillet", "août", "septembre", "octobre", "novembre",
    "décembre", "janv", "févr", "avr", "juil", "sept", "oct", "déc",
    # es
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "setiembre",
    "octubre", "noviembre", "diciembre", "ene", "abr", "ago", "dic",
    # it
    "gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre", "dicembre",
    "gen", "mag", "giu", "lug", "ott",
    # pt, nl
    "janeiro", "fevereiro", "março", "maio", "junho", "julho", "setembro", "outubro", "novembro", "dezembro",
    "januari", "februari", "maart", "mei", "augustus",
    # pl (genitive, as dates are written)
    "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
    "października", "listopada", "grudnia",
)
WEEKDAY_NAMES: tuple[str, ...] = (
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo",
    "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica",
    "poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela",
)
DATE_FILLERS: tuple[str, ...] = (
    "am", "um", "uhr", "veröffentlicht", "aktualisiert", "stand", "le", "à", "publié", "mis à jour", "el", "de",
    "del", "a las", "publicado", "actualizado", "il", "alle", "pubblicato", "aggiornato", "opublikowano", "dnia",
)

# Labels that start a picture caption or credit ("Abbildung 4: ...", "Foto: ...", "Titelbild: ...").
CAPTION_LABELS: tuple[str, ...] = (
    "abbildung", "abb", "bild", "bilder", "foto", "fotos", "grafik", "titelbild", "bildquelle", "fotoquelle",
    "figure", "fig", "image", "images", "photo", "photos", "picture", "illustration", "credit", "crédit",
    "crédits", "crédit photo", "imagen", "fotografía", "immagine", "zdjęcie", "fot",
    "copyright", "quelle", "source",
)

# Buttons that open a picture, left in front of its caption ("Vergrößern Eine kleine runde Aussparung ...").
ZOOM_LABELS: tuple[str, ...] = ("vergrößern", "bild vergrößern", "enlarge", "zoom", "agrandir", "ampliar", "ingrandisci", "powiększ")

# News agencies whose initials end a wire story ("aja/PAP", "dpa/lno", "(AFP)").
NEWS_AGENCIES: tuple[str, ...] = (
    "ap", "afp", "reuters", "dpa", "kna", "epd", "apa", "sda", "ats", "ansa", "efe", "pap", "ctk", "belga", "anp",
    "upi", "xinhua", "ians", "pti", "ddp", "sid", "idea", "lno", "lby", "lhe", "lnw", "lsw", "lsn",
)
