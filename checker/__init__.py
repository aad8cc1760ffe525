"""wfcheck: policy checks for SageMaker Ground Truth private workforces."""

__version__ = "0.1.0"
