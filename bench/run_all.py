"""Run every benchmark, keep the results, redraw the plot, refresh the README table.

    python bench/run_all.py            # the whole suite, ~6-8 minutes (first run: + ~4 min
                                       # to generate the cached histories under /tmp)
    python bench/run_all.py --quick    # every script with tiny sizes (results not kept)
    python bench/run_all.py --only history,replay

Results go to bench/results/<script>.json; the table between the markers in
bench/README.md and bench/scaling.png are rewritten from them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("http_ceiling", "storage_ceiling", "history", "replay", "es_cost", "footprint",
           "write_path_counts", "serving_shape", "postgres_ceiling")
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def table(results: Path) -> str:
    rows = ["| figure | value | baseline (same run) | ratio | goal | reproduce |",
            "| --- | --- | --- | --- | --- | --- |"]
    for script in SCRIPTS:
        path = results / f"{script}.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text())
        for fig in data["figures"]:
            value = f"{fmt(fig['value'])} {fig['unit']}"
            base = (f"{fig['baseline']} = {fmt(fig['baseline_value'])} {fig['unit_of_baseline']}"
                    if fig.get("baseline") else "")
            ratio = f"{fig['ratio']:.2f}" if fig.get("ratio") is not None else ""
            goal = ""
            if fig.get("goal"):
                on = "ratio" if fig["goal_on"] == "ratio" else "value"
                goal = f"{on} {fig['goal']}: **{'met' if fig['met'] else 'missed'}**"
            rows.append(f"| `{fig['name']}` | {value} | {base} | {ratio} | {goal} | "
                        f"`{data['command']}` |")
    when = max((json.loads((results / f"{s}.json").read_text())["when"]
                for s in SCRIPTS if (results / f"{s}.json").exists()), default="?")
    return f"Latest full run: {when}.\n\n" + "\n".join(rows)


def fmt(value) -> str:
    sys.path.insert(0, str(HERE))
    import common

    return common.fmt(value)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only", default=None, help="comma-separated script names")
    p.add_argument("--src", default=None, help="product tree to measure (default: this checkout)")
    args = p.parse_args()
    chosen = args.only.split(",") if args.only else list(SCRIPTS)
    results = Path(tempfile.mkdtemp()) if args.quick else HERE / "results"
    results.mkdir(parents=True, exist_ok=True)
    failed = []
    for script in chosen:
        print(f"\n=== {script}", flush=True)
        command = [sys.executable, str(HERE / f"{script}.py"), "--json", str(results / f"{script}.json")]
        if args.quick:
            command.append("--quick")
        if args.src:
            command += ["--src", args.src]
        start = time.time()
        if subprocess.run(command).returncode != 0:
            failed.append(script)
        print(f"=== {script}: {time.time() - start:.0f} s", flush=True)
    if not args.quick:
        try:
            subprocess.run([sys.executable, str(HERE / "plot.py"), "--results", str(results),
                            "--out", str(HERE / "scaling.png")], check=True)
        except subprocess.CalledProcessError:
            failed.append("plot")
        readme = HERE / "README.md"
        text = readme.read_text()
        if BEGIN in text and END in text and not args.src:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            readme.write_text(f"{head}{BEGIN}\n{table(results)}\n{END}{tail}")
            print(f"updated the results table in {readme}")
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
