"""evaluate(records, rules) -> results. No I/O.

Every (record, rule) pair yields exactly one result. The engine, not the rule, stamps the rule
on a result (its id, title, severity and remediation come from the rule's info). A rule that
raises on a record becomes an ``error`` result for that pair; the scan goes on.

A condition's outcome depends only on the record fields it reads (and on ``now``, fixed for one
call), so outcomes are memoized per condition, keyed by the ``repr`` of those top-level fields:
estates repeat the same CIDR lists, issuers and VPC layouts, and this keeps 100,000 records well
inside the speed target. ``repr`` equality implies value equality for JSON-like values and
datetimes, so a hit can never hand a record another record's verdict. A condition whose hit rate
stays low stops being memoized, and conditions that read the whole document never are.

Scans evaluate into a :class:`checker.results.ResultStore` (:func:`evaluate_all`): records are
evaluated as they stream in and only their resources and outcome indexes are kept.
"""

from checker.engine.evaluate import evaluate, gc_paused
from checker.engine.parallel import evaluate_all

__all__ = ["evaluate", "evaluate_all", "gc_paused"]
