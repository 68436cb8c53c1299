import Foundation
import RunbookKit
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// Test helpers: run a command under the supervisor, look for a group's survivors, wait for a
/// condition with a deadline (never a fixed sleep).
enum ProcessProbe {
    /// The environment the test steps get: nothing inherited.
    static let environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C"]

    /// A supervisor with a fast escalation, so tests that need SIGKILL take a fraction of a second.
    static func fastSupervisor(timeLimit: TimeLimit? = nil, usesPidFD: Bool = true) -> StepSupervisor {
        var supervisor = StepSupervisor(
            timeLimit: timeLimit,
            terminationPlan: TerminationPlan(interruptGrace: .milliseconds(300), terminateGrace: .milliseconds(300)))
        supervisor.usesPidFD = usesPidFD
        return supervisor
    }

    /// `sh -c command` with the test environment.
    static func request(
        _ command: String, environment: [String: String] = environment, in directory: String? = nil,
        pty: Bool = false
    ) -> SpawnRequest {
        .command(command, environment: environment, workingDirectory: directory, usePseudoTerminal: pty)
    }

    /// Processes that are alive (not zombies) and whose process group or session is `id`, read from
    /// /proc/*/stat.
    static func liveMembers(of id: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { name -> pid_t? in
            guard let pid = pid_t(name),
                let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "(comm)": state ppid pgrp session ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 3, let pgrp = pid_t(fields[2]), let session = pid_t(fields[3]) else { return nil }
            let state = fields[0]
            guard state != "Z", state != "X" else { return nil }
            return pgrp == id || session == id ? pid : nil
        }
    }

    /// The calling thread's /proc/<pid>/task/<tid>/stat path (a synchronous test runs on one thread).
    static func currentThreadStat() -> String? {
        guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self") else { return nil }
        return (link.hasPrefix("/") ? link : "/proc/" + link) + "/stat"
    }

    /// Whether a thread sleeps in poll()/ppoll(): state S, and, where /proc shows it, the system call
    /// it is in (7 poll and 271 ppoll on x86_64, 73 ppoll on arm64).
    static func threadSleepsInPoll(_ statPath: String) -> Bool {
        guard threadState(statPath) == "S" else { return false }
        let syscallPath = String(statPath.dropLast("stat".count)) + "syscall"
        guard let text = try? String(contentsOfFile: syscallPath, encoding: .utf8),
            let number = text.split(separator: " ").first.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        else { return true }
        return [7, 271, 73].contains(number)
    }

    /// The state letter of a thread (R running, S sleeping, …) from its stat file.
    static func threadState(_ statPath: String) -> Character? {
        guard let stat = try? String(contentsOfFile: statPath, encoding: .utf8), let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").first?.first
    }

    /// The process's command name (/proc/<pid>/comm).
    static func commandName(of pid: pid_t) -> String? {
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether `kill(-id, 0)` still finds the group (zombies count until someone reaps them).
    static func groupExists(_ id: pid_t) -> Bool {
        kill(-id, 0) == 0 || errno != ESRCH
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` passes; returns its last value.
    static func eventually(within timeout: Duration, _ condition: () -> Bool) -> Bool {
        let deadline = MonotonicInstant.now() + timeout
        while true {
            if condition() { return true }
            if MonotonicInstant.now() >= deadline { return condition() }
            _ = poll(nil, 0, 10)
        }
    }

    /// Whether every process of group `id` is gone: no live member within 5 s, and `kill(-id, 0)`
    /// failing with ESRCH within 20 s. (This container's PID 1 reaps orphaned zombies only every
    /// second or two, and a zombie still counts as a group member for kill.)
    static func groupIsGone(_ id: pid_t) -> Bool {
        eventually(within: .seconds(5)) { liveMembers(of: id).isEmpty }
            && eventually(within: .seconds(20)) { !groupExists(id) }
    }

    /// A pipe for cancel requests: (read end, write end), both close-on-exec.
    static func cancelPipe() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        precondition(pipe(&fds) == 0)
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (fds[0], fds[1])
    }

    /// What /proc/self/fd/`fd` points at (e.g. `pipe:[1234]`), or nil when `fd` is not open.
    static func target(ofDescriptor fd: Int32) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")
    }

    /// Every /proc/self/fd target currently open in this process.
    static func openTargets() -> Set<String> {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return Set(fds.compactMap { Int32($0).flatMap(target(ofDescriptor:)) })
    }
}

/// Output collected from a run: every chunk in order with its channel.
struct CapturedOutput {
    var chunks: [(OutputChannel, [UInt8])] = []

    mutating func append(_ channel: OutputChannel, _ bytes: UnsafeRawBufferPointer) {
        chunks.append((channel, Array(bytes)))
    }

    /// All bytes of `channel`, as text.
    func text(_ channel: OutputChannel) -> String {
        String(decoding: chunks.filter { $0.0 == channel }.flatMap(\.1), as: UTF8.self)
    }

    /// Lines of both channels in arrival order, each tagged with its channel. Assumes (as the tests
    /// arrange) that a chunk never splits a line between channels.
    var taggedLines: [String] {
        var lines: [String] = []
        var partial: [OutputChannel: String] = [:]
        for (channel, bytes) in chunks {
            var text = partial[channel, default: ""] + String(decoding: bytes, as: UTF8.self)
            while let newline = text.firstIndex(of: "\n") {
                lines.append("\(channel.rawValue):\(text[..<newline])")
                text = String(text[text.index(after: newline)...])
            }
            partial[channel] = text
        }
        return lines
    }
}

/// Runs `command` to completion with `supervisor`, collecting its output.
func runCapturing(
    _ command: String, supervisor: StepSupervisor = StepSupervisor(),
    environment: [String: String] = ProcessProbe.environment, in directory: String? = nil, pty: Bool = false
) throws -> (StepSupervisor.Outcome, CapturedOutput) {
    var output = CapturedOutput()
    let outcome = try supervisor.run(
        ProcessProbe.request(command, environment: environment, in: directory, pty: pty)
    ) { channel, bytes in
        output.append(channel, bytes)
    }
    return (outcome, output)
}

/// A fresh, empty temporary directory (its real path, symlinks resolved).
func makeTemporaryDirectory() throws -> String {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-runner-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    return base.resolvingSymlinksInPath().path
}
