"""``aws_sagemaker_workforce`` attributes -> the API's ``Workforce`` shape.

Only the mapped attributes are read (an allow-list): the OIDC ``client_secret`` is not in it and
is never read. Values Terraform marks unknown become unknown paths; values it marks sensitive
are read like any other and listed as sensitive paths, so the engine evaluates them and never
prints them. Type errors name the attribute and the JSON type, never the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.errors import InputError
from checker.files.reading import type_name
from checker.sources.terraform.document import Document, child, marked

RESOURCE_TYPE = "aws_sagemaker_workforce"
AWSCC_TYPE = "awscc_sagemaker_workforce"

# Terraform attribute -> API field, for the top level and for each block (the provider allows
# each block once: MaxItems 1). The OIDC client_secret is deliberately missing: it is never read.
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
BLOCK_FIELDS: Mapping[str, str] = {block: name for block, name, _ in BLOCKS}
LIST_ATTRIBUTES = frozenset({"cidrs", "security_group_ids", "subnets"})
MAP_ATTRIBUTES = frozenset({"authentication_request_extra_params"})
REGION_PATH = "_region"


@dataclass(frozen=True, slots=True)
class BlockDefault:
    """What AWS does when a configuration does not write an Optional+Computed block: the
    provider plans the whole block unknown on create, and the service fills in this value
    (None: the service leaves the field out)."""

    value: Any
    reason: str


DEFAULTS: Mapping[str, BlockDefault] = {
    # terraform-provider-aws internal/service/sagemaker/workforce.go: Optional, Computed,
    # MaxItems 1; its acceptance test reads back source_ip_config.0.cidrs.# = 0
    "source_ip_config": BlockDefault(
        {"Cidrs": []}, "AWS creates the workforce with no source IP restriction"
    ),
}


@dataclass(frozen=True, slots=True)
class WorkforceType:
    """How one provider's workforce resource writes the API's fields.

    The AWS provider writes each part as a block (a list of one object in a plan); the AWS
    Cloud Control provider (``awscc``) writes CloudFormation's properties in snake_case as
    nested attributes (``source_ip_config = { cidrs = [...] }``: one object), and names two
    top-level attributes differently.
    """

    name: str
    top_level: tuple[tuple[str, str], ...]
    nested_objects: bool
    computed: tuple[str, ...]  # attributes the provider knows only after apply
    defaults: Mapping[str, BlockDefault]  # attribute -> what AWS creates when it is left out

    def label(self, block: str, attribute: str) -> str:
        return f"{block}.{attribute}" if self.nested_objects else f"{block}[0].{attribute}"

    def field(self, attribute: str) -> str:
        """The API field an attribute or block maps to."""
        return BLOCK_FIELDS.get(attribute) or dict(self.top_level)[attribute]


AWS_WORKFORCE = WorkforceType(RESOURCE_TYPE, TOP_LEVEL, False, ("arn", "subdomain"), DEFAULTS)
AWSCC_WORKFORCE = WorkforceType(
    AWSCC_TYPE,
    (
        ("workforce_name", "WorkforceName"),
        ("workforce_arn", "WorkforceArn"),
        ("sub_domain", "SubDomain"),
        ("ip_address_type", "IpAddressType"),
    ),
    True,
    ("workforce_arn", "sub_domain"),
    {
        # terraform-provider-awscc internal/aws/sagemaker/workforce_resource_gen.go: every
        # property Optional + Computed, so a create plans what is left out as unknown
        **DEFAULTS,
        "ip_address_type": BlockDefault(
            "ipv4", "AWS creates an IPv4-only workforce (IpAddressType ipv4)"
        ),
        "cognito_config": BlockDefault(None, "the workforce has no Cognito configuration"),
        "oidc_config": BlockDefault(None, "the workforce has no OIDC configuration"),
        "workforce_vpc_config": BlockDefault(None, "the workforce is not connected to a VPC"),
    },
)
WORKFORCE_TYPES: Mapping[str, WorkforceType] = {
    kind.name: kind for kind in (AWS_WORKFORCE, AWSCC_WORKFORCE)
}


@dataclass
class Mapped:
    """One resource's record values and what the source says about them."""

    workforce: dict[str, Any]
    unknown: set[str] = field(default_factory=set)
    sensitive: set[str] = field(default_factory=set)
    reasons: dict[str, str] = field(default_factory=dict)
    region: str | None = None
    identities: set[str] = field(default_factory=set)
    """Unknown paths whose value is the identity of the object they name (``Record``)."""


class Mapper:
    """Terraform attributes of one resource -> the API shape, its unknown and sensitive paths."""

    def __init__(
        self,
        doc: Document,
        address: str,
        unknown: Any,
        sensitive: Any,
        kind: WorkforceType = AWS_WORKFORCE,
    ) -> None:
        self.doc = doc
        self.address = address
        self.unknown = unknown
        self.sensitive = sensitive
        self.kind = kind

    def fail(self, attribute: str, expected: str, value: Any) -> InputError:
        return self.doc.error(
            f"{self.address}: {attribute}: expected {expected}, got {type_name(value)}",
            self.address,
        )

    def map(self, values: Mapping[str, Any]) -> Mapped:
        out = Mapped({})
        for attribute, name in self.kind.top_level:
            value = self._leaf(
                out, values, attribute, name, attribute, self.unknown, self.sensitive
            )
            if value is not None:
                out.workforce[name] = value
        for block, name, leaves in BLOCKS:
            value = self._block(out, values, block, name, leaves)
            if value is not None:
                out.workforce[name] = value
        self._region(out, values)
        return out

    def _region(self, out: Mapped, values: Mapping[str, Any]) -> None:
        """The resource's own ``region`` argument (AWS provider v6), when set and known.

        Reports show a record's region, so a region marked sensitive cannot be one: it is left
        unknown, with that reason, rather than printed.
        """
        if marked(child(self.sensitive, "region")) and values.get("region"):
            out.unknown.add(REGION_PATH)
            out.reasons[REGION_PATH] = (
                "marked sensitive in the plan: reports show a workforce's region, so wfcheck "
                "does not use it"
            )
            return
        region = self._leaf(out, values, "region", REGION_PATH, "region", self.unknown, None)
        out.region = region if isinstance(region, str) else None

    def _block(
        self,
        out: Mapped,
        values: Mapping[str, Any],
        block: str,
        name: str,
        leaves: tuple[tuple[str, str], ...],
    ) -> dict[str, Any] | None:
        unknown = child(self.unknown, block)
        sensitive = child(self.sensitive, block)
        if unknown is True:
            out.unknown.add(name)
            return None
        items = values.get(block)
        if items is None or items == []:
            if marked(unknown):
                out.unknown.add(name)
            return None  # an empty block list means the block is absent
        item: Mapping[str, Any]
        if self.kind.nested_objects:
            if not isinstance(items, dict):
                raise self.fail(block, "an object", items)
            item = items
        else:
            item = self._one_block(block, items)
            unknown, sensitive = child(unknown, 0), child(sensitive, 0)
        result: dict[str, Any] = {}
        for attribute, leaf in leaves:
            value = self._leaf(
                out,
                item,
                attribute,
                f"{name}.{leaf}",
                self.kind.label(block, attribute),
                unknown,
                sensitive,
            )
            if value is not None:
                result[leaf] = value
        return result

    def _one_block(self, block: str, items: Any) -> Mapping[str, Any]:
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise self.fail(block, "a list of one object", items)
        if len(items) > 1:
            raise self.doc.error(
                f"{self.address}: {block}: {len(items)} blocks, but the provider allows one "
                "(which one AWS would apply cannot be told)",
                self.address,
            )
        item: Mapping[str, Any] = items[0]
        return item

    def _leaf(
        self,
        out: Mapped,
        values: Mapping[str, Any],
        attribute: str,
        path: str,
        label: str,
        unknown: Any,
        sensitive: Any,
    ) -> Any:
        """One attribute's value, or None when absent or unknown; a sensitive value is read and
        its path listed as sensitive."""
        if marked(child(unknown, attribute)):
            out.unknown.add(path)
            return None
        value = values.get(attribute)
        if value is None:
            return None
        if attribute in LIST_ATTRIBUTES:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise self.fail(label, "a list of strings", value)
            value = list(value)
        elif attribute in MAP_ATTRIBUTES:
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise self.fail(label, "a map of strings", value)
            value = dict(value) or None
        elif not isinstance(value, str):
            raise self.fail(label, "a string", value)
        else:
            value = value or None  # Terraform writes "" for unset optional strings; the API omits
        if value is not None and marked(child(sensitive, attribute)):
            out.sensitive.add(path)
        return value
