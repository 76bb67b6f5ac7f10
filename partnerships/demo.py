"""The demo dataset: what the five source texts in ``../shared/sources/`` state, and nothing more.

Sources, cited below by number:

- 000: the conference of 27 September 2007 at the Ministry of Economy;
- 001: DOPS's conference "Partnerstwo w teorii i praktyce" of 11 December 2014 in Wrocław;
- 002: the news item of 28 October 2014 on the conference of Fundacja „Barka”;
- 003: principles and benefits of local partnerships (no records: its principles are
  already the reference terms of migration 0002);
- 004: MCPS's page on the partnerships of 24 Mazowsze powiats.

Where a source gives a count, the count is recorded (``declared_member_count``,
``participant_count``), never invented members; where it gives a year, a year with its
precision. No address, tax number, contact, URL, date or venue that the sources do not
state. An institution's commune is filled in only where a source places it (by a phrase
such as "we Wrocławiu", or a name that states the city, such as Uniwersytet Łódzki), with
one exception noted at MCPS.

Records are matched on natural keys: slugs where the model has one, otherwise the
combination that identifies a row (a speaker is a person in a role at an event). A row is
saved only when one of the values this module governs differs, so a second run writes
nothing and leaves no history behind.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from core.models import Citation, Judgement, Source
from core.text import slugify_pl
from events.models import Event, Material, Patron, Project, Speaker
from members.models import SECTOR_OF_KIND, Institution, Person, Sector
from territory.builtin import ensure_builtin_units
from territory.models import Commune, County, Voivodeship

from .models import (
    Agreement,
    DatePrecision,
    Membership,
    Partnership,
    Principle,
    TargetGroup,
    ThematicArea,
    UnnamedMembers,
)

K = Institution.Kind

# Institutions: slug -> fields. ``commune`` is a TERYT code or None.
INSTITUTIONS = {
    # 000 names the commission without its chamber; it is the Senate's (its chairman is
    # "sen. Jerzy Szmit"), but the name is kept as the source gives it.
    "komisja-samorzadu-terytorialnego-i-administracji-panstwowej": {
        "name": "Komisja Samorządu Terytorialnego i Administracji Państwowej",
        "kind": K.PARLIAMENT,
        "commune": None,
    },
    # A state unit attached to the ministry: MINISTRY is the nearest kind and keeps it in
    # the public sector, where it belongs.
    "centrum-partnerstwa-spolecznego-dialog": {
        "name": "Centrum Partnerstwa Społecznego „Dialog”",
        "kind": K.MINISTRY,
        "commune": None,
        "description": "Centrum działające przy Ministerstwie Pracy i Polityki Społecznej.",
    },
    "ministerstwo-pracy-i-polityki-spolecznej": {
        "name": "Ministerstwo Pracy i Polityki Społecznej",
        "kind": K.MINISTRY,
        "commune": None,
    },
    "ministerstwo-gospodarki": {
        "name": "Ministerstwo Gospodarki",
        "kind": K.MINISTRY,
        "commune": None,
    },
    "uniwersytet-warszawski": {
        "name": "Uniwersytet Warszawski",
        "kind": K.UNIVERSITY,
        "commune": "1465011",
    },
    "instytut-badan-nad-gospodarka-rynkowa": {
        "name": "Instytut Badań nad Gospodarką Rynkową",
        "kind": K.UNIVERSITY,
        "commune": None,
    },
    "uniwersytet-lodzki": {
        "name": "Uniwersytet Łódzki",
        "kind": K.UNIVERSITY,
        "commune": "1061011",
    },
    "powiatowy-urzad-pracy-w-siemianowicach-slaskich": {
        "name": "Powiatowy Urząd Pracy w Siemianowicach Śląskich",
        "kind": K.LABOUR_OFFICE,
        "commune": "2474011",
    },
    "london-borough-of-hammersmith-and-fulham": {
        "name": "London Borough of Hammersmith and Fulham",
        "kind": K.FOREIGN_PUBLIC,
        "commune": None,
        "country": "GB",
        "description": "Samorząd londyńskiej dzielnicy Hammersmith and Fulham.",
    },
    # No source says where Barka has its seat: no commune.
    "fundacja-pomocy-wzajemnej-barka": {
        "name": "Fundacja Pomocy Wzajemnej „Barka”",
        "kind": K.FOUNDATION,
        "commune": None,
    },
    # 000 does not say what legal form the Academy has, and its name does not tell.
    "akademia-rozwoju-filantropii-w-polsce": {
        "name": "Akademia Rozwoju Filantropii w Polsce",
        "kind": K.OTHER,
        "commune": None,
    },
    "fundacja-im-krolowej-polski-sw-jadwigi": {
        "name": "Fundacja im. Królowej Polski św. Jadwigi",
        "kind": K.FOUNDATION,
        "commune": "3021021",
    },
    # 001 writes "Czas-Przestrzeń -Tożsamość"; the stray space is a typo.
    "stowarzyszenie-czas-przestrzen-tozsamosc": {
        "name": "Stowarzyszenie Czas-Przestrzeń-Tożsamość",
        "kind": K.ASSOCIATION,
        "commune": "3262011",
    },
    "miejski-osrodek-pomocy-spolecznej-we-wroclawiu": {
        "name": "Miejski Ośrodek Pomocy Społecznej we Wrocławiu",
        "kind": K.MOPS,
        "commune": "0264011",
    },
    "powiatowy-srodowiskowy-dom-samopomocy-w-walbrzychu": {
        "name": "Powiatowy Środowiskowy Dom Samopomocy w Wałbrzychu",
        "kind": K.SDS,
        "commune": "0265011",
    },
    "dolnoslaski-osrodek-polityki-spolecznej": {
        "name": "Dolnośląski Ośrodek Polityki Społecznej",
        "short_name": "DOPS",
        "kind": K.ROPS,
        "commune": "0264011",
    },
    # 004 does not place MCPS. The regional centre of mazowieckie sits in the capital, and
    # a staff user's region comes from their centre's commune: without it MCPS staff could
    # change nothing.
    "mazowieckie-centrum-polityki-spolecznej": {
        "name": "Mazowieckie Centrum Polityki Społecznej",
        "short_name": "MCPS",
        "kind": K.ROPS,
        "commune": "1465011",
    },
}

# People: (first name, last name) -> fields. Only what they hold in an official capacity;
# no source gives anyone's contact data. "sen." is an office, not an academic title.
PEOPLE = {
    ("Bogdan", "Borusewicz"): {"function": "marszałek Senatu"},
    ("Jerzy", "Szmit"): {
        "function": "senator, przewodniczący Komisji Samorządu Terytorialnego i Administracji Państwowej",
        "affiliation": "komisja-samorzadu-terytorialnego-i-administracji-panstwowej",
    },
    ("Elżbieta", "Rafalska"): {
        "function": "wiceminister pracy i polityki społecznej",
        "affiliation": "ministerstwo-pracy-i-polityki-spolecznej",
    },
    ("Urszula", "Sztanderska"): {"academic_title": "prof.", "affiliation": "uniwersytet-warszawski"},
    ("Jan", "Szomburg"): {"function": "prezes", "affiliation": "instytut-badan-nad-gospodarka-rynkowa"},
    ("Wielisława", "Warzywoda-Kruszyńska"): {
        "academic_title": "prof.",
        "function": "dyrektor Instytutu Socjologii",
        "affiliation": "uniwersytet-lodzki",
    },
    ("Hanna", "Becker"): {"function": "dyrektor", "affiliation": "powiatowy-urzad-pracy-w-siemianowicach-slaskich"},
    ("Romana", "Krzewicka"): {},
    ("Andrzej", "Tomeczek"): {},
    # One person, not two: 000 (2007) and 001 (2014) name an Antoni Sobolewski speaking on
    # local partnerships; 001 spells him "Antonii" once and "Antoni" once. His function and
    # affiliation are 001's, the only source that states them.
    ("Antoni", "Sobolewski"): {"function": "wiceprezes", "affiliation": "stowarzyszenie-czas-przestrzen-tozsamosc"},
    ("John", "Downie"): {
        "function": "przedstawiciel samorządu dzielnicy",
        "affiliation": "london-borough-of-hammersmith-and-fulham",
    },
    ("Ewa", "Leś"): {"academic_title": "prof.", "affiliation": "uniwersytet-warszawski"},
    ("Tomasz", "Schimanek"): {
        "function": "dyrektor do spraw programowych",
        "affiliation": "akademia-rozwoju-filantropii-w-polsce",
    },
    ("Tomasz", "Sadowski"): {"function": "dyrektor", "affiliation": "fundacja-pomocy-wzajemnej-barka"},
    ("Michał", "Drozdek"): {
        "function": "pełnomocnik Ministra Gospodarki ds. umowy społecznej i dialogu społecznego",
        "affiliation": "ministerstwo-gospodarki",
    },
    # 002 does not say of which city he is deputy mayor: no affiliation.
    ("Ryszard", "Stefaniak"): {"function": "zastępca prezydenta"},
    ("Tomasz", "Mika"): {"function": "wiceprezes", "affiliation": "fundacja-im-krolowej-polski-sw-jadwigi"},
    ("Magdalena", "Lejkam"): {
        "function": "zastępca kierownika Zespołu Terenowej Pracy Socjalnej nr 4",
        "affiliation": "miejski-osrodek-pomocy-spolecznej-we-wroclawiu",
    },
    ("Marta", "Woźniak"): {
        "function": "dyrektor",
        "affiliation": "powiatowy-srodowiskowy-dom-samopomocy-w-walbrzychu",
    },
}

# 001 and 004 name the same PO KL sub-measure 7.1.3; 001 gives its priority, measure,
# names and fund, which are the programme's, so they hold for MCPS's project as well.
_SUB_MEASURE_713 = {
    "programme": "PO KL",
    "priority": "VII",
    "priority_name": "Promocja integracji społecznej",
    "measure": "7.1",
    "sub_measure": "7.1.3",
    "sub_measure_name": "Podnoszenie kwalifikacji kadr pomocy i integracji społecznej",
    "fund": "EFS",
}
DOPS_PROJECT = "Projekt systemowy DOPS w zakresie podnoszenia kwalifikacji kadr pomocy i integracji społecznej"
MCPS_PROJECT = "Razem dla Mazowsza – Edukacja w działaniu"

# Projects: name -> fields. Projects have no slug; the name is their natural key.
PROJECTS = {
    DOPS_PROJECT: {
        **_SUB_MEASURE_713,
        "operator": "dolnoslaski-osrodek-polityki-spolecznej",
        "start_year": None,
        "description": (
            "Projekt systemowy Dolnośląskiego Ośrodka Polityki Społecznej, współfinansowany w ramach "
            "Europejskiego Funduszu Społecznego. W jego ramach prowadzono kampanię promocyjno-informacyjną "
            "o zasięgu i charakterze regionalnym z zakresu stosowania aktywnych form integracji społecznej."
        ),
    },
    MCPS_PROJECT: {
        **_SUB_MEASURE_713,
        "operator": "mazowieckie-centrum-polityki-spolecznej",
        "start_year": 2007,
        "description": (
            "Projekt systemowy realizowany przez Mazowieckie Centrum Polityki Społecznej od 2007 roku. Jednym "
            "z jego zadań jest rozwój dialogu, partnerstwa i współpracy na rzecz przeciwdziałania zjawisku "
            "wykluczenia społecznego: powiaty Mazowsza, które chcą budować partnerskie relacje na szczeblu "
            "lokalnym, szczególnie na rzecz systemu pomocy dziecku i rodzinie, otrzymują wsparcie, między "
            "innymi w formie seminariów, szkoleń i publikacji, oraz fachowe doradztwo pracowników projektu.\n\n"
            "W lokalnych partnerstwach biorą udział jednostki pomocy i integracji społecznej (powiatowe centra "
            "pomocy rodzinie, miejskie i gminne ośrodki pomocy społecznej, domy pomocy społecznej, środowiskowe "
            "domy samopomocy i warsztaty terapii zajęciowej), urzędy miast i gmin, sądy rejonowe, urzędy pracy, "
            "komendy powiatowe Policji, szkoły i ośrodki szkolno-wychowawcze oraz organizacje pozarządowe."
        ),
    },
}

# Event slugs: the title, with the year where the date is known, so that a later edition
# of a conference with the same title gets a slug of its own.
EVENT_2007 = "lokalne-partnerstwa-spoleczne-droga-do-rozwoju-lokalnego-i-spojnosci-spolecznej-2007"
EVENT_BARKA_2014 = "partnerstwa-lokalne-i-rozwoj-przedsiebiorczosci-spolecznej-2014"
EVENT_DOPS_2014 = "partnerstwo-w-teorii-i-praktyce-2014"
TRAINING_FAMILY = "partnerstwa-w-obszarze-systemu-wsparcia-dziecka-i-rodziny"
TRAINING_PROJECTS = "jak-budowac-partnerstwa-dla-wspolnych-dzialan-projektowych"

# Events: slug -> fields, with organisers, patrons and speakers. Speakers are listed in
# the order the source reports them; that order is their ``order``.
EVENTS = {
    EVENT_2007: {
        # 000 keeps the hyphen of the title; it is quoted as the source writes it.
        "title": "Lokalne partnerstwa społeczne - droga do rozwoju lokalnego i spójności społecznej",
        "kind": Event.Kind.CONFERENCE,
        "start_date": datetime.date(2007, 9, 27),
        "venue": "Ministerstwo Gospodarki",
        # 000 names the venue, not the city: a ministry sits in the capital.
        "commune": "1465011",
        # "ponad 100 gości": over 100, not 100.
        "participant_count": 100,
        "participant_count_qualifier": Event.CountQualifier.OVER,
        "project": None,
        "description": (
            "Uczestniczyło ponad 100 gości z całego kraju, reprezentujących środowiska naukowe, administrację "
            "lokalną, organizacje pozarządowe, związki zawodowe i przedsiębiorców, oraz przedstawiciele Centrum "
            "Partnerstwa Społecznego „Dialog”, członkowie Komisji Samorządu Terytorialnego i Administracji "
            "Państwowej z przewodniczącym sen. Jerzym Szmitem i wiceminister pracy i polityki społecznej "
            "Elżbieta Rafalska.\n\n"
            "Konferencję zakończył panel dyskusyjny o różnych aspektach tworzenia i funkcjonowania lokalnych "
            "partnerstw społecznych. Rozmówcy wskazywali, że choć nie jest to łatwy proces, należy go wspierać "
            "i propagować: jest najlepszą odpowiedzią na wiele globalnych wyzwań stojących przed krajem oraz na "
            "problemy lokalne, których rozwiązań należy szukać właśnie w społecznościach lokalnych."
        ),
        "organisers": [
            "komisja-samorzadu-terytorialnego-i-administracji-panstwowej",
            "centrum-partnerstwa-spolecznego-dialog",
        ],
        "patrons": [(("Bogdan", "Borusewicz"), "marszałek Senatu")],
        "speakers": [
            (
                ("Urszula", "Sztanderska"),
                Speaker.Role.SPEAKER,
                "Wpływ działań partnerstw na sytuację na lokalnych rynkach pracy",
            ),
            (
                ("Jan", "Szomburg"),
                Speaker.Role.SPEAKER,
                "Rola dialogu społecznego i obywatelskiego w procesie wzmacniania konkurencyjności środowisk lokalnych",
            ),
            (
                ("Wielisława", "Warzywoda-Kruszyńska"),
                Speaker.Role.SPEAKER,
                "Wyniki badań nad nierównościami społecznymi i dochodowymi w Polsce; wykorzystanie potencjału "
                "partnerskiego do walki z ubóstwem, wykluczeniem społecznym i biedą dzieci",
            ),
            (
                ("Hanna", "Becker"),
                Speaker.Role.SPEAKER,
                "Geneza powstania oraz działania Siemianowickiego Paktu na Rzecz Zatrudnienia",
            ),
            # 000 reports what the three said together, so they share the topic.
            (
                ("Romana", "Krzewicka"),
                Speaker.Role.SPEAKER,
                "Partnerstwa lokalne jako instrument zarządzania społecznościami lokalnymi",
            ),
            (
                ("Andrzej", "Tomeczek"),
                Speaker.Role.SPEAKER,
                "Partnerstwa lokalne jako instrument zarządzania społecznościami lokalnymi",
            ),
            (
                ("Antoni", "Sobolewski"),
                Speaker.Role.SPEAKER,
                "Partnerstwa lokalne jako instrument zarządzania społecznościami lokalnymi",
            ),
            (
                ("John", "Downie"),
                Speaker.Role.SPEAKER,
                "Efekty partnerskiej współpracy z Fundacją Pomocy Wzajemnej „Barka”",
            ),
            (
                ("Ewa", "Leś"),
                Speaker.Role.PANELLIST,
                "Aspekty tworzenia i funkcjonowania lokalnych partnerstw społecznych",
            ),
            (
                ("Tomasz", "Schimanek"),
                Speaker.Role.PANELLIST,
                "Aspekty tworzenia i funkcjonowania lokalnych partnerstw społecznych",
            ),
            (
                ("Tomasz", "Sadowski"),
                Speaker.Role.PANELLIST,
                "Aspekty tworzenia i funkcjonowania lokalnych partnerstw społecznych",
            ),
            (
                ("Michał", "Drozdek"),
                Speaker.Role.PANELLIST,
                "Aspekty tworzenia i funkcjonowania lokalnych partnerstw społecznych",
            ),
            # 000 lists them among those present; it does not say that they spoke.
            (("Jerzy", "Szmit"), Speaker.Role.PRESENT, ""),
            (("Elżbieta", "Rafalska"), Speaker.Role.PRESENT, ""),
        ],
    },
    EVENT_BARKA_2014: {
        "title": "Partnerstwa lokalne i rozwój przedsiębiorczości społecznej",
        "kind": Event.Kind.CONFERENCE,
        # 002 is a news item dated 28 October 2014 that reports the conference; it gives no
        # other date, so the item's date is taken as the conference's.
        "start_date": datetime.date(2014, 10, 28),
        "venue": "",
        # 002's co-organiser is "Urząd Miasta" without the city, so the city is unknown: no
        # commune. For the same reason that office is not an institution here, nor are the
        # unnamed "centra integracji społecznej": the description names them as 002 does.
        "commune": None,
        "participant_count": None,
        "participant_count_qualifier": Event.CountQualifier.EXACT,
        "project": None,
        "description": (
            "Konferencja przedstawicieli instytucji wspierających lokalną aktywność, zorganizowana przez Fundację "
            "Pomocy Wzajemnej „Barka”, Urząd Miasta i centra integracji społecznej. Służyła prezentacji "
            "modelowych partnerstw lokalnych oraz przedsiębiorstw społecznych działających w województwie "
            "śląskim i dolnośląskim.\n\n"
            "Podczas konferencji podpisano dwa partnerstwa na rzecz aktywności lokalnej: „Raków-Reaktywacja” "
            "(13 podmiotów) i „Stare Miasto-Nowe Życie” (11 podmiotów). Zastępca prezydenta Ryszard Stefaniak "
            "wręczył również certyfikaty organizacjom, które działają na rzecz aktywności lokalnej.\n\n"
            "Uczestnicy oparli dyskusję m.in. o pierwszeństwo człowieka przed kapitałem oraz system wartości "
            "oparty nie o zysk, a o dobro wspólne. Wskazano tzw. „wspólnoty odpowiedzialne”, włączające "
            "w przestrzeń społeczno-gospodarczą słabszych członków społeczności poprzez centra integracji "
            "społecznej odbudowujące kapitał ludzki i spółdzielnie socjalne dające szansę na współwłasność, "
            "współdecydowanie i współodpowiedzialność."
        ),
        "organisers": ["fundacja-pomocy-wzajemnej-barka"],
        "patrons": [],
        # 002 says he handed out certificates, not that he spoke.
        "speakers": [
            (
                ("Ryszard", "Stefaniak"),
                Speaker.Role.CERTIFICATES,
                "Wręczenie certyfikatów organizacjom działającym na rzecz aktywności lokalnej",
            ),
        ],
    },
    EVENT_DOPS_2014: {
        "title": "Partnerstwo w teorii i praktyce",
        "kind": Event.Kind.CONFERENCE,
        "start_date": datetime.date(2014, 12, 11),
        "venue": "",
        "commune": "0264011",
        # "licznego audytorium" is no number.
        "participant_count": None,
        "participant_count_qualifier": Event.CountQualifier.EXACT,
        "project": DOPS_PROJECT,
        "description": (
            "Konferencja o partnerstwach lokalnych, publiczno-prywatnych i projektowych na Dolnym Śląsku, "
            "w ramach kampanii promocyjno-informacyjnej o zasięgu i charakterze regionalnym z zakresu stosowania "
            "aktywnych form integracji społecznej. Uczestnicy poznali dobre praktyki istniejących dolnośląskich "
            "partnerstw lokalnych oraz wyzwania w zakresie wykorzystania partnerstw publiczno-społecznych wobec "
            "aktualnych dokumentów kształtujących regionalną politykę społeczną.\n\n"
            "Prowadzący odnieśli się do badań społecznych opublikowanych przez Dolnośląski Ośrodek Polityki "
            "Społecznej we Wrocławiu, których celem była identyfikacja oraz inwentaryzacja partnerstw w regionie; "
            "publikację uczestnicy otrzymali wśród materiałów konferencyjnych."
        ),
        "organisers": ["dolnoslaski-osrodek-polityki-spolecznej"],
        "patrons": [],
        # In the order of the programme: 001 says the meeting began with Magdalena Lejkam;
        # Tomasz Mika and Antoni Sobolewski spoke "w dalszej części konferencji".
        "speakers": [
            (
                ("Magdalena", "Lejkam"),
                Speaker.Role.SPEAKER,
                "Dokonania Partnerstwa lokalnego „Aktywne Gajowice”",
            ),
            (
                ("Marta", "Woźniak"),
                Speaker.Role.SPEAKER,
                "Współpraca z regionalnym przedsiębiorcą: sekcja koszykówki osób z niepełnosprawnością intelektualną",
            ),
            (
                ("Tomasz", "Mika"),
                Speaker.Role.SPEAKER,
                "Teoria i praktyka partnerstw; obszary i cele działających partnerstw na tle doświadczeń innych "
                "województw",
            ),
            (
                ("Antoni", "Sobolewski"),
                Speaker.Role.SPEAKER,
                "Teoria i praktyka partnerstw; obszary i cele działających partnerstw na tle doświadczeń innych "
                "województw",
            ),
        ],
    },
    # 004 plans both trainings "w bieżącym roku" without saying which year it is: no dates.
    # MCPS is their organiser: 004 says "MCPS organizuje ... szkolenia".
    TRAINING_FAMILY: {
        "title": "Partnerstwa w obszarze systemu wsparcia dziecka i rodziny",
        "kind": Event.Kind.TRAINING,
        "start_date": None,
        "venue": "",
        "commune": None,
        "participant_count": None,
        "participant_count_qualifier": Event.CountQualifier.EXACT,
        "project": MCPS_PROJECT,
        "description": (
            "Jednodniowe szkolenie skierowane do pracowników instytucji i podmiotów działających w partnerstwach "
            "lokalnych na terenie powiatów Mazowsza, w których funkcjonują partnerstwa."
        ),
        "organisers": ["mazowieckie-centrum-polityki-spolecznej"],
        "patrons": [],
        "speakers": [],
    },
    TRAINING_PROJECTS: {
        "title": "Jak budować partnerstwa dla wspólnych działań projektowych",
        "kind": Event.Kind.TRAINING,
        "start_date": None,
        "venue": "",
        "commune": None,
        "participant_count": None,
        "participant_count_qualifier": Event.CountQualifier.EXACT,
        "project": MCPS_PROJECT,
        "description": (
            "Dwudniowe szkolenie skierowane do pracowników instytucji i podmiotów działających w partnerstwach "
            "lokalnych, zaplanowane jesienią we wszystkich powiatach Mazowsza, w których funkcjonują partnerstwa."
        ),
        "organisers": ["mazowieckie-centrum-polityki-spolecznej"],
        "patrons": [],
        "speakers": [],
    },
}

# Materials: (kind, title, event slug or None, project name or None) -> fields.
# Neither source gives a material's own title; these are descriptive titles.
MATERIALS = {
    (
        Material.Kind.PUBLICATION,
        "Badania społeczne Dolnośląskiego Ośrodka Polityki Społecznej: identyfikacja oraz inwentaryzacja "
        "partnerstw w regionie",  # DOPS_PUBLICATION
        EVENT_DOPS_2014,
        None,
    ): {
        # 001 does not say when it was published, nor that the DOPS project paid for it.
        "year": None,
        "description": (
            "Publikacja badań społecznych Dolnośląskiego Ośrodka Polityki Społecznej we Wrocławiu, których celem "
            "była identyfikacja oraz inwentaryzacja partnerstw w regionie. Uczestnicy konferencji otrzymali ją "
            "wśród materiałów konferencyjnych."
        ),
    },
    # 004: "3 reportaże telewizyjne ... pt. wspólnym tytułem „ABC aktywnego pomagania”". One
    # record for the series: the reportages have no titles of their own to tell three rows
    # apart, and a count is not a list. 004 says they are on the project's website without
    # giving its address: no URL.
    (Material.Kind.VIDEO, "ABC aktywnego pomagania", None, MCPS_PROJECT): {
        "year": 2013,
        "description": (
            "Cykl trzech reportaży telewizyjnych nagranych w 2013 roku, ukazujących partnerskie działania na "
            "rzecz aktywnej integracji w kontekście systemu wsparcia dziecka i rodziny. Celem reportaży było "
            "wzmocnienie dziecka i rodziny w przeciwdziałaniu wykluczeniu społecznemu i aktywizacji poprzez "
            "podejmowane działania, ukazanie partnerskiej współpracy pracowników jednostek organizacyjnych pomocy "
            "społecznej i społeczności lokalnych, promocja projektu i dobrych praktyk aktywnej integracji na "
            "Mazowszu, a także edukacja społeczeństwa na temat działań pomocy społecznej. Reportaże są dostępne "
            "na stronie internetowej projektu."
        ),
    },
}

# 002 gives one goal for the two partnerships signed on 28 October 2014.
_GOAL_2014 = (
    "Dążenie do podejmowania działań partnerskich na rzecz społeczności lokalnych dla dobra osób zagrożonych "
    "wykluczeniem społecznym ze szczególnym uwzględnieniem dzielnic Rakowa i Starego Miasta."
)


def _signed_2014(name: str, count: int) -> dict:
    """One of the two partnerships 002 reports signed at Barka's conference.

    Home voivodeship: 002 places the partnerships it presents in "województwo śląskie
    i dolnośląskie" without saying which is which, and the field is required. Raków and
    Stare Miasto are districts of Częstochowa, in śląskie: that is public knowledge, not
    002's, so it only decides between the two voivodeships 002 allows and is recorded
    nowhere else. The area stays empty: no source names the gmina.
    """
    return {
        "name": name,
        "home_voivodeship": "24",
        "founded_on": datetime.date(2014, 10, 28),
        "founded_precision": DatePrecision.DAY,
        # "rozpoczęcie oficjalnego działania", in a news item of that day.
        "status": Partnership.Status.ACTIVE,
        "status_stated_on": datetime.date(2014, 10, 28),
        "status_stated_by": Partnership.StatusStatedBy.SOURCE,
        "stage": Partnership.Stage.AGREEMENT,
        "declared_member_count": count,
        "goal": _GOAL_2014,
        "description": (
            f"Partnerstwo na rzecz aktywności lokalnej „{name}”, podpisane przez {count} podmiotów podczas "
            "konferencji „Partnerstwa lokalne i rozwój przedsiębiorczości społecznej”. Podpisanie partnerstwa to "
            "podsumowanie kilkuletnich przygotowań w zakresie organizowania społeczności lokalnych i rozpoczęcie "
            "oficjalnego działania."
        ),
        "area_counties": [],
        "area_communes": [],
        "target_groups": ["osoby-zagrozone-wykluczeniem"],
        "thematic_areas": ["aktywnosc-lokalna"],
        "project": None,
        "events": [EVENT_BARKA_2014],
        # 002 names none of the 13 (or 11) signatories: the count is recorded, no members.
        "members": [],
        "agreement": {
            "kind": Agreement.Kind.FOUNDING,
            "title": f"Podpisanie partnerstwa „{name}”",
            "signed_on": datetime.date(2014, 10, 28),
            "signed_at": EVENT_BARKA_2014,
            "notes": f"Partnerstwo podpisało {count} podmiotów; źródło nie wymienia ich nazw.",
        },
    }


# Partnerships: slug -> fields. Names follow the sources; where a source describes a
# partnership without naming it, the name is a description of it (presentation, not a fact).
PARTNERSHIPS = {
    # "Pięcioletnia historia Paktu" in a text of September 2007 points to 2002, but "five
    # years" is a round figure (late 2002 and early 2003 fit it as well), and a year with
    # precision "year" would state it as exact. The model has no "about", so the founding
    # date stays empty and the description keeps the source's words.
    "siemianowicki-pakt-na-rzecz-zatrudnienia": {
        "name": "Siemianowicki Pakt na Rzecz Zatrudnienia",
        "home_voivodeship": "24",
        "founded_on": None,
        "founded_precision": DatePrecision.DAY,
        "stage": "",
        "declared_member_count": None,
        "goal": "",
        "description": (
            "Jedno z najstarszych w Polsce partnerstw lokalnych. Jego genezę i działania przedstawiła Hanna "
            "Becker, dyrektor Powiatowego Urzędu Pracy w Siemianowicach Śląskich, na konferencji 27 września "
            "2007 r.: pięcioletnia wówczas historia Paktu dowodzi, że wspólne działanie zainteresowanych stron "
            "może przynosić korzyści. Siemianowice z lidera bezrobocia wśród śląskich miast stały się liderem "
            "walki z tym zjawiskiem, dając dobry przykład innym powiatom."
        ),
        "area_counties": [],
        "area_communes": ["2474011"],
        "target_groups": ["osoby-bezrobotne"],
        "thematic_areas": ["rynek-pracy"],
        "project": None,
        "events": [EVENT_2007],
        # 000 does not say that the labour office is a member, only that its director
        # presented the Pact: no membership.
        "members": [],
    },
    "aktywne-gajowice": {
        "name": "Aktywne Gajowice",
        "home_voivodeship": "02",
        "founded_on": None,
        "founded_precision": DatePrecision.DAY,
        "stage": "",
        "declared_member_count": None,
        "goal": "",
        "description": (
            "Partnerstwo lokalne zawiązane z udziałem wrocławskich pracowników socjalnych Miejskiego Ośrodka "
            "Pomocy Społecznej we Wrocławiu, lokalnej komendy Policji, związku wyznaniowego, instytucji oświaty "
            "i wielu innych podmiotów, których połączyła wspólna inicjatywa; źródło nie podaje nazw pozostałych "
            "partnerów. Wyrazem partnerstwa są wolontariat seniorów, organizacja zbiórek publicznych, mikołajek "
            "i udział w lokalnych festynach promujących działania prospołeczne na rzecz mieszkańców rejonu "
            "miasta, którzy potrzebują aktywizacji."
        ),
        # Gajowice is a part of Wrocław; the gmina is the smallest unit the registry has.
        "area_counties": [],
        "area_communes": ["0264011"],
        "target_groups": [],
        "thematic_areas": ["aktywnosc-lokalna"],
        "project": None,
        "events": [EVENT_DOPS_2014],
        "members": ["miejski-osrodek-pomocy-spolecznej-we-wroclawiu"],
        # 001 names the others only by kind: "lokalną komendą Policji, związkiem wyznaniowym oraz
        # instytucjami oświaty i wieloma innymi podmiotami".
        "unnamed": [
            (K.POLICE, "lokalna komenda Policji", UnnamedMembers.Count.EXACT, 1),
            (K.RELIGIOUS, "związek wyznaniowy", UnnamedMembers.Count.EXACT, 1),
            (K.SCHOOL, "instytucje oświaty", UnnamedMembers.Count.SEVERAL, None),
            (K.OTHER, "wiele innych podmiotów", UnnamedMembers.Count.NOT_GIVEN, None),
        ],
    },
    # Unnamed in 001; the area is Wałbrzych because the home is there and its partner is
    # "lokalna firma".
    "partnerstwo-srodowiskowego-domu-samopomocy-w-walbrzychu-z-lokalna-firma": {
        "name": "Partnerstwo Powiatowego Środowiskowego Domu Samopomocy w Wałbrzychu z lokalną firmą",
        "home_voivodeship": "02",
        "founded_on": None,
        "founded_precision": DatePrecision.DAY,
        "stage": "",
        "declared_member_count": None,
        "goal": "",
        "description": (
            "Dzięki współpracy z regionalnym przedsiębiorcą – lokalną firmą z kapitałem zagranicznym, której "
            "źródło nie wymienia z nazwy – powstała sekcja koszykówki osób z niepełnosprawnością intelektualną, "
            "której firma udziela kompleksowego wsparcia. Przedsięwzięcie wspomaga rozwój osób "
            "z niepełnosprawnością intelektualną, promuje ich aktywność fizyczną i popularyzuje społeczne "
            "działania podejmowane w partnerstwie lokalnym."
        ),
        "area_counties": [],
        "area_communes": ["0265011"],
        "target_groups": ["osoby-z-niepelnosprawnosciami"],
        "thematic_areas": ["niepelnosprawnosc", "sport"],
        "project": None,
        "events": [EVENT_DOPS_2014],
        "members": ["powiatowy-srodowiskowy-dom-samopomocy-w-walbrzychu"],
        "unnamed": [(K.BUSINESS, "lokalna firma z kapitałem zagranicznym", UnnamedMembers.Count.EXACT, 1)],
    },
    # Home voivodeship: no source says where Barka has its seat, and the field is
    # required. Its seat is Poznań, in wielkopolskie: public knowledge, used only because
    # any other voivodeship would be false; Barka's commune stays empty. The area stays
    # empty too: the cooperation links London with Poland, no unit the register has.
    "barka-hammersmith-and-fulham": {
        "name": "Współpraca Fundacji Pomocy Wzajemnej „Barka” z samorządem londyńskiej dzielnicy Hammersmith "
        "and Fulham",
        "home_voivodeship": "30",
        "founded_on": None,
        "founded_precision": DatePrecision.DAY,
        "stage": "",
        "declared_member_count": None,
        "goal": "",
        "description": (
            "Partnerska współpraca, dzięki której do kraju wracają ci Polacy, którzy w Londynie nie znaleźli "
            "pracy i koczują na ulicach. Jej efekty przedstawił John Downie, przedstawiciel samorządu dzielnicy, "
            "na konferencji 27 września 2007 r., zwracając uwagę, że partnerskie działanie lokalne niekiedy musi "
            "przekraczać nawet granice państw, bo niektóre problemy społeczne można przezwyciężać jedynie w ten "
            "sposób."
        ),
        "area_counties": [],
        "area_communes": [],
        "target_groups": ["osoby-bezdomne"],
        "thematic_areas": ["bezdomnosc"],
        "project": None,
        "events": [EVENT_2007],
        "members": ["fundacja-pomocy-wzajemnej-barka", "london-borough-of-hammersmith-and-fulham"],
    },
    "rakow-reaktywacja": _signed_2014("Raków-Reaktywacja", 13),
    "stare-miasto-nowe-zycie": _signed_2014("Stare Miasto-Nowe Życie", 11),
}

# 004: the powiats in which partnerships work, by the year each began; the locative is
# 004's own wording ("w powiatach: lipskim, ..."). Keyed by TERYT code: ostrowski,
# nowodworski and grodziski exist in other voivodeships too.
MAZOWSZE_POWIATS = [
    ("1409", "lipskim", 2010),
    ("1426", "siedleckim", 2010),
    ("1432", "warszawskim zachodnim", 2010),
    ("1435", "wyszkowskim", 2010),
    ("1405", "grodziskim", 2011),
    ("1407", "kozienickim", 2011),
    ("1410", "łosickim", 2011),
    ("1411", "makowskim", 2011),
    ("1421", "pruszkowskim", 2011),
    ("1425", "radomskim", 2011),
    ("1427", "sierpeckim", 2011),
    ("1430", "szydłowieckim", 2011),
    ("1434", "wołomińskim", 2011),
    ("1438", "żyrardowskim", 2011),
    ("1401", "białobrzeskim", 2012),
    ("1413", "mławskim", 2012),
    ("1412", "mińskim", 2012),
    ("1416", "ostrowskim", 2012),
    ("1423", "przysuskim", 2012),
    ("1402", "ciechanowskim", 2013),
    ("1408", "legionowskim", 2013),
    ("1414", "nowodworskim", 2013),
    ("1419", "płockim", 2013),
    ("1437", "żuromińskim", 2013),
]


def _mazowsze_partnership(code: str, locative: str, year: int) -> tuple[str, dict]:
    """A partnership of 004's list. 004 does not name them; "Partnerstwo lokalne w powiecie
    lipskim" says what 004 says of each. The slug carries the TERYT code because the name
    alone repeats in other voivodeships (ostrowski, nowodworski, grodziski)."""
    name = f"Partnerstwo lokalne w powiecie {locative}"
    return f"{slugify_pl(name)}-{code}", {
        "name": name,
        "home_voivodeship": "14",
        # "od 2010 roku": a year, not 1 January; and the year building was started
        # ("zainicjowano", "podjęte"), not a founding.
        "founded_on": datetime.date(year, 1, 1),
        "founded_precision": DatePrecision.YEAR,
        "founding_kind": Partnership.FoundingKind.BUILDING_STARTED,
        # "Obecnie partnerstwa funkcjonują": active, in an undated text (see the judgement).
        "status": Partnership.Status.ACTIVE,
        "status_stated_on": datetime.date(2013, 1, 1),
        "status_stated_precision": DatePrecision.YEAR,
        "status_stated_by": Partnership.StatusStatedBy.SOURCE,
        "stage": "",
        "declared_member_count": None,
        "goal": "Rozwój aktywnej integracji i przeciwdziałanie wykluczeniu społecznemu.",
        "description": (
            f"Formalne partnerstwo lokalne na rzecz rozwoju aktywnej integracji i przeciwdziałania wykluczeniu "
            f"społecznemu, funkcjonujące w powiecie {locative} od {year} roku, budowane przy wsparciu projektu "
            "systemowego „Razem dla Mazowsza – Edukacja w działaniu” Mazowieckiego Centrum Polityki Społecznej."
        ),
        "area_counties": [code],
        "area_communes": [],
        # 004: support goes "szczególnie na rzecz systemu pomocy dziecku i rodzinie", for
        # "osób zagrożonych wykluczeniem społecznym, w tym dziecka i rodziny".
        "target_groups": ["dzieci-i-rodziny", "osoby-zagrozone-wykluczeniem"],
        "thematic_areas": ["wsparcie-rodziny", "aktywna-integracja"],
        "project": MCPS_PROJECT,
        "events": [],
        # 004 lists the kinds of institutions that take part in Mazowsze's partnerships in
        # general, not the members of any one: members by kind, with no number, and a judgement.
        "members": [],
        "unnamed": [(kind, words, UnnamedMembers.Count.NOT_GIVEN, None) for kind, words in MAZOWSZE_KINDS],
    }


# Provenance: the five documents, as they give their titles and dates, and what each record
# rests on. A citation's quote is the source's own words (tests check them against the files
# when they are at hand); a judgement is a fact no source states, shown with its reason.

SOURCES = {
    "000": {
        "title": "",
        "description": (
            "relacja z konferencji „Lokalne partnerstwa społeczne - droga do rozwoju lokalnego i spójności "
            "społecznej”; dokument bez tytułu"
        ),
        "publisher": "",
        "published_on": None,
        "published_precision": DatePrecision.DAY,
        "date_note": "dokument nie podaje daty publikacji; opisuje konferencję z 27 września 2007 r.",
    },
    "001": {
        "title": "Dolny Śląsk promuje partnerstwa publiczno-społeczne. Po konferencyjny brewiarz.",
        "description": "relacja z konferencji „Partnerstwo w teorii i praktyce”",
        "publisher": "",
        "published_on": None,
        "published_precision": DatePrecision.DAY,
        "date_note": "dokument nie podaje daty publikacji; opisuje konferencję z 11 grudnia 2014 r.",
    },
    "002": {
        "title": "PARTNERSTWO LOKALNE, SPOŁECZNA PRZEDSIĘBIORCZOŚĆ",
        "description": "aktualność o konferencji „Partnerstwa lokalne i rozwój przedsiębiorczości społecznej”",
        "publisher": "",
        "published_on": datetime.date(2014, 10, 28),
        "published_precision": DatePrecision.DAY,
        "date_note": "",
    },
    "003": {
        "title": "W ZAKRESIE TWORZENIA PARTNERSTW LOKALNYCH",
        "description": (
            "tekst o zasadach, korzyściach i etapach tworzenia partnerstw lokalnych; zasady za podręcznikiem "
            "Ministerstwa Pracy i Polityki Społecznej"
        ),
        "publisher": "",
        "published_on": None,
        "published_precision": DatePrecision.DAY,
        "date_note": "dokument nie podaje daty",
    },
    "004": {
        "title": "Partnerstwa",
        "description": (
            "strona „Rozwój dialogu, partnerstwa i współpracy” o projekcie „Razem dla Mazowsza – Edukacja "
            "w działaniu” Mazowieckiego Centrum Polityki Społecznej"
        ),
        "publisher": "",
        "published_on": None,
        "published_precision": DatePrecision.DAY,
        "date_note": "dokument nie podaje daty; opisuje działania do końca 2013 roku",
    },
}

# Who states the judgements of the demo dataset.
JUDGED_BY = "redakcja rejestru (dane demonstracyjne)"

Q_SZMIT = "członkowie Komisji Samorządu Terytorialnego i Administracji Państwowej z przewodniczącym sen. Jerzym Szmitem"
Q_PANEL = (
    "Konferencję zakończył panel dyskusyjny, w którym uczestniczyli prof. Ewa Leś z Uniwersytetu Warszawskiego, "
    "Tomasz Schimanek, dyrektor do spraw programowych Akademii Rozwoju Filantropii w Polsce, Tomasz Sadowski, "
    'dyrektor Fundacji Pomocy Wzajemnej "Barka" i Michał Drozdek, pełnomocnik Ministra Gospodarki ds. umowy '
    "społecznej i dialogu społecznego"
)
Q_2007 = (
    '27 września 2007 r. w Ministerstwie Gospodarki obyła się konferencja "Lokalne partnerstwa społeczne - droga '
    'do rozwoju lokalnego i spójności społecznej" zorganizowana przez Komisję Samorządu Terytorialnego '
    'i Administracji Państwowej oraz Centrum Partnerstwa Społecznego "Dialog" przy Ministerstwie Pracy '
    "i Polityki Społecznej"
)
Q_BECKER = (
    "Hanna Becker, dyrektor Powiatowego Urzędu Pracy w Siemianowicach Śląskich przedstawiła genezę powstania "
    "oraz działania Siemianowickiego Paktu na Rzecz Zatrudnienia"
)
Q_DOWNIE = (
    "Przedstawiciel samorządu londyńskiej dzielnicy Hammersmith and Fulham John Downie mówił o efektach "
    'partnerskiej współpracy z Fundacją "Barka"'
)
Q_KOLEJNI = "Kolejni mówcy Romana Krzewicka, Andrzej Tomeczek i Antoni Sobolewski"
Q_GAJOWICE = (
    "działania pro społeczne realizowane z udziałem wrocławskich pracowników socjalnych w zawiązanym partnerstwie "
    "z lokalną komendą Policji, związkiem wyznaniowym oraz instytucjami oświaty i wieloma innymi podmiotami"
)
Q_LEJKAM = (
    "Panią Magdalenę Lejkam zastępcę kierownika Zespołu Terenowej Pracy Socjalnej nr 4 Miejskiego Ośrodka Pomocy "
    "Społecznej we Wrocławiu"
)
Q_WOZNIAK = "Pani Marty Woźniak – dyrektor Powiatowego Środowiskowego Domu Samopomocy w Wałbrzychu"
Q_FIRMA = "Partnera przedsięwzięcia – lokalną firmę z kapitałem zagranicznym"
Q_DOPS = (
    "Konferencja Partnerstwo w teorii i praktyce jaka odbyła się 11 grudnia 2014 r. we Wrocławiu zorganizowana "
    "przez Dolnośląski Ośrodek Polityki"
)
Q_MIKA = (
    "Pan Tomasz Mika – będący wiceprezesem Fundacji im. Królowej Polski św. Jadwigi z siedzibą w Puszczykowie "
    "oraz Pan Antonii Sobolewski - wiceprezes Stowarzyszenia Czas-Przestrzeń -Tożsamość ze Szczecina"
)
Q_DOPS_PROJECT = (
    "w projekcie  systemowym DOPS w zakresie  podnoszenia kwalifikacji kadr pomocy i integracji społecznej, "
    "projekt  współfinansowany w ramach Europejskiego Funduszu Społecznego w ramach PO KL Priorytet VII "
    "Promocja integracji społecznej Działanie 7.1 ,Poddziałanie 7.1.3 Podnoszenie kwalifikacji kadr pomocy "
    "i integracji społecznej"
)
Q_BARKA_EVENT = (
    "Zorganizowane przez Fundację Pomocy Wzajemnej „Barka”, Urząd Miasta i centra integracji społecznej "
    "spotkanie służyło prezentacji modelowych Partnerstw Lokalnych"
)
Q_SIGNED = "Podczas konferencji podpisano 2 partnerstwa"
Q_OFFICIAL = (
    "Podpisanie partnerstwa to podsumowanie kilkuletnich przygotowań w zakresie organizowania społeczności "
    "lokalnych i rozpoczęcie oficjalnego działania."
)
Q_STEFANIAK = (
    "Zastępca prezydenta Ryszard Stefaniak wręczył również certyfikaty organizacjom, które działają na rzecz "
    "aktywności lokalnej."
)
Q_MCPS = (
    "projektu systemowego „Razem dla Mazowsza – Edukacja w działaniu” PO KL Poddziałanie 7.1.3, realizowanego "
    "przez Mazowieckie Centrum Polityki Społecznej od 2007 roku"
)
Q_MAZ_KINDS = (
    "W lokalnych partnerstwach biorą udział jednostki pomocy i integracji społecznej: Powiatowe Centra Pomocy "
    "Rodzinie, Miejskie i Gminne Ośrodki Pomocy Społecznej, Domy Pomocy Społecznej, Środowiskowe Domy Samopomocy "
    "i Warsztaty Terapii Zajęciowej instytucje szczebla samorządowego: Urzędy Miast i Gmin, Sądy Rejonowe, "
    "Urzędy Pracy, Komendy Powiatowe Policji, szkoły i Ośrodki Szkolno-Wychowawcze oraz organizacje pozarządowe."
)
Q_MAZ_NOW = "Obecnie partnerstwa funkcjonują w następujących powiatach"
Q_MAZ_START = (
    "Budowanie formalnego partnerstwa lokalnego na rzecz rozwoju aktywnej integracji i przeciwdziałania "
    "wykluczeniu społecznemu zainicjowano w roku 2010 na terenie czterech powiatów. Do końca 2013 roku "
    "działanie takie podjęte zostały na terenie kolejnych 20 powiatów."
)
Q_TRAININGS = (
    "Pierwsze z nich jednodniowe (w trakcie realizacji) dotyczy „Partnerstwa w obszarze systemu wsparcia dziecka "
    "i rodziny”. Dwudniowe szkolenie pn. „Jak budować partnerstwa dla wspólnych działań projektowych” odbędzie "
    "się we wszystkich powiatach jesienią br."
)
Q_ABC = (
    "W 2013 roku nagrano także 3 reportaże telewizyjne ukazujące partnerskie działania na rzecz aktywnej "
    "integracji w kontekście systemu wsparcia dziecka i rodziny pt. wspólnym tytułem „ABC aktywnego pomagania”"
)
Q_PUBLICATION = (
    "prowadzący odnieśli się do badań społecznych jakie opublikował Dolnośląski Ośrodek Polityki Społecznej we "
    "Wrocławiu – których celem była identyfikacja oraz inwentaryzacja partnerstw w regionie"
)

# Institutions: slug -> [(field, source, quote)]. The record as a whole is field "".
INSTITUTION_CITATIONS = {
    "komisja-samorzadu-terytorialnego-i-administracji-panstwowej": [("", "000", Q_SZMIT)],
    "centrum-partnerstwa-spolecznego-dialog": [("", "000", Q_2007)],
    "ministerstwo-pracy-i-polityki-spolecznej": [("", "000", Q_2007)],
    "ministerstwo-gospodarki": [("", "000", Q_2007)],
    "uniwersytet-warszawski": [("", "000", "Prof. Urszula Sztanderska z Uniwersytetu Warszawskiego")],
    "instytut-badan-nad-gospodarka-rynkowa": [
        ("", "000", "Jan Szomburg, prezes Instytutu Badań nad Gospodarką Rynkową")
    ],
    "uniwersytet-lodzki": [("", "000", "dyrektor Instytutu Socjologii Uniwersytetu Łódzkiego")],
    "powiatowy-urzad-pracy-w-siemianowicach-slaskich": [("", "000", Q_BECKER)],
    "london-borough-of-hammersmith-and-fulham": [("", "000", Q_DOWNIE)],
    "fundacja-pomocy-wzajemnej-barka": [("", "000", Q_DOWNIE), ("", "002", Q_BARKA_EVENT)],
    "akademia-rozwoju-filantropii-w-polsce": [("", "000", Q_PANEL)],
    "fundacja-im-krolowej-polski-sw-jadwigi": [("", "001", Q_MIKA)],
    "stowarzyszenie-czas-przestrzen-tozsamosc": [("", "001", Q_MIKA)],
    "miejski-osrodek-pomocy-spolecznej-we-wroclawiu": [("", "001", Q_LEJKAM)],
    "powiatowy-srodowiskowy-dom-samopomocy-w-walbrzychu": [("", "001", Q_WOZNIAK)],
    "dolnoslaski-osrodek-polityki-spolecznej": [("", "001", Q_DOPS)],
    "mazowieckie-centrum-polityki-spolecznej": [("", "004", Q_MCPS)],
}

# Judgements: (kind of record, key) -> [(field, statement, reason)].
JUDGEMENTS = {
    ("institution", "centrum-partnerstwa-spolecznego-dialog"): [
        (
            "kind",
            "Rodzaj: ministerstwo lub urząd centralny",
            "Źródło mówi tylko, że centrum działa przy Ministerstwie Pracy i Polityki Społecznej; to najbliższy "
            "rodzaj instytucji w słowniku rejestru.",
        )
    ],
    ("institution", "mazowieckie-centrum-polityki-spolecznej"): [
        (
            "commune",
            "Siedziba: Warszawa",
            "Źródło nie podaje siedziby MCPS. Regionalne centrum województwa mazowieckiego ma siedzibę w stolicy "
            "województwa; bez gminy pracownicy centrum nie mogliby prowadzić jego rekordów.",
        )
    ],
    ("event", "lokalne-partnerstwa-spoleczne-droga-do-rozwoju-lokalnego-i-spojnosci-spolecznej-2007"): [
        (
            "commune",
            "Miejsce: Warszawa",
            "Źródło podaje miejsce (Ministerstwo Gospodarki), nie miasto; ministerstwo ma siedzibę w stolicy.",
        )
    ],
    ("event", "partnerstwa-lokalne-i-rozwoj-przedsiebiorczosci-spolecznej-2014"): [
        (
            "start_date",
            "Data: 28 października 2014 r.",
            "Źródło jest aktualnością z 28 października 2014 r. i nie podaje innej daty konferencji; przyjęto "
            "datę aktualności.",
        )
    ],
    ("person", ("Antoni", "Sobolewski")): [
        (
            "",
            "Jedna osoba w relacjach z 2007 i 2014 r.",
            "Obie relacje wymieniają Antoniego Sobolewskiego mówiącego o partnerstwach lokalnych (w jednej "
            "z nich raz jako „Antonii”); przyjęto, że to ta sama osoba.",
        )
    ],
    ("project", "Razem dla Mazowsza – Edukacja w działaniu"): [
        (
            "funding_line",
            "Priorytet VII, Działanie 7.1, EFS",
            "Źródło podaje tylko „PO KL Poddziałanie 7.1.3”; priorytet, działanie, ich nazwy i fundusz tego "
            "poddziałania podaje relacja z konferencji DOPS, która opisuje to samo poddziałanie.",
        )
    ],
    ("partnership", "barka-hammersmith-and-fulham"): [
        (
            "home_voivodeship",
            "Rekord prowadzi centrum województwa wielkopolskiego",
            "Źródła nie podają siedziby Fundacji „Barka”, a rekord musi mieć województwo. Fundacja ma siedzibę "
            "w Poznaniu: to wiedza powszechna, nie ze źródeł.",
        ),
        (
            "name",
            "Nazwa opisowa",
            "Źródło nie podaje nazwy współpracy; nazwa opisuje ją słowami źródła.",
        ),
    ],
    ("partnership", "partnerstwo-srodowiskowego-domu-samopomocy-w-walbrzychu-z-lokalna-firma"): [
        ("name", "Nazwa opisowa", "Źródło nie podaje nazwy partnerstwa; nazwa opisuje je słowami źródła."),
    ],
}
for _slug in ("rakow-reaktywacja", "stare-miasto-nowe-zycie"):
    JUDGEMENTS["partnership", _slug] = [
        (
            "home_voivodeship",
            "Rekord prowadzi centrum województwa śląskiego",
            "Źródło umieszcza prezentowane partnerstwa w województwie śląskim i dolnośląskim, nie mówiąc, które "
            "gdzie. Raków i Stare Miasto to dzielnice Częstochowy (śląskie): to wiedza powszechna, nie ze źródła.",
        ),
        (
            "founded",
            "Data podpisania: 28 października 2014 r.",
            "Źródło, aktualność z 28 października 2014 r., mówi, że partnerstwo podpisano podczas konferencji, "
            "i nie podaje innej daty.",
        ),
    ]

# People: (first name, last name) -> [(source, quote)].
PERSON_CITATIONS = {
    ("Bogdan", "Borusewicz"): [("000", "Patronat nad konferencją objął marszałek Senatu Bogdan Borusewicz.")],
    ("Jerzy", "Szmit"): [("000", Q_SZMIT)],
    ("Elżbieta", "Rafalska"): [("000", "wiceminister pracy i polityki społecznej Elżbieta Rafalska")],
    ("Urszula", "Sztanderska"): [("000", "Prof. Urszula Sztanderska z Uniwersytetu Warszawskiego")],
    ("Jan", "Szomburg"): [("000", "Jan Szomburg, prezes Instytutu Badań nad Gospodarką Rynkową")],
    ("Wielisława", "Warzywoda-Kruszyńska"): [
        ("000", "Prof. Wielisława Warzywoda-Kruszyńska, dyrektor Instytutu Socjologii Uniwersytetu Łódzkiego")
    ],
    ("Hanna", "Becker"): [("000", Q_BECKER)],
    ("Romana", "Krzewicka"): [("000", Q_KOLEJNI)],
    ("Andrzej", "Tomeczek"): [("000", Q_KOLEJNI)],
    ("Antoni", "Sobolewski"): [("000", Q_KOLEJNI), ("001", Q_MIKA)],
    ("John", "Downie"): [("000", Q_DOWNIE)],
    ("Ewa", "Leś"): [("000", Q_PANEL)],
    ("Tomasz", "Schimanek"): [("000", Q_PANEL)],
    ("Tomasz", "Sadowski"): [("000", Q_PANEL)],
    ("Michał", "Drozdek"): [("000", Q_PANEL)],
    ("Ryszard", "Stefaniak"): [("002", Q_STEFANIAK)],
    ("Tomasz", "Mika"): [("001", Q_MIKA)],
    ("Magdalena", "Lejkam"): [("001", Q_LEJKAM)],
    ("Marta", "Woźniak"): [("001", Q_WOZNIAK)],
}

PROJECT_CITATIONS = {
    DOPS_PROJECT: [("", "001", Q_DOPS_PROJECT)],
    # The funding line: 004 names the sub-measure, 001 writes out the same sub-measure's line.
    MCPS_PROJECT: [("", "004", Q_MCPS), ("funding_line", "004", Q_MCPS), ("funding_line", "001", Q_DOPS_PROJECT)],
}

EVENT_CITATIONS = {
    EVENT_2007: [("", "000", Q_2007)],
    EVENT_BARKA_2014: [("", "002", Q_BARKA_EVENT)],
    EVENT_DOPS_2014: [("", "001", Q_DOPS)],
    TRAINING_FAMILY: [("", "004", Q_TRAININGS)],
    TRAINING_PROJECTS: [("", "004", Q_TRAININGS)],
}

DOPS_PUBLICATION = (
    "Badania społeczne Dolnośląskiego Ośrodka Polityki Społecznej: identyfikacja oraz inwentaryzacja "
    "partnerstw w regionie"
)
MATERIAL_CITATIONS = {
    "ABC aktywnego pomagania": [("", "004", Q_ABC)],
    DOPS_PUBLICATION: [("", "001", Q_PUBLICATION)],
}
JUDGEMENTS["material", DOPS_PUBLICATION] = [
    ("title", "Tytuł opisowy", "Źródło nie podaje tytułu publikacji; tytuł opisuje ją słowami źródła."),
]

# Partnerships: slug -> [(field, source, quote)]; the Mazowsze ones are added below.
PARTNERSHIP_CITATIONS = {
    "siemianowicki-pakt-na-rzecz-zatrudnienia": [("", "000", Q_BECKER)],
    "aktywne-gajowice": [
        ("", "001", "dokonań Partnerstwa lokalnego „Aktywne Gajowice”"),
        ("members", "001", Q_GAJOWICE),
    ],
    "partnerstwo-srodowiskowego-domu-samopomocy-w-walbrzychu-z-lokalna-firma": [
        ("", "001", Q_WOZNIAK),
        ("members", "001", Q_FIRMA),
    ],
    "barka-hammersmith-and-fulham": [("", "000", Q_DOWNIE), ("members", "000", Q_DOWNIE)],
    "rakow-reaktywacja": [
        ("", "002", "na rzecz aktywności lokalnej „Raków-Reaktywacja” (13 podmiotów)"),
        ("members", "002", "na rzecz aktywności lokalnej „Raków-Reaktywacja” (13 podmiotów)"),
        ("founded", "002", Q_SIGNED),
        ("status", "002", Q_OFFICIAL),
    ],
    "stare-miasto-nowe-zycie": [
        ("", "002", "na rzecz aktywności lokalnej „Stare Miasto-Nowe Życie” - (11 podmiotów)"),
        ("members", "002", "na rzecz aktywności lokalnej „Stare Miasto-Nowe Życie” - (11 podmiotów)"),
        ("founded", "002", Q_SIGNED),
        ("status", "002", Q_OFFICIAL),
    ],
}

# Memberships: (partnership slug, institution slug) -> [(source, quote)].
MEMBERSHIP_CITATIONS = {
    ("aktywne-gajowice", "miejski-osrodek-pomocy-spolecznej-we-wroclawiu"): [("001", Q_GAJOWICE)],
    (
        "partnerstwo-srodowiskowego-domu-samopomocy-w-walbrzychu-z-lokalna-firma",
        "powiatowy-srodowiskowy-dom-samopomocy-w-walbrzychu",
    ): [("001", Q_WOZNIAK)],
    ("barka-hammersmith-and-fulham", "fundacja-pomocy-wzajemnej-barka"): [("000", Q_DOWNIE)],
    ("barka-hammersmith-and-fulham", "london-borough-of-hammersmith-and-fulham"): [("000", Q_DOWNIE)],
}

# Agreements: partnership slug -> [(source, quote)].
AGREEMENT_CITATIONS = {"rakow-reaktywacja": [("002", Q_SIGNED)], "stare-miasto-nowe-zycie": [("002", Q_SIGNED)]}

# 004's words for the year each powiat's partnership began.
_MAZOWSZE_SINCE = {
    2010: "lipskim, siedleckim, warszawskim zachodnim oraz wyszkowskim (od 2010 roku)",
    2011: (
        "grodziskim, kozienickim, łosickim, makowskim, pruszkowskim, radomskim, sierpeckim, szydłowieckim, "
        "wołomińskim oraz żyrardowskim (od roku 2011)"
    ),
    2012: "białobrzeskim, mławskim, mińskim, ostrowskim oraz przysuskim (od roku 2012)",
    2013: "ciechanowskim, legionowskim, nowodworskim, płockim oraz żuromińskim (od roku 2013)",
}

# 004's kinds of institutions taking part in Mazowsze's partnerships, in its order:
# (kind or "" when it gives only the sector, sector, its words).
MAZOWSZE_KINDS = [
    (K.PCPR, "Powiatowe Centra Pomocy Rodzinie"),
    (K.MOPS, "Miejskie Ośrodki Pomocy Społecznej"),
    (K.GOPS, "Gminne Ośrodki Pomocy Społecznej"),
    (K.DPS, "Domy Pomocy Społecznej"),
    (K.SDS, "Środowiskowe Domy Samopomocy"),
    (K.WTZ, "Warsztaty Terapii Zajęciowej"),
    (K.LOCAL_GOVERNMENT, "Urzędy Miast i Gmin"),
    (K.COURT, "Sądy Rejonowe"),
    (K.LABOUR_OFFICE, "Urzędy Pracy"),
    (K.POLICE, "Komendy Powiatowe Policji"),
    (K.SCHOOL, "szkoły"),
    (K.SPECIAL_SCHOOL_CENTRE, "Ośrodki Szkolno-Wychowawcze"),
    ("", "organizacje pozarządowe"),
]

for _code, _locative, _year in MAZOWSZE_POWIATS:
    _slug, PARTNERSHIPS[_slug] = _mazowsze_partnership(_code, _locative, _year)
    PARTNERSHIP_CITATIONS[_slug] = [
        ("", "004", Q_MAZ_NOW),
        ("area", "004", _MAZOWSZE_SINCE[_year]),
        ("founded", "004", Q_MAZ_START),
        ("founded", "004", _MAZOWSZE_SINCE[_year]),
        ("status", "004", Q_MAZ_NOW),
        ("members", "004", Q_MAZ_KINDS),
    ]
    JUDGEMENTS["partnership", _slug] = [
        (
            "status",
            "Stan na 2013 rok",
            "Źródło nie jest datowane. Pisze, że partnerstwa „obecnie” funkcjonują, i wymienia wśród nich te, "
            "których budowę podjęto do końca 2013 roku, więc opisuje stan nie wcześniejszy niż koniec 2013 roku; "
            "przyjęto rok 2013.",
        ),
        (
            "members",
            "Rodzaje członków wspólne dla wszystkich partnerstw Mazowsza",
            "Źródło wymienia rodzaje instytucji biorących udział w partnerstwach Mazowsza łącznie, nie dla "
            "każdego powiatu osobno, i nie podaje ich liczby ani nazw.",
        ),
        (
            "name",
            "Nazwa opisowa",
            "Źródło nie podaje nazw partnerstw, tylko powiaty, w których działają; nazwa to opis.",
        ),
    ]


# Keys of a PARTNERSHIPS entry that are relations, written apart from the row's own fields.
_PARTNERSHIP_RELATIONS = (
    "area_counties",
    "area_communes",
    "target_groups",
    "thematic_areas",
    "events",
    "members",
    "agreement",
    "unnamed",
)

# Values of a partnership that the sources must state: unknown unless an entry says otherwise.
_PARTNERSHIP_DEFAULTS = {
    "status": Partnership.Status.UNKNOWN,
    "status_stated_on": None,
    "status_stated_precision": DatePrecision.DAY,
    "status_stated_by": "",
    "founding_kind": Partnership.FoundingKind.FOUNDED,
}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class DemoReport:
    """What ``load_demo`` did: built-in units created, and per model rows created,
    updated (a value or a relation set differed) and left unchanged."""

    units_created: int = 0
    rows: dict[type[models.Model], Counts] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.units_created) or any(c.created or c.updated or c.deleted for c in self.rows.values())


class _Writer:
    """Creates or updates rows by natural key, saving only what differs."""

    def __init__(self, report: DemoReport) -> None:
        self.report = report

    def upsert(self, model, lookup: dict, values: dict, m2m: dict | None = None):
        counts = self.report.rows.setdefault(model, Counts())
        m2m = m2m or {}
        try:
            obj = model.objects.get(**lookup)
        except model.DoesNotExist:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            for name, targets in m2m.items():
                getattr(obj, name).set(targets)
            counts.created += 1
            return obj
        changed = False
        for name, value in values.items():
            model_field = model._meta.get_field(name)
            if model_field.is_relation:
                if getattr(obj, model_field.attname) != (value.pk if value is not None else None):
                    setattr(obj, name, value)
                    changed = True
            elif getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        if changed:
            obj.full_clean()
            obj.save()
        for name, targets in m2m.items():
            # A no-op set() still sends m2m_changed, which simple_history records as a change.
            manager = getattr(obj, name)
            if set(manager.values_list("pk", flat=True)) != {t.pk for t in targets}:
                manager.set(targets)
                changed = True
        if changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
        return obj


@transaction.atomic
def load_demo() -> DemoReport:
    """Write the demo dataset; a second run changes nothing. All or nothing: one transaction."""
    report = DemoReport(units_created=ensure_builtin_units())
    write = _Writer(report).upsert
    communes = {c.code: c for c in Commune.objects.all()}
    counties = {c.code: c for c in County.objects.all()}
    voivodeships = {v.code: v for v in Voivodeship.objects.all()}
    target_groups = {t.slug: t for t in TargetGroup.objects.all()}
    thematic_areas = {t.slug: t for t in ThematicArea.objects.all()}

    sources = {
        number: write(Source, {"key": f"zrodlo-{number}"}, {"url": "", **data}) for number, data in SOURCES.items()
    }

    def cite(record, citations) -> None:
        content_type = ContentType.objects.get_for_model(record)
        for field_name, number, quote in citations:
            lookup = {"content_type": content_type, "object_id": record.pk, "field": field_name, "quote": quote}
            write(Citation, {**lookup, "source": sources[number]}, {"page": ""})

    def judge(record, key) -> None:
        content_type = ContentType.objects.get_for_model(record)
        for field_name, statement, reason in JUDGEMENTS.get(key, []):
            lookup = {"content_type": content_type, "object_id": record.pk, "field": field_name}
            write(Judgement, {**lookup, "statement": statement}, {"reason": reason, "made_by": JUDGED_BY})

    for principle in Principle.objects.all():
        cite(principle, [("", "003", principle.name)])

    institutions = {}
    for slug, data in INSTITUTIONS.items():
        values = {"short_name": "", "description": "", "country": "PL", **data}
        values["commune"] = communes[data["commune"]] if data["commune"] else None
        institutions[slug] = write(Institution, {"slug": slug}, values)
        cite(institutions[slug], INSTITUTION_CITATIONS[slug])
        judge(institutions[slug], ("institution", slug))

    people = {}
    for (first_name, last_name), data in PEOPLE.items():
        values = {"academic_title": "", "function": "", **data}
        values["affiliation"] = institutions[data["affiliation"]] if data.get("affiliation") else None
        person = people[first_name, last_name] = write(
            Person, {"first_name": first_name, "last_name": last_name}, values
        )
        cite(person, [("", number, quote) for number, quote in PERSON_CITATIONS[first_name, last_name]])
        judge(person, ("person", (first_name, last_name)))

    projects = {}
    for name, data in PROJECTS.items():
        values = {**data, "operator": institutions[data["operator"]]}
        projects[name] = write(Project, {"name": name}, values)
        cite(projects[name], PROJECT_CITATIONS[name])
        judge(projects[name], ("project", name))

    events = {}
    for slug, data in EVENTS.items():
        values = {k: v for k, v in data.items() if k not in ("organisers", "patrons", "speakers")}
        values["commune"] = communes[data["commune"]] if data["commune"] else None
        values["project"] = projects[data["project"]] if data["project"] else None
        event = events[slug] = write(
            Event, {"slug": slug}, values, m2m={"organisers": [institutions[s] for s in data["organisers"]]}
        )
        for person, honorary_title in data["patrons"]:
            write(Patron, {"event": event, "person": people[person]}, {"honorary_title": honorary_title})
        cite(event, EVENT_CITATIONS[slug])
        judge(event, ("event", slug))
        kept = []
        for order, (person, role, topic) in enumerate(data["speakers"], start=1):
            speaker = write(
                Speaker, {"event": event, "person": people[person], "role": role}, {"topic": topic, "order": order}
            )
            kept.append(speaker.pk)
        # A part the sources do not support (an earlier "guest of honour") goes.
        stale = Speaker.objects.filter(event=event).exclude(pk__in=kept)
        for speaker in stale:
            speaker.delete()
            report.rows.setdefault(Speaker, Counts()).deleted += 1

    for (kind, title, event_slug, project_name), data in MATERIALS.items():
        lookup = {
            "kind": kind,
            "title": title,
            "event": events[event_slug] if event_slug else None,
            "project": projects[project_name] if project_name else None,
        }
        material = write(Material, lookup, data)
        cite(material, MATERIAL_CITATIONS[title])
        judge(material, ("material", title))

    for slug, data in PARTNERSHIPS.items():
        values = {**_PARTNERSHIP_DEFAULTS, **{k: v for k, v in data.items() if k not in _PARTNERSHIP_RELATIONS}}
        values["home_voivodeship"] = voivodeships[data["home_voivodeship"]]
        values["project"] = projects[data["project"]] if data["project"] else None
        partnership = write(
            Partnership,
            {"slug": slug},
            values,
            m2m={
                "area_counties": [counties[c] for c in data["area_counties"]],
                "area_communes": [communes[c] for c in data["area_communes"]],
                "target_groups": [target_groups[s] for s in data["target_groups"]],
                "thematic_areas": [thematic_areas[s] for s in data["thematic_areas"]],
                "events": [events[s] for s in data["events"]],
            },
        )
        cite(partnership, PARTNERSHIP_CITATIONS[slug])
        judge(partnership, ("partnership", slug))
        for institution in data["members"]:
            membership = write(
                Membership,
                {"partnership": partnership, "institution": institutions[institution], "left_on": None},
                {"role": Membership.Role.PARTNER},
            )
            cite(membership, [("", n, q) for n, q in MEMBERSHIP_CITATIONS[slug, institution]])
        for order, (kind, words, count_kind, count) in enumerate(data.get("unnamed", []), start=1):
            write(
                UnnamedMembers,
                {"partnership": partnership, "description": words},
                {
                    "kind": kind,
                    "sector": SECTOR_OF_KIND[kind] if kind else Sector.NON_GOVERNMENTAL,
                    "count_kind": count_kind,
                    "count": count,
                    "order": order,
                },
            )
        if agreement := data.get("agreement"):
            signed = write(
                Agreement,
                {"partnership": partnership, "kind": agreement["kind"], "signed_on": agreement["signed_on"]},
                {"title": agreement["title"], "signed_at": events[agreement["signed_at"]], "notes": agreement["notes"]},
            )
            cite(signed, [("", n, q) for n, q in AGREEMENT_CITATIONS[slug]])
    return report
