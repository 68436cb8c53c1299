import Foundation
import RunbookKit

#if canImport(Glibc)
import Glibc
#endif

/// One run of one step, from the command as run to the outcome: the one place that owns a step's
/// life for `runbook check` (``StepRunner``, a blocking loop) and the TUI (its `poll()` loop), so the
/// two can never judge, mask or journal differently.
///
/// In order: ``init(_:masker:journal:settings:)`` chooses the shell (``StepShell``), builds the
/// command line (``StepInvocation``, with a private capture folder when the step assigns variables),
/// and journals `step_started`; ``spawnRequest`` and ``supervisor`` say how to start and watch it (the
/// time limit: the step's, the runbook's, else ``defaultTimeLimit``); ``take(_:_:)`` runs each chunk
/// of output through ``StepOutputProcessor`` (sanitize → judge → mask → keep and journal); and
/// ``finish(_:)`` maps how the group ended to a ``StepEnd``, reads back and deletes the assigned
/// values, settles the verdicts, journals the tail, every verdict and `step_finished`, and returns the
/// ``StepRunResult``. A cancel or time-out is the supervisor's escalation; its outcome comes back here.
public final class StepExecution {
    /// The time limit of a step when neither the step nor the runbook sets one.
    public static let defaultTimeLimit = TimeLimit(milliseconds: 10 * 60_000)

    public let request: StepRunRequest
    public private(set) var output: StepOutputProcessor
    private let journal: JournalSink?
    private let masker: SecretMasker
    private var capture: (folder: String, file: String)?
    private let captures: [String]
    /// How to start the step, or why it cannot start.
    public let spawnRequest: Result<SpawnRequest, StepShell.Missing>
    private var result: StepRunResult?

    /// Prepares the run and journals its start. `runtimeDirectory`: where the private capture folder
    /// goes (the run guard's private run folder, else /tmp).
    public init(
        _ request: StepRunRequest, masker: SecretMasker, journal: JournalSink?,
        settings: StepOutputProcessor.Settings = .init(), runtimeDirectory: String? = nil
    ) {
        self.request = request
        self.masker = masker
        self.journal = journal
        let step = request.step
        output = StepOutputProcessor(step: step, masker: masker, journal: journal, settings: settings)
        let program = StepShell.program(for: step, runbookShell: request.shell, path: request.environment["PATH"])
        if case .success = program, step.assignsVariables, let folder = PrivateFolder.make(in: runtimeDirectory) {
            capture = (folder, folder + "/assigned")
        }
        let invocation = StepInvocation(command: step.command, captureFile: capture?.file)
        captures = invocation.captures
        var environment = request.environment
        for (k, v) in invocation.environment { environment[k] = v }
        spawnRequest = program.map {
            SpawnRequest(
                shell: $0, arguments: invocation.arguments, environment: environment,
                workingDirectory: request.workingDirectory, usePseudoTerminal: step.attributes.pty,
                terminalSize: request.terminalSize)
        }
        journal?.append(
            .stepStarted(
                .init(
                    step: step.id, entry: request.scope, role: step.role.rawValue, title: masker.mask(step.title),
                    command: masker.mask(step.command),
                    variables: Self.usedVariables(step, request.environment).mapValues(masker.mask))))
    }

    deinit { removeCapture() }

    public var step: Step { request.step }

    /// How the step is supervised: the standard escalation and its time limit.
    public var supervisor: StepSupervisor {
        StepSupervisor(timeLimit: request.timeLimit ?? Self.defaultTimeLimit)
    }

    /// Takes a chunk of output.
    public func take(_ channel: OutputChannel, _ bytes: UnsafeRawBufferPointer) {
        output.take(channel, bytes)
    }

    /// Ends both output streams (the leader and its group are gone).
    public func finishOutput() { output.finishOutput() }

    /// The masked lines completed since the last call (``StepOutputProcessor/Settings/gathersNewLines``).
    public func takeNewLines() -> OutputLineBatch { output.takeNewLines() }

    /// The verdicts so far.
    public var verdicts: [Verdict] { output.verdicts }

    /// How a supervised group ended, as a step's end.
    public static func end(of outcome: StepSupervisor.Outcome) -> StepEnd {
        switch outcome.reason {
        case .timedOut: return .timedOut
        case .cancelled: return .cancelled
        case .exited:
            switch outcome.status {
            case .exited(let c)?: return .exited(c)
            case .signaled(let s)?: return .signaled(s)
            case nil: return .failedToStart("its exit status was lost")
            }
        }
    }

    /// Ends the run after the supervisor's outcome.
    @discardableResult
    public func finish(_ outcome: StepSupervisor.Outcome) -> StepRunResult {
        finish(Self.end(of: outcome), duration: outcome.duration)
    }

    /// Ends the run: how it ended and how long it took. Only the first call counts.
    @discardableResult
    public func finish(_ end: StepEnd, duration: Duration) -> StepRunResult {
        if let result { return result }
        output.finishOutput()
        output.finish(end)
        var assigned: [String: String] = [:]
        if let capture, case .exited = end, let bytes = PrivateFolder.read(capture.file) {
            assigned = StepInvocation.parseCaptures(bytes, allowed: captures)
        }
        removeCapture()
        let result = StepRunResult(
            step: step, end: end, verdicts: output.verdicts, duration: duration, output: output.buffer,
            assigned: assigned)
        journal?.append(
            Self.finishedRecord(step: step, end: end, durationMs: result.durationMs, outcome: result.outcome, masker: masker))
        journal?.sync()
        self.result = result
        return result
    }

    /// The `step_finished` record: written at the end, and again by the TUI once the last manual
    /// indicator is answered.
    public static func finishedRecord(
        step: Step, end: StepEnd, durationMs: Int, outcome: StepOutcome, masker: SecretMasker
    ) -> JournalEvent {
        var code: Int32?
        if case .exited(let c) = end { code = c }
        return .stepFinished(
            .init(step: step.id, end: masker.mask(end.description), exitCode: code, durationMs: durationMs,
                  result: outcome.rawValue))
    }

    private func removeCapture() {
        guard let capture else { return }
        unlink(capture.file)
        rmdir(capture.folder)
        self.capture = nil
    }

    /// The variables a step's command reads, with their values from `environment`.
    static func usedVariables(_ step: Step, _ environment: [String: String]) -> [String: String] {
        var out: [String: String] = [:]
        for name in ShellText(step.command).references + step.placeholders where !ShellText.ambient.contains(name) {
            if let v = environment[name] { out[name] = v }
        }
        return out
    }
}

/// Private folders for capture files: mode 0700, outside the session folder.
public enum PrivateFolder {
    public static func make(in base: String?) -> String? {
        let root = base.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        var template = Array((root + "/runbook-step-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let made else { return nil }
        return String(cString: made)
    }

    /// A capture file's bytes, up to 16 MiB.
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while out.count < 16 << 20 {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            out += chunk[0..<n]
        }
        return out
    }
}

extension Step {
    /// Whether the command assigns variables that later steps could use.
    var assignsVariables: Bool { !ShellText(command).assignments.isEmpty }
}
