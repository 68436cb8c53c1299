import CSystem
import Foundation
import RunbookKit

#if canImport(Glibc)
import Glibc
#endif

/// What to run: a step, with the session's values for its variables.
public struct StepRunRequest: Sendable {
    public var step: Step
    /// The entry (or checklist, or `tree`) the step belongs to, for the journal.
    public var scope: String?
    /// The shell program (`/bin/sh`, or the runbook's `shell:` found in PATH).
    public var shell: String
    /// Exactly the environment the command gets: see `VariableResolver.environment(for:)`.
    public var environment: [String: String]
    public var workingDirectory: String?
    public var timeLimit: TimeLimit?

    public init(step: Step, scope: String?, shell: String, environment: [String: String], workingDirectory: String?,
                timeLimit: TimeLimit?) {
        self.step = step
        self.scope = scope
        self.shell = shell
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeLimit = timeLimit
    }
}

/// What came of running a step.
public struct StepRunResult: Sendable {
    public var step: Step
    public var end: StepEnd
    public var verdicts: [Verdict]
    public var duration: Duration
    /// The last lines of output, sanitized, secrets masked.
    public var output: OutputBuffer
    /// Values of the variables the step assigned, for the steps after it.
    public var assigned: [String: String]

    public var durationMs: Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// See `StepOutcome.judge`: a command that fails fails the step unless an `exit` indicator expects it.
    public var outcome: StepOutcome { StepOutcome.judge(end: end, verdicts: verdicts) }
}

/// Runs one step: spawns it through `StepSupervisor`, sanitizes its output line by line, judges its
/// indicators as the lines arrive, and journals the start, the output (capped), every verdict and the end.
/// Secrets are masked in everything it keeps or writes.
public struct StepRunner {
    public var journal: JournalWriter?
    public var masker: SecretMasker
    /// Lines kept in memory for showing and reports.
    public var outputCapacity = 10_000
    /// Bytes those lines may take (text and style runs): memory stays bounded whatever the lines' length.
    public var outputByteCapacity = OutputBuffer.defaultByteCapacity
    /// Lines of each step written to the journal: the first half as they come, the last half at the end.
    public var journalLineLimit = 1_000
    /// When set, the full sanitized output of each step is also written here (mode 0600), up to `spoolLimit`.
    public var spoolFolder: String?
    public var spoolLimit = 64 * 1024 * 1024
    /// The time limit of a step when neither the step nor the runbook sets one.
    public static let defaultTimeLimit = TimeLimit(milliseconds: 10 * 60_000)

    public init(journal: JournalWriter?, masker: SecretMasker) {
        self.journal = journal
        self.masker = masker
    }

    /// Runs the step to its end on this thread. `cancelFD`: a descriptor that becomes readable to cancel.
    /// `onLine` sees every output line as it arrives (masked); `onVerdict` every indicator as it is decided.
    public func run(
        _ request: StepRunRequest, cancelFD: Int32? = nil, onLine: ((OutputLine) -> Void)? = nil,
        onVerdict: @escaping (Int, Verdict) -> Void = { _, _ in }
    ) -> StepRunResult {
        let step = request.step
        var lines = LineProcessor(
            step: step, journal: journal, masker: masker, outputCapacity: outputCapacity,
            outputByteCapacity: outputByteCapacity, journalLineLimit: journalLineLimit,
            spool: spoolFolder.flatMap { Spool(folder: $0, step: step.id, limit: spoolLimit) },
            onLine: onLine, onVerdict: onVerdict)

        // A private place for the values the step assigns.
        let captureFolder = step.assignsVariables ? Self.privateFolder() : nil
        let captureFile = captureFolder.map { $0 + "/assigned" }
        let invocation = StepInvocation(command: step.command, captureFile: captureFile)
        var environment = request.environment
        for (k, v) in invocation.environment { environment[k] = v }

        journal?.append(
            .stepStarted(
                .init(
                    step: step.id, entry: request.scope, role: step.role.rawValue, title: masker.mask(step.title),
                    command: masker.mask(step.command),
                    variables: Self.usedVariables(step, request.environment).mapValues(masker.mask))))

        let supervisor = StepSupervisor(timeLimit: request.timeLimit ?? Self.defaultTimeLimit)
        let spawnRequest = SpawnRequest(
            shell: request.shell, arguments: invocation.arguments, environment: environment,
            workingDirectory: request.workingDirectory, usePseudoTerminal: step.attributes.pty)
        let end: StepEnd
        let duration: Duration
        do {
            let outcome = try supervisor.run(spawnRequest, cancelFD: cancelFD) { channel, bytes in
                lines.take(channel, bytes)
            }
            lines.finish()
            duration = outcome.duration
            switch outcome.reason {
            case .timedOut: end = .timedOut
            case .cancelled: end = .cancelled
            case .exited:
                switch outcome.status {
                case .exited(let c)?: end = .exited(c)
                case .signaled(let s)?: end = .signaled(s)
                case nil: end = .failedToStart("its exit status was lost")
                }
            }
        } catch {
            end = .failedToStart(error.message)
            duration = .zero
        }

        lines.journalTail()
        lines.evaluator.finish(end)
        lines.reportNewVerdicts()
        // Manual indicators nobody has answered yet are recorded too, so the report lists them.
        for (i, v) in lines.evaluator.verdicts.enumerated() where v.state == .needsAnswer {
            journal?.append(.verdict(Self.record(step: step.id, index: i, verdict: v, masker: masker)))
        }

        var assigned: [String: String] = [:]
        if let captureFile, let folder = captureFolder {
            if let data = FileManager.default.contents(atPath: captureFile) {
                assigned = StepInvocation.parseCaptures(Array(data), allowed: invocation.captures)
            }
            unlink(captureFile)
            rmdir(folder)
        }

        let result = StepRunResult(
            step: step, end: end, verdicts: lines.evaluator.verdicts, duration: duration, output: lines.buffer,
            assigned: assigned)
        journal?.append(
            .stepFinished(
                .init(
                    step: step.id, end: masker.mask(end.description), exitCode: { if case .exited(let c) = end { return c }; return nil }(),
                    durationMs: result.durationMs, result: result.outcome.rawValue)))
        journal?.sync()
        lines.spool?.close()
        return result
    }

    /// The variables a step's command reads, with their values from `environment`.
    static func usedVariables(_ step: Step, _ environment: [String: String]) -> [String: String] {
        var out: [String: String] = [:]
        for name in ShellText(step.command).references + step.placeholders where !ShellText.ambient.contains(name) {
            if let v = environment[name] { out[name] = v }
        }
        return out
    }

    static func record(step: String, index: Int, verdict v: Verdict, masker: SecretMasker) -> JournalEvent.VerdictRecord {
        JournalEvent.VerdictRecord(step: step, index: index, verdict: v, masker: masker)
    }

    /// A new folder only this user can read, outside the session folder, for values a step assigns.
    static func privateFolder() -> String? {
        let base = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        var template = Array((base + "/runbook-step-XXXXXX").utf8CString)
        guard let p = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { return nil }
        return String(cString: p)
    }
}

/// The per-line work of a running step, kept in one value so the output path does no closure
/// captures: sanitize, judge, mask, keep, journal (the first half of the journal's share as lines
/// come, the last half at the end), spool.
///
/// Lines travel in an `OutputLineBatch` per chunk: the indicators search the whole chunk at once and
/// the buffer copies bytes, so a line costs no `String` unless something needs one (a journaled line,
/// a deciding line, an `onLine` observer, a secret to mask).
struct LineProcessor {
    let step: Step
    let journal: JournalWriter?
    let masker: SecretMasker
    let journalLineLimit: Int
    var spool: Spool?
    let onLine: ((OutputLine) -> Void)?
    let onVerdict: (Int, Verdict) -> Void
    var evaluator: IndicatorEvaluator
    /// The last lines, masked: what the result holds, and where the journal's tail comes from.
    var buffer: OutputBuffer
    var sanitizers = [OutputSanitizer(channel: .stdout), OutputSanitizer(channel: .stderr)]
    var pending = OutputLineBatch()
    var lineNumber = 0
    var journaled = 0
    var decided = Set<Int>()

    init(
        step: Step, journal: JournalWriter?, masker: SecretMasker, outputCapacity: Int, outputByteCapacity: Int,
        journalLineLimit: Int, spool: Spool?, onLine: ((OutputLine) -> Void)?,
        onVerdict: @escaping (Int, Verdict) -> Void
    ) {
        self.step = step
        self.journal = journal
        self.masker = masker
        self.journalLineLimit = journalLineLimit
        self.spool = spool
        self.onLine = onLine
        self.onVerdict = onVerdict
        evaluator = IndicatorEvaluator(indicators: step.indicators)
        buffer = OutputBuffer(capacity: outputCapacity, byteCapacity: outputByteCapacity)
    }

    mutating func take(_ channel: OutputChannel, _ bytes: UnsafeRawBufferPointer) {
        sanitizers[channel == .stdout ? 0 : 1].feed(bytes, into: &pending)
        consume()
    }

    mutating func finish() {
        for k in 0..<2 { sanitizers[k].finish(into: &pending) }
        consume()
    }

    private mutating func consume() {
        guard !pending.isEmpty else { return }
        if evaluator.observesOutput { evaluator.observe(pending) }
        if !masker.isEmpty { masker.mask(&pending) }
        spool?.write(pending)
        let first = lineNumber
        let journalRoom = Swift.max(0, Swift.min(journalLineLimit / 2 - journaled, pending.count))
        if let journal {
            for i in 0..<journalRoom {
                journal.append(
                    .output(.init(step: step.id, channel: pending.channel(of: i), line: first + i + 1, text: pending[i].text)))
            }
        }
        journaled += journalRoom
        lineNumber += pending.count
        buffer.append(contentsOf: pending)
        if let onLine {
            for line in pending { onLine(line) }
        }
        pending.removeAll()
        reportNewVerdicts()
    }

    mutating func reportNewVerdicts() {
        for (i, v) in evaluator.verdicts.enumerated() where v.state != .pending && v.state != .needsAnswer && !decided.contains(i) {
            decided.insert(i)
            onVerdict(i, v)
            journal?.append(.verdict(StepRunner.record(step: step.id, index: i, verdict: v, masker: masker)))
        }
    }

    /// Lines past the journal's first half: how many were left out, then the last ones (as many of
    /// the journal's second half as the output buffer still holds).
    func journalTail() {
        guard lineNumber > journaled else { return }
        let kept = Swift.min(buffer.count, lineNumber - journaled, Swift.max(1, journalLineLimit / 2))
        let dropped = lineNumber - journaled - kept
        if dropped > 0 { journal?.append(.outputTruncated(step: step.id, droppedLines: dropped)) }
        var n = lineNumber - kept
        for line in buffer.lines(in: (buffer.count - kept)..<buffer.count) {
            n += 1
            journal?.append(.output(.init(step: step.id, channel: line.channel, line: n, text: line.text)))
        }
    }
}

extension Step {
    /// Whether the command assigns variables that later steps could use.
    var assignsVariables: Bool { !ShellText(command).assignments.isEmpty }
}

/// The full output of one step, as the journal's sibling file `output/<step>.log`: each line as
/// `  text` (standard output) or `! text` (standard error), up to `limit` bytes; one write per chunk
/// of output, as it arrives.
struct Spool {
    private var fd: Int32
    private var written = 0
    private let limit: Int
    private var cut = false
    private var block: [UInt8] = []

    init?(folder: String, step: String, limit: Int) {
        let dir = folder + "/output"
        mkdir(dir, 0o700)
        let safe = String(step.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        var path = dir + "/" + safe + ".log"
        var n = 1
        while access(path, F_OK) == 0 {
            n += 1
            path = dir + "/" + safe + "-\(n).log"
        }
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        self.limit = limit
    }

    mutating func write(_ lines: OutputLineBatch) {
        guard fd >= 0, !cut else { return }
        for i in lines.indices {
            let size = lines.withUTF8(of: i) { $0.count } + 3
            if written + size > limit {
                cut = true
                let note = Array("… output cut at \(limit) bytes\n".utf8)
                written += note.count
                block += note
                break
            }
            written += size
            block += lines.channel(of: i) == .stderr ? [UInt8(ascii: "!"), 0x20] : [0x20, 0x20]
            lines.withUTF8(of: i) { block += $0 }
            block.append(0x0A)
        }
        flush()
    }

    private mutating func flush() {
        var offset = 0
        block.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                offset += n
            }
        }
        block.removeAll(keepingCapacity: true)
    }

    mutating func close() {
        if fd >= 0 {
            flush()
            Glibc.close(fd)
            fd = -1
        }
    }
}
