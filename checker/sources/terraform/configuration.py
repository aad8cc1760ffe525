"""What a plan's ``configuration`` section says: the provider region each resource uses,
whether a resource's configuration writes a block, and where module calls come from.

``configuration`` is read only to refine what ``resource_changes`` says: its shape never stops a
scan, and anything wfcheck cannot find there is reported as "cannot tell", not guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_MODULE_STEP = re.compile(r'module\.([A-Za-z0-9_-]+)(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?\.?')


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


def module_label(calls: tuple[str, ...]) -> str:
    """``("a", "b")`` -> ``module.a.module.b``, as people name a module in the configuration."""
    return ".".join(f"module.{call}" for call in calls)


class Configuration:
    """The ``configuration`` section of a plan: the module tree as written (not expanded)."""

    def __init__(self, configuration: Any) -> None:
        self.present = isinstance(configuration, dict)
        root = configuration.get("root_module") if isinstance(configuration, dict) else None
        self.root: Mapping[str, Any] | None = root if isinstance(root, dict) else None

    def module(self, calls: tuple[str, ...]) -> Mapping[str, Any] | str:
        """The module's configuration, or why it is not in the plan."""
        if not self.present:
            return "the plan has no configuration section"
        module: Any = self.root
        for depth, call in enumerate(calls):
            calls_map = module.get("module_calls") if isinstance(module, dict) else None
            entry = calls_map.get(call) if isinstance(calls_map, dict) else None
            module = entry.get("module") if isinstance(entry, dict) else None
            if not isinstance(module, dict):
                label = module_label(calls[: depth + 1])
                return f"the plan's configuration does not include {label}"
        if not isinstance(module, dict):
            return "the plan's configuration has no root module"
        return module

    def module_source(self, calls: tuple[str, ...]) -> str | None:
        """The ``source`` of the last module call, as written (``./modules/labeling``)."""
        if not calls:
            return None
        parent = self.module(calls[:-1])
        calls_map = parent.get("module_calls") if isinstance(parent, Mapping) else None
        entry = calls_map.get(calls[-1]) if isinstance(calls_map, dict) else None
        source = entry.get("source") if isinstance(entry, dict) else None
        return source if isinstance(source, str) else None

    def expressions(self, calls: tuple[str, ...], kind: str, name: str) -> Any:
        """The resource's ``expressions`` as written (``{}`` when it writes nothing), or None
        when the plan does not show its configuration."""
        module = self.module(calls)
        resource = None if isinstance(module, str) else managed_resource(module, kind, name)
        if resource is None:
            return None
        expressions = resource.get("expressions")
        return expressions if isinstance(expressions, dict) else {}

    def writes(self, calls: tuple[str, ...], kind: str, name: str, block: str) -> bool | str:
        """Whether the resource's configuration writes ``block`` (not counting ``dynamic``
        blocks, which Terraform leaves out of this section), or why that cannot be told."""
        module = self.module(calls)
        if isinstance(module, str):
            return module
        resource = managed_resource(module, kind, name)
        if resource is None:
            return "the plan's configuration does not include this resource"
        expressions = resource.get("expressions")
        if expressions is None:
            return False  # nothing written at all
        if not isinstance(expressions, dict):
            return "the plan's configuration of this resource cannot be read"
        return block in expressions


def managed_resource(module: Any, kind: str, name: str) -> Mapping[str, Any] | None:
    """The configuration entry of managed resource ``kind.name`` in one module, if any."""
    resources = module.get("resources") if isinstance(module, Mapping) else None
    wanted = f"{kind}.{name}"
    for resource in resources if isinstance(resources, list) else ():
        if (
            isinstance(resource, dict)
            and resource.get("address") == wanted
            and resource.get("mode", "managed") == "managed"
        ):
            return resource
    return None


class ProviderRegions:
    """The constant ``region`` of the provider configuration each resource uses, from a plan.

    Resources name their configuration by ``provider_config_key`` in ``configuration``; keys of
    module-local configurations are ``module.a.module.b:aws`` (``aws.alias`` with an alias), and
    Terraform already rewrites keys of providers passed into modules to the parent's key. A
    region set from a variable or expression is not constant and resolves to None.
    """

    def __init__(self, configuration: Any) -> None:
        self.configs: Mapping[str, Any] = {}
        self.cache: dict[tuple[str, str, str | None], str | None] = {}
        self.root: Mapping[str, Any] = {}
        if isinstance(configuration, dict):
            configs = configuration.get("provider_config")
            root = configuration.get("root_module")
            self.configs = configs if isinstance(configs, dict) else {}
            self.root = root if isinstance(root, dict) else {}

    def region(self, module_address: str, kind: str, name: str, provider_name: Any) -> str | None:
        """Memoized: a plan repeats the same module and resource for every instance."""
        shown = provider_name if isinstance(provider_name, str) else None
        key = (module_address, f"{kind}.{name}", shown)
        if key not in self.cache:
            self.cache[key] = self._region(module_address, kind, name, provider_name)
        return self.cache[key]

    def _region(self, module_address: str, kind: str, name: str, provider_name: Any) -> str | None:
        calls = module_calls(module_address) if module_address else ()
        key = self._config_key(calls, kind, name)
        if key is None:
            local = kind.split("_", 1)[0]  # the provider's default local name: aws, awscc
            prefix = ".".join(f"module.{call}" for call in calls)
            key = f"{prefix}:{local}" if prefix else local
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

    def _config_key(self, calls: tuple[str, ...], kind: str, name: str) -> str | None:
        module: Any = self.root
        for call in calls:
            calls_map = module.get("module_calls") if isinstance(module, dict) else None
            entry = calls_map.get(call) if isinstance(calls_map, dict) else None
            module = entry.get("module") if isinstance(entry, dict) else None
        resource = managed_resource(module, kind, name)
        key = resource.get("provider_config_key") if resource is not None else None
        return key if isinstance(key, str) else None


def _parent_key(key: str) -> str | None:
    """``module.a.module.b:aws`` -> ``module.a:aws`` -> ``aws``: implicit inheritance upwards."""
    if ":" not in key:
        return None
    prefix, local = key.rsplit(":", 1)
    calls = module_calls(prefix)
    if len(calls) <= 1:
        return local
    return module_label(calls[:-1]) + ":" + local


def _constant_region(config: Mapping[str, Any]) -> str | None:
    expressions = config.get("expressions")
    region = expressions.get("region") if isinstance(expressions, dict) else None
    value = region.get("constant_value") if isinstance(region, dict) else None
    return value if isinstance(value, str) and value else None
