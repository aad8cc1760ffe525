"""CloudFormation templates and CDK output as a record source (``--cloudformation``)."""

from checker.sources.cloudformation.source import (
    OWN_OPTIONS,
    CloudFormationSource,
    cloudformation_sources,
    open_sources,
    recognizes,
    validate_cloudformation_file,
)

__all__ = [
    "OWN_OPTIONS",
    "CloudFormationSource",
    "cloudformation_sources",
    "open_sources",
    "recognizes",
    "validate_cloudformation_file",
]
