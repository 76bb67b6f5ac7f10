"""The apps are layered: core <- territory <- members <- events <- partnerships (config wires them).

No module of an app imports an app to its right, and none reaches to its right through a
reverse relation (``institution.memberships``) or a lookup naming one (``"memberships__…"``,
``filter(memberships__institution=…)``): a page that combines apps is built in the app that
knows them all.
"""

import ast
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.test import SimpleTestCase

ORDER = ["core", "territory", "members", "events", "partnerships"]
LOOKUP = re.compile(r"^[a-z][a-z0-9_]*$")


def rank(app: str) -> int:
    return ORDER.index(app)


def modules() -> dict[str, list[Path]]:
    """The Python modules of each layered app, migrations aside."""
    found = {}
    for app in ORDER:
        root = Path(settings.BASE_DIR) / app
        found[app] = [path for path in sorted(root.rglob("*.py")) if "migrations" not in path.parts]
    return found


def reverse_names() -> dict[str, set[str]]:
    """Per app, the names of the reverse relations into its models from models to its right:
    the accessors and query names that code of that app (or of one further left) must not use."""
    names = {app: set() for app in ORDER}
    for model in apps.get_models():
        source = model._meta.app_label
        if source not in ORDER:
            continue
        for field in model._meta.get_fields():
            if not (field.concrete and field.is_relation and field.related_model):
                continue
            target = field.related_model._meta.app_label
            if target not in ORDER or rank(source) <= rank(target) or field.remote_field.hidden:
                continue
            for app in ORDER[: rank(source)]:
                names[app] |= {field.remote_field.get_accessor_name(), field.related_query_name()}
    return names


def lookup_parts(text: str) -> list[str]:
    return text.split("__") if all(LOOKUP.match(part) for part in text.split("__")) else []


class LayeringTests(SimpleTestCase):
    def test_no_module_imports_an_app_to_its_right(self):
        wrong = []
        for app, paths in modules().items():
            for path in paths:
                for node in ast.walk(ast.parse(path.read_text(), str(path))):
                    if isinstance(node, ast.Import):
                        imported = [alias.name.split(".")[0] for alias in node.names]
                    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                        imported = [node.module.split(".")[0]]
                    else:
                        continue
                    wrong += [
                        f"{path.relative_to(settings.BASE_DIR)}:{node.lineno} imports {name}"
                        for name in imported
                        if name in ORDER and rank(name) > rank(app)
                    ]
        self.assertEqual(wrong, [])

    def test_no_module_reaches_to_its_right_through_a_reverse_relation_or_a_lookup(self):
        forbidden = reverse_names()
        # The check knows the relations it guards: an institution's memberships, for one.
        self.assertIn("memberships", forbidden["members"])
        self.assertIn("partnerships", forbidden["territory"])
        wrong = []
        for app, paths in modules().items():
            for path in paths:
                place = path.relative_to(settings.BASE_DIR)
                for node in ast.walk(ast.parse(path.read_text(), str(path))):
                    if isinstance(node, ast.Attribute) and node.attr in forbidden[app]:
                        wrong.append(f"{place}:{node.lineno} .{node.attr}")
                    elif isinstance(node, ast.keyword) and node.arg and node.arg.split("__")[0] in forbidden[app]:
                        wrong.append(f"{place}:{node.value.lineno} {node.arg}=")
                    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                        parts = lookup_parts(node.value)
                        if parts and parts[0] in forbidden[app] and (len(parts) > 1 or node.value == parts[0]):
                            wrong.append(f"{place}:{node.lineno} {node.value!r}")
        self.assertEqual(wrong, [])
