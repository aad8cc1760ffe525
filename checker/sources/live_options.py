"""Choices and defaults of the live-collection options.

Kept apart from ``checker.sources.aws`` so building the command-line parser (and ``wfcheck
--version``) does not import the collector and its threading machinery.
"""

SORT_BY = ("Name", "CreateDate")
SORT_ORDER = ("Ascending", "Descending")
RETRY_MODES = ("standard", "adaptive")
MAX_PAGE_SIZE = 100
DEFAULT_WORKERS = 16
MAX_WORKERS = 256
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_TIMEOUT = 15.0
