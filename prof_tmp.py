import sys, time
sys.path.insert(0, "bench")
import scoring.plan as P
from bench_plan import synthetic
orig = P.milp
def wrapped(*a, **k):
    t=time.perf_counter(); r = orig(*a, **k); print(f"  status {r.status} {time.perf_counter()-t:.2f}s", flush=True); return r
P.milp = wrapped
for n in (50, 100):
    options, rules = synthetic(n, 7)
    t=time.perf_counter(); plan = P.plan_years(options, rules); print(n, time.perf_counter()-t, plan.value, flush=True)
