"""Reference vocabularies: target groups, thematic areas, and the eight principles of
partnership that the Ministry of Labour and Social Policy proposes in its handbook on
building local partnerships on the labour market."""

from django.db import migrations

TARGET_GROUPS = [
    ("osoby-bezdomne", "osoby bezdomne", "homeless people"),
    ("dzieci-i-rodziny", "dzieci i rodziny", "children and families"),
    ("osoby-bezrobotne", "osoby bezrobotne", "unemployed people"),
    ("osoby-z-niepelnosprawnosciami", "osoby z niepełnosprawnościami", "people with disabilities"),
    ("seniorzy", "seniorzy", "seniors"),
    ("osoby-zagrozone-wykluczeniem", "osoby zagrożone wykluczeniem społecznym", "people at risk of social exclusion"),
]

THEMATIC_AREAS = [
    ("rynek-pracy", "rynek pracy i zatrudnienie", "labour market and employment"),
    ("aktywna-integracja", "pomoc społeczna i aktywna integracja", "social assistance and active inclusion"),
    ("wsparcie-rodziny", "wsparcie dziecka i rodziny", "support for children and families"),
    ("ekonomia-spoleczna", "ekonomia społeczna", "social economy"),
    ("bezdomnosc", "przeciwdziałanie bezdomności", "homelessness"),
    ("niepelnosprawnosc", "niepełnosprawność", "disability"),
    ("edukacja", "edukacja", "education"),
    ("bezpieczenstwo", "bezpieczeństwo publiczne", "public safety"),
    ("aktywnosc-lokalna", "aktywność lokalna i wolontariat", "local activity and volunteering"),
    ("sport", "sport i aktywność fizyczna", "sport and physical activity"),
]

PRINCIPLES = [
    (
        "rownosc-partnerow",
        "równość partnerów wobec siebie",
        "equality of partners",
        "Przystąpienie do partnerstwa powinno być dobrowolne, każdy z partnerów powinien być zaangażowany zgodnie "
        "z jego możliwościami na każdym etapie prac partnerstwa. Zasada ta nie wyklucza naturalnej potrzeby "
        "istnienia lidera partnerstwa.",
    ),
    (
        "oddolnosc",
        "budowanie partnerstw oddolnie na poziomie lokalnym",
        "building partnerships from the bottom up, locally",
        "Rozwiązywanie problemów lokalnych powinno się odbywać poprzez działania osób bezpośrednio "
        "zainteresowanych i znających lokalne uwarunkowania i problemy.",
    ),
    (
        "konsensus-i-solidarnosc",
        "konsensus w planowaniu, solidarność we wdrażaniu",
        "consensus in planning, solidarity in implementation",
        "Każdy z partnerów musi mieć możliwość uczestniczenia w procesie planowania i podejmowania decyzji.",
    ),
    (
        "innowacyjnosc-i-kompleksowosc",
        "innowacyjność i kompleksowość podejmowanych działań",
        "innovative and comprehensive action",
        "Niezbędne jest zaangażowanie wszystkich partnerów, którzy mogą uzyskać korzyści z partnerstwa, oraz "
        "podjęcie wszystkich niezbędnych działań, bez których nie ma możliwości uzyskania pożądanego efektu; "
        "partnerstwo powinno także zmierzać ku innowacyjności – podejmować się nowatorskich projektów, szukać "
        "niestosowanych wcześniej rozwiązań.",
    ),
    (
        "zaufanie-i-jawnosc",
        "zaufanie, otwartość i jawność działań",
        "trust, openness and transparency",
        "Wszyscy partnerzy powinni otwarcie mówić o swoich oczekiwaniach i wzajemnie sobie ufać, zaś wszystkie "
        "decyzje i działania podejmowane w ramach partnerstwa powinny być jasne i uzasadnione.",
    ),
    (
        "rzeczywiste-problemy",
        "koncentracja na rzeczywistych problemach społeczności lokalnych",
        "focus on the real problems of local communities",
        "Partnerstwo wymaga dobrego rozpoznania problemów (diagnozy), tak aby jego działania koncentrowały się "
        "na obszarach i osobach faktycznie wymagających wsparcia.",
    ),
    (
        "lagodzenie-konfliktow",
        "łagodzenie konfliktów",
        "easing conflicts",
        "Członkowie partnerstwa nie mogą postrzegać siebie nawzajem jako konkurentów; w sytuacji konfliktu "
        "interesów partnerstwo powinno posiadać narzędzia do skutecznego zarządzania konfliktem.",
    ),
    (
        "poszerzanie-kregu",
        "poszerzanie kręgu partnerskiego",
        "widening the circle of partners",
        "Otwartość formuły partnerstwa lokalnego pozwala uniknąć sztucznej elitarności oraz pomaga, dzięki "
        "włączaniu do partnerstwa coraz to nowych członków, odpowiadać na pojawiające się z czasem nowe problemy "
        "i wyzwania.",
    ),
]


def seed(apps, schema_editor):
    for model_name, rows in (("TargetGroup", TARGET_GROUPS), ("ThematicArea", THEMATIC_AREAS)):
        model = apps.get_model("partnerships", model_name)
        for order, (slug, name, name_en) in enumerate(rows, start=1):
            model.objects.update_or_create(slug=slug, defaults={"name": name, "name_en": name_en, "order": order})
    principle = apps.get_model("partnerships", "Principle")
    for order, (slug, name, name_en, description) in enumerate(PRINCIPLES, start=1):
        principle.objects.update_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "order": order, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
