"""The command line: parse argv into settings, run one command, map the outcome to an exit code.

``parser`` (argparse, built from the declarations in ``arguments``), ``config`` (.wfcheck.yaml as
data), ``settings`` (default < file < command line, with origins), ``options`` (typed options per
concern), ``commands/`` (one module per subcommand), ``main`` (the error edge).
"""

from checker.cli.main import main
from checker.cli.parser import build_parser

__all__ = ["build_parser", "main"]
