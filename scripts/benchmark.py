#!/usr/bin/env python3
"""The measuring half of scripts/benchmark: runs a built `runbook` against baselines and prints a table.

Not a test: it asserts nothing and never fails on a slow machine. Every figure is measured in this run,
beside its baseline, so a loaded machine slows both. Wall time is time.perf_counter around one process;
max RSS and CPU time come from resource.getrusage(RUSAGE_CHILDREN) in a fresh measuring process per run,
so each figure belongs to one run (and covers the step's own processes too, which runbook waits for).

    scripts/benchmark.py --binary .build/release/runbook [--runs N] [--quick] [--only a,b,c]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

# One run of one command, in its own process: wall time, CPU time and max RSS of the command and
# everything it waited for. Printed as JSON on stdout.
MEASURE = r"""
import json, os, resource, subprocess, sys, time
start = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "maxrss_kb": ru.ru_maxrss}))
"""

MB = 1_000_000


def measure(command, env):
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def runbook_file(folder, name, command, indicators):
    """A runbook with one entry whose verify step runs `command`."""
    path = os.path.join(folder, name + ".md")
    lines = "\n".join("- " + i for i in indicators)
    with open(path, "w") as f:
        f.write(textwrap.dedent(f"""\
            ---
            id: bench-{name}
            title: Benchmark {name}
            version: 1.0.0
            ---

            # Benchmark {name}

            ## Output

            ### Verify

            ```sh
            {command}
            ```

            Success indicators:

            """) + lines + "\n")
    return path


class Table:
    def __init__(self):
        self.rows = []

    def add(self, metric, target, measured, baseline, ratio, result):
        self.rows.append((metric, target, measured, baseline, ratio, result))

    def note(self, text):
        self.rows.append((text,))

    def print(self):
        header = ("metric", "target", "measured", "baseline", "ratio", "result")
        full = [r for r in self.rows if len(r) == 6]
        widths = [max(len(str(r[i])) for r in full + [header]) for i in range(6)]
        def line(r):
            return "  ".join(str(c).ljust(widths[i]) for i, c in enumerate(r)).rstrip()
        print(line(header))
        print("  ".join("-" * w for w in widths))
        for r in self.rows:
            print(line(r) if len(r) == 6 else "  " + r[0])


def verdict(ok):
    return "pass" if ok else "MISS"


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def throughput(args, binary, env, folder, table):
    """(a): a verify step printing 2,000,000 lines, every one sanitized, kept and checked."""
    count = 2_000_000
    size = sum(len(str(n)) + 1 for n in range(1, count + 1))
    # The needle is on the last line, so the `contains` check looks at every line.
    book = runbook_file(folder, "seq", f"seq 1 {count}", [f"contains `{count}`", "exit 0"])
    empty = runbook_file(folder, "empty", "true", ["exit 0"])
    baseline_cmd = ["sh", "-c", f"seq 1 {count} >/dev/null"]
    check_cmd = [binary, "check", book]
    empty_cmd = [binary, "check", empty]
    base, check, fixed = [], [], []
    measure(check_cmd, env)  # warm the page cache and the binary
    for _ in range(args.runs):  # interleaved, so load changes hit both alike
        base.append(measure(baseline_cmd, env))
        check.append(measure(check_cmd, env))
        fixed.append(measure(empty_cmd, env))
    failed = [r["rc"] for r in check if r["rc"] != 0]
    if failed:
        sys.exit(f"benchmark: `runbook check` of the seq runbook failed (exit {failed[0]}): the indicators did not pass")
    t_base, t_check, t_fixed = median(base, "wall"), median(check, "wall"), median(fixed, "wall")
    net = size / MB / (t_check - t_base) if t_check > t_base else float("inf")
    gross = size / MB / t_check
    table.add(
        f"(a) check, seq 1 {count} ({size / MB:.1f} MB, {count:,} lines): MB/(check - baseline)",
        ">= 100 MB/s", f"{net:.0f} MB/s", f"{t_base * 1000:.0f} ms", f"check {t_check * 1000:.0f} ms = {t_check / t_base:.1f}x",
        verdict(net >= 100))
    table.add(
        "(a) same run: plain MB / check time", ">= 100 MB/s", f"{gross:.0f} MB/s", "", "", verdict(gross >= 100))
    table.add(
        "(a) check CPU time (user+sys, runbook and seq)", "", f"{median(check, 'cpu') * 1000:.0f} ms",
        f"{median(base, 'cpu') * 1000:.0f} ms", f"{median(check, 'cpu') / max(median(base, 'cpu'), 1e-3):.1f}x", "info")
    table.add(
        "(a) fixed cost: check of a step printing nothing", "", f"{t_fixed * 1000:.0f} ms", "", "", "info")


def memory(args, binary, env, folder, table):
    """(b): max RSS while a step prints 1 GB, as short lines, lines at the line cap, long lines, one line."""
    size = int(args.gigabytes * 1000 * MB)
    gen = f"head -c {size} /dev/zero | tr '\\0' a"
    variants = [
        ("100-byte lines", gen + " | fold -w 99"),
        ("16 KiB lines (the line cap)", gen + " | fold -w 16383"),
        ("1 MB lines", gen + " | fold -w 999999"),
        ("no newline at all", gen),
    ]
    empty = runbook_file(folder, "empty", "true", ["exit 0"])
    base = [measure([binary, "check", empty], env) for _ in range(3)]
    base_rss = statistics.median(r["maxrss_kb"] for r in base) / 1024
    table.add("(b) baseline: max RSS of check, step printing nothing", "", f"{base_rss:.1f} MB", "", "", "info")
    for i, (label, command) in enumerate(variants):
        book = runbook_file(folder, f"gigabyte{i}", command, ["exit 0"])
        runs = [measure([binary, "check", book], env) for _ in range(args.memory_runs)]
        bad = [r["rc"] for r in runs if r["rc"] != 0]
        if bad:
            sys.exit(f"benchmark: `runbook check` of the {label} runbook failed (exit {bad[0]})")
        rss = max(r["maxrss_kb"] for r in runs) / 1024
        wall = median(runs, "wall")
        table.add(
            f"(b) max RSS, step prints {size / 1e9:g} GB, {label}", "<= 40 MB", f"{rss:.1f} MB",
            f"{base_rss:.1f} MB", f"{rss - base_rss:+.1f} MB", verdict(rss <= 40))
        table.add(f"    (that run took {wall:.1f} s: {size / MB / wall:.0f} MB/s, the generator included)", "", "", "", "", "info")


def loading(args, binary, env, root, table):
    """(c): list and lint of the project's runbooks and the Prometheus Operator corpus."""
    corpus = os.path.normpath(os.path.join(root, "..", "shared", "corpus", "prometheus-operator-runbooks", "content"))
    paths = [os.path.join(root, "runbooks")] + ([corpus] if os.path.isdir(corpus) else [])
    files = sum(1 for p in paths for _, _, names in os.walk(p) for n in names if n.lower().endswith((".md", ".markdown")))
    if len(paths) == 1:
        table.note(f"(c) {corpus} is missing: only runbooks/ is read")
    version = [binary, "--version"]
    commands = {"list": [binary, "list", *paths], "lint": [binary, "lint", *paths]}
    results = {"version": [], "list": [], "lint": []}
    for name in results:  # warm-up
        measure(version if name == "version" else commands[name], env)
    for _ in range(args.load_runs):
        results["version"].append(measure(version, env))
        for name, command in commands.items():
            results[name].append(measure(command, env))
    t_version = median(results["version"], "wall")
    for name in commands:
        t = median(results[name], "wall")
        table.add(
            f"(c) {name} of {files} files, wall, median of {args.load_runs}", "< 50 ms", f"{t * 1000:.1f} ms",
            f"{t_version * 1000:.1f} ms", f"{t / t_version:.1f}x", verdict(t < 0.050))
        table.add(
            f"(c) {name}, CPU time (user+sys), median", "", f"{median(results[name], 'cpu') * 1000:.1f} ms",
            f"{median(results['version'], 'cpu') * 1000:.1f} ms", "", "info")
    table.add("(c) baseline: runbook --version (process start)", "", f"{t_version * 1000:.1f} ms", "", "", "info")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the runbook executable to measure")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--runs", type=int, default=7, help="repetitions for (a) (default 7)")
    parser.add_argument("--load-runs", type=int, default=21, help="repetitions for (c) (default 21)")
    parser.add_argument("--memory-runs", type=int, default=1, help="repetitions per variant for (b) (default 1)")
    parser.add_argument("--gigabytes", type=float, default=1.0, help="output size for (b) (default 1)")
    parser.add_argument("--quick", action="store_true", help="fewer runs and 0.1 GB for (b): a smoke test")
    parser.add_argument("--only", default="a,b,c", help="which parts to run, such as a,c")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.load_runs, args.gigabytes = 3, 5, 0.1
    binary = os.path.abspath(args.binary)
    parts = set(args.only.split(","))

    with tempfile.TemporaryDirectory(prefix="runbook-bench-") as folder:
        env = dict(os.environ)
        # Sessions go to a throwaway state folder, not the user's.
        env["XDG_STATE_HOME"] = os.path.join(folder, "state")
        env["LANG"] = env.get("LANG") or "C.UTF-8"
        env["SWIFT_BACKTRACE"] = "enable=no"
        os.makedirs(env["XDG_STATE_HOME"])
        load_before = os.getloadavg()
        started = time.time()
        table = Table()
        if "a" in parts:
            throughput(args, binary, env, folder, table)
        if "b" in parts:
            memory(args, binary, env, folder, table)
        if "c" in parts:
            loading(args, binary, env, args.root, table)
        load_after = os.getloadavg()
    try:
        libraries = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
        linked = "dynamically" if "libswiftCore" in libraries else "statically"
    except OSError:
        linked = "(unknown: no ldd)"
    print(f"runbook benchmark: {binary} (Swift runtime and Foundation linked {linked})")
    print(f"machine: {os.cpu_count()} CPUs; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
          f"{time.time() - started:.0f} s")
    print()
    table.print()


if __name__ == "__main__":
    main()
