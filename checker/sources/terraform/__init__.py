"""Records from Terraform: ``terraform show -json`` of a plan file or of the state.

Every ``aws_sagemaker_workforce`` that exists after apply becomes a record in the API's
``Workforce`` shape, so the bundled rules apply unchanged and give the same verdict before apply
as after it. What differs from the API is handled here, not in the rules:

* values Terraform knows only after apply (``after_unknown``) are not guessed: their API paths go
  to ``Record.unknown_paths`` and rules reading them are ``unknown``; a block the configuration
  does not write, which the provider plans as unknown, takes AWS's default instead
  (``source_ip_config``: no restriction), read from the plan's ``configuration``;
* values marked sensitive are read and evaluated, and listed in ``Record.sensitive_paths`` so no
  message shows them; the OIDC ``client_secret`` is never read at all;
* attributes only the service knows (Status, FailureReason, dates) are absent, so rules on them
  skip;
* each record carries the planned action and, given the ``.tf`` sources, the file and line of
  its ``resource`` block.

Modules: ``plan`` and ``state`` read the two document kinds, ``mapping`` the attributes,
``configuration`` the plan's configuration section, ``locations`` the ``.tf`` files, ``build``
one record, ``source`` the :class:`TerraformSource` the CLI builds.
"""

from checker.sources.terraform.configuration import module_calls
from checker.sources.terraform.mapping import RESOURCE_TYPE
from checker.sources.terraform.source import (
    TerraformSource,
    looks_like_terraform,
    open_sources,
    recognizes,
    terraform_sources,
    validate_terraform_file,
)

__all__ = [
    "RESOURCE_TYPE",
    "TerraformSource",
    "looks_like_terraform",
    "module_calls",
    "open_sources",
    "recognizes",
    "terraform_sources",
    "validate_terraform_file",
]
