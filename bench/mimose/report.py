#!/usr/bin/env python3
"""Table and plot of bench/mimose/budgets.sh's runs (Python's standard library only).

usage: report.py OUT_DIR  -> OUT_DIR/table.md, OUT_DIR/README.md, OUT_DIR/time.svg
"""
import csv
import glob
import os
import re
import sys

PERCENTS = [40, 50, 60, 70, 80, 90]
PLANNERS = ["none", "all", "sublinear", "static", "dtr", "mimose"]
COLORS = {"none": "#7f7f7f", "all": "#d62728", "sublinear": "#ff7f0e", "static": "#9467bd",
          "dtr": "#2ca02c", "mimose": "#1f77b4"}


def read_run(out, name):
    """The repeats of a run: the fastest epoch; the rest from the first repeat."""
    repeats = sorted(glob.glob(os.path.join(out, name + ".r*.txt")))
    if not repeats:
        return None
    text = open(repeats[0]).read()
    run = {"failed": any("FAILED" in open(r).read() for r in repeats), "text": text,
           "repeats": len(repeats)}
    run["epoch"] = min(sum(float(s) for s in re.findall(r"^epoch \d+: ([0-9.]+) s", open(r).read(), re.M))
                       for r in repeats)
    name = os.path.basename(repeats[0])[:-len(".txt")]
    m = re.search(r"^peak ([0-9.]+) MB", text, re.M)
    run["peak"] = float(m.group(1)) if m else None
    m = re.search(r"re-planned: (\d+)", text)
    run["replans"] = int(m.group(1)) if m else 0
    m = re.search(r"mean error ([0-9.]+)%, worst ([0-9.]+)%", text)
    run["error"] = (float(m.group(1)), float(m.group(2))) if m else None
    m = re.search(r"hit rate ([0-9.]+)%; planning ([0-9.]+)%", text)
    run["cache"] = (float(m.group(1)), float(m.group(2))) if m else None
    rows = list(csv.DictReader(open(os.path.join(out, name + ".csv")))) if os.path.exists(
        os.path.join(out, name + ".csv")) else []
    run["rows"] = rows
    run["max_peak"] = max((float(r["peak_mb"]) for r in rows), default=None)
    run["checkpointed"] = (sum(int(r["checkpointed"]) for r in rows) / len(rows)) if rows else None
    return run


def main(out):
    none = read_run(out, "none")
    base_time, base_peak = none["epoch"], none["max_peak"]
    cells, times, within = {}, {}, {}
    for p in PERCENTS:
        budget = base_peak * p / 100
        for planner in PLANNERS:
            name = planner if planner in ("none", "all", "sublinear") else f"{planner}-{p}"
            run = read_run(out, name)
            if run is None or run["failed"] or not run["rows"]:
                cells[(planner, p)] = "failed"
                continue
            # Fixed plans ran once against the no-checkpointing peak: their peak is compared
            # with this budget; the others with the budget they were given (their CSV's).
            given = float(run["rows"][0]["budget_mb"]) if planner in ("mimose", "dtr", "static") else budget
            ok = run["max_peak"] <= given + 1e-9
            t = run["epoch"] / base_time
            times[(planner, p)] = t
            within[(planner, p)] = ok
            cells[(planner, p)] = f"{t:.3f}" + ("" if ok else " (over)")
    lines = [l.rstrip("\n")[2:] + "  " for l in open(os.path.join(out, "output.txt")) if l.startswith("# ")]
    lines += ["", f"No checkpointing: {base_time:.1f} s per epoch, peak {base_peak:.1f} MB.", "",
              "Time per epoch normalized to no checkpointing; (over): the peak passed the budget at "
              "some iteration (the fixed plans are measured, not limited).", "",
              "| budget | MB | " + " | ".join(PLANNERS) + " | mimose vs best fixed plan within |",
              "|---|---|" + "---|" * (len(PLANNERS) + 1)]
    gains = []
    for p in PERCENTS:
        fixed = [times[(q, p)] for q in ("sublinear", "static") if within.get((q, p))]
        gain = ""
        if fixed and within.get(("mimose", p)):
            g = 1 - times[("mimose", p)] / min(fixed)
            gains.append(g)
            gain = f"{100 * g:.1f}% faster" if g >= 0 else f"{-100 * g:.1f}% slower"
        lines.append(f"| {p}% | {base_peak * p / 100:.1f} | " + " | ".join(cells[(q, p)] for q in PLANNERS)
                     + f" | {gain} |")
    if gains:
        lines += ["", f"Mimose against the best fixed plan (sublinear or static) that stays within the budget, "
                  f"averaged over {len(gains)} budgets: {100 * sum(gains) / len(gains):+.1f}% (positive: faster)."]
    lines += ["", "| mimose at | re-planned iterations | block prediction error mean / worst | plan cache hits | planning / iteration time | blocks checkpointed (mean) |",
              "|---|---|---|---|---|---|"]
    for p in PERCENTS:
        run = read_run(out, f"mimose-{p}")
        if run is None or run["failed"]:
            continue
        err = f"{run['error'][0]:.2f}% / {run['error'][1]:.2f}%" if run["error"] else "-"
        cache = f"{run['cache'][0]:.1f}%" if run["cache"] else "-"
        plan = f"{run['cache'][1]:.4f}%" if run["cache"] else "-"
        lines.append(f"| {p}% | {run['replans']} | {err} | {cache} | {plan} | {run['checkpointed']:.2f} |")
    hist = re.search(r"^batch input sizes: (.*)$", none["text"], re.M)
    pairs = re.search(r"^pair lengths: (.*)$", none["text"], re.M)
    if pairs:
        lines += ["", "Pair lengths (tokens, bins of 10: count): " + pairs.group(1)]
    if hist:
        lines += ["", "Batch input sizes (the longest pair of each batch): " + hist.group(1)]
    open(os.path.join(out, "table.md"), "w").write("\n".join(lines) + "\n")
    readme = ["# Training under a memory budget: Mimose and its baselines", "",
              "Made by `bench/mimose/budgets.sh` (the command, machine and date head the table). "
              "Every run's output is `<planner>[-<percent>].r<k>.txt` and its iterations "
              "`<planner>[-<percent>].r<k>.csv`; `output.txt` is the whole log.", "",
              "![time per epoch against the budget](time.svg)", ""] + lines
    open(os.path.join(out, "README.md"), "w").write("\n".join(readme) + "\n")
    write_svg(out, times, within)
    print("\n".join(lines))


def write_svg(out, times, within):
    w, h, left, bottom, top, right = 640, 400, 60, 50, 30, 130
    values = list(times.values()) or [1]
    lo, hi = min(0.95, min(values)), max(values) * 1.05
    def X(p):
        return left + (p - 40) / 50 * (w - left - right)
    def Y(v):
        return top + (hi - v) / (hi - lo) * (h - top - bottom)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
             f'<text x="{w / 2}" y="18" text-anchor="middle">Time per epoch / no checkpointing (hollow: over the budget)</text>']
    for p in PERCENTS:
        parts.append(f'<text x="{X(p)}" y="{h - bottom + 18}" text-anchor="middle">{p}%</text>')
    parts.append(f'<text x="{(left + w - right) / 2}" y="{h - 12}" text-anchor="middle">budget (of the no-checkpointing peak)</text>')
    ticks = 5
    for i in range(ticks + 1):
        v = lo + (hi - lo) * i / ticks
        parts.append(f'<line x1="{left}" x2="{w - right}" y1="{Y(v)}" y2="{Y(v)}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{Y(v) + 4}" text-anchor="end">{v:.2f}</text>')
    for k, planner in enumerate(PLANNERS):
        pts = [(p, times[(planner, p)]) for p in PERCENTS if (planner, p) in times]
        if not pts:
            continue
        c = COLORS[planner]
        parts.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (
            c, " ".join(f"{X(p):.1f},{Y(v):.1f}" for p, v in pts)))
        for p, v in pts:
            fill = c if within[(planner, p)] else "white"
            parts.append(f'<circle cx="{X(p):.1f}" cy="{Y(v):.1f}" r="4" fill="{fill}" stroke="{c}" stroke-width="2"/>')
        parts.append(f'<text x="{w - right + 10}" y="{top + 20 + 18 * k}" fill="{c}">{planner}</text>')
    parts.append("</svg>")
    open(os.path.join(out, "time.svg"), "w").write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
