"""``AWS::SageMaker::Workforce`` properties -> the API's ``Workforce`` record shape.

Only the properties listed here are read (an allow-list, as for Terraform): the OIDC
``ClientSecret`` is not in it, so it is never resolved, copied or shown. Values the template does
not decide become unknown API paths with the reason; values of the wrong type are an error at
their line and column that names the path and the type, never the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.errors import InputError
from checker.files.reading import Located, PathKey, type_name
from checker.model import Location
from checker.sources.cloudformation.intrinsics import (
    NO_VALUE,
    Resolver,
    Unresolved,
    find_unresolved,
    intrinsic_name,
)
from checker.sources.cloudformation.template import scalar_text

RESOURCE_TYPE = "AWS::SageMaker::Workforce"
STRING, STRING_LIST, STRING_MAP, TAG_LIST = "string", "list", "map", "tags"

# Property -> kind, for the top level and for each block. Names are the resource schema's
# (cfn-lint's copy of the AWS::SageMaker::Workforce schema), which are the API's too.
TOP_LEVEL: tuple[tuple[str, str], ...] = (
    ("WorkforceName", STRING),
    ("IpAddressType", STRING),
    ("Tags", TAG_LIST),
)
BLOCKS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("CognitoConfig", (("ClientId", STRING), ("UserPool", STRING))),
    (
        "OidcConfig",
        (
            ("ClientId", STRING),
            ("Issuer", STRING),
            ("AuthorizationEndpoint", STRING),
            ("TokenEndpoint", STRING),
            ("UserInfoEndpoint", STRING),
            ("LogoutEndpoint", STRING),
            ("JwksUri", STRING),
            ("Scope", STRING),
            ("AuthenticationRequestExtraParams", STRING_MAP),
        ),
    ),
    ("SourceIpConfig", (("Cidrs", STRING_LIST),)),
    (
        "WorkforceVpcConfig",
        (("VpcId", STRING), ("SecurityGroupIds", STRING_LIST), ("Subnets", STRING_LIST)),
    ),
)
EXPECTED = {
    STRING: "a string",
    STRING_LIST: "a list of strings",
    STRING_MAP: "an object of strings",
    TAG_LIST: "a list of {Key, Value} objects",
}


@dataclass
class MappedWorkforce:
    """The record's workforce, its unknown paths with reasons, and where each path is written."""

    workforce: dict[str, Any] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)


class WorkforceMapper:
    """Maps one resource's ``Properties``; ``address`` (stack/LogicalId) prefixes messages."""

    def __init__(self, resolver: Resolver, doc: Located, display_file: str, address: str) -> None:
        self.resolver = resolver
        self.doc = doc
        self.display_file = display_file
        self.address = address
        self.result = MappedWorkforce()

    def fail(self, path: PathKey, api_path: str, expected: str, value: Any) -> InputError:
        error = self.doc.error(
            InputError,
            path,
            f"{self.address}: {api_path}: expected {expected}, got {type_name(value)}",
        )
        assert isinstance(error, InputError)
        return error

    def map(self, properties: Any, path: PathKey) -> MappedWorkforce:
        if properties is None:
            return self.result
        if not isinstance(properties, dict):
            raise self.fail(path, "Properties", "an object", properties)
        for name, kind in TOP_LEVEL:
            if name in properties:
                self._leaf(properties[name], (*path, name), name, kind, self.result.workforce)
        for name, leaves in BLOCKS:
            if name in properties:
                self._block(properties[name], (*path, name), name, leaves)
        return self.result

    def _note(self, api_path: str, path: PathKey) -> None:
        line, column = self.doc.where(path)
        self.result.locations[api_path] = Location(self.display_file, line, column)

    def _unknown(self, api_path: str, unresolved: Unresolved, path: PathKey) -> None:
        self.result.unknown[api_path] = unresolved.render()
        self._note(api_path, path)

    def _block(
        self, raw: Any, path: PathKey, name: str, leaves: tuple[tuple[str, str], ...]
    ) -> None:
        """A block written as an object is read leaf by leaf (so a ClientSecret beside the
        leaves is never touched); one chosen by a function (``Fn::If``) is resolved first."""
        value, value_path = raw, path
        while isinstance(value, dict) and intrinsic_name(value) == "Fn::If":
            arguments = value["Fn::If"]
            if not isinstance(arguments, list) or len(arguments) != 3:
                break  # the resolver reports the malformed call
            decided = self.resolver.condition(arguments[0], (*value_path, "Fn::If", 0))
            if isinstance(decided, Unresolved):
                break
            value_path = (*value_path, "Fn::If", 1 if decided else 2)
            value = arguments[1 if decided else 2]
        if isinstance(value, dict) and intrinsic_name(value) is None:
            block: dict[str, Any] = {}
            for leaf, kind in leaves:
                if leaf in value:
                    self._leaf(value[leaf], (*value_path, leaf), f"{name}.{leaf}", kind, block)
            self.result.workforce[name] = block
            self._note(name, path)
            return
        resolved = self.resolver.resolve(value, value_path)
        if resolved is NO_VALUE:
            return
        if isinstance(resolved, Unresolved):
            self._unknown(name, resolved, path)
            return
        if not isinstance(resolved, dict):
            raise self.fail(value_path, name, "an object", resolved)
        block = {}
        for leaf, kind in leaves:
            if leaf in resolved:
                self._converted(resolved[leaf], value_path, f"{name}.{leaf}", kind, block, leaf)
        self.result.workforce[name] = block
        self._note(name, path)

    def _leaf(
        self, raw: Any, path: PathKey, api_path: str, kind: str, into: dict[str, Any]
    ) -> None:
        resolved = self.resolver.resolve(raw, path)
        if resolved is NO_VALUE:
            return
        self._converted(resolved, path, api_path, kind, into, api_path.rsplit(".", 1)[-1])

    def _converted(
        self, value: Any, path: PathKey, api_path: str, kind: str, into: dict[str, Any], key: str
    ) -> None:
        """Type-check a resolved value and store it, or record why it is unknown."""
        unresolved = find_unresolved(value)
        if isinstance(value, Unresolved):
            self._unknown(api_path, value, path)
            return
        converted = CONVERTERS[kind](value)
        if converted is None:
            raise self.fail(path, api_path, EXPECTED[kind], value)
        if unresolved is not None:
            self._unknown(api_path, unresolved, path)
            return
        into[key] = converted
        self._note(api_path, path)


def _scalar(value: Any) -> str | None:
    """CloudFormation passes numbers, booleans and dates to string properties as their text."""
    if isinstance(value, Unresolved):
        return ""  # placeholder: the caller reports the unresolved value
    return scalar_text(value)


def _string(value: Any) -> Any:
    return _scalar(value)


def _string_list(value: Any) -> Any:
    if not isinstance(value, list):
        return None
    items = [_scalar(item) for item in value]
    return None if any(item is None for item in items) else items


def _string_map(value: Any) -> Any:
    if not isinstance(value, dict):
        return None
    items = {key: _scalar(item) for key, item in value.items()}
    return None if any(item is None for item in items.values()) else items


def _tags(value: Any) -> Any:
    if not isinstance(value, list):
        return None
    tags: list[dict[str, Any]] = []
    for item in value:
        if isinstance(item, Unresolved):
            tags.append({})
            continue
        if not isinstance(item, dict):
            return None
        tag = {key: _scalar(item.get(key)) for key in ("Key", "Value")}
        if any(part is None for part in tag.values()):
            return None
        tags.append(tag)
    return tags


CONVERTERS: Mapping[str, Any] = {
    STRING: _string,
    STRING_LIST: _string_list,
    STRING_MAP: _string_map,
    TAG_LIST: _tags,
}
