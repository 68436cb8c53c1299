import Foundation
import RunbookTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `runbook check` ended by a signal while a step runs, and a step's time-out in `check`, with real
/// processes: the step's whole group ends, the journal records the ending, the exit status is the
/// documented one, and nothing the test started is left.
///
/// The order is the test's: the step tells the test its process group through a named pipe once it
/// runs, and only then is the signal sent. Processes are found by a mark in their environment
/// (``ProcessMarker``), so only the ones this test started count.
@Suite("runbook check: signals and time-outs")
struct CheckSignalTests {
    let temporary: TemporaryFolder
    let marker = ProcessMarker()

    init() throws {
        temporary = try TemporaryFolder("runbook-check-signal")
    }

    var state: String { temporary.path + "/state" }

    /// A runbook with one verify step running `command`, with `timeout` when given. The step writes to
    /// the test's named pipe, which the command table would class as a change: it is vouched read-only.
    func runbook(_ command: String, timeout: String? = nil) throws -> String {
        let file = temporary.path + "/signals.md"
        try """
            ---
            version: 1.0.0
            ---
            # Signals

            ## Long step

            ### Verify

            ```sh {name=long readonly=true\(timeout.map { " timeout=\($0)" } ?? "")}
            \(command)
            ```

            - exit 0

            """.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The records of the one session's journal, as JSON objects.
    func journal() throws -> [[String: Any]] {
        let root = state + "/runbook/sessions"
        let ids = try FileManager.default.contentsOfDirectory(atPath: root)
        try #require(ids.count == 1, "sessions: \(ids)")
        let id = try #require(ids.first)
        let text = try String(contentsOfFile: root + "/" + id + "/journal.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    static func isGone(group: pid_t) -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if kill(-group, 0) != 0 && errno == ESRCH { return true }
            var none = pollfd()
            _ = poll(&none, 0, 20)  // the interval of this bounded wait: PID 1 reaps orphans on its own schedule
        }
        return false
    }

    @Test(
        "SIGINT, SIGTERM or SIGHUP to check: the step's group ends, the journal ends `interrupted`, exit 130",
        arguments: [SIGINT, SIGTERM, SIGHUP])
    func signalled(signal: Int32) throws {
        defer { marker.killAll() }
        let mailbox = try NamedPipe(in: temporary.path, name: "mailbox")
        // A background job (which ignores SIGINT, as a shell's background jobs do) and a foreground one.
        let file = try runbook(#"sleep 1000 & echo "$$" > "$MAILBOX"; sleep 1000"#)
        let program = try StartedProgram.start(
            ["check", file],
            environment: ["XDG_STATE_HOME": state, "MAILBOX": mailbox.path].merging(marker.environment) { $1 },
            folder: temporary.path)
        let group = try #require(mailbox.receiveLine().flatMap { pid_t($0) }, "the step never ran: \(program.stderr)")
        try #require(kill(program.pid, signal) == 0)
        let status = program.wait()

        #expect(status == 130, "exit \(status): \(program.stderr)")
        #expect(Self.isGone(group: group), "the step's group \(group) outlived check")
        #expect(marker.survivors().isEmpty, "left running: \(marker.living())")
        let records = try journal()
        let finished = records.filter { $0["type"] as? String == "step_finished" }
        let finish = try #require(finished.first?["finish"] as? [String: Any], "\(records)")
        #expect(finished.count == 1)
        #expect(finish["step"] as? String == "long")
        #expect(finish["end"] as? String == "cancelled")
        #expect(records.last?["type"] as? String == "session_ended")
        #expect(records.last?["result"] as? String == "interrupted")
        #expect(program.stdout.contains("✗"), "the report is still printed: \(program.stdout)")
    }

    /// The step records each signal it gets in a file; the journal says it timed out. The step's
    /// first command installs its traps; the time-out comes 10 s after its start, a margin wide enough
    /// for a shell on a loaded machine (the stages themselves are tested without a clock in
    /// `EscalationStagesTests`).
    @Test("a time-out in check: SIGINT, then SIGTERM, then SIGKILL to a step that traps both; journaled as timed out")
    func timeOutStages() throws {
        defer { marker.killAll() }
        let log = temporary.path + "/signals.log"
        let mailbox = try NamedPipe(in: temporary.path, name: "mailbox")
        let file = try runbook(
            #"trap 'echo INT >> "$LOG"' INT; trap 'echo TERM >> "$LOG"' TERM; sleep 1000 & echo "$$" > "$MAILBOX"; while :; do sleep 1000 & wait; done"#,
            timeout: "10s")
        let program = try StartedProgram.start(
            ["check", file, "--format", "json"],
            environment: ["XDG_STATE_HOME": state, "MAILBOX": mailbox.path, "LOG": log].merging(marker.environment) { $1 },
            folder: temporary.path)
        let group = try #require(mailbox.receiveLine().flatMap { pid_t($0) }, "the step never ran: \(program.stderr)")
        let status = program.wait(seconds: 60)

        #expect(status == 1, "exit \(status): \(program.stderr)")
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "INT\nTERM\n", "the stages the step saw")
        #expect(Self.isGone(group: group))
        #expect(marker.survivors().isEmpty, "left running: \(marker.living())")
        let records = try journal()
        let finish = try #require(
            records.first { $0["type"] as? String == "step_finished" }?["finish"] as? [String: Any], "\(records)")
        #expect(finish["end"] as? String == "timed out")
        #expect(records.last?["result"] as? String == "failed")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(program.stdout.utf8)) as? [String: Any])
        let cases = (report["suites"] as? [[String: Any]])?.first?["cases"] as? [[String: Any]]
        #expect(cases?.first?["end"] as? String == "timed out")
    }
}
