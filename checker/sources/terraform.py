"""Records from Terraform: ``terraform show -json`` of a plan file or of the state.

Every ``aws_sagemaker_workforce`` becomes a record in the API's ``Workforce`` shape, so the
bundled rules apply unchanged and give the same verdict before apply as after it. Three things
differ from the API and are handled here, not in the rules:

* values Terraform knows only after apply (``after_unknown``) are not guessed: their API paths go
  to ``Record.unknown_paths`` and the engine reports rules reading them as ``unknown``;
* attributes only the service knows (Status, FailureReason, CreateDate, LastUpdatedDate,
  IpAddressType) are absent, so rules about them skip;
* sensitive values (``oidc_config.client_secret``, anything in ``after_sensitive``,
  ``before_sensitive`` or state ``sensitive_values``) are never copied into the record, so no
  report, message or error can leak them. A withheld value a rule needs makes that rule
  ``unknown`` rather than letting it fail on a value it cannot see.

Only the mapped attributes are copied (an allow-list), and error messages name JSON paths and
types, never values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from checker.errors import InputError
from checker.files.loading import MAX_JSON_BYTES, read_text
from checker.model import Record, UnitStatus
from checker.sources.base import RecordSource, make_record

if TYPE_CHECKING:
    from checker.sources import SourceRequest

RESOURCE_TYPE = "aws_sagemaker_workforce"
SUPPORTED_MAJOR = "1"

# Terraform attribute -> API field, for the top level and for each single-item block. The OIDC
# client_secret is deliberately missing: it is never read.
TOP_LEVEL: tuple[tuple[str, str], ...] = (
    ("workforce_name", "WorkforceName"),
    ("arn", "WorkforceArn"),
    ("subdomain", "SubDomain"),
)
BLOCKS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("cognito_config", "CognitoConfig", (("user_pool", "UserPool"), ("client_id", "ClientId"))),
    (
        "oidc_config",
        "OidcConfig",
        (
            ("client_id", "ClientId"),
            ("issuer", "Issuer"),
            ("authorization_endpoint", "AuthorizationEndpoint"),
            ("token_endpoint", "TokenEndpoint"),
            ("user_info_endpoint", "UserInfoEndpoint"),
            ("logout_endpoint", "LogoutEndpoint"),
            ("jwks_uri", "JwksUri"),
            ("scope", "Scope"),
            ("authentication_request_extra_params", "AuthenticationRequestExtraParams"),
        ),
    ),
    ("source_ip_config", "SourceIpConfig", (("cidrs", "Cidrs"),)),
    (
        "workforce_vpc_config",
        "WorkforceVpcConfig",
        (
            ("vpc_id", "VpcId"),
            ("security_group_ids", "SecurityGroupIds"),
            ("subnets", "Subnets"),
            ("vpc_endpoint_id", "VpcEndpointId"),
        ),
    ),
)
LIST_ATTRIBUTES = frozenset({"cidrs", "security_group_ids", "subnets"})
MAP_ATTRIBUTES = frozenset({"authentication_request_extra_params"})
REGION_PATH = "_region"
MAX_VALUE_DEPTH = 32  # aws_sagemaker_workforce nests 3 levels; this bounds recursion safely

CHANGING_ACTIONS = frozenset({"create", "update"})
UNCHANGED_ACTIONS = frozenset({"no-op", "read"})

_MODULE_STEP = re.compile(r'module\.([A-Za-z0-9_-]+)(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?\.?')


def _marked(marker: Any) -> bool:
    """Whether a Terraform marker structure (true, or lists/objects of them) marks anything."""
    if marker is True:
        return True
    if isinstance(marker, dict):
        return any(_marked(value) for value in marker.values())
    if isinstance(marker, list):
        return any(_marked(value) for value in marker)
    return False


def _child(marker: Any, key: str | int) -> Any:
    """The marker for one attribute or element; ``True`` covers everything below it."""
    if marker is True:
        return True
    if isinstance(marker, dict) and isinstance(key, str):
        return marker.get(key)
    if isinstance(marker, list) and isinstance(key, int) and key < len(marker):
        return marker[key]
    return None


def _merge(*markers: Any) -> Any:
    """One sensitivity marker out of several (after_sensitive and before_sensitive)."""
    present = [marker for marker in markers if marker not in (None, False)]
    if not present:
        return None
    if any(marker is True for marker in present):
        return True
    if all(isinstance(marker, dict) for marker in present):
        keys = sorted({key for marker in present for key in marker})
        return {key: _merge(*(marker.get(key) for marker in present)) for key in keys}
    if all(isinstance(marker, list) for marker in present):
        size = max(len(marker) for marker in present)
        return [_merge(*(_child(marker, i) for marker in present)) for i in range(size)]
    return True  # shapes disagree: withhold rather than risk copying a secret


def module_calls(module_address: str) -> tuple[str, ...]:
    """``module.a["x"].module.b[0]`` -> ``("a", "b")``: the configuration path of an instance."""
    names = []
    position = 0
    while position < len(module_address):
        match = _MODULE_STEP.match(module_address, position)
        if match is None:
            return ()
        names.append(match.group(1))
        position = match.end()
    return tuple(names)


class _Document:
    """The parsed JSON plus its text, so structural errors can name a line."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.start = 0  # where the section being read starts (a plan's resource_changes)

    def error(self, message: str, near: str | None = None) -> InputError:
        return InputError(message, file=self.name, line=self.line_of(near))

    def line_of(self, address: str | None) -> int | None:
        """The line of ``"address": "<address>"``, the closest thing to a position JSON has."""
        if not address:
            return None
        pattern = r'"address"\s*:\s*' + re.escape(json.dumps(address))
        match = re.compile(pattern).search(self.text, self.start)
        if match is None:
            pattern = r'"address"\s*:\s*' + re.escape(json.dumps(address, ensure_ascii=False))
            match = re.compile(pattern).search(self.text, self.start)
        return self.text.count("\n", 0, match.start()) + 1 if match else None


class TerraformSource(RecordSource):
    """One ``terraform show -json`` document: a plan (``resource_changes``) or a state.

    ``default_region`` is the last resort for the region (the first ``--region``); before it come
    the resource's own ``region`` (AWS provider v6), its ARN and the provider block's constant
    ``region`` in the plan's configuration.
    """

    kind = "terraform"

    def __init__(
        self, path: str, *, include_unchanged: bool = False, default_region: str | None = None
    ) -> None:
        super().__init__()
        self.path = path
        self.source_name = "stdin" if path == "-" else path
        self.include_unchanged = include_unchanged
        self.default_region = default_region
        self.document_kind = "plan"
        self._records = self._load()

    @property
    def name(self) -> str:
        return self.source_name

    def records(self) -> Iterator[Record]:
        yield from self._records

    # --- reading --------------------------------------------------------------------------------

    def _load(self) -> list[Record]:
        kind = "Terraform JSON"
        text = read_text(self.path, limit=MAX_JSON_BYTES, kind=kind)
        doc = _Document(self.source_name, text)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"invalid JSON: {exc.msg}", file=self.source_name, line=exc.lineno, column=exc.colno
            ) from None
        except RecursionError:
            raise doc.error("JSON nested too deeply") from None
        if not isinstance(data, dict):
            raise doc.error(
                f"expected the JSON object terraform show -json writes, got {_type(data)}"
            )
        self._check_version(doc, data)
        plan = any(key in data for key in ("resource_changes", "planned_values", "prior_state"))
        self.document_kind = "plan" if plan else "state"
        try:
            records = self._plan(doc, data) if plan else self._state(doc, data)
        except RecursionError:
            raise doc.error("values nested too deeply") from None
        self.units.append(
            UnitStatus(self.source_name, "ok", len(records), note=f"terraform {self.document_kind}")
        )
        return records

    @staticmethod
    def _check_version(doc: _Document, data: Mapping[str, Any]) -> None:
        version = data.get("format_version")
        if version is None:
            raise doc.error("no format_version: not the output of terraform show -json", None)
        if not isinstance(version, str):
            raise doc.error(f"format_version: expected a string, got {_type(version)}")
        if version.split(".", 1)[0] != SUPPORTED_MAJOR:
            shown = f" {version}" if re.fullmatch(r"[0-9]{1,4}(\.[0-9]{1,4}){0,3}", version) else ""
            raise doc.error(
                f"unsupported format_version{shown} (wfcheck reads {SUPPORTED_MAJOR}.x; "
                "is this the output of terraform show -json?)"
            )

    def _plan(self, doc: _Document, data: Mapping[str, Any]) -> list[Record]:
        changes = data.get("resource_changes")
        changes = [] if changes is None else changes
        if not isinstance(changes, list):
            raise doc.error(f"resource_changes: expected a list, got {_type(changes)}")
        providers = _ProviderRegions(doc, data.get("configuration"))
        doc.start = max(doc.text.find('"resource_changes"'), 0)
        records = []
        for index, change in enumerate(changes):
            where = f"resource_changes[{index}]"
            address = _workforce_address(doc, change, where)
            if address is None:
                continue
            body = change.get("change")
            if not isinstance(body, dict):
                raise doc.error(
                    f"{where}.change ({address}): expected an object, got {_type(body)}", address
                )
            actions = body.get("actions")
            if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
                raise doc.error(
                    f"{where}.change.actions ({address}): expected a list of strings", address
                )
            if not self._wanted(actions):
                continue
            after = body.get("after")
            if not isinstance(after, dict):
                raise doc.error(
                    f"{where}.change.after ({address}): expected an object for a create or "
                    f"update, got {_type(after)}",
                    address,
                )
            for key in ("after_unknown", "after_sensitive", "before_sensitive"):
                marker = body.get(key)
                if marker is not None and not isinstance(marker, (dict, bool)):
                    raise doc.error(
                        f"{where}.change.{key} ({address}): expected an object, "
                        f"got {_type(marker)}",
                        address,
                    )
                _check_depth(doc, marker, f"{where}.change.{key} ({address})", address)
            unknown = body.get("after_unknown")
            sensitive = _merge(body.get("after_sensitive"), body.get("before_sensitive"))
            module_address = change.get("module_address") or ""
            if not isinstance(module_address, str):
                raise doc.error(f"{where}.module_address ({address}): expected a string", address)
            region = providers.region(
                module_address, str(change.get("name", "")), change.get("provider_name")
            )
            records.append(self._record(doc, address, after, unknown, sensitive, region))
        return records

    def _wanted(self, actions: Sequence[str]) -> bool:
        """Creates and updates (replace included); unchanged ones only when asked."""
        if CHANGING_ACTIONS.intersection(actions):
            return True
        return self.include_unchanged and bool(actions) and set(actions) <= UNCHANGED_ACTIONS

    def _state(self, doc: _Document, data: Mapping[str, Any]) -> list[Record]:
        values = data.get("values")
        if values is None:
            return []  # an empty state: terraform show -json writes no values at all
        if not isinstance(values, dict):
            raise doc.error(f"values: expected an object, got {_type(values)}")
        root = values.get("root_module")
        if root is None:
            return []
        records: list[Record] = []
        self._state_module(doc, root, "values.root_module", records, 0)
        return records

    def _state_module(
        self, doc: _Document, module: Any, where: str, out: list[Record], depth: int
    ) -> None:
        if not isinstance(module, dict):
            raise doc.error(f"{where}: expected an object, got {_type(module)}")
        if depth > 64:
            raise doc.error(f"{where}: modules nested deeper than 64 levels")
        resources = module.get("resources")
        resources = [] if resources is None else resources
        if not isinstance(resources, list):
            raise doc.error(f"{where}.resources: expected a list, got {_type(resources)}")
        for index, resource in enumerate(resources):
            label = f"{where}.resources[{index}]"
            address = _workforce_address(doc, resource, label)
            if address is None:
                continue
            attributes = resource.get("values")
            if not isinstance(attributes, dict):
                raise doc.error(
                    f"{label}.values ({address}): expected an object, got {_type(attributes)}",
                    address,
                )
            sensitive = resource.get("sensitive_values")
            _check_depth(doc, sensitive, f"{label}.sensitive_values ({address})", address)
            if sensitive is not None and not isinstance(sensitive, (dict, bool)):
                raise doc.error(
                    f"{label}.sensitive_values ({address}): expected an object", address
                )
            out.append(self._record(doc, address, attributes, None, sensitive, None))
        children = module.get("child_modules")
        children = [] if children is None else children
        if not isinstance(children, list):
            raise doc.error(f"{where}.child_modules: expected a list, got {_type(children)}")
        for index, child in enumerate(children):
            self._state_module(doc, child, f"{where}.child_modules[{index}]", out, depth + 1)

    # --- mapping --------------------------------------------------------------------------------

    def _record(
        self,
        doc: _Document,
        address: str,
        values: Mapping[str, Any],
        unknown: Any,
        sensitive: Any,
        provider_region: str | None,
    ) -> Record:
        mapper = _Mapper(doc, address, unknown, sensitive)
        workforce = mapper.workforce(values)
        region = mapper.region(values)
        gaps = set(mapper.gaps)
        if region is None and REGION_PATH not in gaps:
            arn = workforce.get("WorkforceArn")
            if not (isinstance(arn, str) and arn.startswith("arn:")):
                region = provider_region or self.default_region
                if region is None:
                    gaps.add(REGION_PATH)  # nothing says where it will live
        return make_record(
            workforce,
            source=self.source_name,
            source_kind="terraform",
            region=region,
            address=address,
            unknown_paths=frozenset(gaps),
        )


class _Mapper:
    """Terraform attributes of one resource -> the API shape, plus the paths left unknown."""

    def __init__(self, doc: _Document, address: str, unknown: Any, sensitive: Any) -> None:
        self.doc = doc
        self.address = address
        self.unknown = unknown
        self.sensitive = sensitive
        self.gaps: list[str] = []

    def fail(self, attribute: str, expected: str, value: Any) -> InputError:
        return self.doc.error(
            f"{self.address}: {attribute}: expected {expected}, got {_type(value)}", self.address
        )

    def workforce(self, values: Mapping[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for attribute, field in TOP_LEVEL:
            value = self._leaf(values, attribute, field, attribute, self.unknown, self.sensitive)
            if value is not None:
                record[field] = value
        for block, field, leaves in BLOCKS:
            value = self._block(values, block, field, leaves)
            if value is not None:
                record[field] = value
        return record

    def region(self, values: Mapping[str, Any]) -> str | None:
        """The resource's own ``region`` argument (AWS provider v6), when set and known."""
        region = self._leaf(values, "region", REGION_PATH, "region", self.unknown, self.sensitive)
        return region if isinstance(region, str) else None

    def _block(
        self, values: Mapping[str, Any], block: str, field: str, leaves: tuple[tuple[str, str], ...]
    ) -> dict[str, Any] | None:
        unknown = _child(self.unknown, block)
        sensitive = _child(self.sensitive, block)
        if unknown is True or sensitive is True:
            self.gaps.append(field)
            return None
        items = values.get(block)
        if items is None or items == []:
            if _marked(unknown):
                self.gaps.append(field)
            return None  # an empty block list means the block is absent
        if not isinstance(items, list) or not isinstance(items[0], dict):
            raise self.fail(block, "a list of one object", items)
        item, unknown, sensitive = items[0], _child(unknown, 0), _child(sensitive, 0)
        result: dict[str, Any] = {}
        for attribute, name in leaves:
            value = self._leaf(
                item, attribute, f"{field}.{name}", f"{block}[0].{attribute}", unknown, sensitive
            )
            if value is not None:
                result[name] = value
        return result

    def _leaf(
        self,
        values: Mapping[str, Any],
        attribute: str,
        path: str,
        label: str,
        unknown: Any,
        sensitive: Any,
    ) -> Any:
        """One attribute's value, or None when absent, unknown or withheld as sensitive."""
        if _marked(_child(unknown, attribute)) or _marked(_child(sensitive, attribute)):
            self.gaps.append(path)
            return None
        value = values.get(attribute)
        if value is None:
            return None
        if attribute in LIST_ATTRIBUTES:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise self.fail(label, "a list of strings", value)
            return list(value)
        if attribute in MAP_ATTRIBUTES:
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise self.fail(label, "a map of strings", value)
            return dict(value) or None
        if not isinstance(value, str):
            raise self.fail(label, "a string", value)
        return value or None  # Terraform writes "" for unset optional strings; the API omits them


class _ProviderRegions:
    """The constant ``region`` of the provider configuration each resource uses, from a plan.

    Resources name their configuration by ``provider_config_key`` in ``configuration``; keys of
    module-local configurations are ``module.a.module.b:aws`` (``aws.alias`` with an alias), and
    Terraform already rewrites keys of providers passed into modules to the parent's key. A
    region set from a variable or expression is not constant and resolves to None.
    """

    def __init__(self, doc: _Document, configuration: Any) -> None:
        self.configs: Mapping[str, Any] = {}
        self.cache: dict[tuple[str, str, str | None], str | None] = {}
        self.root: Mapping[str, Any] = {}
        if isinstance(configuration, dict):
            configs = configuration.get("provider_config")
            root = configuration.get("root_module")
            self.configs = configs if isinstance(configs, dict) else {}
            self.root = root if isinstance(root, dict) else {}

    def region(self, module_address: str, name: str, provider_name: Any) -> str | None:
        """Memoized: a plan repeats the same module and resource for every instance."""
        key = (module_address, name, provider_name if isinstance(provider_name, str) else None)
        if key not in self.cache:
            self.cache[key] = self._region(module_address, name, provider_name)
        return self.cache[key]

    def _region(self, module_address: str, name: str, provider_name: Any) -> str | None:
        calls = module_calls(module_address) if module_address else ()
        key = self._config_key(calls, name)
        if key is None:
            prefix = ".".join(f"module.{call}" for call in calls)
            key = f"{prefix}:aws" if prefix else "aws"
        while True:
            config = self.configs.get(key)
            if isinstance(config, dict):
                full_name = config.get("full_name")
                if (
                    isinstance(provider_name, str)
                    and isinstance(full_name, str)
                    and full_name != provider_name
                ):
                    return None
                if config.get("expressions"):
                    return _constant_region(config)
            parent = _parent_key(key)
            if parent is None:
                return None
            key = parent

    def _config_key(self, calls: tuple[str, ...], name: str) -> str | None:
        module: Any = self.root
        for call in calls:
            calls_map = module.get("module_calls") if isinstance(module, dict) else None
            entry = calls_map.get(call) if isinstance(calls_map, dict) else None
            module = entry.get("module") if isinstance(entry, dict) else None
        if not isinstance(module, dict) or not isinstance(module.get("resources"), list):
            return None
        wanted = f"{RESOURCE_TYPE}.{name}"
        for resource in module["resources"]:
            if (
                isinstance(resource, dict)
                and resource.get("address") == wanted
                and resource.get("mode", "managed") == "managed"
            ):
                key = resource.get("provider_config_key")
                return key if isinstance(key, str) else None
        return None


def _parent_key(key: str) -> str | None:
    """``module.a.module.b:aws`` -> ``module.a:aws`` -> ``aws``: implicit inheritance upwards."""
    if ":" not in key:
        return None
    prefix, local = key.rsplit(":", 1)
    calls = module_calls(prefix)
    if not calls:
        return local
    if len(calls) == 1:
        return local
    return ".".join(f"module.{call}" for call in calls[:-1]) + ":" + local


def _constant_region(config: Mapping[str, Any]) -> str | None:
    expressions = config.get("expressions")
    region = expressions.get("region") if isinstance(expressions, dict) else None
    value = region.get("constant_value") if isinstance(region, dict) else None
    return value if isinstance(value, str) and value else None


def _check_depth(doc: _Document, value: Any, where: str, address: str) -> None:
    """Refuse values nested deeper than any Terraform schema nests, before recursing into them."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_VALUE_DEPTH:
            raise doc.error(f"{where}: nested deeper than {MAX_VALUE_DEPTH} levels", address)
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _workforce_address(doc: _Document, item: Any, where: str) -> str | None:
    """The address of a managed aws_sagemaker_workforce entry (plan change or state resource);
    None for any other resource."""
    if not isinstance(item, dict):
        raise doc.error(f"{where}: expected an object, got {_type(item)}")
    if item.get("type") != RESOURCE_TYPE or item.get("mode", "managed") != "managed":
        return None
    address = item.get("address")
    if not isinstance(address, str) or not address:
        raise doc.error(f"{where}.address: expected a non-empty string")
    return address


def _type(value: Any) -> str:
    """A JSON type name for messages: never the value, which may be a secret."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def terraform_sources(
    paths: Sequence[str],
    *,
    stdin_taken: bool = False,
    include_unchanged: bool = False,
    regions: Sequence[str] | str | None = None,
) -> list[RecordSource]:
    """One source per ``--terraform`` file; ``regions`` is ``--region`` (its first is used)."""
    from checker.errors import UsageError

    if list(paths).count("-") + (1 if stdin_taken and "-" in paths else 0) > 1:
        raise UsageError("- (stdin) can be read only once: give it to one --input or --terraform")
    if isinstance(regions, str):
        regions = [regions]
    # --region all means "every region" to the live source; it names no region here.
    default_region = next((r for r in regions or () if r and r != "all"), None)
    return [
        TerraformSource(path, include_unchanged=include_unchanged, default_region=default_region)
        for path in paths
    ]


_TERRAFORM_HEAD = re.compile(r'\A\ufeff?\s*\{\s*"format_version"\s*:')


def looks_like_terraform(path: str) -> bool:
    """Whether a JSON file is ``terraform show -json`` output: Terraform writes format_version
    first, so the first bytes tell, without parsing a large plan twice."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return False
    return _TERRAFORM_HEAD.match(head) is not None


def validate_terraform_file(path: str) -> None:
    """``wfcheck validate``: a plan or state file reads without errors."""
    TerraformSource(path)


def open_sources(paths: Sequence[str], request: SourceRequest) -> list[RecordSource]:
    """``checker.sources`` registry interface: ``--terraform`` files."""
    return terraform_sources(
        paths,
        include_unchanged=bool(request.options.get("include_unchanged")),
        regions=request.regions,
    )


def recognizes(path: str) -> bool:
    return looks_like_terraform(path)
