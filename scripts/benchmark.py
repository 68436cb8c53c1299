#!/usr/bin/env python3
"""The measuring half of scripts/benchmark: runs a built `runbook` against baselines and prints a table.

Not a test: it asserts nothing and never fails on a slow machine. Every figure is measured in this run,
beside its baseline, so a loaded machine slows both. Wall time is time.perf_counter around one process;
max RSS and CPU time come from resource.getrusage(RUSAGE_CHILDREN) in a fresh measuring process per run,
so each figure belongs to one run (and covers the step's own processes too, which runbook waits for).

The TUI's parts (d), (e), (f) run `runbook --trace FILE` on a pseudo-terminal this script opens (120x40,
TERM=xterm-256color), send it keys, and read the trace: CLOCK_MONOTONIC in nanoseconds, the clock of
time.monotonic_ns(), so the trace's times and this script's compare directly.

    scripts/benchmark.py --binary .build/release/runbook [--runs N] [--quick] [--only a,b,c,d,e,f,g]
"""

import argparse
import curses
import errno
import fcntl
import json
import os
import pty
import random
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
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


def long_line(args, binary, env, folder, table):
    """(a): one 5 MB line with the needle at its very end: the indicators judge the whole line."""
    command = "head -c 5000000 /dev/zero | tr '\\0' a; printf 'NEEDLE\\n'"
    judged = runbook_file(folder, "longline", command, ["contains `NEEDLE`", "matches `NEEDLE$`", "exit 0"])
    plain = runbook_file(folder, "longline-exit", command, ["exit 0"])
    measure([binary, "check", judged], env)
    with_checks, without = [], []
    for _ in range(args.runs):
        with_checks.append(measure([binary, "check", judged], env))
        without.append(measure([binary, "check", plain], env))
    failed = [r["rc"] for r in with_checks if r["rc"] != 0]
    if failed:
        sys.exit(f"benchmark: `runbook check` of the 5 MB line failed (exit {failed[0]}): the needle was not found")
    t_with, t_without = median(with_checks, "wall"), median(without, "wall")
    table.add(
        "(a) check, one 5 MB line, contains and matches at its end", "", f"{t_with * 1000:.0f} ms",
        f"{t_without * 1000:.0f} ms (exit 0 only)", f"{t_with / max(t_without, 1e-3):.2f}x", "info")


def secret_runbook(folder, name, command, indicators, names, secret):
    """A runbook like runbook_file's whose front matter declares the variables `names`, all secret or
    all `secret: false` (the twin that runs the same step with the same values and masks nothing)."""
    declared = "".join(f"  {n}:\n    secret: {'true' if secret else 'false'}\n" for n in names)
    path = runbook_file(folder, name, command, indicators)
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("---\n", "---\nvariables:\n" + declared, 1))
    return path


def masking(args, binary, env, folder, table):
    """(g): the flood of (a) with secrets set, against the same runbook whose variables are not secret:
    one secret, five, and one that shows on every 1000th line of the output."""
    count = 2_000_000
    rng = random.Random(20261201)  # the same secrets every run
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    names = ["API_TOKEN", "DB_PASSWORD", "SIGNING_KEY", "WEBHOOK_SECRET", "REGISTRY_TOKEN"]
    values = ["".join(rng.choice(alphabet) for _ in range(32 + 8 * i)) for i in range(len(names))]
    seq_size = sum(len(str(n)) + 1 for n in range(1, count + 1))
    # Every 1000th line shows the first secret, as a log line that prints a token would.
    shown = os.path.join(folder, "shown.txt")
    with open(shown, "w") as f:
        for n in range(1, count + 1):
            f.write(f"{n} token={values[0]}\n" if n % 1000 == 0 else f"{n}\n")
    cases = [
        ("1 secret (32 chars), never in the output", f"seq 1 {count}", seq_size, 1),
        ("5 secrets (32-64 chars), never in the output", f"seq 1 {count}", seq_size, 5),
        ("1 secret, on every 1000th line (2,000 masked)", f"cat '{shown}'", os.path.getsize(shown), 1),
    ]
    for i, (label, command, size, k) in enumerate(cases):
        indicators = [f"contains `{count}`", "exit 0"]
        sets = [a for n, v in zip(names[:k], values[:k]) for a in ("--set", f"{n}={v}")]
        masked_cmd = [binary, "check", secret_runbook(folder, f"secret{i}", command, indicators, names[:k], True), *sets]
        plain_cmd = [binary, "check", secret_runbook(folder, f"plain{i}", command, indicators, names[:k], False), *sets]
        measure(masked_cmd, env)  # warm-up
        masked, plain = [], []
        for _ in range(args.runs):  # interleaved, so load changes hit both alike
            plain.append(measure(plain_cmd, env))
            masked.append(measure(masked_cmd, env))
        failed = [r["rc"] for r in masked + plain if r["rc"] != 0]
        if failed:
            sys.exit(f"benchmark: `runbook check` of the masking runbook ({label}) failed (exit {failed[0]})")
        t_masked, t_plain = median(masked, "wall"), median(plain, "wall")
        ratio = t_masked / t_plain
        rate = size / MB / t_masked
        table.add(
            f"(g) check with {label}: MB / check time", ">= 100 MB/s", f"{rate:.0f} MB/s", "", "", verdict(rate >= 100))
        table.add(
            f"(g)   same runs, against the variables not secret", "<= 1.2x", f"{t_masked * 1000:.0f} ms",
            f"{t_plain * 1000:.0f} ms", f"{ratio:.2f}x", verdict(ratio <= 1.2))
        table.add(
            f"(g)   CPU time (user+sys), masked and not", "", f"{median(masked, 'cpu') * 1000:.0f} ms",
            f"{median(plain, 'cpu') * 1000:.0f} ms", f"{median(masked, 'cpu') / max(median(plain, 'cpu'), 1e-3):.2f}x", "info")


def memory(args, binary, env, folder, table):
    """(b): max RSS while a step prints 1 GB, as short lines, lines at the line cap, long lines, one line,
    and an escape sequence that never ends."""
    size = int(args.gigabytes * 1000 * MB)
    gen = f"head -c {size} /dev/zero | tr '\\0' a"
    variants = [
        ("100-byte lines", gen + " | fold -w 99"),
        ("16 KiB lines (the line cap)", gen + " | fold -w 16383"),
        ("1 MB lines", gen + " | fold -w 999999"),
        ("no newline at all", gen),
        # Hostile output: an OSC (a clipboard write) that never ends, abandoned at its cap.
        ("an unterminated OSC 52", "{ printf '\\033]52;c;'; " + gen.replace("tr '\\0' a", "tr '\\0' A") + "; }"),
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


# ---------------------------------------------------------------------------------------------------
# (d), (e), (f): the TUI, driven through a real pseudo-terminal.

TUI_ROWS, TUI_COLUMNS = 40, 120
# Every wait below has a deadline; a TUI that never answers ends the benchmark with a message.
TUI_DEADLINE = 120.0


def tui_environment(env):
    tui = dict(env)
    tui["TERM"] = "xterm-256color"
    tui["LANG"] = "C.UTF-8"
    for name in ("NO_COLOR", "RUNBOOK_MOUSE", "RUNBOOK_TEST_CRASH"):  # colours and the mouse on, as by default
        tui.pop(name, None)
    return tui


def tui_keys(env):
    """The byte sequences the terminal sends for the keys used, from terminfo (ncurses turns the keypad
    on, so the arrows are the application-mode `kcuu1` and `kcud1`)."""
    curses.setupterm(env["TERM"], sys.stdout.fileno() if sys.stdout.isatty() else -1)
    up, down = curses.tigetstr("kcuu1"), curses.tigetstr("kcud1")
    if not up or not down:
        sys.exit(f"benchmark: terminfo for {env['TERM']} has no arrow keys")
    return {"up": up, "down": down, "enter": b"\r", "ctrl-c": b"\x03", "q": b"q"}


class TraceEvent:
    __slots__ = ("ns", "kind", "rest")

    def __init__(self, ns, kind, rest):
        self.ns, self.kind, self.rest = ns, kind, rest


class TuiSession:
    """`runbook --trace FILE ARGS...` on a new pseudo-terminal of TUI_COLUMNS x TUI_ROWS, in a session of
    its own with the pty as its controlling terminal, as a terminal emulator starts it. Everything the
    TUI writes is read at once (and thrown away), so it never waits on a full pty; the trace is read as
    it grows. `spawned_ns` is time.monotonic_ns() just before fork, the trace's clock."""

    def __init__(self, binary, args, env, trace_path):
        self.trace_path = trace_path
        if os.path.exists(trace_path):  # a stale trace would be read before the TUI truncates it
            os.unlink(trace_path)
        self.events = []
        self._partial = b""
        self._offset = 0
        self.output_bytes = 0
        self.pressed = 0
        self.status = None
        self.spawned_ns = time.monotonic_ns()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal before exec, so the first frame has it
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", TUI_ROWS, TUI_COLUMNS, 0, 0))
                os.execve(binary, [binary, "--trace", trace_path, *args], env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        os.set_blocking(fd, False)

    def pump(self, seconds):
        """Reads the terminal's output for up to `seconds` (returns early once something came)."""
        if self.fd is None:
            time.sleep(seconds)
            return
        readable, _, _ = select.select([self.fd], [], [], max(0.0, seconds))
        if not readable:
            return
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return
            except OSError as e:  # EIO: every process has closed the pty's other side
                if e.errno == errno.EIO:
                    os.close(self.fd)
                    self.fd = None
                    return
                raise
            if not chunk:
                return
            self.output_bytes += len(chunk)

    def read_trace(self):
        try:
            with open(self.trace_path, "rb") as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            return
        self._offset += len(data)
        data = self._partial + data
        lines = data.split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            ns, _, what = line.decode("utf-8", "replace").partition(" ")
            kind, _, rest = what.partition(" ")
            self.events.append(TraceEvent(int(ns), kind, rest))

    def alive(self):
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status is None

    def wait_for(self, what, predicate, deadline=TUI_DEADLINE):
        """Pumps output and reads the trace until predicate(events) is true."""
        end = time.monotonic() + deadline
        while True:
            self.read_trace()
            if predicate(self.events):
                return
            if not self.alive():
                self.read_trace()
                if predicate(self.events):
                    return
                sys.exit(f"benchmark: the TUI exited ({self.status}) while waiting for {what}")
            if time.monotonic() > end:
                self.close()
                last = "; ".join(f"{e.kind} {e.rest}" for e in self.events[-6:])
                sys.exit(f"benchmark: the TUI did not show {what} within {deadline:.0f} s (its trace ends: {last})")
            self.pump(0.002)

    def count(self, kind):
        return sum(1 for e in self.events if e.kind == kind)

    def press(self, key):
        """Writes one key; returns the monotonic time just before."""
        sent = time.monotonic_ns()
        os.write(self.fd, key)
        self.pressed += 1
        return sent

    def press_and_wait(self, key):
        """Presses a key and waits for the frame drawn after the TUI read it."""
        keys = self.count("key")
        self.press(key)
        def drawn(events):
            seen = [e for e in events if e.kind == "key"]
            if len(seen) <= keys:
                return False
            t = seen[keys].ns
            return any(e.kind == "frame" and e.ns >= t for e in events)
        self.wait_for("a frame after a key", drawn)

    def close(self, key=None):
        """Quits: writes `key` (the keys that quit) if given, then SIGTERM after 5 s, SIGKILL after 5 s
        more; waits for the process and returns its exit status."""
        for step in ("key", "term", "kill"):
            if not self.alive():
                break
            if step == "key":
                if key is None or self.fd is None:
                    continue
                os.write(self.fd, key)
            elif step == "term":
                os.kill(self.pid, signal.SIGTERM)
            else:
                os.kill(self.pid, signal.SIGKILL)
            end = time.monotonic() + 5
            while self.alive() and time.monotonic() < end:
                self.pump(0.01)
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        self.read_trace()
        return self.status


def percentile(values, p):
    """The nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def key_latencies(session, keys, count, rng):
    """Presses `count` arrow keys (up and down in turn) with random gaps of 15-35 ms, without waiting for
    the screen, as a held key or a quick hand would. Returns, per key, (written -> read by the TUI,
    written -> the first frame flushed after the TUI read it), in ns, and the phase's start and end."""
    first = session.count("key")
    sent = []
    for i in range(count):
        sent.append(session.press(keys["up"] if i % 2 == 0 else keys["down"]))
        pause_until = time.monotonic() + rng.uniform(0.015, 0.035)
        while time.monotonic() < pause_until:
            session.pump(pause_until - time.monotonic())
    def all_drawn(events):
        seen = [e for e in events if e.kind == "key"]
        return len(seen) >= first + count and any(e.kind == "frame" and e.ns >= seen[first + count - 1].ns for e in events)
    session.wait_for(f"frames after {count} keys", all_drawn)
    if session.count("key") != session.pressed:
        sys.exit(f"benchmark: {session.pressed} keys pressed, the TUI read {session.count('key')}: keys were split or lost")
    events = session.events
    received = [e.ns for e in events if e.kind == "key"][first:first + count]
    frames = [e.ns for e in events if e.kind == "frame"]
    result, j = [], 0
    for written, read in zip(sent, received):
        while frames[j] < read:
            j += 1
        result.append((read - written, frames[j] - written))
    return result, sent[0], frames[j]


def latency_row(table, label, latencies, baseline=None, target=None):
    total = [t for _, t in latencies]
    p50, p99, top = statistics.median(total), percentile(total, 99), max(total)
    text = f"p99 {p99 / 1e6:.1f} ms (median {p50 / 1e6:.1f}, max {top / 1e6:.1f})"
    if baseline is None:
        table.add(label, "", text, "", "", "info")
        return p99
    ratio = f"{p99 / baseline:.1f}x" if baseline > 0 else ""
    table.add(label, target, text, f"p99 {baseline / 1e6:.1f} ms", ratio, verdict(p99 <= 50e6))
    return p99


def tui_runbook(folder, name, entries, timeout="300s"):
    """A runbook with one entry per (title, command, indicators), each with a verify step."""
    path = os.path.join(folder, name + ".md")
    text = textwrap.dedent(f"""\
        ---
        id: bench-{name}
        title: Benchmark {name}
        version: 1.0.0
        timeout: {timeout}
        ---

        # Benchmark {name}
        """)
    for title, command, indicators in entries:
        text += f"\n## {title}\n\n### Verify\n\n```sh\n{command}\n```\n\nSuccess indicators:\n\n"
        text += "".join(f"- {i}\n" for i in indicators)
    with open(path, "w") as f:
        f.write(text)
    return path


def open_entry_and_run(session, keys, from_home=True, downs=2):
    """Home -> the runbook -> `downs` rows down (its first entry comes after Walkthrough and
    Variables) -> the entry -> Enter runs its first step. Returns the run's id."""
    if from_home:
        session.wait_for("the first frame", lambda ev: any(e.kind == "frame" for e in ev))
        session.press_and_wait(keys["enter"])
    for _ in range(downs):
        session.press_and_wait(keys["down"])
    session.press_and_wait(keys["enter"])
    runs = session.count("run")
    session.press_and_wait(keys["enter"])
    session.wait_for("the step starting", lambda ev: sum(1 for e in ev if e.kind == "run") > runs)
    return [e for e in session.events if e.kind == "run"][-1].rest


def tui_latency(args, binary, env, folder, table):
    """(d): key to frame while a step floods output, against the same keys on the same screen, idle."""
    keys = tui_keys(env)
    line = "flood line: the quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJ"
    book = tui_runbook(folder, "keys", [
        ("Idle", "seq 1 10000", ["exit 0"]),
        ("Flood", f"yes '{line}'", ["exit 0"]),
    ])
    rng = random.Random(4)
    idle_all, flood_all, rates = [], [], []
    for run in range(args.tui_runs):
        trace = os.path.join(folder, f"keys-{run}.trace")
        session = TuiSession(binary, [book], env, trace)
        # The idle step: 10,000 lines, finished; the keys scroll its output.
        run_id = open_entry_and_run(session, keys)
        session.wait_for("the idle step's end", lambda ev: any(e.kind == "exited" and e.rest.startswith(run_id + " ") for e in ev))
        idle, _, _ = key_latencies(session, keys, args.keys, rng)
        # Back to the runbook's entries, down to Flood, run it, wait for 1 MB of output, then keys.
        session.press_and_wait(keys["q"])
        session.press_and_wait(keys["q"])
        flood_id = open_entry_and_run(session, keys, from_home=False, downs=1)
        def flowing(events):
            start = next(i for i, e in enumerate(events) if e.kind == "run" and e.rest == flood_id)
            return sum(int(e.rest) for e in events[start:] if e.kind == "output") >= MB
        session.wait_for("the flood's first megabyte", flowing)
        flood, start, end = key_latencies(session, keys, args.keys, rng)
        if any(e.kind == "exited" and e.rest.startswith(flood_id + " ") for e in session.events):
            sys.exit("benchmark: the flood step ended before the keys were done")
        read = sum(int(e.rest) for e in session.events if e.kind == "output" and start <= e.ns <= end)
        rates.append(read / MB / ((end - start) / 1e9))
        session.press_and_wait(keys["ctrl-c"])
        session.wait_for("the flood's cancel", lambda ev: any(e.kind == "exited" and e.rest.startswith(flood_id + " ") for e in ev))
        session.close()
        idle_all += idle
        flood_all += flood
    n = len(flood_all)
    base = percentile([t for _, t in idle_all], 99)
    latency_row(table, f"(d) key -> frame while a step floods output ({n} keys), p99", flood_all, base, "<= 50 ms")
    latency_row(table, f"(d) baseline: the same keys, same screen, no step running ({len(idle_all)} keys)", idle_all)
    queued = [(0, q) for q, _ in flood_all]
    latency_row(table, "(d) of which key written -> read by the TUI, flooding", queued)
    table.add("(d) output the TUI took in while the keys were pressed", "", f"{statistics.median(rates):.0f} MB/s",
              "", "", "info")


def tui_flood(args, binary, env, folder, table):
    """(e): the step of (a) run in the TUI, against `runbook check` of the same runbook."""
    keys = tui_keys(env)
    count = 2_000_000
    book = tui_runbook(folder, "tui-seq", [("Output", f"seq 1 {count}", [f"contains `{count}`", "exit 0"])])
    check_cmd = [binary, "check", "--format", "json", book]
    tui, check_step, check_wall = [], [], []
    for run in range(args.tui_runs * 3):  # interleaved
        start = time.perf_counter()
        out = subprocess.run(check_cmd, env=env, capture_output=True, text=True)
        check_wall.append(time.perf_counter() - start)
        if out.returncode != 0:
            sys.exit(f"benchmark: `runbook check` of the TUI seq runbook failed (exit {out.returncode})")
        check_step.append(step_duration_ms(out.stdout) / 1000)
        trace = os.path.join(folder, f"seq-{run}.trace")
        session = TuiSession(binary, [book], env, trace)
        run_id = open_entry_and_run(session, keys)
        session.wait_for("the step's end", lambda ev: any(e.kind == "exited" and e.rest.startswith(run_id + " ") for e in ev))
        began = next(e.ns for e in session.events if e.kind == "run" and e.rest == run_id)
        ended = next(e for e in session.events if e.kind == "exited" and e.rest.startswith(run_id + " "))
        if ended.rest != f"{run_id} exit 0":
            sys.exit(f"benchmark: the TUI's seq step ended with {ended.rest}")
        tui.append((ended.ns - began) / 1e9)
        session.close(keys["q"] * 4)
    t_tui, t_step, t_wall = statistics.median(tui), statistics.median(check_step), statistics.median(check_wall)
    ratio = t_tui / t_step
    table.add(f"(e) TUI, seq 1 {count}: step spawned -> its end handled, median of {len(tui)}", "<= 1.5x",
              f"{t_tui * 1000:.0f} ms", f"{t_step * 1000:.0f} ms", f"{ratio:.2f}x", verdict(ratio <= 1.5))
    table.add("(e) baseline: the step's duration in `runbook check` (its report)", "", f"{t_step * 1000:.0f} ms", "", "", "info")
    table.add("(e) `runbook check` whole process, for reference", "", f"{t_wall * 1000:.0f} ms", "", "", "info")


def step_duration_ms(report_json):
    """The duration of the only step in a `check --format json` report."""
    report = json.loads(report_json)
    found = []
    def walk(node):
        if isinstance(node, dict):
            if "duration_ms" in node:
                found.append(node["duration_ms"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(report)
    if len(found) != 1:
        sys.exit(f"benchmark: expected one duration_ms in the check report, found {len(found)}")
    return found[0]


def first_frame(args, binary, env, root, folder, table):
    """(f): spawn -> first frame flushed, `runbook runbooks/`, against spawn -> exit of `runbook --version`."""
    keys = tui_keys(env)
    runbooks = os.path.join(root, "runbooks")
    frames, versions, starts, lists = [], [], [], []
    for run in range(args.load_runs + 1):
        version = pty_run([binary, "--version"], env)
        listed = pty_run([binary, "list", runbooks], env)
        trace = os.path.join(folder, f"first-{run}.trace")
        session = TuiSession(binary, [runbooks], env, trace)
        session.wait_for("the first frame", lambda ev: any(e.kind == "frame" for e in ev))
        frame = next(e.ns for e in session.events if e.kind == "frame") - session.spawned_ns
        start = next((e.ns for e in session.events if e.kind == "start"), None)
        session.close(keys["q"])
        if run > 0:  # the first run warms the page cache
            frames.append(frame)
            versions.append(version)
            lists.append(listed)
            if start is not None:
                starts.append(start - session.spawned_ns)
    t_frame, t_version = statistics.median(frames), statistics.median(versions)
    table.add(f"(f) first frame, `runbook runbooks/`: spawn -> flushed, median of {len(frames)}", "<= 50 ms",
              f"{t_frame / 1e6:.1f} ms", f"{t_version / 1e6:.1f} ms", f"{t_frame / t_version:.1f}x",
              verdict(t_frame <= 50e6))
    table.add("(f) the slowest of those first frames", "", f"{max(frames) / 1e6:.1f} ms", "", "", "info")
    if len(starts) == len(frames):
        table.add("(f) of which spawn -> runbooks loaded, terminal set up (trace `start`)", "",
                  f"{statistics.median(starts) / 1e6:.1f} ms", "", "", "info")
    table.add("(f) for reference: `runbook list runbooks/` on a pty, spawn -> exit", "",
              f"{statistics.median(lists) / 1e6:.1f} ms", "", "", "info")
    table.add("(f) baseline: `runbook --version` on a pty, spawn -> exit", "", f"{t_version / 1e6:.1f} ms", "", "", "info")


# ---------------------------------------------------------------------------------------------------
# (h): scale, 5,000 runbooks on the search path.

SCALE_COPIES = 43


def scale_library(root, folder, table):
    """The corpus copied SCALE_COPIES times with new ids (each copy's files renamed `NAME-cNN.md`, the id a
    runbook without `id:` takes from its file): 43 x 117 = 5,031 files. Without ../shared/corpus,
    runbooks/ is copied instead (and the table says so)."""
    corpus = os.path.normpath(os.path.join(root, "..", "shared", "corpus", "prometheus-operator-runbooks", "content"))
    source = corpus if os.path.isdir(corpus) else os.path.join(root, "runbooks")
    copies = SCALE_COPIES if source == corpus else -(-5000 // 3)
    if source != corpus:
        table.note(f"(h) {corpus} is missing: runbooks/ copied {copies} times instead")
    target = os.path.join(folder, "scale")
    count = 0
    for i in range(copies):
        for directory, _, names in os.walk(source):
            for name in names:
                if not name.lower().endswith(".md"):
                    continue
                out = os.path.join(target, f"copy{i:04d}", os.path.relpath(directory, source))
                os.makedirs(out, exist_ok=True)
                with open(os.path.join(directory, name), "rb") as f:
                    text = f.read()
                # An explicit id is made new too (`id: x` -> `id: x-cNN`).
                text = text.replace(b"\nid: ", b"\nid: c%d-" % i, 1) if text.startswith(b"---") else text
                with open(os.path.join(out, f"{name[:-3]}-c{i:04d}.md"), "wb") as f:
                    f.write(text)
                count += 1
    return target, count


def typing_latencies(session, sequence, rng):
    """Types `sequence` (one key each) with random gaps of 60-120 ms, without waiting for the screen, as
    a quick hand does; returns, per key, (written -> read, written -> the first frame after it)."""
    first = session.count("key")
    sent = []
    for key in sequence:
        sent.append(session.press(key))
        pause_until = time.monotonic() + rng.uniform(0.060, 0.120)
        while time.monotonic() < pause_until:
            session.pump(pause_until - time.monotonic())
    count = len(sequence)
    def all_drawn(events):
        seen = [e for e in events if e.kind == "key"]
        return len(seen) >= first + count and any(e.kind == "frame" and e.ns >= seen[first + count - 1].ns for e in events)
    session.wait_for(f"frames after {count} typed keys", all_drawn)
    events = session.events
    received = [e.ns for e in events if e.kind == "key"][first:first + count]
    frames = [e.ns for e in events if e.kind == "frame"]
    result, j = [], 0
    for written, read in zip(sent, received):
        while frames[j] < read:
            j += 1
        result.append((read - written, frames[j] - written))
    return result


def scale(args, binary, env, tui_env, root, folder, table):
    """(h): `list`, `search`, the first frame and a keystroke in Home's search with ~5,000 runbooks,
    against the same with the three runbooks of runbooks/, in the same run; cold (RUNBOOK_CACHE=off)
    and warm (a cache filled by the run before)."""
    big, count = scale_library(root, folder, table)
    small = os.path.join(root, "runbooks")
    cold = dict(env, RUNBOOK_CACHE="off")
    warm = dict(env, XDG_CACHE_HOME=os.path.join(folder, "cache"))
    tui_warm = dict(tui_env, XDG_CACHE_HOME=warm["XDG_CACHE_HOME"])
    tui_cold = dict(tui_env, RUNBOOK_CACHE="off")
    query = "filesystem predicted to run out of inodes"
    commands = {
        "list": lambda p: [binary, "list", p],
        "search": lambda p: [binary, "search", query, p],
    }
    runs = max(3, args.load_runs // 3)
    for name, command in commands.items():
        target = 0.150 if name == "list" else 0.100
        measure(command(big), warm)  # fills the cache
        results = {"cold": [], "warm": [], "base": []}
        for _ in range(runs):
            results["base"].append(measure(command(small), warm))
            results["warm"].append(measure(command(big), warm))
            results["cold"].append(measure(command(big), cold))
        base = median(results["base"], "wall")
        for kind in ("warm", "cold"):
            t = median(results[kind], "wall")
            table.add(f"(h) {name} of {count} files, {kind}, wall, median of {runs}", f"<= {target * 1000:.0f} ms",
                      f"{t * 1000:.1f} ms", f"{base * 1000:.1f} ms", f"{t / base:.1f}x", verdict(t <= target))
            table.add(f"(h) {name}, {kind}, CPU time (user+sys), median", "", f"{median(results[kind], 'cpu') * 1000:.1f} ms",
                      f"{median(results['base'], 'cpu') * 1000:.1f} ms", "", "info")
    keys = tui_keys(tui_env)
    rng = random.Random(13)
    sequence = [b"/"] + [c.encode() for c in "inodes filling"] + [b"\x7f"] * 8
    frames = {"cold": [], "warm": [], "base": []}
    typed = {"warm": [], "base": []}
    sessions = max(2, args.tui_runs)
    for run in range(sessions + 1):
        for kind, path, e in (("base", small, tui_warm), ("warm", big, tui_warm), ("cold", big, tui_cold)):
            trace = os.path.join(folder, f"scale-{kind}-{run}.trace")
            session = TuiSession(binary, [path], e, trace)
            session.wait_for("the first frame", lambda ev: any(x.kind == "frame" for x in ev))
            frame = next(x.ns for x in session.events if x.kind == "frame") - session.spawned_ns
            if run > 0:  # the first run fills the cache and warms the page cache
                frames[kind].append(frame)
                if kind in typed:
                    typed[kind] += typing_latencies(session, sequence, rng)
            session.close(keys["ctrl-c"])
    base = statistics.median(frames["base"])
    for kind in ("warm", "cold"):
        t = statistics.median(frames[kind])
        table.add(f"(h) first frame of {count} runbooks, {kind}, median of {sessions}", "<= 50 ms", f"{t / 1e6:.1f} ms",
                  f"{base / 1e6:.1f} ms", f"{t / base:.1f}x", verdict(t <= 50e6))
    base_p99 = percentile([t for _, t in typed["base"]], 99)
    total = [t for _, t in typed["warm"]]
    p99 = percentile(total, 99)
    table.add(f"(h) Home search, key -> frame, {len(total)} keys typed", "p99 <= 30 ms",
              f"p99 {p99 / 1e6:.1f} ms (median {statistics.median(total) / 1e6:.1f}, max {max(total) / 1e6:.1f})",
              f"p99 {base_p99 / 1e6:.1f} ms", f"{p99 / base_p99:.1f}x" if base_p99 else "", verdict(p99 <= 30e6))


def pty_run(argv, env):
    """Runs argv on a new pty, as TuiSession starts the TUI, reading its output; returns ns from
    just before fork until it was reaped."""
    start = time.monotonic_ns()
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    while True:  # read the pty until the process is gone
        try:
            if not os.read(fd, 1 << 16):
                break
        except OSError:
            break
    os.waitpid(pid, 0)
    took = time.monotonic_ns() - start
    os.close(fd)
    return took


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the runbook executable to measure")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--runs", type=int, default=7, help="repetitions for (a) and (g) (default 7)")
    parser.add_argument("--load-runs", type=int, default=21, help="repetitions for (c) (default 21)")
    parser.add_argument("--memory-runs", type=int, default=1, help="repetitions per variant for (b) (default 1)")
    parser.add_argument("--gigabytes", type=float, default=1.0, help="output size for (b) (default 1)")
    parser.add_argument("--tui-runs", type=int, default=3,
                        help="TUI sessions for (d), 3x as many for (e) (default 3)")
    parser.add_argument("--keys", type=int, default=200, help="keys per phase and session for (d) (default 200)")
    parser.add_argument("--quick", action="store_true", help="fewer runs and 0.1 GB for (b): a smoke test")
    parser.add_argument("--only", default="a,b,c,d,e,f,g,h", help="which parts to run, such as a,c or d,e,f")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.load_runs, args.gigabytes, args.tui_runs, args.keys = 3, 5, 0.1, 1, 100
    binary = os.path.abspath(args.binary)
    parts = set(args.only.split(","))
    if not parts <= set("abcdefgh"):
        sys.exit(f"benchmark: --only takes parts among a,b,c,d,e,f,g,h, not {args.only}")
    if parts & set("defh") and time.get_clock_info("monotonic").implementation != "clock_gettime(CLOCK_MONOTONIC)":
        sys.exit("benchmark: (d), (e) and (f) need time.monotonic_ns() to be CLOCK_MONOTONIC, the trace's clock")

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
            long_line(args, binary, env, folder, table)
        if "b" in parts:
            memory(args, binary, env, folder, table)
        if "c" in parts:
            loading(args, binary, env, args.root, table)
        tui_env = tui_environment(env)
        if "d" in parts:
            tui_latency(args, binary, tui_env, folder, table)
        if "e" in parts:
            tui_flood(args, binary, tui_env, folder, table)
        if "f" in parts:
            first_frame(args, binary, tui_env, args.root, folder, table)
        if "g" in parts:
            masking(args, binary, env, folder, table)
        if "h" in parts:
            scale(args, binary, env, tui_env, args.root, folder, table)
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
