import time, gc
from datetime import datetime, timezone
from checker.sources.files import InputFileSource
from checker.engine.memo import RulePlan, group_plans
import sys, checker.engine.evaluate; ev = sys.modules["checker.engine.evaluate"]
gc.disable()
recs=list(InputFileSource("/tmp/wfcheck-bench/snapshot-100000.json", 1<<30).records())
from checker.policy.loader import load_policies
import inspect
print(inspect.signature(load_policies))
from checker.policy import loader
ps = load_policies([str(loader.bundled_policy_dir())], overrides=["allowed_oidc_issuers=https://idp.example.com,https://login.example.org"])
rules=ps.rules
plans=[RulePlan(r) for r in rules]
groups_holder={}
orig=ev.group_plans
def gp(p):
    g=orig(p); groups_holder['g']=g; return g
ev.group_plans=gp
now=datetime(2026,1,1,tzinfo=timezone.utc)
t=time.perf_counter()
for _ in ev.record_outcomes(recs, plans, now): pass
print("eval", time.perf_counter()-t)
for g in groups_holder['g']:
    print(g.names, g.enabled, g.lookups, g.hits, len(g.table), [p.rule.info.id for p in g.plans], [(p.when_memo.enabled, p.assert_memo.enabled) for p in g.plans])
import cProfile, pstats
plans=[RulePlan(r) for r in rules]
cProfile.run("for _ in ev.record_outcomes(recs, plans, now): pass", "/tmp/ev.prof")
pstats.Stats("/tmp/ev.prof").sort_stats("tottime").print_stats(22)
