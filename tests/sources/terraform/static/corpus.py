"""The static-scan corpus: small root modules, each with the plan real Terraform writes for it.

Every directory under ``cases/`` is a root module; ``plan.json`` beside it is written by
Terraform 1.11 and the AWS provider 5.100 through :func:`tests.sources.terraform.plans.generate`
(offline: a filesystem mirror, fake keys, a loopback endpoint). ``test_corpus.py`` asserts the
static verdict of every bundled rule equals the plan's. Regenerate or check with::

    python -m tests.sources.terraform.static.corpus            # rewrite every plan.json
    python -m tests.sources.terraform.static.corpus --check    # compare with what is committed
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from tests.sources.terraform.plans import Case, generate, normalized, terraform_available

CORPUS_DIR = Path(__file__).resolve().parent / "cases"


def corpus() -> list[Case]:
    return [Case(path.name, path) for path in sorted(CORPUS_DIR.iterdir()) if path.is_dir()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("names", nargs="*", help="cases to regenerate (default: all)")
    args = parser.parse_args(argv)
    missing = terraform_available()
    if missing:
        print(f"cannot regenerate: {missing}", file=sys.stderr)
        return 2
    status = 0
    with tempfile.TemporaryDirectory(prefix="wfcheck-tf-static-") as scratch:
        for case in corpus():
            if args.names and case.name not in args.names:
                continue
            plan = generate(case, Path(scratch))["plan.json"]
            target = case.directory / "plan.json"
            if args.check:
                if normalized(json.loads(target.read_text())) != normalized(plan):
                    print(f"{case.name}/plan.json differs from what Terraform writes")
                    status = 1
            else:
                target.write_text(json.dumps(plan, indent=2, ensure_ascii=False) + "\n")
                print(f"{case.name}: plan.json")
    return status


if __name__ == "__main__":
    sys.exit(main())
