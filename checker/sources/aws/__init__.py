"""Live collection from the AWS API: every workforce in every account x region.

The package's input is :class:`LiveOptions` (``options``); its source is
:class:`checker.sources.aws.collect.AwsSource`. Modules, in dependency order:

- ``options``: LiveOptions and ListOptions, choices and defaults (light: no boto3);
- ``errors``: error codes and one-line messages of failed units;
- ``accounts``: the accounts file, Organizations accounts, AssumeRole credentials;
- ``clients``: the one-operation loader, per-account sessions, ClientFactory (the base
  session, credentials and client settings come from :mod:`checker.awsapi`);
- ``plan``: targets, the regions each wants, preparing an account, splitting a large run;
- ``events``: what reading reports as it goes (picklable: collector processes send them);
- ``processes``: forked collector processes for large runs;
- ``collect``: AwsSource, the thread pool, the merge;
- ``iam``: the least-privilege IAM policy for the calls above.

Importing this package (or ``options``) never imports boto3: the command-line parser does.
"""

from checker.sources.aws.options import ListOptions, LiveOptions

__all__ = ["ListOptions", "LiveOptions"]
