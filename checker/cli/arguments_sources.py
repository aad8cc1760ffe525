"""Options that name what a scan reads offline: input files, Terraform plans and state,
CloudFormation templates and CDK output.

Every path that decides what is judged is ``trusted``: a config file found by discovery (which
a pull request can change) may not set it.
"""

from __future__ import annotations

from checker.cli.arguments import Group
from checker.cli.option import Option, name_equals_value, whole_number
from checker.files.reading import MAX_JSON_BYTES

MIB = 1024 * 1024


INPUTS = Group(
    "inputs (offline; without any, scan reads the live AWS API)",
    (
        Option(
            ("inputs",),
            "input files, recognized by content: list-workforces / describe-workforce JSON, a "
            "wfcheck snapshot, a Terraform plan or state (terraform show -json), or a "
            "CloudFormation template",
            kind="list",
            metavar="FILE",
            path=True,
            trusted=True,
        ),
        Option(
            ("-i", "--input"),
            "list-workforces / describe-workforce JSON, a list of workforces, or a wfcheck "
            "snapshot (repeatable; - is stdin)",
            kind="list",
            metavar="FILE",
            key="inputs",
            path=True,
            trusted=True,
        ),
        Option(
            ("--max-input-mb",),
            f"refuse input files larger than N MiB (default {MAX_JSON_BYTES // MIB})",
            metavar="N",
            convert=whole_number(1),
            default=MAX_JSON_BYTES // MIB,
        ),
    ),
)

TERRAFORM = Group(
    "terraform",
    (
        Option(
            ("--terraform",),
            "JSON of terraform show -json PLANFILE, or of terraform show -json (state), or a "
            "root module directory of .tf files, evaluated without a plan (repeatable; - is "
            "stdin)",
            kind="list",
            metavar="FILE",
            path=True,
            trusted=True,
        ),
        Option(
            ("--terraform-source",),
            "the Terraform configuration the plan was made from (.tf files): findings point at "
            "each resource's block (default: the plan file's directory when it holds .tf files)",
            metavar="DIR",
            path=True,
        ),
        Option(
            ("--tf-var",),
            "a root module variable's value when scanning .tf files without a plan "
            "(repeatable; wins over --tf-var-file, terraform.tfvars and TF_VAR_name)",
            kind="list",
            metavar="NAME=VALUE",
            key="tf_vars",
            convert=name_equals_value,
            trusted=True,
        ),
        Option(
            ("--tf-var-file",),
            "a variable file (.tfvars or .tfvars.json) when scanning .tf files without a plan "
            "(repeatable; a later file wins)",
            kind="list",
            metavar="FILE",
            key="tf_var_files",
            path=True,
            trusted=True,
        ),
        Option(
            ("--changed-only",),
            "plans: leave out workforces the plan does not change (no-op); by default every "
            "workforce that exists after apply is checked",
            kind="flag",
        ),
        Option(  # unchanged workforces are checked by default now; kept for old scripts
            ("--include-unchanged",),
            "plans: accepted for compatibility; unchanged workforces are always checked",
            kind="flag",
            hidden=True,
            key=None,
        ),
        Option(
            ("--fail-on-unknown",),
            "fail the run when a rule depends on a value known only after apply",
            kind="flag",
        ),
    ),
)

CLOUDFORMATION = Group(
    "cloudformation and cdk",
    (
        Option(
            ("--cloudformation",),
            "CloudFormation template (JSON or YAML), CDK output (cdk.out), or a folder searched "
            "for both (repeatable)",
            kind="list",
            metavar="PATH",
            path=True,
            trusted=True,
        ),
        Option(
            ("--parameter",),
            "template parameter value (repeatable; wins over --parameters-file)",
            kind="list",
            metavar="NAME=VALUE",
            key="parameters",
            convert=name_equals_value,
            trusted=True,
        ),
        Option(
            ("--parameters-file",),
            "parameter values in the JSON aws cloudformation deploy --parameter-overrides reads "
            "(repeatable; a later file wins)",
            kind="list",
            metavar="FILE",
            key="parameters_files",
            path=True,
            trusted=True,
        ),
        Option(
            ("--templates-only",),
            "read every file given as a CloudFormation template and skip those that are not "
            "one (the wfcheck-cloudformation pre-commit hook passes every changed YAML/JSON "
            "file); a file that looks like a template but does not parse is still exit 2",
            kind="flag",
            key=None,
        ),
    ),
)
