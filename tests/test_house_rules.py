"""The house rules for the tests themselves, checked on their source (see README, "Tests").

- A test that checks some text is absent from a page also checks, on the same page, text that must be there;
  otherwise an empty page or a reworded message makes it pass without proving anything.
- Tests change app.config only through monkeypatch or a fixture, so no change outlives its test.
"""
import ast
import functools
import textwrap
from collections import Counter
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
# Helpers whose negation asserts an absence from the page they are given.
ABSENCE_HELPERS = {"has_inline_script", "loads_external"}
CONFIG_WRITES = {"update", "pop", "setdefault", "clear", "popitem", "__setitem__", "__delitem__"}


def sources():
    return sorted(TESTS.rglob("test_*.py"))


def _literal_collection(node):
    return isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict))


def _text(node):
    return isinstance(node, ast.JoinedStr) or isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))


def _empty(node):
    """0, None, "", [] ...: comparing with these checks an absence, not a presence."""
    if isinstance(node, ast.Constant):
        return not node.value
    return _literal_collection(node) and not getattr(node, "elts", getattr(node, "keys", None))


def _receivers(node):
    """The expression and what it is taken from: ``body.count(x)``, ``found[k]`` and ``len(body)`` check ``body``."""
    while True:
        yield node
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            node = node.func.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1:
            node = node.args[0]
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        else:
            return


def _checks(assertion, key):
    """(positive, negative) page expressions an assert statement checks, as ``key`` names them."""
    positive, negative = [], []
    for node in ast.walk(assertion.test):
        if isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                if isinstance(op, ast.In):
                    positive.append(right)
                elif isinstance(op, ast.NotIn) and not _literal_collection(right):
                    negative.append(right)
                elif isinstance(op, ast.Eq) and not (_empty(left) or _empty(right)):
                    positive += [left, right]
                elif isinstance(op, (ast.Gt, ast.GtE, ast.Lt, ast.LtE)):
                    positive += [left, right]
                elif isinstance(op, ast.NotEq) and (_text(left) or _text(right)):
                    negative.append(right if _text(left) else left)
                left = right
        elif (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Call)
              and getattr(node.operand.func, "id", None) in ABSENCE_HELPERS):
            negative += node.operand.args
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) in ("startswith", "endswith"):
            positive.append(node.func.value)
    return {key(part) for node in positive for part in _receivers(node)}, {key(node) for node in negative}


def _key(expression, version, lineno):
    """Name a checked expression so that two different pages never share a name.

    A variable assigned again names another page (``page`` after a second ``page = ...``), and an expression
    with a call names another page in each assert (``body(client.get(url))`` fetches the page anew).
    """
    names = sorted({n.id for n in ast.walk(expression) if isinstance(n, ast.Name) and version[n.id]})
    fetched = any(isinstance(n, ast.Call) for n in ast.walk(expression))
    return (ast.unparse(expression) + "".join(f" [{name} #{version[name]}]" for name in names)
            + (f" [line {lineno}]" if fetched else ""))


def absence_only(function):
    """Page expressions the test checks only for absence."""
    events = sorted(((node.lineno, isinstance(node, ast.Assert), id(node), node) for node in ast.walk(function)
                     if isinstance(node, ast.Assert) or isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)),
                    key=lambda event: event[:3])
    version = Counter()
    positive, negative = set(), set()
    for lineno, is_assert, _, node in events:
        if is_assert:
            more, fewer = _checks(node, functools.partial(_key, version=version, lineno=lineno))
            positive |= more
            negative |= fewer
        else:
            version[node.id] += 1
    return sorted(negative - positive)


def functions_of(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test")]


def config_writes(path):
    """Line numbers where an app's config is assigned, updated or popped directly."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            targets = [t.value for t in targets if isinstance(t, ast.Subscript)]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) in CONFIG_WRITES:
            targets = [node.func.value]
        if any(isinstance(t, ast.Attribute) and t.attr == "config" for t in targets):
            lines.append(node.lineno)
    return lines


def test_every_absence_check_comes_with_a_presence_check_on_the_same_page():
    offenders = [f"{path.relative_to(TESTS)}:{function.lineno} {function.name}: {', '.join(names)}"
                 for path in sources() for function in functions_of(path)
                 if (names := absence_only(function))]
    assert offenders == []


def test_config_changes_go_through_monkeypatch():
    assert [f"{path.relative_to(TESTS)}:{line}" for path in sources() for line in config_writes(path)] == []


@pytest.mark.parametrize("body, vacuous", [
    ("page = get('/')\nassert '泽州' not in page", True),
    ("page = get('/')\nassert '城区' in page and '泽州' not in page", False),
    ("page = get('/')\nassert '城区' in page\npage = get('/other')\nassert '泽州' not in page", True),
    ("assert '城区' in body(get('/'))\nassert '泽州' not in body(get('/'))", True),
    ("assert not has_inline_script(page)", True),
    ("assert page.count('<tr>') == 3 and not has_inline_script(page)", False),
    ("assert page.count('<tr>') == 0 and '泽州' not in page", True),
    ("assert found['城区'] == '2' and '泽州' not in found", False),
    ("assert len(secret) >= 32 and secret != 'dev'", False),
    ("assert entry.summary != '篡改'", True),
    ("assert state not in ('draft', 'closed')", False),
], ids=range(11))
def test_the_absence_rule_catches_what_it_is_meant_to(tmp_path, body, vacuous):
    source = tmp_path / "test_sample.py"
    source.write_text("def test_sample():\n" + textwrap.indent(body, "    ") + "\n", encoding="utf-8")
    [function] = functions_of(source)
    assert bool(absence_only(function)) is vacuous


def test_the_config_rule_catches_what_it_is_meant_to(tmp_path):
    source = tmp_path / "test_sample.py"
    source.write_text("def test_config(app, monkeypatch):\n"
                      "    monkeypatch.setitem(app.config, 'X', 1)\n"
                      "    app.config['X'] = 1\n"
                      "    app.config.update(Y=2)\n"
                      "    current_app.config.pop('Y')\n", encoding="utf-8")
    assert config_writes(source) == [3, 4, 5]
