"""AWS sessions and clients shared by everything that calls AWS.

Both the live source (``checker.sources.aws``) and the Security Hub import
(``checker.output.securityhub``) start from the same base session, credential checks and client
settings, so those live here, below both (layer: engine < awsapi < sources). Modules:

- ``errors``: :class:`CredentialsError` and the one-line form of any AWS message;
- ``credentials``: resolving the base credentials up front, and the error that says how to fix
  them; a fixed resolver for sessions whose credentials are already known;
- ``session``: the base session, the user agent, client retry/timeout settings, home regions.

boto3/botocore are imported inside functions only: offline commands never load them. Nothing
here imports ``checker.sources``.
"""
