"""The suite's structural rules, read from the source:

- an addon uses only models of the addons it depends on (``env[...]``,
  ``registry[...]``, relational fields' comodels, ``_inherit``), directly or
  through their dependencies: a layer never reaches sideways or upwards;
- an addon imports from another Woow PaaS addon only what that addon
  publishes (names without a leading underscore, from addons it depends on);
- an addon that lets a PaaS User or a portal user write one of its own
  models has an authorization matrix (``tests/test_authorization_matrix.py``,
  see ``woow_paas_core/tests/authorization_matrix.py``);
- no Python file of an addon is longer than ``MAX_LINES``;
- no module-level mutable state that code changes at run time (a cache in a
  module global is shared by every request of the process, and by no other
  process: it belongs on the registry, the model or an object of the call).
"""

import ast
import csv
import re
from functools import cache
from pathlib import Path

import pytest
from odoo_process import ADDONS, ROOT

from odoo.modules.module import get_manifest, get_module_path

MAX_LINES = 500
MODEL_USE = re.compile(
    r"""(?:env|registry|pool)\[\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']\s*\]"""
    r"""|fields\.(?:Many2one|One2many|Many2many)\(\s*(?:comodel_name=)?["']([a-z0-9_.]+)["']"""
    r"""|comodel_name\s*=\s*["']([a-z0-9_.]+)["']"""
)
MUTATORS = {
    "append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem",
    "clear", "remove", "discard", "appendleft", "move_to_end",
}  # fmt: skip


def _python_files(directory):
    return sorted(p for p in Path(directory).rglob("*.py") if "/migrations/" not in str(p))


@cache
def _closure(module):
    """``module`` and everything it depends on, transitively."""
    found = {module}
    for dep in get_manifest(module).get("depends", []):
        found |= _closure(dep)
    return frozenset(found)


def _names_declared(text):
    """``_name`` values of the classes of ``text``, except a ``_name`` that is
    also in its class's ``_inherit`` list: that class extends the model with
    mixins, it does not define it."""
    names = set()
    for chunk in re.split(r"^class ", text, flags=re.MULTILINE):
        inherit = re.search(r"""^\s+_inherit\s*=\s*\[([^\]]*)\]""", chunk, re.MULTILINE)
        extended = set(re.findall(r"""["']([\w.]+)["']""", inherit[1])) if inherit else set()
        declared = re.findall(r"""^\s+_name\s*=\s*["']([\w.]+)["']""", chunk, re.MULTILINE)
        names.update(name for name in declared if name not in extended)
    return names


@cache
def _models_defined(module):
    """Model names a module declares with ``_name`` (or a one-name ``_inherit``
    that makes a new model of a copy: not counted, it does not define one;
    nor is a ``_name`` listed in its own ``_inherit``, an extension)."""
    path = get_module_path(module, display_warning=False)
    names = set()
    if not path:
        return frozenset()
    for file in _python_files(Path(path) / "models") + _python_files(Path(path) / "report"):
        names.update(_names_declared(file.read_text(encoding="utf-8", errors="replace")))
    if module == "base":
        for sub in ("models", "wizard", "report"):
            for file in _python_files(Path(path) / sub):
                names.update(_names_declared(file.read_text(encoding="utf-8", errors="replace")))
    return frozenset(names)


def _all_models(modules):
    models = set()
    for module in modules:
        models |= _models_defined(module)
    return models


@cache
def _every_woow_model():
    return {model: addon for addon in ADDONS for model in _models_defined(addon)}


@pytest.mark.parametrize("addon", ADDONS)
def test_models_of_dependencies_only(addon):
    """Every model name an addon's Python uses is defined by one of its
    dependencies (the Woow PaaS ones are what this guards: a layer must not
    use a model of a layer it does not depend on, even behind a check that
    the model is installed)."""
    allowed = _all_models(_closure(addon))
    owners = _every_woow_model()
    wrong = []
    for file in _python_files(ROOT / addon):
        text = file.read_text(encoding="utf-8")
        for match in MODEL_USE.finditer(text):
            model = next(group for group in match.groups() if group)
            if model in owners and model not in allowed:
                line = text.count("\n", 0, match.start()) + 1
                wrong.append(f"{file.relative_to(ROOT)}:{line} uses {model} of {owners[model]}")
        for inherit in re.findall(r"""_inherit\s*=\s*\[?([^\]\n]+)""", text):
            for model in re.findall(r"""["']([\w.]+)["']""", inherit):
                if model in owners and model not in allowed:
                    wrong.append(f"{file.relative_to(ROOT)} inherits {model} of {owners[model]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("addon", ADDONS)
def test_imports_public_names_of_dependencies_only(addon):
    """``from odoo.addons.<other woow addon>... import name``: the other addon
    is a dependency and the name is public (no leading underscore)."""
    deps = _closure(addon)
    wrong = []
    for file in _python_files(ROOT / addon):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("odoo.addons."):
                other = node.module.split(".")[2]
                if other == addon or not other.startswith("woow_paas_"):
                    continue
                where = f"{file.relative_to(ROOT)}:{node.lineno}"
                if other not in deps:
                    wrong.append(f"{where} imports from {other}, not a dependency")
                for alias in node.names:
                    if alias.name.startswith("_"):
                        wrong.append(f"{where} imports {other}'s private {alias.name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if (
                        alias.name.startswith("odoo.addons.woow_paas_")
                        and parts[2] != addon
                        and any(part.startswith("_") for part in parts[3:])
                    ):
                        wrong.append(f"{file.relative_to(ROOT)}:{node.lineno} {alias.name}")
    assert not wrong, "\n".join(wrong)


# Groups a PaaS User or a portal user has, as an access file names them
# (a PaaS User is an internal user; an empty group is everyone's).
MATRIX_GROUPS = {
    "woow_paas_core.group_paas_user",
    "base.group_user",
    "base.group_portal",
    "",
}


@pytest.mark.parametrize("addon", ADDONS)
def test_writable_models_have_an_authorization_matrix(addon):
    """Write access for a PaaS User or a portal user on one of the addon's
    own models comes with ``tests/test_authorization_matrix.py`` (a subclass
    of the core's ``AuthorizationMatrixCase``): the fields they may write are
    a decision, checked there."""
    access = ROOT / addon / "security" / "ir.model.access.csv"
    if not access.exists():
        return
    # The core names its own group without its module.
    groups = MATRIX_GROUPS | ({"group_paas_user"} if addon == "woow_paas_core" else set())
    writable = []
    with access.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            model_ref = row["model_id:id"].strip()
            owner, _dot, _name = model_ref.rpartition(".")
            if owner not in ("", addon):
                continue  # another addon's model: its own matrix covers it
            if row["perm_write"].strip() == "1" and row["group_id:id"].strip() in groups:
                writable.append(f"{model_ref} ({row['group_id:id'] or 'everyone'})")
    matrix = ROOT / addon / "tests" / "test_authorization_matrix.py"
    assert not writable or matrix.exists(), (
        f"{addon} gives write access on {', '.join(writable)} but has no "
        "tests/test_authorization_matrix.py (subclass AuthorizationMatrixCase from "
        "woow_paas_core/tests/authorization_matrix.py)"
    )


def test_no_python_file_over_the_size_limit():
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for addon in ADDONS
        for path in _python_files(ROOT / addon)
    }
    over = {path: size for path, size in sizes.items() if size > MAX_LINES}
    assert not over, f"over {MAX_LINES} lines: {over}"


def _module_state(tree):
    """Module-level names bound to a mutable container literal or constructor."""
    names = set()
    for node in tree.body:
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        mutable = isinstance(
            value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp
        ) or (
            isinstance(value, ast.Call)
            and getattr(value.func, "id", getattr(value.func, "attr", ""))
            in {
                "dict",
                "list",
                "set",
                "defaultdict",
                "OrderedDict",
                "deque",
                "WeakValueDictionary",
                "WeakKeyDictionary",
                "LRU",
                "Counter",
            }
        )
        if mutable:
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _changes(node, state):
    """The module-level name of ``state`` that ``node`` changes, if any."""
    if isinstance(node, ast.Global):
        return next((name for name in node.names if name in state), None)
    if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
        for target in getattr(node, "targets", None) or [node.target]:
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id in state
            ):
                return target.value.id
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in MUTATORS
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in state
    ):
        return node.func.value.id
    return None


def _walk(node, functions=()):
    """Every node with the names of the functions around it."""
    yield node, functions
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        functions = (*functions, node.name)
    for child in ast.iter_child_nodes(node):
        yield from _walk(child, functions)


@pytest.mark.parametrize("addon", ADDONS)
def test_no_module_level_state_changed_at_run_time(addon):
    """Declarations filled while modules are imported (a ``register_*``
    function, a decorator, as Odoo's own ``http.route``) are allowed;
    anything else that changes a module-level container is state shared by
    every request of the process."""
    wrong = []
    for file in _python_files(ROOT / addon):
        if "/tests/" in str(file):
            continue
        tree = ast.parse(file.read_text(encoding="utf-8"))
        state = _module_state(tree)
        for node, functions in _walk(tree):
            changed = _changes(node, state)
            declaring = any(
                name.startswith("register") or name == "decorator" for name in functions
            )
            if changed and functions and not declaring:
                wrong.append(
                    f"{file.relative_to(ROOT)}:{node.lineno} changes module-level {changed}"
                )
    assert not wrong, "\n".join(wrong)
