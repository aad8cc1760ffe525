"""Terraform without a plan: a root module's ``.tf`` files evaluated as Terraform would.

python-hcl2 parses; :mod:`expressions` evaluates its tree (values in :mod:`values`, built-in
functions in :mod:`functions`, type constraints in :mod:`types`), :mod:`variables` gives input
variables their values in Terraform's precedence, :mod:`modules` reads a module directory,
:mod:`resource` shapes one workforce like a plan's ``after``, and :mod:`source` walks modules
and instances into records (:class:`StaticTerraformSource`).
"""

from checker.sources.terraform.static.source import (
    StaticTerraformSource,
    is_configuration_dir,
    static_sources,
)

__all__ = ["StaticTerraformSource", "is_configuration_dir", "static_sources"]
