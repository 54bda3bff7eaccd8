#!/usr/bin/env python3
"""Benchmark: `rgrid run` of a trivial script through the CLI vs `python3 script.py`, and
`rgrid version`. Median wall time of N runs each, plus the median phase split reported by
RGRID_TIMINGS (CLI side) and the engine's debug timings. Results go to stdout as Markdown.

Usage: scripts/bench-cli.py [N]   (default 10; builds the CLI first through scripts/rgrid)
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RGRID = os.path.join(ROOT, "scripts", "rgrid")
N = int(sys.argv[1]) if len(sys.argv) > 1 else 10
# The baseline on the real interpreter: a `python3` on PATH may be a slow wrapper.
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"


def wall(cmd, env, cwd):
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    elapsed = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{cmd} failed ({p.returncode}): {p.stderr}")
    return elapsed, p.stderr


def main():
    work = tempfile.mkdtemp(prefix="rgrid-bench-")
    script = os.path.join(work, "trivial.py")
    with open(script, "w") as f:
        f.write("print(1)\n")
    env = dict(os.environ, RGRID_HOME=os.path.join(work, "home"), RGRID_TIMINGS="1",
               JAVA_OPTS="-Dorg.slf4j.simpleLogger.log.dev.rgrid.core.internal.engine=debug")
    subprocess.run([RGRID, "version"], env=env, check=True, stdout=subprocess.DEVNULL)  # build
    subprocess.run([RGRID, "run", "-q", "--no-cache", script], env=env, cwd=work, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm the state dir

    python, rgrid, version = [], [], []
    phases = {}
    for _ in range(N):
        python.append(wall([PYTHON, script], env, work)[0])
        t, err = wall([RGRID, "run", "-q", "--no-cache", script], env, work)
        rgrid.append(t)
        for name, ms in re.findall(r"(jvm|open|submit|run|download) ([0-9.]+) ms", err):
            phases.setdefault(name, []).append(float(ms))
        for name, ms in re.findall(r"(stage|start|script|collect) ([0-9.]+) ms", err):
            phases.setdefault("engine " + name, []).append(float(ms))
        version.append(wall([RGRID, "version"], env, work)[0])

    med = lambda xs: statistics.median(xs) * 1000
    print(f"| command (median of {N}) | wall ms |")
    print("|---|---|")
    print(f"| `python3 trivial.py` | {med(python):.0f} |")
    print(f"| `rgrid run trivial.py` | {med(rgrid):.0f} |")
    print(f"| `rgrid version` | {med(version):.0f} |")
    print(f"\nratio rgrid run / python3: {med(rgrid) / med(python):.1f}x\n")
    print("| phase of `rgrid run` (median) | ms |")
    print("|---|---|")
    for name, values in phases.items():
        print(f"| {name} | {statistics.median(values):.1f} |")


if __name__ == "__main__":
    main()
