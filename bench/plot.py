"""Draw the scaling runs from the JSON results into one PNG (matplotlib).

    python bench/plot.py                        # bench/results/*.json -> bench/scaling.png
    python bench/plot.py --results DIR --out FILE

Panels (each drawn when its results file is there):
* history.json      - register latency against the student's past events, warm and cold;
* http_ceiling.json - requests/s and p99 latency against concurrent connections.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = Path(__file__).resolve().parent
LABELS = {"health": "GET /health", "status": "GET /status",
          "register_cancel": "POST /register + /cancel"}


def load(results: Path, name: str) -> dict | None:
    path = results / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--results", default=str(HERE / "results"))
    p.add_argument("--out", default=str(HERE / "scaling.png"))
    args = p.parse_args()
    results = Path(args.results)
    history, http = load(results, "history"), load(results, "http_ceiling")
    panels = (1 if history else 0) + (2 if http else 0)
    if not panels:
        raise SystemExit(f"no history.json or http_ceiling.json in {results}")
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.2), squeeze=False)
    axes = list(axes[0])

    if history:
        ax = axes.pop(0)
        for case, style in (("warm", "o-"), ("cold", "s--")):
            series = history["series"].get(f"{case}_register_ms", {})
            sizes = sorted(series, key=int)
            if sizes:
                ax.plot([int(s) for s in sizes], [series[s] for s in sizes], style,
                        label=f"{case} cache")
        warm = history["series"].get("warm_register_ms", {})
        if warm:
            first = min(warm, key=int)
            ax.axhline(warm[first] * 1.3, color="grey", linestyle=":", linewidth=1,
                       label="goal: 1.3x the smallest (warm)")
        ax.set_xscale("log")
        ax.set_ylim(bottom=0)
        ax.set_xlabel("student's past events")
        ax.set_ylabel("register, median latency (ms)")
        ax.set_title("History independence")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)

    if http:
        sweep = http["series"]["sweep"]
        ax_rps, ax_p99 = axes.pop(0), axes.pop(0)
        for mode, runs in sweep.items():
            counts = sorted(runs, key=int)
            xs = [int(c) for c in counts]
            ax_rps.plot(xs, [runs[c]["rps"] for c in counts], "o-", label=LABELS.get(mode, mode))
            ax_p99.plot(xs, [runs[c]["p99_ms"] for c in counts], "o-", label=LABELS.get(mode, mode))
        info = http.get("info", {})
        workers = f"{info.get('workers', '?')} workers x {info.get('threads', '?')} threads"
        for ax, label, title in ((ax_rps, "requests/s", "HTTP throughput"),
                                 (ax_p99, "p99 latency (ms)", "HTTP tail latency")):
            ax.set_xscale("log", base=2)
            ax.set_xlabel("concurrent connections (wrk, loopback)")
            ax.set_ylabel(label)
            ax.set_title(f"{title} ({workers})", fontsize=10)
            ax.set_ylim(bottom=0)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)

    fig.suptitle("Tango Pass scaling runs (2-core machine; see bench/README.md)", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
