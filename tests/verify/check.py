#!/usr/bin/env python3
"""Checks a verification run (t_verify.sh): usage check.py CASE_DIR OUT.jsonl LOG.jsonl [--once]

Every finding's verification must be what CASE_DIR/expect.json says for its secret; with --once,
the fake providers' log must show each distinct credential sent once (twice for those that
were throttled first), the canary and a lone key id never.
"""
import json, sys

case, out, logf = sys.argv[1:4]
exp = json.load(open(case + "/expect.json"))
state = json.load(open(case + "/state.json"))
bad = 0
seen = set()
for line in open(out):
    d = json.loads(line)
    v = d.get("verification") or {}
    want = exp.get(d["secret"])
    if want is None:
        print("unexpected finding", d["rule_id"], d["path"], d["line"])
        bad += 1
        continue
    seen.add(d["secret"])
    ok = v.get("status") == want[0] and (want[1] is None or v.get("identity") == want[1]) \
        and (want[2] is None or want[2] in (v.get("detail") or ""))
    if v.get("status") in ("verified", "invalid", "error") and not v.get("checked_at"):
        ok = False
    if not ok:
        print("%s %s:%s: want %s, got %s" % (d["rule_id"], d["path"], d["line"], want, v))
        bad += 1
for s in exp:
    if s not in seen:
        print("not reported:", s[:8] + "...")
        bad += 1
if "--once" in sys.argv:
    counts = {}
    for line in open(logf):
        e = json.loads(line)
        counts[(e["provider"], e["token"])] = counts.get((e["provider"], e["token"]), 0) + 1
    canary = open(case + "/canary.txt").read().strip()
    for (prov, tok), n in counts.items():
        beh = state.get(prov, {}).get(tok)
        beh = beh.get("behaviour") if isinstance(beh, dict) else beh
        want = 2 if beh == "throttle" else 1
        if n != want:
            print("%s credential %s... sent %d times, want %d" % (prov, tok[:8], n, want))
            bad += 1
    if any(tok == canary for _, tok in counts):
        print("the canary key reached the fake provider")
        bad += 1
    sent = {tok for _, tok in counts}
    for prov, toks in state.items():
        for tok in toks:
            if tok != canary and tok not in sent:
                print("%s credential %s... never sent" % (prov, tok[:8]))
                bad += 1
sys.exit(1 if bad else 0)
