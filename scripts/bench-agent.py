#!/usr/bin/env python3
"""Benchmark: CLI commands with and without the per-user agent, on each JDK given, against
`docker run --rm --network none` of the same trivial script and `/usr/bin/python3 -c pass`.
Interleaved rounds, median wall time of N each. Results go to stdout as Markdown.

Usage: scripts/bench-agent.py JAR [N] [JAVA ...]
  JAR   the CLI's jar (rgrid-cli/target/rgrid.jar after `mvn package`; the launcher jar
        rgrid-cli-launcher.jar is taken from beside it)
  N     rounds (default 7)
  JAVA  java binaries to compare (default: `java` on PATH)
Needs the Docker engine and the runtime images (scripts/docker-setup).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

JAR = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 7
JAVAS = sys.argv[3:] or ["java"]
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"
IMAGE = "rgrid/python:3.11"


def wall(cmd, env, cwd):
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{cmd} failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    return elapsed, p.stdout.decode(errors="replace")


LAUNCHER = os.path.join(os.path.dirname(JAR), "rgrid-cli-launcher.jar")
FAST = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]


def rgrid(java):
    # The full jar alone, as before the launcher.
    return [java] + FAST + ["-Xshare:auto", "-jar", JAR]


def launcher(java, feature, work):
    # As scripts/rgrid launches it: the launcher jar, with its class-data archive recorded once.
    if feature >= 25:
        use, record, quiet = "-XX:AOTCache", "-XX:AOTCacheOutput", ["-Xlog:aot=off", "-Xlog:cds=off"]
    else:
        use, record, quiet = "-XX:SharedArchiveFile", "-XX:ArchiveClassesAtExit", ["-Xlog:cds=off"]
    archive = os.path.join(work, f"launcher-jdk{feature}.archive")
    main = ["-Drgrid.jar=" + JAR, "-cp", LAUNCHER, "dev.rgrid.cli.agent.ThinClient"]
    subprocess.run([java] + FAST + [f"{record}={archive}", "-Drgrid.warm-up=true"] + main,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return [java] + FAST + [f"{use}={archive}"] + quiet + main


def main():
    work = tempfile.mkdtemp(prefix="rgrid-bench-agent-")
    script = os.path.join(work, "trivial.py")
    with open(script, "w") as f:
        f.write("print(1)\n")
    rows = {}
    docker = ["docker", "run", "--rm", "--network", "none", "-v", f"{work}:/work:ro", IMAGE,
              "python3", "/work/trivial.py"]
    variants = []
    for java in JAVAS:
        version = subprocess.run([java, "-version"], stderr=subprocess.PIPE, text=True).stderr
        feature = int(version.split('"')[1].split(".")[0])
        jdk = f"JDK {feature}"
        fast = launcher(java, feature, work)
        for agent, how, cmd in (("off", "full jar", rgrid(java)), ("on", "full jar", rgrid(java)),
                                ("on", "launcher + archive", fast)):
            home = os.path.join(work, f"home-{len(variants)}")
            env = dict(os.environ, RGRID_HOME=home, RGRID_RUNTIME="docker", RGRID_AGENT=agent,
                       RGRID_AGENT_IDLE="1m")  # the agents exit soon after
            variants.append((f"{jdk}, agent {agent}, {how}", cmd, env))
    ids = {}
    for label, cmd, env in variants:  # warm: state directory, agent, image, the cached result
        wall(cmd + ["run", "-q", "--no-cache", script], env, work)
        wall(cmd + ["run", "-q", script], env, work)
        out = wall(cmd + ["list", "-n", "1", "--json"], env, work)[1]
        ids[label] = json.loads(out)[0]["id"]
    for _ in range(N):
        rows.setdefault("`docker run --rm --network none` (baseline of run)", []).append(
            wall(docker, os.environ, work)[0])
        rows.setdefault("`/usr/bin/python3 -c pass` (baseline of status)", []).append(
            wall([PYTHON, "-c", "pass"], os.environ, work)[0])
        for label, cmd, env in variants:
            for what, args in (("run --no-cache trivial.py", ["run", "-q", "--no-cache", script]),
                               ("run trivial.py (cache hit)", ["run", "-q", script]),
                               ("status ID", ["status", ids[label]]),
                               ("version", ["version"])):
                rows.setdefault(f"`rgrid {what}`, {label}", []).append(
                    wall(cmd + args, env, work)[0])
    med = {k: statistics.median(v) * 1000 for k, v in rows.items()}
    docker_ms = med["`docker run --rm --network none` (baseline of run)"]
    python_ms = med["`/usr/bin/python3 -c pass` (baseline of status)"]
    print(f"| command (median of {N}, interleaved) | wall ms | ratio |")
    print("|---|---|---|")
    for k, v in med.items():
        base = docker_ms if "run" in k and "rgrid" in k else python_ms if "rgrid" in k else None
        ratio = f"{v / base:.2f}× {'docker run' if base == docker_ms else 'python3'}" if base else ""
        print(f"| {k} | {v:.0f} | {ratio} |")


if __name__ == "__main__":
    main()
