#!/usr/bin/env python3
"""How far a per-case choice between the reference policy and a variant schedule could go.

Usage: bench/sched/oracle.py SUITE.csv VARIANT.csv [--reference inspirit]

SUITE.csv is a `tessera bench sched` results file with the reference and the other policies;
VARIANT.csv another run of the same DAGs and platforms with one more policy (for example
`heft:rank=fastest`). Over the dense cases (Cholesky, LU, QR) it prints the geometric mean
and the worst case of:
  - the variant against the best of the suite's other policies;
  - min(reference, variant) against the best other: what an oracle that picked, per case,
    the better of the two schedules would score.
"""
import csv
import math
import sys


def load(path):
    rows = {}
    try:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                rows.setdefault((r["dag"], r["platform"]), {})[r["sched"]] = float(r["makespan_us"])
    except (OSError, KeyError, ValueError) as e:
        sys.exit(f"oracle.py: {path} is not a `tessera bench sched` results.csv: {e}")
    return rows


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    reference = "inspirit"
    if "--reference" in argv:
        at = argv.index("--reference")
        if at + 1 >= len(argv):
            sys.exit("oracle.py: --reference needs a policy name")
        reference = argv[at + 1]
    suite, variant = load(argv[1]), load(argv[2])
    dense = sorted(k for k in variant if not k[0].startswith("random") and k in suite)
    if not dense:
        sys.exit("no dense case in common")
    alone, oracle = [], []
    for key in dense:
        if reference not in suite[key]:
            sys.exit(f"oracle.py: {argv[1]} has no '{reference}' row for {key[0]} on {key[1]}")
        others = [v for s, v in suite[key].items() if s != reference]
        if not others or len(variant[key]) != 1:
            sys.exit(f"oracle.py: {key[0]} on {key[1]}: the suite needs other policies and the "
                     f"variant file exactly one policy (it has {sorted(variant[key])})")
        best_other = min(others)
        (variant_ms,) = variant[key].values()
        alone.append(best_other / variant_ms)
        oracle.append(best_other / min(variant_ms, suite[key][reference]))
    print(f"{len(dense)} dense cases")
    print(f"variant vs best other: geometric mean {geomean(alone):.3f}, worst {min(alone):.3f}")
    print(f"min({reference}, variant) vs best other: geometric mean {geomean(oracle):.3f}, "
          f"worst {min(oracle):.3f}")


if __name__ == "__main__":
    main(sys.argv)
