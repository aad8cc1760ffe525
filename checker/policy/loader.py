"""Load policy files: YAML with line numbers -> JSON Schema -> vars -> compiled rules.

Everything a policy can get wrong is found here, before any record is read, and reported as
``file:line:column: rule ID: what is wrong (did you mean ...?)``. Regexes (for RE2), CIDRs, URLs,
paths (with their function calls) and message templates are parsed once, here.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from pathlib import Path as FsPath
from typing import Any

from checker.errors import PolicyError, UsageError
from checker.files.reading import Located, PathKey, iter_files
from checker.files.schemacheck import check_document
from checker.files.yaml_documents import load_yaml
from checker.model import RuleInfo
from checker.policy.conditions import All, Any_, Condition, Leaf, Not
from checker.policy.messages import Message, compile_message
from checker.policy.operators import OPERATORS, Context, Operator
from checker.policy.paths import Path, PathError, compile_path
from checker.policy.rule import Rule
from checker.text import suggest

BUILTIN = "builtin"
POLICY_SUFFIXES = (".yaml", ".yml")
_VAR_REF = re.compile(r"\$\{var\.([A-Za-z_][A-Za-z0-9_]*)(\??)\}")


def bundled_policy_dir() -> FsPath:
    """The bundled pack: inside the wheel, or ``policies/`` beside the package in a checkout."""
    packaged = resources.files("checker") / "_bundled_policies"
    if packaged.is_dir():
        return FsPath(str(packaged))
    return FsPath(__file__).resolve().parents[2] / "policies"


@cache
def policy_schema() -> dict[str, Any]:
    """The policy-file schema, its operator enum taken from the operator table (the shipped
    file's copy, for editors, is rewritten by ``python -m tools.readme``)."""
    text = (resources.files("checker.policy") / "schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    schema["$defs"]["leaf"]["properties"]["op"]["enum"] = sorted(OPERATORS)
    return schema


@dataclass(frozen=True)
class PolicySet:
    rules: tuple[Rule, ...]
    files: tuple[str, ...]
    vars: Mapping[str, Any]
    var_sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def unevaluated(self) -> dict[str, tuple[str, ...]]:
        """Rule id -> the unset vars that make it skip on every record (see :func:`unevaluated`)."""
        return unevaluated(self.rules)


def unevaluated(rules: Sequence[Rule]) -> dict[str, tuple[str, ...]]:
    """Rule id -> var names, for the rules that cannot be evaluated because a var they need is
    unset or empty: they skip on every record, which must never go unsaid."""
    return {rule.info.id: rule.missing_vars for rule in rules if rule.missing_vars}


def not_evaluated_note(rule_id: str, var_names: Sequence[str]) -> str:
    """The one line that says so: ``WF013 not evaluated: set allowed_cidrs``."""
    return f"{rule_id} not evaluated: set {', '.join(var_names)}"


def select_rules(
    rules: Sequence[Rule],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> list[Rule]:
    """Rules matching any ``include`` id glob (all when none), carrying any of ``tags`` (all
    when none), and matching no ``exclude`` glob.

    A glob that matches no loaded rule, or a tag no loaded rule carries, is a
    :class:`UsageError`: a typo must not silently run fewer rules than intended.
    """
    ids = [rule.info.id for rule in rules]
    for pattern in [*include, *exclude]:
        if not fnmatch.filter(ids, pattern):
            raise UsageError(f"rule pattern {pattern!r} matches no loaded rule")
    known_tags = sorted({tag for rule in rules for tag in rule.info.tags})
    for tag in tags:
        if tag not in known_tags:
            raise UsageError(
                f"tag {tag!r} is on no loaded rule",
                hint=suggest(tag, known_tags) or f"tags: {', '.join(known_tags) or 'none'}",
            )
    wanted_tags = set(tags)
    return [
        rule
        for rule in rules
        if (not include or any(fnmatch.fnmatchcase(rule.info.id, p) for p in include))
        and (not wanted_tags or wanted_tags.intersection(rule.info.tags))
        and not any(fnmatch.fnmatchcase(rule.info.id, p) for p in exclude)
    ]


def policy_files(paths: Sequence[str]) -> list[str]:
    """Expand ``builtin`` and directories (recursively; ``tests/`` folders hold test cases)."""
    files: list[str] = []
    for entry in paths:
        root = str(bundled_policy_dir()) if entry == BUILTIN else entry
        path = FsPath(root)
        if not path.exists():
            raise PolicyError("no such policy file or directory", file=entry)
        found = [
            str(child)
            for child in iter_files(root, POLICY_SUFFIXES)
            if path.is_file() or "tests" not in child.relative_to(path).parts[:-1]
        ]
        if not found:
            raise PolicyError("directory holds no policy files (*.yaml, *.yml)", file=entry)
        files.extend(found)
    return files


def validate_document(doc: Located) -> None:
    """Check a parsed policy file against the schema; raise the first problem by position."""
    check_document(doc, policy_schema(), PolicyError, _rule_context)


def _rule_context(doc: Located, path: PathKey) -> tuple[str, int]:
    """Errors inside a rule start with ``rule ID:`` and name the field within the rule."""
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rules = doc.data.get("rules") if isinstance(doc.data, dict) else None
        rule = rules[path[1]] if isinstance(rules, list) and path[1] < len(rules) else None
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        label = f"rule {rule_id}" if isinstance(rule_id, str) else f"rules[{path[1]}]"
        return f"{label}: ", 2
    return "", 0


# --- vars ---------------------------------------------------------------------------------------


def _coerce_var(name: str, text: str, default: Any) -> Any:
    """Turn ``--var NAME=VALUE`` text into the type of the var's default."""
    stripped = text.strip()
    try:
        if stripped.startswith(("[", "{")):
            return json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"--var {name}: {text!r} is not valid JSON: {exc.msg}") from None
    if isinstance(default, list):
        return [item.strip() for item in stripped.split(",") if item.strip()]
    expected = None
    if isinstance(default, bool):
        if stripped.lower() in ("true", "false"):
            return stripped.lower() == "true"
        expected = "true or false"
    elif isinstance(default, int) and re.fullmatch(r"[+-]?[0-9]+", stripped):
        return int(stripped)
    elif isinstance(default, int):
        expected = "a whole number"
    elif isinstance(default, float):
        try:
            return float(stripped)
        except ValueError:
            expected = "a number"
    if expected is not None:
        raise PolicyError(
            f"--var {name}: expected {expected}, got {text!r}",
            hint=f"the default of {name} is {json.dumps(default)}",
        )
    return text


def resolve_vars(
    defaults: Mapping[str, tuple[Any, str]],
    var_files: Sequence[str],
    overrides: Sequence[str],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Effective vars and where each came from: policy default < --var-file < --var."""
    values = {name: value for name, (value, _) in defaults.items()}
    sources = {name: source for name, (_, source) in defaults.items()}
    for var_file in var_files:
        doc = load_yaml(var_file, error=PolicyError, kind="var file")
        data = doc.data if doc.data is not None else {}
        if not isinstance(data, dict):
            raise doc.error(PolicyError, (), "a var file must be a mapping of NAME: value")
        prefix: PathKey = ()
        if "vars" in data and isinstance(data["vars"], dict) and len(data) == 1:
            data, prefix = data["vars"], ("vars",)
        for name, value in data.items():
            if name not in values:
                raise doc.error(
                    PolicyError,
                    (*prefix, name, "<key>"),
                    f"unknown var {name!r}",
                    suggest(str(name), sorted(values)),
                )
            values[name] = value
            sources[name] = var_file
    for item in overrides:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise PolicyError(f"--var {item!r}: expected NAME=VALUE")
        if name not in values:
            raise PolicyError(f"--var {name}: unknown var", hint=suggest(name, sorted(values)))
        values[name] = _coerce_var(name, text, values[name])
        sources[name] = "--var"
    return values, sources


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _substitute(value: Any, vars_: Mapping[str, Any], missing: list[str], used: set[str]) -> Any:
    if isinstance(value, str):
        whole = _VAR_REF.fullmatch(value)
        if whole:
            name, optional = whole[1], whole[2] == "?"
            used.add(name)
            current = vars_.get(name)
            if _is_empty(current):
                if not optional:
                    missing.append(name)
                return [] if current is None else current
            return current

        def replace(match: re.Match[str]) -> str:
            name = match[1]
            used.add(name)
            current = vars_.get(name)
            if _is_empty(current) and match[2] != "?":
                missing.append(name)
            return "" if current is None else str(current)

        return _VAR_REF.sub(replace, value)
    if isinstance(value, list):
        return [_substitute(item, vars_, missing, used) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, vars_, missing, used) for key, item in value.items()}
    return value


# --- compiling ----------------------------------------------------------------------------------


class _Compiler:
    def __init__(self, doc: Located, rule_path: PathKey, rule_id: str, vars_: Mapping[str, Any]):
        self.doc = doc
        self.rule_path = rule_path
        self.rule_id = rule_id
        self.vars = vars_
        self.missing: list[str] = []
        self.used: set[str] = set()
        self.switches: list[Leaf] = []  # conditions on a var: constant for the whole run

    def fail(self, path: PathKey, message: str, hint: str | None = None) -> PolicyError:
        error = self.doc.error(PolicyError, path, f"rule {self.rule_id}: {message}", hint)
        assert isinstance(error, PolicyError)
        return error

    def path(self, text: str, where: PathKey) -> Path:
        try:
            return compile_path(text)
        except PathError as exc:
            raise self.fail(where, str(exc), exc.hint) from None

    def var_value(self, name: str) -> Any:
        """A var's value for a message or a ``var:`` condition; it must be declared."""
        self.used.add(name)
        return self.vars.get(name)

    def message(self, node: dict[str, Any], where: PathKey) -> Message | None:
        if "message" not in node:
            return None
        try:
            return compile_message(node["message"], self.var_value)
        except PathError as exc:
            raise self.fail((*where, "message"), f"message: {exc}", exc.hint) from None
        except ValueError as exc:
            raise self.fail((*where, "message"), f"message: {exc}") from None

    def condition(self, node: dict[str, Any], where: PathKey) -> Condition:
        message = self.message(node, where)
        if "all" in node:
            children = [self.condition(c, (*where, "all", i)) for i, c in enumerate(node["all"])]
            return All(children, message)
        if "any" in node:
            children = [self.condition(c, (*where, "any", i)) for i, c in enumerate(node["any"])]
            return Any_(children, message)
        if "not" in node:
            return Not(self.condition(node["not"], (*where, "not")), message)
        op = OPERATORS[node["op"]]
        if "var" in node:
            constant = self.var_value(node["var"])
            path = Path(f"var.{node['var']}", lambda doc: constant, frozenset())
        else:
            path = self.path(node["path"], (*where, "path"))
        match = node.get("match", "all")
        if match != "all" and op.kind != "each":
            raise self.fail(
                (*where, "match"),
                f"operator {op.name!r} works on the whole value; "
                "'match' only applies to single-value operators",
            )
        leaf = self.leaf(node, where, path, op, match, message)
        if "var" in node:
            self.switches.append(leaf)
        return leaf

    def leaf(
        self,
        node: dict[str, Any],
        where: PathKey,
        path: Path,
        op: Operator,
        match: str,
        message: Message | None,
    ) -> Leaf:
        if not op.takes_value:
            if "value" in node:
                raise self.fail((*where, "value"), f"operator {op.name!r} takes no value")
            return Leaf(path, op, None, match, message)
        if "value" not in node:
            raise self.fail(where, f"operator {op.name!r} needs a value ({op.value_doc})")
        missing_before = len(self.missing)
        raw = _substitute(node["value"], self.vars, self.missing, self.used)
        if len(self.missing) > missing_before:
            return Leaf(path, op, None, match, message)  # the rule skips; nothing to parse
        if op.reads_path:
            if not isinstance(raw, str):
                raise self.fail((*where, "value"), f"{op.name}: expects a path, got {raw!r}")
            return Leaf(path, op, self.path(raw, (*where, "value")), match, message)
        assert op.parse is not None
        try:
            value = op.parse(raw)
        except ValueError as exc:
            raise self.fail((*where, "value"), f"{op.name}: {exc}") from None
        return Leaf(path, op, value, match, message)


def _compile_rule(doc: Located, index: int, raw: dict[str, Any], vars_: Mapping[str, Any]) -> Rule:
    where: PathKey = ("rules", index)
    compiler = _Compiler(doc, where, raw["id"], vars_)
    when = compiler.condition(raw["when"], (*where, "when")) if "when" in raw else None
    when = _switched_off(when, compiler.switches)
    assertion = compiler.condition(raw["assert"], (*where, "assert"))
    evidence = tuple(
        compiler.path(text, (*where, "evidence", i))
        for i, text in enumerate(raw.get("evidence", []))
    )
    for name in sorted(compiler.used):
        if name not in vars_:
            raise compiler.fail(
                where,
                f"var {name!r} is not defined in any loaded policy's vars",
                suggest(name, sorted(vars_)),
            )
    line, _ = doc.where(where)
    info = RuleInfo(
        id=raw["id"],
        title=raw["title"].strip(),
        severity=raw["severity"],
        description=raw.get("description", "").strip(),
        remediation=raw.get("remediation", "").strip(),
        references=tuple(raw.get("references", [])),
        vars=tuple(sorted(compiler.used)),
        source=doc.file,
        line=line,
        tags=tuple(raw.get("tags", [])),
        controls=tuple(raw.get("controls", [])),
    )
    fields = assertion.fields | (when.fields if when else frozenset())
    return Rule(info, when, assertion, evidence, tuple(dict.fromkeys(compiler.missing)), fields)


_LOAD_TIME = Context(datetime(1970, 1, 1, tzinfo=timezone.utc))  # a var test reads no time


def _switched_off(when: Condition | None, switches: list[Leaf]) -> Condition | None:
    """A ``when`` that a var turns off is that var test alone: the rule then skips on every
    record with the test's reason, without reading (or memoizing) anything of the record."""
    if isinstance(when, All):
        for child in when.children:
            if any(child is switch for switch in switches) and not child.holds({}, _LOAD_TIME):
                return child
    return when


def read_policy_file(name: str) -> Located:
    doc = load_yaml(name, error=PolicyError, kind="policy file")
    if doc.data is None:
        raise PolicyError("policy file is empty", file=name)
    validate_document(doc)
    return doc


def load_policies(
    paths: Sequence[str],
    var_files: Sequence[str] = (),
    overrides: Sequence[str] = (),
    severity_overrides: Mapping[str, str] | None = None,
) -> PolicySet:
    """Load, validate and compile every rule in ``paths`` with the effective vars."""
    files = policy_files(paths)
    docs = [read_policy_file(name) for name in files]
    defaults: dict[str, tuple[Any, str]] = {}
    for doc in docs:
        for name, value in (doc.data.get("vars") or {}).items():
            defaults[name] = (value, doc.file)
    vars_, var_sources = resolve_vars(defaults, var_files, overrides)
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for doc in docs:
        for index, raw in enumerate(doc.data["rules"]):
            line, column = doc.where(("rules", index, "id"))
            if raw["id"] in seen:
                raise PolicyError(
                    f"rule {raw['id']}: duplicate rule id (first defined at {seen[raw['id']]})",
                    file=doc.file,
                    line=line,
                    column=column,
                )
            seen[raw["id"]] = f"{doc.file}:{line}"
            rules.append(_compile_rule(doc, index, raw, vars_))
    if severity_overrides:
        rules = _override_severities(rules, severity_overrides)
    rules.sort(key=lambda rule: rule.info.id)
    return PolicySet(tuple(rules), tuple(files), vars_, var_sources)


def _override_severities(rules: list[Rule], overrides: Mapping[str, str]) -> list[Rule]:
    known = {rule.info.id for rule in rules}
    for rule_id in overrides:
        if rule_id not in known:
            raise PolicyError(
                f"severity override for unknown rule {rule_id!r}",
                hint=suggest(rule_id, sorted(known)),
            )
    return [
        replace(rule, info=replace(rule.info, severity=overrides[rule.info.id]))
        if rule.info.id in overrides
        else rule
        for rule in rules
    ]
