"""The static Terraform source: a root module's ``.tf`` files, without a plan -> records.

Every ``aws_sagemaker_workforce`` in the root module and in its modules becomes one record per
instance, in the API shape, through the same mapping a plan goes through: the rules, reports and
exit codes are those of every other source. What only a plan knows is unknown, with the reason;
nothing is dropped (a block whose instances cannot be known is evaluated once as ``[*]``, and
``count = 0`` is a note) and nothing is guessed.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from checker.errors import InputError, UsageError
from checker.forking import map_in_two
from checker.model import Record, Resource, UnitStatus
from checker.sources.base import RecordSource, normalize_workforce
from checker.sources.terraform.build import Notes
from checker.sources.terraform.document import Document
from checker.sources.terraform.locations import is_local_source, repository_root
from checker.sources.terraform.mapping import REGION_PATH, WORKFORCE_TYPES, Mapper, WorkforceType
from checker.sources.terraform.static.expressions import (
    Evaluator,
    Module,
    Trace,
    Variable,
)
from checker.sources.terraform.static.modules import (
    Declared,
    ModuleDecls,
    import_target,
    installed_modules,
    read_module,
)
from checker.sources.terraform.static.resource import shape
from checker.sources.terraform.static.types import convert
from checker.sources.terraform.static.values import EvalError, Unknown, first_unknown, iterate
from checker.sources.terraform.static.variables import (
    Given,
    declared_type,
    resolve,
    root_values,
)

MAX_MODULE_DEPTH = 32
MAX_INSTANCES = 10_000


class StaticTerraformSource(RecordSource):
    """A root module directory (``.tf`` files, no plan): ``wfcheck scan DIR``.

    ``var_files`` and ``cli_vars`` are ``--tf-var-file`` and ``--tf-var NAME=VALUE``;
    ``environ`` gives ``TF_VAR_name`` values (default: the process environment);
    ``default_region`` is the last resort for the region (the first ``--region``).
    """

    kind = "terraform"

    def __init__(
        self,
        directory: str,
        *,
        var_files: Sequence[str] = (),
        cli_vars: Sequence[str] = (),
        environ: Mapping[str, str] | None = None,
        default_region: str | None = None,
        plan_values: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.directory = directory
        self.root = Path(directory).resolve()
        self.tree = repository_root(self.root)
        self.var_files = tuple(var_files)
        self.cli_vars = tuple(cli_vars)
        self.environ = dict(os.environ if environ is None else environ)
        self.default_region = default_region
        self.plan_values = plan_values
        self._notes = Notes(directory)
        self._installed = installed_modules(self.root)
        self._imports: set[str] = set()
        self._regions: dict[str, Any] = {}  # the root's default provider -> its region
        try:
            self._records = self._load()
        except RecursionError:
            raise InputError("nested too deeply to evaluate", file=directory) from None
        self.notes.extend(self._notes.lines())
        self.units.append(
            UnitStatus(directory, "ok", len(self._records), note="terraform configuration")
        )

    @property
    def name(self) -> str:
        return self.directory

    def records(self) -> Iterator[Record]:
        yield from self._records

    def display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.tree).as_posix()
        except ValueError:
            return str(path)

    def _load(self) -> list[Record]:
        decls = read_module(self.root, self.display)
        if self.plan_values is not None:  # every value the plan was made with, and only those
            given = {name: Given(value, None) for name, value in self.plan_values.items()}
        else:
            given = root_values(
                self.root, self.display, self.var_files, self.cli_vars, self.environ
            )
        variables: dict[str, Variable] = {}
        for name, found in sorted(decls.variables.items()):
            reason = f"var.{name} has no value (no default, tfvars file, --tf-var or TF_VAR_{name})"
            variables[name] = resolve(name, found, given.get(name), reason)
            if isinstance(variables[name].value, Unknown):
                self._notes.add(
                    "{what}: no value given (no default, tfvars, --tf-var or TF_VAR_): rules "
                    "that read them are unknown",
                    f"var.{name}",
                )
        module = self._module(decls, variables, ".", ())
        for found in decls.imports:
            target = import_target(found)
            if target:
                self._imports.add(target)
        self._regions = {
            local: Evaluator(module).evaluate(provider.attributes["region"])
            for local in ("aws", "awscc")
            if (provider := decls.providers.get(local)) is not None
            and "region" in provider.attributes
        }
        return list(self._walk(decls, module, "", (), (self.root,)))

    def _module(
        self,
        decls: ModuleDecls,
        variables: Mapping[str, Variable],
        path_module: str,
        calls: tuple[str, ...],
    ) -> Module:
        module = Module(variables, decls.locals, path_module)
        module.outputs = self._outputs(decls, module, calls)
        return module

    def _outputs(
        self, decls: ModuleDecls, parent: Module, calls: tuple[str, ...]
    ) -> Callable[[str, Any, Trace], Any]:
        """``module.NAME.OUTPUT`` of a call without count or for_each: the child's output
        evaluated with the values this module passes it."""
        cache: dict[str, Any] = {}

        def output(name: str, steps: Any, trace: Trace) -> Any:
            call = decls.modules.get(name)
            if call is None:
                return Unknown(f"module.{name} is not declared")
            if "count" in call.attributes or "for_each" in call.attributes:
                return Unknown(f"module.{name}: outputs of a module with count or for_each")
            if name not in cache:
                child = self._child_dir(decls, name, call, calls, quiet=True)
                if isinstance(child, str):
                    return Unknown(f"module.{name}: {child}")
                child_decls = read_module(child, self.display)
                variables = self._child_variables(child_decls, call, Evaluator(parent))
                path = self.display(child) if child != self.root else "."
                cache[name] = (child_decls, self._module(child_decls, variables, path, calls))
            child_decls, child_module = cache[name]
            if not steps or not isinstance(steps[0], str):
                return Unknown(f"module.{name}: a whole module object is not evaluated")
            found = child_decls.outputs.get(steps[0])
            if found is None or "value" not in found.attributes:
                return Unknown(f"module.{name}.{steps[0]} is not an output")
            evaluator = Evaluator(child_module, trace)
            value = evaluator.evaluate(found.attributes["value"])
            return evaluator._apply(value, steps[1:], None)

        return output

    # walking ----------------------------------------------------------------------------

    def _walk(
        self, decls: ModuleDecls, module: Module, prefix: str, calls: tuple[str, ...], stack: Any
    ) -> Iterator[Record]:
        evaluator = Evaluator(module)
        for shown in decls.json_files:
            self._notes.add(
                "{what}: .tf.json files are not evaluated; give a plan for what they declare",
                shown,
            )
        for (kind, name), found in sorted(decls.resources.items()):
            workforce = WORKFORCE_TYPES.get(kind)
            if workforce is None:
                continue
            base = f"{prefix}{kind}.{name}"
            instances = self._instances(found, evaluator, base)
            for key, names in instances:
                scope = evaluator.with_names(names)
                yield self._record(found, scope, base + key, calls, workforce)
        for name, call in sorted(decls.modules.items()):
            child = self._child_dir(decls, name, call, calls)
            label = f"{prefix}module.{name}"
            if isinstance(child, str):
                continue
            if child in stack:
                self._notes.add(
                    "{what}: its source leads back to a module that calls it; not evaluated",
                    label,
                )
                continue
            if len(stack) > MAX_MODULE_DEPTH:
                raise InputError(
                    f"{label}: modules nested deeper than {MAX_MODULE_DEPTH} levels",
                    file=call.location.file,
                    line=call.location.line,
                )
            child_decls = read_module(child, self.display)
            for key, names in self._instances(call, evaluator, label):
                scope = evaluator.with_names(names)
                variables = self._child_variables(child_decls, call, scope)
                path = self.display(child)
                child_module = self._module(child_decls, variables, path, (*calls, name))
                yield from self._walk(
                    child_decls, child_module, f"{label}{key}.", (*calls, name), (*stack, child)
                )

    def _child_dir(
        self,
        decls: ModuleDecls,
        name: str,
        call: Declared,
        calls: tuple[str, ...],
        quiet: bool = False,
    ) -> Path | str:
        """The directory a module call reads, or why it is not read (noted)."""
        label = ".".join(f"module.{c}" for c in (*calls, name))
        node = call.attributes.get("source")
        source = Evaluator(Module({}, {}, ".")).evaluate(node) if node is not None else None
        if not isinstance(source, str):
            why = "its source is not a plain string"
        elif is_local_source(source):
            directory = (decls.directory / source.replace("\\", "/")).resolve()
            why = self._inside(directory, "its source leaves the scanned tree")
            if not why:
                return directory
        else:
            installed = self._installed.get(".".join((*calls, name)))
            if installed is not None:
                directory = (self.root / installed).resolve()
                why = self._inside(directory, "its installed copy is outside the scanned tree")
                if not why:
                    return directory
            else:
                # never shown: a git source may carry a token
                why = (
                    "it comes from a registry or remote source that is not on disk (run "
                    "terraform init, or give a plan); workforces in it are not evaluated"
                )
        if not quiet:
            self._notes.add("{what}: " + why, label)
        return why

    def _inside(self, directory: Path, why: str) -> str:
        try:
            directory.relative_to(self.tree)
        except ValueError:
            return why + "; not read"
        if not directory.is_dir():
            return "its source is not a directory"
        return ""

    def _child_variables(
        self, child: ModuleDecls, call: Declared, scope: Evaluator
    ) -> dict[str, Variable]:
        """The child's variables with what the caller passes (never the child's default when
        the caller sets one), converted to the child's types."""
        variables: dict[str, Variable] = {}
        literals = Module({}, {}, ".")
        for name, found in sorted(child.variables.items()):
            node = call.attributes.get(name)
            if node is None:
                variables[name] = resolve(
                    name, found, None, f"var.{name} of {call.location.file}: no value passed"
                )
                continue
            trace = Trace()
            value = Evaluator(scope.module, trace, scope.names).evaluate(node)
            try:
                value = convert(value, declared_type(found, literals))
            except EvalError as exc:
                value = Unknown(f"var.{name}: {exc}")
            sensitive_node = found.attributes.get("sensitive")
            sensitive = trace.sensitive or (
                sensitive_node is not None and Evaluator(literals).evaluate(sensitive_node) is True
            )
            where = trace.origins[0] if len(trace.origins) == 1 else None
            variables[name] = Variable(value, sensitive, where)
        return variables

    def _instances(
        self, found: Declared, evaluator: Evaluator, label: str
    ) -> list[tuple[str, dict[str, Any]]]:
        """(address key, names) per instance: ``[0]``, ``["us"]``, ``""``; ``[*]`` once
        when the instances cannot be known."""
        count = found.attributes.get("count")
        for_each = found.attributes.get("for_each")
        if count is not None:
            value = evaluator.evaluate(count)
            if isinstance(value, (Unknown, bool)) or not isinstance(value, (int, float)):
                why = value.reason if isinstance(value, Unknown) else "not a number"
                self._notes.add("{what}: count is not known, so it is evaluated once as [*]", label)
                return [("[*]", {"count": {"index": Unknown(f"count of {label}: {why}")}})]
            if int(value) == 0:
                self._notes.add("{what}: count = 0, so no instance is evaluated", label)
            return [
                (f"[{i}]", {"count": {"index": i}}) for i in range(min(int(value), MAX_INSTANCES))
            ]
        if for_each is not None:
            value = evaluator.evaluate(for_each)
            if isinstance(value, (list, dict)) and not (
                isinstance(value, list) and first_unknown(value) is not None
            ):
                pairs = (
                    [(str(v), v) for v in value]
                    if isinstance(value, list)
                    else [(k, v) for k, v in iterate(value)]
                )
                if not pairs:
                    self._notes.add("{what}: for_each is empty, so no instance is evaluated", label)
                return [
                    (f"[{json.dumps(k)}]", {"each": {"key": k, "value": v}})
                    for k, v in pairs[:MAX_INSTANCES]
                ]
            why = value.reason if isinstance(value, Unknown) else "not a map or set"
            self._notes.add("{what}: for_each is not known, so it is evaluated once as [*]", label)
            unknown = Unknown(f"for_each of {label}: {why}")
            return [("[*]", {"each": {"key": unknown, "value": unknown}})]
        return [("", {})]

    # records ----------------------------------------------------------------------------

    def _record(
        self,
        found: Declared,
        evaluator: Evaluator,
        address: str,
        calls: tuple[str, ...],
        kind: WorkforceType,
    ) -> Record:
        shaped = shape(found, evaluator, kind)
        doc = Document(found.location.file, "")
        mapped = Mapper(doc, address, shaped.unknown, shaped.sensitive, kind).map(shaped.values)
        for path in mapped.unknown:
            reason = shaped.reasons.get(path) or shaped.reasons.get(path.split(".", 1)[0])
            if reason:
                mapped.reasons[path] = reason
        defaults = self._defaults(kind, mapped.workforce, mapped.unknown, mapped.reasons, address)
        region = mapped.region
        if region is None and REGION_PATH not in mapped.unknown:
            region = self._provider_region(found, kind, mapped.unknown, mapped.reasons)
        workforce = normalize_workforce(mapped.workforce)
        name = workforce.get("WorkforceName") if "WorkforceName" not in mapped.sensitive else None
        locations = tuple(sorted(shaped.locations.items()))
        resource = Resource(
            arn=None,
            name=name if isinstance(name, str) else None,
            account=None,
            region=region,
            source=self.directory,
            source_kind="terraform",
            address=address,
            location=found.location,
            related_locations=locations,
        )
        return Record(
            workforce,
            resource,
            frozenset(mapped.unknown),
            frozenset(mapped.sensitive),
            dict(sorted(mapped.reasons.items())),
            defaults,
        )

    def _defaults(
        self,
        kind: WorkforceType,
        workforce: dict[str, Any],
        unknown: set[str],
        reasons: dict[str, str],
        address: str,
    ) -> dict[str, str]:
        """Blocks the configuration leaves out, as AWS creates them (the plan source does the
        same); an ``import`` block adopts an existing workforce, whose value only AWS knows."""
        found: dict[str, str] = {}
        for block, default in kind.defaults.items():
            field_name = kind.field(block)
            if field_name in workforce or field_name in unknown:
                continue
            if address in self._imports:
                unknown.add(field_name)
                reasons[field_name] = (
                    f"not known: an import block adopts this workforce and the configuration "
                    f"leaves {block} out, so it keeps its current value (a plan shows it)"
                )
                continue
            if default.value is None:
                continue  # left out by AWS too
            workforce[field_name] = copy.deepcopy(default.value)
            found[field_name] = (
                f"{block} is not set in the configuration, so {default.reason} (an existing "
                "workforce keeps its current value: a plan decides)"
            )
            self._notes.add(
                "{what}: blocks the configuration leaves out are judged as AWS creates them; "
                "an existing workforce keeps its current values, which only a plan shows",
                address,
            )
        return found

    def _provider_region(
        self, found: Declared, kind: WorkforceType, unknown: set[str], reasons: dict[str, str]
    ) -> str | None:
        region = self._regions.get(kind.name.split("_", 1)[0])
        if "provider" not in found.attributes and isinstance(region, str):
            return region
        if self.default_region is not None:
            return self.default_region
        unknown.add(REGION_PATH)
        reasons[REGION_PATH] = "not known: no region in the provider block or --region"
        return None


def is_configuration_dir(path: str) -> bool:
    """A directory of ``.tf`` files (a root module) rather than a JSON document."""
    candidate = Path(path)
    try:
        return candidate.is_dir() and any(
            p.name.endswith(".tf") and p.is_file() for p in candidate.iterdir()
        )
    except OSError:
        return False


def static_sources(
    paths: Sequence[str],
    *,
    var_files: Sequence[str] = (),
    cli_vars: Sequence[str] = (),
    regions: Sequence[str] = (),
) -> list[RecordSource]:
    default_region = next((r for r in regions if r and r != "all"), None)
    for path in paths:
        if not is_configuration_dir(path):
            raise UsageError(f"{path}: a directory without .tf files")

    def load(path: str) -> RecordSource:
        return StaticTerraformSource(
            path, var_files=var_files, cli_vars=cli_vars, default_region=default_region
        )

    return map_in_two(list(paths), load)  # parsing is CPU-bound: the second CPU halves it
