import time, gc, sys
from datetime import datetime, timezone
from checker.sources.files import InputFileSource
import checker.engine.memo as memo
from checker.engine.memo import RulePlan
import checker.engine.evaluate
ev = sys.modules["checker.engine.evaluate"]
from checker.policy.loader import load_policies, bundled_policy_dir
gc.disable()
recs=list(InputFileSource("/tmp/wfcheck-bench/snapshot-100000.json", 1<<30).records())
rules = load_policies([str(bundled_policy_dir())], overrides=["allowed_oidc_issuers=https://idp.example.com,https://login.example.org"]).rules
now=datetime(2026,1,1,tzinfo=timezone.utc)
for rate in [float(x) for x in sys.argv[1:]]:
    memo.MIN_HIT_RATE = rate
    best=9e9
    for _ in range(3):
        plans=[RulePlan(r) for r in rules]
        t=time.perf_counter()
        for _ in ev.record_outcomes(recs, plans, now): pass
        best=min(best,time.perf_counter()-t)
    print(rate, round(best,3))
