import Foundation
import RunbookKit
import RunbookRunner
import RunbookTestSupport
import Testing

@testable import RunbookTUI

#if canImport(Glibc)
import Glibc
#endif

/// The runtime's background steps without a terminal: what comes back as events, sanitized and
/// masked, and what is left behind (nothing).
@Suite("RunningSteps: steps as events")
struct RunningStepsTests {
    static func launch(
        _ command: String, secrets: [String] = [], timeLimitMs: Int? = nil, shell: String? = nil, pty: Bool = false,
        gate: NamedPipe? = nil
    ) -> StepLaunch {
        let step = Step(
            id: "s", role: .diagnose, language: shell == nil ? "sh" : "console", command: command, location: SourceLocation(line: 1, column: 1),
            attributes: StepAttributes(pty: pty), title: "a step")
        return StepLaunch(
            step: step, scope: "test", shell: shell,
            environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"].merging(gate.map { ["GATE": $0.path] } ?? [:]) { $1 },
            workingDirectory: nil, timeLimitMs: timeLimitMs, secrets: secrets)
    }

    /// Everything a run reports, in order.
    struct Report {
        var lines: [OutputLine] = []
        /// Each output event's lines as it came, kept as they are.
        var batches: [OutputLineBatch] = []
        var partials: [OutputLine?] = []
        var end: StepEnd?
        var durationMs = 0
        var assigned: [String: String] = [:]
        var verdicts: [Verdict] = []
        var text: [String] { lines.map(\.text) }
    }

    /// Runs the one step with the same poll-and-collect cycle the TUI's loop uses; `during` is called
    /// every turn with the events so far (to cancel, say).
    static func run(
        _ launch: StepLaunch, steps: RunningSteps = RunningSteps(), within limit: Duration = .seconds(20),
        during: (RunningSteps, Report) -> Void = { _, _ in }
    ) -> Report {
        var report = Report()
        let id = RunID(1)
        var events = steps.start(id, launch, terminalSize: TerminalSize(rows: 24, columns: 80))
        let deadline = MonotonicInstant.now() + limit
        var fds: [pollfd] = []
        var tags: [(step: Int, watch: StepMonitor.Watch)] = []
        while true {
            for event in events {
                switch event {
                case .output(let run, let lines, let partial, let verdicts):
                    report.verdicts = verdicts
                    #expect(run == id)
                    report.lines += lines
                    report.batches.append(lines)
                    report.partials.append(partial)
                case .exited(let run, let ending):
                    #expect(run == id)
                    report.end = ending.end
                    report.durationMs = ending.durationMs
                    report.assigned = ending.assigned
                    report.verdicts = ending.verdicts
                default:
                    Issue.record("unexpected event \(event)")
                }
            }
            if report.end != nil || MonotonicInstant.now() >= deadline { return report }
            during(steps, report)
            fds.removeAll()
            tags.removeAll()
            steps.watches(into: &fds, tags: &tags)
            let now = MonotonicInstant.now()
            let wake = min(steps.nextDeadline(now: now) ?? now + .milliseconds(250), now + .milliseconds(250))
            let count = fds.count
            _ = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t(count), now.pollTimeout(until: wake)) }
            var ready: [(step: Int, watch: StepMonitor.Watch, revents: Int16)] = []
            for (i, tag) in tags.enumerated() where fds[i].revents != 0 { ready.append((tag.step, tag.watch, fds[i].revents)) }
            var budget = 1 << 20
            steps.handle(ready, budget: &budget)
            events = steps.collect(now: .now())
        }
    }

    @Test("output arrives sanitized: titles, clears and clipboard writes are gone, colours become styles")
    func sanitized() throws {
        let report = Self.run(
            Self.launch(#"printf '\033]0;EVIL\007\033[2J\033[31mred\033[0m\n\033]52;c;ZXZpbA==\007plain\n'; printf 'tail'"#))
        #expect(report.end == .exited(0))
        #expect(report.text == ["red", "plain", "tail"])
        #expect(report.lines.first?.styles.first?.style.foreground != nil)
        #expect(!report.lines.contains { $0.text.unicodeScalars.contains { $0.value < 0x20 } })
        // The last report clears the line in progress.
        let last = try #require(report.partials.last)
        #expect(last == nil)
    }

    /// Each burst waits on a gate until the test has taken the one before as events.
    @Test("an output event's lines stay as they came while the step prints more (the batch storage is reused)")
    func batchesKept() throws {
        let gate = try NamedPipe(in: TemporaryFolder("runbook-steps"), name: "gate")
        var released = 0
        let report = Self.run(
            Self.launch(
                #"for i in 1 2 3 4 5; do seq $((i * 1000 - 999)) $((i * 1000)); read x < "$GATE"; done; echo last"#,
                gate: gate)
        ) { _, report in
            while released < 5, report.lines.count >= (released + 1) * 1000 {
                gate.release()
                released += 1
            }
        }
        #expect(report.end == .exited(0))
        #expect(report.text == (1...5000).map(String.init) + ["last"])
        #expect(report.batches.count >= 6, "one event per burst at least")
        #expect(report.batches.flatMap { $0.map(\.text) } == report.text)
    }

    @Test("stdout and stderr keep their channel")
    func channels() throws {
        let gate = try NamedPipe(in: TemporaryFolder("runbook-steps"), name: "gate")
        var released = false
        let report = Self.run(Self.launch(#"echo out; read x < "$GATE"; echo err >&2"#, gate: gate)) { _, report in
            if !released, !report.lines.isEmpty {
                gate.release()
                released = true
            }
        }
        #expect(report.lines.map(\.channel) == [.stdout, .stderr])
    }

    /// The step prints part of a line, then waits until the test has seen it as the line in progress.
    @Test("a line in progress is reported as partial before its line end arrives")
    func partial() throws {
        let gate = try NamedPipe(in: TemporaryFolder("runbook-steps"), name: "gate")
        var released = false
        let report = Self.run(
            Self.launch(#"printf 'progress 50%%'; read x < "$GATE"; printf '\rprogress 100%%\n'"#, gate: gate)
        ) { _, report in
            if !released, report.partials.contains(where: { $0 != nil }) {
                gate.release()
                released = true
            }
        }
        try #require(released, "no line in progress was reported")
        #expect(report.partials.contains { $0?.text == "progress 50%" })
        #expect(report.text == ["progress 100%"])
    }

    /// The step prints the start of a secret without a line end, then waits until the test has seen
    /// that line in progress: the partial must be there, and must not show the secret's start.
    @Test("secrets are masked in lines and in the line in progress, even while only their start has arrived")
    func masked() throws {
        let gate = try NamedPipe(in: TemporaryFolder("runbook-steps"), name: "gate")
        var released = false
        let report = Self.run(
            Self.launch(
                #"echo 'password is hunter2!'; printf 'token: hunt'; read x < "$GATE"; printf 'er2 end\n'"#,
                secrets: ["hunter2"], gate: gate)
        ) { _, report in
            if !released, report.partials.contains(where: { $0?.text.hasPrefix("token") == true }) {
                gate.release()
                released = true
            }
        }
        try #require(released, "the line in progress `token: hunt` was never reported")
        #expect(report.text == ["password is ••••••!", "token: •••••• end"])
        let partials = report.partials.compactMap { $0 }
        #expect(partials.contains { $0.text.hasPrefix("token") })
        for partial in partials {
            #expect(!partial.text.contains("hunt"), "partial “\(partial.text)” shows the start of a secret")
        }
    }

    @Test("variables the step assigns come back with its end, and the capture folder is removed")
    func assigned() throws {
        let runtime = Paths.temporaryFolder("runbook-runtime")
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let report = Self.run(
            Self.launch("ANSWER=42; OTHER=\"two words\"; echo done"), steps: RunningSteps(runtimeDirectory: runtime))
        #expect(report.end == .exited(0))
        #expect(report.text == ["done"])
        #expect(report.assigned == ["ANSWER": "42", "OTHER": "two words"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: runtime).isEmpty)
    }

    @Test("exit codes and signals are reported")
    func ends() {
        #expect(Self.run(Self.launch("exit 3")).end == .exited(3))
        #expect(Self.run(Self.launch("kill -TERM $$")).end == .signaled(SIGTERM))
    }

    @Test("a shell that is not in PATH fails to start at once")
    func missingShell() {
        let steps = RunningSteps()
        let events = steps.start(
            RunID(7), Self.launch("true", shell: "no-such-shell-here"), terminalSize: TerminalSize(rows: 24, columns: 80))
        #expect(events.count == 1)
        guard case .exited(let id, let ending)? = events.first, case .failedToStart(let why) = ending.end else {
            Issue.record("expected an immediate failed start, got \(events)")
            return
        }
        #expect(id == RunID(7))
        #expect(why.contains("no-such-shell-here"))
        #expect(steps.isEmpty)
    }

    @Test("cancel ends the step and every process of its group, background jobs included")
    func cancel() {
        var group: pid_t?
        var cancelled = false
        let report = Self.run(Self.launch("echo ready; sleep 1000 & sleep 1000")) { steps, report in
            guard !cancelled, report.text.contains("ready") else { return }
            group = steps.processGroup(of: RunID(1))
            steps.cancel(RunID(1))
            cancelled = true
        }
        #expect(report.end == .cancelled)
        #expect(group != nil)
        if let group {
            let living = Self.livingAfterKill(inGroup: group)
            #expect(living.isEmpty, "still alive in group \(group): \(living)")
        }
    }

    /// The group's living members once it had time to die: a killed process can still show as running
    /// for a moment, and an orphan is only reaped by PID 1. Waits (at most 5 s) for the group to be
    /// gone rather than sampling once.
    static func livingAfterKill(inGroup group: pid_t) -> [ProcessTable.Entry] {
        let deadline = ContinuousClock.now + .seconds(5)
        var living = ProcessTable.snapshot().living(inGroup: group)
        while !living.isEmpty && ContinuousClock.now < deadline {
            usleep(20_000)  // poll interval of the bounded wait above
            living = ProcessTable.snapshot().living(inGroup: group)
        }
        return living
    }

    @Test("a time limit ends the step as timed out, and its group with it")
    func timeLimit() throws {
        var group: pid_t?
        let report = Self.run(Self.launch("sleep 1000", timeLimitMs: 200)) { steps, _ in
            if group == nil { group = steps.processGroup(of: RunID(1)) }
        }
        #expect(report.end == .timedOut)
        let leader = try #require(group)
        #expect(Self.livingAfterKill(inGroup: leader).isEmpty)
    }

    @Test("pty steps run on a terminal of the given size")
    func pty() {
        let report = Self.run(Self.launch("stty size; test -t 1 && echo tty", pty: true))
        #expect(report.end == .exited(0))
        #expect(report.text == ["24 80", "tty"])
    }
}
