#!/usr/bin/env python3
"""Scores leakscan findings against the labelled corpus.

    leakscan scan --format json -j1 tests/corpus > /tmp/findings.json
    python3 tests/corpus/score.py [--min-confidence LEVEL] /tmp/findings.json [tests/corpus/labels.json]

A finding matches a label when path and line agree and its rule_id is the label's
rule_id (or one of them, when a label lists several rules that legitimately claim the
same secret). A label counts as found once; a second finding of a listed rule on the
same label is tolerated (neither TP nor FP); any other finding is a false positive.
A label with "confidence": "low" (a generic rule's value in documentation or a test) is
expected only from a run at that confidence (--min-confidence low, default medium); found at
another, it is tolerated.
Only findings under files/ (the labelled tree) are scored. Exits 1 when overall precision or recall is below 0.95, or when a rule with at least 3
labelled instances is below 0.95 on either.
"""
import collections
import json
import os
import sys

THRESHOLD = 0.95
MIN_INSTANCES = 3


def norm(path):
    p = path.replace("\\", "/")
    i = p.rfind("tests/corpus/")
    if i >= 0:
        return p[i + len("tests/corpus/"):]
    while p.startswith("./"):
        p = p[2:]
    return p


def ratio(a, b):
    return a / b if b else 1.0


LEVELS = {"low": 0, "medium": 1, "high": 2}


def main(argv):
    min_conf = "medium"
    if len(argv) > 2 and argv[1] == "--min-confidence":
        min_conf = argv[2]
        argv = argv[:1] + argv[3:]
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    labels_path = argv[2] if len(argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "labels.json")
    with open(argv[1]) as f:
        text = f.read().strip()
    if text.startswith("["):
        findings = json.loads(text)
    else:  # jsonl
        findings = [json.loads(l) for l in text.splitlines() if l.strip()]
    with open(labels_path) as f:
        labels = json.load(f)
    unsure = [lab for lab in labels if LEVELS[lab.get("confidence", "high")] < LEVELS[min_conf]]
    labels = [lab for lab in labels if LEVELS[lab.get("confidence", "high")] >= LEVELS[min_conf]]
    unsure_locs = {(norm(lab["path"]), int(lab["line"])) for lab in unsure}

    by_loc = collections.defaultdict(list)
    for i, lab in enumerate(labels):
        rules = lab["rule_id"] if isinstance(lab["rule_id"], list) else [lab["rule_id"]]
        lab["_rules"] = rules
        by_loc[(norm(lab["path"]), int(lab["line"]))].append(i)

    # Only the labelled tree counts: the generator and this script (which hold templates,
    # not secrets) may sit next to it when `tests/corpus` itself is scanned.
    ignored = [fd for fd in findings if not norm(fd["path"]).startswith("files/")]
    findings = [fd for fd in findings if norm(fd["path"]).startswith("files/")]

    found = set()
    tp = collections.Counter()
    fp = collections.Counter()
    fps = []
    order = sorted(findings, key=lambda x: (x.get("path", ""), x.get("line", 0), x.get("column", 0)))
    # pass 1: findings of a label's primary rule; pass 2: listed alternatives; rest: false positives
    pending = []
    for fd in order:
        key = (norm(fd["path"]), int(fd["line"]))
        fresh = [i for i in by_loc.get(key, []) if i not in found and labels[i]["_rules"][0] == fd["rule_id"]]
        if fresh:
            found.add(fresh[0])
            tp[fd["rule_id"]] += 1
        else:
            pending.append(fd)
    for fd in pending:
        key = (norm(fd["path"]), int(fd["line"]))
        rid = fd["rule_id"]
        cands = [i for i in by_loc.get(key, []) if rid in labels[i]["_rules"]]
        fresh = [i for i in cands if i not in found]
        if fresh:
            found.add(fresh[0])
            tp[rid] += 1
        elif cands or key in unsure_locs:
            pass  # another listed rule on an already-found label, or a label this run need not find
        else:
            fp[rid] += 1
            fps.append(fd)

    # recall is attributed to the label's primary (first) rule
    total = collections.Counter(labels[i]["_rules"][0] for i in range(len(labels)))
    hit = collections.Counter(labels[i]["_rules"][0] for i in found)
    rules = sorted(set(total) | set(tp) | set(fp))

    failed = []
    print("%-40s %5s %5s %5s %5s %9s %7s" % ("rule", "label", "found", "tp", "fp", "precision", "recall"))
    for r in rules:
        p = ratio(tp[r], tp[r] + fp[r])
        rc = ratio(hit[r], total[r])
        mark = ""
        if total[r] >= MIN_INSTANCES and (p < THRESHOLD or rc < THRESHOLD):
            failed.append(r)
            mark = "  <-- below %.2f" % THRESHOLD
        print("%-40s %5d %5d %5d %5d %9.3f %7.3f%s" % (r, total[r], hit[r], tp[r], fp[r], p, rc, mark))

    ttp, tfp = sum(tp.values()), sum(fp.values())
    P = ratio(ttp, ttp + tfp)
    R = ratio(len(found), len(labels))
    print("\noverall: %d labels, %d findings, %d true, %d false positives, %d missed" % (
        len(labels), len(findings), ttp, tfp, len(labels) - len(found)))
    print("precision %.3f  recall %.3f" % (P, R))
    if ignored:
        print("(%d findings outside files/ ignored)" % len(ignored))
    if fps:
        print("\nfalse positives:")
        for fd in fps:
            print("  %s:%s %s %r" % (norm(fd["path"]), fd["line"], fd["rule_id"], (fd.get("secret") or "")[:60]))
    missed = [labels[i] for i in range(len(labels)) if i not in found]
    if missed:
        print("\nmissed:")
        for lab in missed:
            print("  %s:%s %s" % (lab["path"], lab["line"], "|".join(lab["_rules"])))
    if P < THRESHOLD or R < THRESHOLD or failed:
        print("\nFAIL" + (": " + ", ".join(failed) if failed else ""))
        return 1
    print("\nPASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
