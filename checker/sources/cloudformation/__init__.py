"""CloudFormation templates and CDK output as a record source (``--cloudformation``)."""

from checker.sources.cloudformation.source import (
    CloudFormationSource,
    cloudformation_sources,
    validate_cloudformation_file,
)

__all__ = ["CloudFormationSource", "cloudformation_sources", "validate_cloudformation_file"]
