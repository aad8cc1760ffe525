"""The related resources a plan or state declares beside its workforces -> ``Related``.

The live scan reads a workforce's work teams, Cognito user pool and app client, security groups
and subnets from AWS (:mod:`checker.related`); here they come from the same document, mapped
onto the shapes those APIs return, so the rules give the same verdicts. A workforce is linked to
them by the references in the plan's ``configuration`` (``user_pool =
aws_cognito_user_pool.labelers.id``) or by equal known values (a literal pool id, a team whose
``workforce_name`` is the workforce's name), within one module.

What the document cannot decide is unknown, with the reason, never guessed: a related resource
it does not declare (a literal id managed elsewhere, a data source, a reference through a
variable), a value known only after apply. The id of an object the plan creates is known only
after apply, but the references say which object it is: it is shown as ``${address.id}``, and a
new object's id equals no existing id (the workforce's own ``cognito_config`` ids too:
``Linked.identities``). What a create leaves to AWS takes AWS's default, as for
the workforce's own blocks. VPC endpoints are not declared by these resource types: WF062 is not
evaluated on Terraform input (a live scan reads it).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from checker.model import Location
from checker.related import KINDS, MEMBER, Linked, present
from checker.sources.terraform.document import child

WORKTEAM = "aws_sagemaker_workteam"
USER_POOL = "aws_cognito_user_pool"
USER_POOL_CLIENT = "aws_cognito_user_pool_client"
SECURITY_GROUP = "aws_security_group"
INGRESS_RULE = "aws_vpc_security_group_ingress_rule"
SECURITY_GROUP_RULE = "aws_security_group_rule"
SUBNET = "aws_subnet"
RELATED_TYPES = frozenset(
    {
        WORKTEAM,
        USER_POOL,
        USER_POOL_CLIENT,
        SECURITY_GROUP,
        INGRESS_RULE,
        SECURITY_GROUP_RULE,
        SUBNET,
    }
)
KIND_TYPES: Mapping[str, frozenset[str]] = {
    "workteams": frozenset({WORKTEAM}),
    "user-pool": frozenset({USER_POOL}),
    "user-pool-client": frozenset({USER_POOL_CLIENT}),
    "security-groups": frozenset({SECURITY_GROUP}),
    "subnets": frozenset({SUBNET}),
}
"""The kinds a Terraform document can declare, by the resource types that declare them."""

ABSENT = object()
"""A default meaning AWS leaves the field out."""

# What AWS creates when a configuration leaves an Optional + Computed argument out (the plan
# marks it unknown on create): terraform-provider-aws internal/service/cognitoidp and sagemaker,
# and the Cognito and SageMaker API references.
DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    USER_POOL: {
        "admin_create_user_config": [{"allow_admin_create_user_only": False}],
        "password_policy": [
            {
                "minimum_length": 8,
                "require_lowercase": True,
                "require_numbers": True,
                "require_symbols": True,
                "require_uppercase": True,
            }
        ],
        "user_pool_tier": "ESSENTIALS",
    },
    USER_POOL_CLIENT: {"prevent_user_existence_errors": "LEGACY", "enable_token_revocation": True},
    WORKTEAM: {"worker_access_configuration": ABSENT, "vpc_source_ip": ABSENT},
    SECURITY_GROUP: {"ingress": []},
}


class Undecided(Exception):
    """A value the related resources need that the document does not decide."""


@dataclass(frozen=True)
class Declared:
    """One related object as the plan (after apply) or the state holds it."""

    address: str
    kind: str
    module: str  # the module address prefix: "" or "module.a."
    values: Mapping[str, Any]
    unknown: Any = None
    expressions: Any = None  # its configuration expressions (plans), None when not given
    creates: bool = False
    location: Location | None = None

    def value(self, *path: Any) -> Any:
        """The value at ``path``; what a create leaves to AWS takes AWS's default; what is
        known only after apply raises :class:`Undecided`."""
        node: Any = self.values
        unknown: Any = self.unknown
        for depth, step in enumerate(path):
            if unknown is True:
                return self._default(path, depth)
            unknown = child(unknown, step)
            node = _step(node, step)
        if unknown is True:
            return self._default(path, len(path))
        return node

    def _default(self, path: tuple[Any, ...], depth: int) -> Any:
        """AWS's value for the unknown ``path[:depth]`` when a create leaves it out."""
        defaults = DEFAULTS.get(self.kind, {})
        named = [i for i, step in enumerate(path[:depth]) if isinstance(step, str)]
        named = [i for i in named if path[i] in defaults]
        if self.creates and named and not self.writes(path[: named[-1] + 1]):
            found = defaults[path[named[-1]]]
            if found is ABSENT:
                return None
            value: Any = copy.deepcopy(found)
            for step in path[named[-1] + 1 :]:
                value = _step(value, step)
            return value
        where = ".".join(str(step) for step in path[: max(depth, 1)])
        raise Undecided(f"{self.address}.{where} is known only after apply")

    def writes(self, path: tuple[Any, ...]) -> bool:
        """Whether the configuration writes the argument at ``path`` (True when not told)."""
        if self.expressions is None:
            return True
        node: Any = self.expressions
        for step in path:
            if isinstance(node, Mapping):
                if step not in node:
                    return False
                node = node[step]
            elif isinstance(node, list) and isinstance(step, int):
                if step >= len(node):
                    return False
                node = node[step]
            else:
                return True
        return True

    def references(self, *path: Any) -> list[str]:
        """The addresses the expression at ``path`` refers to, in order (module-local)."""
        node: Any = self.expressions
        for step in path:
            if isinstance(node, Mapping):
                node = node.get(step)
            elif isinstance(node, list) and isinstance(step, int) and step < len(node):
                node = node[step]
            else:
                return []
        found = node.get("references") if isinstance(node, Mapping) else None
        return [ref for ref in found if isinstance(ref, str)] if isinstance(found, list) else []

    def identity(self, attribute: str = "id") -> str:
        """The object's id: known, or for an object a plan creates, its reference."""
        try:
            value = self.value(attribute)
        except Undecided:
            return f"${{{self.address}.{attribute}}}"
        if not isinstance(value, str):
            return f"${{{self.address}.{attribute}}}"
        return value


class RelatedIndex:
    """Every related object of one document, by address."""

    def __init__(self) -> None:
        self.objects: dict[str, Declared] = {}

    def add(self, item: Declared) -> None:
        self.objects.setdefault(item.address, item)

    def kinds_declared(self) -> frozenset[str]:
        """The ``--related`` kinds the document declares at least one object of."""
        types = {item.kind for item in self.objects.values()}
        return frozenset(kind for kind, kind_types in KIND_TYPES.items() if types & kind_types)

    def of_kind(self, kind: str) -> list[Declared]:
        return [item for item in self.objects.values() if item.kind == kind]

    def resolve(self, references: list[str], module: str, kind: str) -> list[Declared] | str:
        """The objects of ``kind`` the references name, in order; or why they cannot be told."""
        found: list[Declared] = []
        for reference in references:
            if reference.startswith(("var.", "local.", "module.", "data.", "each.", "count.")):
                return f"it is set through {reference}, which wfcheck does not follow"
            if not reference.startswith(f"{kind}."):
                continue
            target = self._object(module + reference)
            if isinstance(target, str):
                return target
            if target is not None and target not in found:
                found.append(target)
        return found

    def _object(self, address: str) -> Declared | str | None:
        """The object at an address (an instance, or a resource with one instance); None for a
        reference to one of its attributes (``x.id``: the object is named too)."""
        if address in self.objects:
            return self.objects[address]
        instances = [a for a in self.objects if a.startswith((address + "[",))]
        if len(instances) == 1:
            return self.objects[instances[0]]
        if len(instances) > 1:
            return f"{address} has {len(instances)} instances and the reference names none"
        return None

    def by_value(self, kind: str, attribute: str, value: Any, module: str) -> Declared | None:
        for item in self.of_kind(kind):
            try:
                if item.module == module and item.value(attribute) == value:
                    return item
            except Undecided:
                continue
        return None

    # --- one workforce --------------------------------------------------------------------------

    def link(
        self,
        workforce: Declared,
        record: Mapping[str, Any],
        name: str | None,
        kinds: frozenset[str],
    ) -> Linked:
        linked = Linked()
        steps: tuple[tuple[str, Callable[[Declared, Mapping[str, Any], Linked], None]], ...] = (
            ("workteams", lambda w, r, out: self._workteams(w, r, name, out)),
            ("user-pool", self._user_pool),
            ("user-pool-client", self._user_pool_client),
            ("security-groups", self._security_groups),
            ("subnets", self._subnets),
        )
        for kind, step in steps:
            if kind not in kinds:
                continue
            try:
                step(workforce, record, linked)
            except Undecided as exc:
                linked.undecided(kind, str(exc))
        return linked

    def _one(
        self,
        workforce: Declared,
        path: tuple[Any, ...],
        value: Any,
        kind: str,
        attribute: str,
        what: str,
    ) -> Declared:
        """The object a workforce attribute names: by reference, else by its known value."""
        references = workforce.references(*path)
        if references:
            found = self.resolve(references, workforce.module, kind)
            if isinstance(found, str):
                raise Undecided(f"{what}: {found}")
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise Undecided(f"{what} refers to {len(found)} {kind} objects")
        if isinstance(value, str):
            match = self.by_value(kind, attribute, value, workforce.module)
            if match is not None:
                return match
            raise Undecided(
                f"{what} {value} is not declared in this document (managed elsewhere or read "
                "by a data source): scan live with --related to judge it"
            )
        raise Undecided(f"{what} is not declared in this document")

    def _user_pool(self, workforce: Declared, record: Mapping[str, Any], out: Linked) -> None:
        cognito = record.get("CognitoConfig")
        if not isinstance(cognito, Mapping) and not workforce.references("cognito_config"):
            return
        value = cognito.get("UserPool") if isinstance(cognito, Mapping) else None
        pool = self._one(
            workforce,
            ("cognito_config", 0, "user_pool"),
            value,
            USER_POOL,
            "id",
            "the workforce's user pool",
        )
        out.identities["CognitoConfig.UserPool"] = pool.identity()
        mfa = pool.value("mfa_configuration") or "OFF"
        shaped = {
            "Id": pool.identity(),
            "Name": pool.value("name"),
            "MfaConfiguration": mfa,
            "MfaConfig": {"MfaConfiguration": mfa},
            "AdminCreateUserConfig": {
                "AllowAdminCreateUserOnly": bool(
                    pool.value("admin_create_user_config", 0, "allow_admin_create_user_only")
                )
            },
            "Policies": {
                "PasswordPolicy": {
                    "MinimumLength": pool.value("password_policy", 0, "minimum_length"),
                    "RequireUppercase": pool.value("password_policy", 0, "require_uppercase"),
                    "RequireLowercase": pool.value("password_policy", 0, "require_lowercase"),
                    "RequireNumbers": pool.value("password_policy", 0, "require_numbers"),
                    "RequireSymbols": pool.value("password_policy", 0, "require_symbols"),
                }
            },
            "UserPoolTier": pool.value("user_pool_tier"),
        }
        mode = pool.value("user_pool_add_ons", 0, "advanced_security_mode")
        if mode is not None:
            shaped["UserPoolAddOns"] = {"AdvancedSecurityMode": mode}
        out.member[KINDS["user-pool"]] = present(shaped)
        out.locate(f"{MEMBER}.{KINDS['user-pool']}", pool.location)

    def _user_pool_client(
        self, workforce: Declared, record: Mapping[str, Any], out: Linked
    ) -> None:
        cognito = record.get("CognitoConfig")
        if not isinstance(cognito, Mapping) and not workforce.references("cognito_config"):
            return
        value = cognito.get("ClientId") if isinstance(cognito, Mapping) else None
        client = self._one(
            workforce,
            ("cognito_config", 0, "client_id"),
            value,
            USER_POOL_CLIENT,
            "id",
            "the workforce's app client",
        )
        out.identities["CognitoConfig.ClientId"] = client.identity()
        shaped = {
            "ClientId": client.identity(),
            "ClientName": client.value("name"),
            "PreventUserExistenceErrors": client.value("prevent_user_existence_errors"),
            "EnableTokenRevocation": client.value("enable_token_revocation"),
        }
        out.member[KINDS["user-pool-client"]] = present(shaped)
        out.locate(f"{MEMBER}.{KINDS['user-pool-client']}", client.location)

    def _workteams(
        self, workforce: Declared, record: Mapping[str, Any], name: str | None, out: Linked
    ) -> None:
        teams = []
        for team in self.of_kind(WORKTEAM):
            if team.module != workforce.module:
                continue
            references = team.references("workforce_name")
            named = any(team.module + ref == workforce.address for ref in references)
            if not named and not references:
                try:
                    named = name is not None and team.value("workforce_name") == name
                except Undecided:
                    named = False
            if named:
                teams.append(team)
        if not teams:
            raise Undecided(
                "no aws_sagemaker_workteam in this document names this workforce (teams "
                "managed elsewhere are not seen: scan live with --related)"
            )
        shaped = []
        for index, team in enumerate(teams):
            shaped.append(self._workteam(team, record))
            out.locate(f"{MEMBER}.{KINDS['workteams']}[{index}]", team.location)
        out.member[KINDS["workteams"]] = shaped

    def _workteam(self, team: Declared, record: Mapping[str, Any]) -> dict[str, Any]:
        members = []
        for index, _ in enumerate(team.value("member_definition") or []):
            cognito = team.value("member_definition", index, "cognito_member_definition") or []
            oidc = team.value("member_definition", index, "oidc_member_definition") or []
            if cognito:
                base = ("member_definition", index, "cognito_member_definition", 0)
                members.append(
                    {
                        "CognitoMemberDefinition": {
                            "UserPool": self._id_of(team, (*base, "user_pool"), USER_POOL),
                            "UserGroup": team.value(*base, "user_group"),
                            "ClientId": self._id_of(team, (*base, "client_id"), USER_POOL_CLIENT),
                        }
                    }
                )
            elif oidc:
                groups = team.value(
                    "member_definition", index, "oidc_member_definition", 0, "groups"
                )
                members.append({"OidcMemberDefinition": {"Groups": sorted(groups or [])}})
        shaped: dict[str, Any] = {
            "WorkteamName": team.value("workteam_name"),
            "WorkteamArn": team.identity("arn"),
            "MemberDefinitions": members,
            "Description": team.value("description"),
        }
        topic = team.value("notification_configuration", 0, "notification_topic_arn")
        if topic:
            shaped["NotificationConfiguration"] = {"NotificationTopicArn": topic}
        access = team.value("worker_access_configuration")
        if access:
            within = ("worker_access_configuration", 0, "s3_presign", 0)
            constraints = {
                "SourceIp": team.value(*within, "iam_policy_constraints", 0, "source_ip"),
                "VpcSourceIp": team.value(*within, "iam_policy_constraints", 0, "vpc_source_ip"),
            }
            shaped["WorkerAccessConfiguration"] = {
                "S3Presign": {"IamPolicyConstraints": present(constraints)}
            }
        arn = record.get("WorkforceArn")
        if isinstance(arn, str):
            shaped["WorkforceArn"] = arn
        return present(shaped)

    def _id_of(self, item: Declared, path: tuple[Any, ...], kind: str) -> Any:
        """A member's pool or client id: known, or the reference to the object the plan
        creates (equal to the workforce's own when both name the same object)."""
        try:
            return item.value(*path)
        except Undecided:
            found = self.resolve(item.references(*path), item.module, kind)
            if isinstance(found, list) and len(found) == 1:
                return found[0].identity()
            raise

    def _security_groups(self, workforce: Declared, record: Mapping[str, Any], out: Linked) -> None:
        groups = self._listed(
            workforce, record, "security_group_ids", "SecurityGroupIds", SECURITY_GROUP
        )
        if groups is None:
            return
        shaped = []
        for index, group in enumerate(groups):
            shaped.append(self._security_group(group))
            out.locate(f"{MEMBER}.{KINDS['security-groups']}[{index}]", group.location)
        out.member[KINDS["security-groups"]] = shaped

    def _security_group(self, group: Declared) -> dict[str, Any]:
        permissions = []
        for index, _ in enumerate(group.value("ingress") or []):
            permissions.append(
                _permission(
                    group.value("ingress", index, "protocol"),
                    group.value("ingress", index, "from_port"),
                    group.value("ingress", index, "to_port"),
                    group.value("ingress", index, "cidr_blocks") or [],
                    group.value("ingress", index, "ipv6_cidr_blocks") or [],
                )
            )
        for rule in self.of_kind(INGRESS_RULE) + self.of_kind(SECURITY_GROUP_RULE):
            if rule.module != group.module or not self._names(rule, group):
                continue
            if rule.kind == INGRESS_RULE:
                v4, v6 = rule.value("cidr_ipv4"), rule.value("cidr_ipv6")
                permissions.append(
                    _permission(
                        rule.value("ip_protocol"),
                        rule.value("from_port"),
                        rule.value("to_port"),
                        [v4] if v4 else [],
                        [v6] if v6 else [],
                    )
                )
            elif rule.value("type") == "ingress":
                permissions.append(
                    _permission(
                        rule.value("protocol"),
                        rule.value("from_port"),
                        rule.value("to_port"),
                        rule.value("cidr_blocks") or [],
                        rule.value("ipv6_cidr_blocks") or [],
                    )
                )
        return present(
            {
                "GroupId": group.identity(),
                "GroupName": group.value("name"),
                "IpPermissions": permissions,
            }
        )

    def _names(self, rule: Declared, group: Declared) -> bool:
        """Whether an ingress rule resource belongs to the group."""
        found = self.resolve(rule.references("security_group_id"), rule.module, SECURITY_GROUP)
        if isinstance(found, list) and found:
            return group in found
        if isinstance(found, str):
            raise Undecided(f"{rule.address}.security_group_id: {found}")
        try:
            value = rule.value("security_group_id")
        except Undecided:
            return False
        return bool(value == group.identity())

    def _subnets(self, workforce: Declared, record: Mapping[str, Any], out: Linked) -> None:
        subnets = self._listed(workforce, record, "subnets", "Subnets", SUBNET)
        if subnets is None:
            return
        shaped = []
        for index, subnet in enumerate(subnets):
            zone = subnet.value("availability_zone")
            if zone is None:
                raise Undecided(f"{subnet.address}.availability_zone is chosen by AWS at apply")
            shaped.append(
                present(
                    {
                        "SubnetId": subnet.identity(),
                        "AvailabilityZone": zone,
                        "CidrBlock": subnet.value("cidr_block"),
                    }
                )
            )
            out.locate(f"{MEMBER}.{KINDS['subnets']}[{index}]", subnet.location)
        out.member[KINDS["subnets"]] = shaped

    def _listed(
        self,
        workforce: Declared,
        record: Mapping[str, Any],
        attribute: str,
        api_field: str,
        kind: str,
    ) -> list[Declared] | None:
        """The objects a VPC config list names (None without a VPC config)."""
        vpc = record.get("WorkforceVpcConfig")
        path = ("workforce_vpc_config", 0, attribute)
        references = workforce.references(*path)
        if not isinstance(vpc, Mapping) and not references:
            return None
        if references:
            found = self.resolve(references, workforce.module, kind)
            if isinstance(found, str):
                raise Undecided(f"the workforce's {attribute}: {found}")
            if found:
                return found
        ids = vpc.get(api_field) if isinstance(vpc, Mapping) else None
        if not isinstance(ids, list):
            raise Undecided(f"the workforce's {attribute} are known only after apply")
        objects = []
        for value in ids:
            match = self.by_value(kind, "id", value, workforce.module)
            if match is None:
                raise Undecided(
                    f"{value} is not declared in this document (managed elsewhere or read by "
                    "a data source): scan live with --related to judge it"
                )
            objects.append(match)
        return objects


def _permission(
    protocol: Any, from_port: Any, to_port: Any, v4: list[Any], v6: list[Any]
) -> dict[str, Any]:
    """One ingress rule in ``DescribeSecurityGroups``' shape (protocol ``-1``: every port)."""
    shaped: dict[str, Any] = {
        "IpProtocol": str(protocol) if protocol not in ("all", None) else "-1",
        "IpRanges": [{"CidrIp": cidr} for cidr in v4],
        "Ipv6Ranges": [{"CidrIpv6": cidr} for cidr in v6],
    }
    if shaped["IpProtocol"] != "-1":
        shaped["FromPort"], shaped["ToPort"] = from_port, to_port
    return shaped


def _step(node: Any, step: Any) -> Any:
    if isinstance(node, Mapping):
        return node.get(step)
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return None
