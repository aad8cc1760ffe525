"""The related resources a template declares beside its workforce -> ``Related``.

A workforce is linked to the work teams, Cognito user pool and app client, security groups and
subnets of its stack by ``Ref`` and ``Fn::GetAtt`` (a team's ``WorkforceName: !Ref Workforce``,
``UserPool: !Ref Pool``), or by equal resolved values (a team naming the workforce's name),
and their properties (resolved with the stack's parameters) are mapped onto the shapes the live
scan reads. Properties are CloudFormation's, which are the APIs' names for almost everything.

What the template does not decide is unknown with the reason, never guessed: a pool or group
id it does not declare (an import, another stack), a value resolved only at deploy. An id
CloudFormation assigns at deploy is shown as its reference (``!Ref Pool``): the reference says
which resource it is. Defaults are AWS's for what a template leaves out (MFA ``OFF``, users may
sign up, the default password policy, tier ``ESSENTIALS``, ``LEGACY`` user-existence errors,
token revocation on). ``AWS::SageMaker::Workteam`` has no presigned-URL restriction property:
a team it creates restricts nothing (WF040 fails, as it would on the deployed team). A kind the
template declares nothing of is not read (its rules are not evaluated), and VPC endpoints are
not mapped (WF062 is live-only).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from checker.files.reading import Located
from checker.model import Location
from checker.related import KINDS, MEMBER, Linked, present
from checker.sources.cloudformation.intrinsics import NO_VALUE, Resolver, find_unresolved
from checker.sources.cloudformation.template import resource_position

WORKFORCE = "AWS::SageMaker::Workforce"
WORKTEAM = "AWS::SageMaker::Workteam"
USER_POOL = "AWS::Cognito::UserPool"
USER_POOL_CLIENT = "AWS::Cognito::UserPoolClient"
SECURITY_GROUP = "AWS::EC2::SecurityGroup"
INGRESS = "AWS::EC2::SecurityGroupIngress"
SUBNET = "AWS::EC2::Subnet"
KIND_TYPES: Mapping[str, str] = {
    "workteams": WORKTEAM,
    "user-pool": USER_POOL,
    "user-pool-client": USER_POOL_CLIENT,
    "security-groups": SECURITY_GROUP,
    "subnets": SUBNET,
}
DEFAULT_PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
}


class Undecided(Exception):
    """A value the related resources need that the template does not decide."""


def referenced(value: Any) -> str | None:
    """The logical id a ``Ref`` or ``Fn::GetAtt`` names."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    if "Ref" in value and isinstance(value["Ref"], str):
        return str(value["Ref"])
    argument = value.get("Fn::GetAtt")
    if isinstance(argument, list) and argument and isinstance(argument[0], str):
        return str(argument[0])
    if isinstance(argument, str):
        return argument.split(".", 1)[0]
    return None


class TemplateRelated:
    """The related resources of one stack's template."""

    def __init__(
        self,
        doc: Located,
        display: str,
        resolver: Resolver,
        created: Callable[[str, Mapping[str, Any]], bool],
    ) -> None:
        self.doc = doc
        self.display = display
        self.resolver = resolver
        resources = doc.data.get("Resources") if isinstance(doc.data, dict) else None
        self.resources: dict[str, Mapping[str, Any]] = {
            logical: resource
            for logical, resource in (resources or {}).items()
            if isinstance(resource, dict) and created(logical, resource)
        }

    def of_type(self, kind: str) -> list[str]:
        return [logical for logical, r in self.resources.items() if r.get("Type") == kind]

    def link(self, logical_id: str, workforce: Mapping[str, Any]) -> Linked:
        declared = frozenset(
            kind for kind, kind_type in KIND_TYPES.items() if self.of_type(kind_type)
        )
        linked = Linked(kinds=declared)
        properties = self._properties(logical_id)
        steps: tuple[tuple[str, Callable[[], None]], ...] = (
            ("workteams", lambda: self._workteams(logical_id, workforce, linked)),
            ("user-pool", lambda: self._user_pool(properties, linked)),
            ("user-pool-client", lambda: self._user_pool_client(properties, linked)),
            ("security-groups", lambda: self._security_groups(properties, linked)),
            ("subnets", lambda: self._subnets(properties, linked)),
        )
        for kind, step in steps:
            if kind not in declared:
                continue
            try:
                step()
            except Undecided as exc:
                linked.undecided(kind, str(exc))
        return linked

    # --- values ---------------------------------------------------------------------------------

    def _properties(self, logical_id: str) -> Mapping[str, Any]:
        found = self.resources.get(logical_id, {}).get("Properties")
        return found if isinstance(found, dict) else {}

    def _value(self, logical_id: str, *path: str) -> Any:
        """A property's resolved value (None when absent); unresolved raises Undecided."""
        node: Any = self._properties(logical_id)
        for step in path:
            node = node.get(step) if isinstance(node, dict) else None
        if node is None:
            return None
        resolved = self.resolver.resolve(node, ("Resources", logical_id, "Properties", *path))
        if resolved is NO_VALUE:
            return None
        missing = find_unresolved(resolved)
        if missing is not None:
            raise Undecided(f"{logical_id}.{'.'.join(path)} is {missing.render()}")
        return resolved

    def _target(self, raw: Any, kind: str, what: str) -> str:
        """The logical id of the ``kind`` resource a property names."""
        logical = referenced(raw)
        if logical is not None:
            if self.resources.get(logical, {}).get("Type") == kind:
                return logical
            raise Undecided(f"{what} refers to {logical}, which is not a {kind} of this template")
        if raw is None:
            raise Undecided(f"{what} is not set")
        shown = raw if isinstance(raw, str) else "a value"
        raise Undecided(
            f"{what} {shown} is not declared in this template (another stack or an existing "
            "resource): scan live with --related to judge it"
        )

    def _locate(self, out: Linked, path: str, logical_id: str) -> None:
        line, column = resource_position(self.doc, logical_id)
        out.locate(path, Location(self.display, line, column))

    # --- kinds ----------------------------------------------------------------------------------

    def _user_pool(self, properties: Mapping[str, Any], out: Linked) -> None:
        cognito = properties.get("CognitoConfig")
        if not isinstance(cognito, dict):
            return
        pool = self._target(cognito.get("UserPool"), USER_POOL, "the workforce's user pool")
        out.identities["CognitoConfig.UserPool"] = f"!Ref {pool}"
        mfa = self._value(pool, "MfaConfiguration") or "OFF"
        admin = self._value(pool, "AdminCreateUserConfig", "AllowAdminCreateUserOnly")
        policy = self._value(pool, "Policies", "PasswordPolicy")
        if isinstance(policy, dict) and policy:  # what a written policy leaves out is off
            written: dict[str, Any] = {key: _boolean(policy.get(key)) for key in _CLASSES}
            length = policy.get("MinimumLength", 8)
            written["MinimumLength"] = int(length) if str(length).isdigit() else length
            policy = written
        else:
            policy = dict(DEFAULT_PASSWORD_POLICY)
        shaped: dict[str, Any] = {
            "Id": f"!Ref {pool}",
            "Name": self._value(pool, "UserPoolName"),
            "MfaConfiguration": mfa,
            "MfaConfig": {"MfaConfiguration": mfa},
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": _boolean(admin)},
            "Policies": {"PasswordPolicy": policy},
            "UserPoolTier": self._value(pool, "UserPoolTier") or "ESSENTIALS",
        }
        mode = self._value(pool, "UserPoolAddOns", "AdvancedSecurityMode")
        if mode is not None:
            shaped["UserPoolAddOns"] = {"AdvancedSecurityMode": mode}
        out.member[KINDS["user-pool"]] = present(shaped)
        self._locate(out, f"{MEMBER}.{KINDS['user-pool']}", pool)

    def _user_pool_client(self, properties: Mapping[str, Any], out: Linked) -> None:
        cognito = properties.get("CognitoConfig")
        if not isinstance(cognito, dict):
            return
        client = self._target(
            cognito.get("ClientId"), USER_POOL_CLIENT, "the workforce's app client"
        )
        out.identities["CognitoConfig.ClientId"] = f"!Ref {client}"
        revocation = self._value(client, "EnableTokenRevocation")
        shaped = {
            "ClientId": f"!Ref {client}",
            "ClientName": self._value(client, "ClientName"),
            "PreventUserExistenceErrors": self._value(client, "PreventUserExistenceErrors")
            or "LEGACY",
            "EnableTokenRevocation": True if revocation is None else _boolean(revocation),
        }
        out.member[KINDS["user-pool-client"]] = present(shaped)
        self._locate(out, f"{MEMBER}.{KINDS['user-pool-client']}", client)

    def _workteams(self, logical_id: str, workforce: Mapping[str, Any], out: Linked) -> None:
        name = workforce.get("WorkforceName")
        teams = []
        for team in self.of_type(WORKTEAM):
            raw = self._properties(team).get("WorkforceName")
            if referenced(raw) is not None:
                if referenced(raw) == logical_id:
                    teams.append(team)
                continue
            try:
                if isinstance(name, str) and self._value(team, "WorkforceName") == name:
                    teams.append(team)
            except Undecided:
                continue
        if not teams:
            raise Undecided(
                "no AWS::SageMaker::Workteam in this template names this workforce (teams of "
                "other stacks are not seen: scan live with --related)"
            )
        shaped = []
        for index, team in enumerate(teams):
            shaped.append(self._workteam(team))
            self._locate(out, f"{MEMBER}.{KINDS['workteams']}[{index}]", team)
        out.member[KINDS["workteams"]] = shaped

    def _workteam(self, team: str) -> dict[str, Any]:
        members = []
        for index, item in enumerate(self._properties(team).get("MemberDefinitions") or []):
            if not isinstance(item, dict):
                continue
            base = ("MemberDefinitions",)
            cognito = item.get("CognitoMemberDefinition")
            oidc = item.get("OidcMemberDefinition")
            if isinstance(cognito, dict):
                members.append(
                    {
                        "CognitoMemberDefinition": present(
                            {
                                "UserPool": self._member_id(cognito.get("CognitoUserPool"), team),
                                "UserGroup": self._resolved(
                                    cognito.get("CognitoUserGroup"), team, (*base, str(index))
                                ),
                                "ClientId": self._member_id(cognito.get("CognitoClientId"), team),
                            }
                        )
                    }
                )
            elif isinstance(oidc, dict):
                groups = self._resolved(oidc.get("OidcGroups"), team, (*base, str(index)))
                members.append({"OidcMemberDefinition": {"Groups": sorted(groups or [])}})
        shaped: dict[str, Any] = {
            "WorkteamName": self._value(team, "WorkteamName"),
            "WorkteamArn": f"!Ref {team}",
            "MemberDefinitions": members,
            "Description": self._value(team, "Description"),
        }
        topic = self._value(team, "NotificationConfiguration", "NotificationTopicArn")
        if topic:
            shaped["NotificationConfiguration"] = {"NotificationTopicArn": topic}
        return present(shaped)

    def _member_id(self, raw: Any, team: str) -> Any:
        logical = referenced(raw)
        if logical is not None and logical in self.resources:
            return f"!Ref {logical}"
        return self._resolved(raw, team, ("MemberDefinitions",))

    def _resolved(self, raw: Any, logical_id: str, path: tuple[str, ...]) -> Any:
        if raw is None:
            return None
        resolved = self.resolver.resolve(raw, ("Resources", logical_id, "Properties", *path))
        missing = find_unresolved(resolved)
        if missing is not None:
            raise Undecided(f"{logical_id}.{'.'.join(path)} is {missing.render()}")
        return None if resolved is NO_VALUE else resolved

    def _listed(self, properties: Mapping[str, Any], name: str, kind: str) -> list[str] | None:
        vpc = properties.get("WorkforceVpcConfig")
        if not isinstance(vpc, dict):
            return None
        raw = vpc.get(name)
        if not isinstance(raw, list):
            raise Undecided(f"the workforce's {name} is not a list this template writes")
        return [self._target(item, kind, f"the workforce's {name} item") for item in raw]

    def _security_groups(self, properties: Mapping[str, Any], out: Linked) -> None:
        groups = self._listed(properties, "SecurityGroupIds", SECURITY_GROUP)
        if groups is None:
            return
        shaped = []
        for index, group in enumerate(groups):
            rules = list(self._value(group, "SecurityGroupIngress") or [])
            for rule in self.of_type(INGRESS):
                if referenced(self._properties(rule).get("GroupId")) == group:
                    rules.append({k: self._value(rule, k) for k in _RULE_KEYS})
            shaped.append(
                present(
                    {
                        "GroupId": f"!Ref {group}",
                        "GroupName": self._value(group, "GroupName"),
                        "IpPermissions": [_permission(rule) for rule in rules],
                    }
                )
            )
            self._locate(out, f"{MEMBER}.{KINDS['security-groups']}[{index}]", group)
        out.member[KINDS["security-groups"]] = shaped

    def _subnets(self, properties: Mapping[str, Any], out: Linked) -> None:
        subnets = self._listed(properties, "Subnets", SUBNET)
        if subnets is None:
            return
        shaped = []
        for index, subnet in enumerate(subnets):
            zone = self._value(subnet, "AvailabilityZone")
            if zone is None:
                raise Undecided(f"{subnet}: AWS picks its Availability Zone at deploy")
            shaped.append(
                present(
                    {
                        "SubnetId": f"!Ref {subnet}",
                        "AvailabilityZone": zone,
                        "CidrBlock": self._value(subnet, "CidrBlock"),
                    }
                )
            )
            self._locate(out, f"{MEMBER}.{KINDS['subnets']}[{index}]", subnet)
        out.member[KINDS["subnets"]] = shaped


_RULE_KEYS = ("IpProtocol", "FromPort", "ToPort", "CidrIp", "CidrIpv6")
_CLASSES = ("RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols")


def _permission(rule: Any) -> dict[str, Any]:
    """One ingress rule in ``DescribeSecurityGroups``' shape."""
    rule = rule if isinstance(rule, dict) else {}
    protocol = str(rule.get("IpProtocol", "-1"))
    shaped: dict[str, Any] = {
        "IpProtocol": protocol,
        "IpRanges": [{"CidrIp": rule["CidrIp"]}] if rule.get("CidrIp") else [],
        "Ipv6Ranges": [{"CidrIpv6": rule["CidrIpv6"]}] if rule.get("CidrIpv6") else [],
    }
    if protocol != "-1":
        shaped["FromPort"], shaped["ToPort"] = rule.get("FromPort"), rule.get("ToPort")
    return present(shaped)


def _boolean(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")
