import CSystem
import RunbookKit
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// The steps the TUI runs in the background, and how their output and ends come back as events.
///
/// Each step is started as ``StepRunner`` starts one (its own session and process group, stdin
/// /dev/null or a pty, the command line from ``StepInvocation`` with a private capture file for the
/// variables it assigns) and watched by a ``StepMonitor``, so the owner's one `poll()` loop serves
/// every step, the keyboard and the signals. Output is sanitized (``OutputSanitizer``) and masked
/// (``SecretMasker`` with the launch's secrets) before it becomes an ``AppEvent/output(_:lines:partial:)``;
/// the end becomes ``AppEvent/exited(_:end:durationMs:assigned:)`` once the whole group is gone.
/// Every group is registered with the crash guard while it may still be signalled.
final class RunningSteps {
    /// How one step is supervised: the standard escalation, and its time limit.
    var settings: (TimeLimit) -> StepSupervisor = { StepSupervisor(timeLimit: $0) }
    /// Where private capture folders are made (`$XDG_RUNTIME_DIR`, else /tmp).
    var runtimeDirectory: String?

    private var steps: [RunningStep] = []
    private let buffer: UnsafeMutableRawBufferPointer

    init(runtimeDirectory: String? = nil, readSize: Int = 64 << 10) {
        self.runtimeDirectory = runtimeDirectory
        buffer = .allocate(byteCount: readSize, alignment: 16)
    }

    deinit {
        // Normally empty: the owner waits for every step. Otherwise ChildProcess's deinit kills.
        for step in steps { rb_crash_guard_remove_group(step.monitor.child.processGroup) }
        buffer.deallocate()
    }

    var isEmpty: Bool { steps.isEmpty }
    var count: Int { steps.count }
    var runIDs: [RunID] { steps.map(\.id) }
    /// The process group of run `id`, while it runs.
    func processGroup(of id: RunID) -> pid_t? {
        steps.first { $0.id == id }?.monitor.child.processGroup
    }

    /// When the longest-running step started.
    var earliestStart: MonotonicInstant? { steps.map(\.monitor.child.startedAt).min() }

    // MARK: Effects

    /// Starts `launch` as run `id`. Returns the events to report at once (an `.exited` when it could
    /// not start).
    func start(_ id: RunID, _ launch: StepLaunch, terminalSize: TerminalSize) -> [AppEvent] {
        func failed(_ why: String) -> [AppEvent] {
            [.exited(id, end: .failedToStart(why), durationMs: 0, assigned: [:])]
        }
        guard !steps.contains(where: { $0.id == id }) else { return failed("run \(id) is already running") }
        guard let shell = StepInvocation.shellPath(launch.shell, path: launch.environment["PATH"]) else {
            return failed("shell `\(launch.shell ?? "")` is not in PATH")
        }
        // A private folder for the values the step assigns, only when it assigns any.
        var capture: RunningStep.Capture?
        let probe = StepInvocation(command: launch.step.command, captureFile: "/")
        if !probe.captures.isEmpty, let folder = PrivateFolder.make(in: runtimeDirectory) {
            capture = RunningStep.Capture(folder: folder, file: folder + "/assigned")
        }
        let invocation = StepInvocation(command: launch.step.command, captureFile: capture?.file)
        var environment = launch.environment
        for (k, v) in invocation.environment { environment[k] = v }
        let request = SpawnRequest(
            shell: shell, arguments: invocation.arguments, environment: environment,
            workingDirectory: launch.workingDirectory, usePseudoTerminal: launch.step.attributes.pty,
            terminalSize: terminalSize)
        let child: ChildProcess
        do {
            child = try ChildProcess(request)
        } catch {
            capture?.remove()
            return failed(error.message)
        }
        _ = rb_crash_guard_add_group(child.processGroup)
        let limit = launch.timeLimitMs.map { TimeLimit(milliseconds: $0) } ?? StepRunner.defaultTimeLimit
        let step = RunningStep(
            id: id, monitor: StepMonitor(settings: settings(limit), child: child),
            masker: SecretMasker(secrets: launch.secrets), capture: capture, captures: invocation.captures)
        steps.append(step)
        return []
    }

    /// Begins the escalation for run `id` (SIGINT, SIGTERM after 2 s, SIGKILL after 2 s more).
    func cancel(_ id: RunID, now: MonotonicInstant = .now()) {
        steps.first { $0.id == id }?.monitor.cancel(now: now)
    }

    func cancelAll(now: MonotonicInstant = .now()) {
        for step in steps { step.monitor.cancel(now: now) }
    }

    /// SIGKILL to every group now.
    func killAll(now: MonotonicInstant = .now()) {
        for step in steps { step.monitor.kill(now: now) }
    }

    // MARK: The loop's side

    /// What to poll; `tags` receives, for each descriptor, the step's index and what it stands for.
    func watches(into fds: inout [pollfd], tags: inout [(step: Int, watch: StepMonitor.Watch)]) {
        var own: [pollfd] = []
        var watches: [StepMonitor.Watch] = []
        for (index, step) in steps.enumerated() {
            own.removeAll(keepingCapacity: true)
            watches.removeAll(keepingCapacity: true)
            step.monitor.watches(into: &own, &watches)
            fds += own
            for w in watches { tags.append((index, w)) }
        }
    }

    /// The earliest instant any step has something due.
    func nextDeadline(now: MonotonicInstant) -> MonotonicInstant? {
        steps.compactMap { $0.monitor.nextDeadline(now: now) }.min()
    }

    /// Reads what `poll` reported ready, at most `budget` bytes in all (the budget is shared so that
    /// one noisy step cannot starve the keyboard), and notes exits.
    func handle(_ ready: [(step: Int, watch: StepMonitor.Watch, revents: Int16)], budget: inout Int) {
        var byStep: [Int: [(watch: StepMonitor.Watch, revents: Int16)]] = [:]
        for r in ready where r.step < steps.count { byStep[r.step, default: []].append((r.watch, r.revents)) }
        for (index, entries) in byStep.sorted(by: { $0.key < $1.key }) {
            let step = steps[index]
            step.monitor.handle(entries, buffer: buffer, budget: &budget) { channel, bytes in
                step.take(channel, bytes)
            }
        }
    }

    /// Sends what is due, and returns the events of this turn: new output of every step, then the
    /// end of every step whose group is gone (after its last output).
    func collect(now: MonotonicInstant) -> [AppEvent] {
        var events: [AppEvent] = []
        var finished: [Int] = []
        for (index, step) in steps.enumerated() {
            let done = step.monitor.advance(now: now)
            if done { step.finishOutput() }
            if let output = step.takeOutputEvent() { events.append(output) }
            if done { finished.append(index) }
        }
        for index in finished.reversed() {
            let step = steps.remove(at: index)
            events.append(step.end())
        }
        return events
    }

    /// Bytes read since the last call, for the trace.
    func takeByteCount() -> Int {
        var total = 0
        for step in steps {
            total += step.bytesRead
            step.bytesRead = 0
        }
        return total
    }
}

/// One background step: its monitor, its sanitizers, and what it has produced since it was last
/// reported.
final class RunningStep {
    struct Capture {
        var folder: String
        var file: String

        func remove() {
            unlink(file)
            rmdir(folder)
        }
    }

    let id: RunID
    var monitor: StepMonitor
    let masker: SecretMasker
    let capture: Capture?
    let captures: [String]
    private var sanitizers = [OutputSanitizer(channel: .stdout), OutputSanitizer(channel: .stderr)]
    /// Lines completed since the last event, both channels in arrival order. Emptied when the next
    /// output comes, not when the event is made: by then `update` has taken the event and let go of
    /// its copy, so the storage is reused in place instead of allocated and grown again per event.
    private var lines = OutputLineBatch()
    private var linesReported = false
    private var lastChannel = OutputChannel.stdout
    private var changed = false
    private var partialShown = false
    var bytesRead = 0

    init(id: RunID, monitor: StepMonitor, masker: SecretMasker, capture: Capture?, captures: [String]) {
        self.id = id
        self.monitor = monitor
        self.masker = masker
        self.capture = capture
        self.captures = captures
    }

    func take(_ channel: OutputChannel, _ bytes: UnsafeRawBufferPointer) {
        emptyReportedLines()
        sanitizers[channel == .stdout ? 0 : 1].feed(bytes, into: &lines)
        lastChannel = channel
        changed = true
        bytesRead += bytes.count
    }

    /// Ends both streams: a last line without a line end becomes a line.
    func finishOutput() {
        emptyReportedLines()
        for k in 0..<2 { sanitizers[k].finish(into: &lines) }
        changed = true
    }

    private func emptyReportedLines() {
        guard linesReported else { return }
        lines.removeAll()
        linesReported = false
    }

    /// The output since the last call, masked, with the line in progress; nil when nothing changed.
    func takeOutputEvent() -> AppEvent? {
        guard changed else { return nil }
        changed = false
        var masked = lines
        linesReported = true
        // A line that shows a secret is masked and loses its styles; the others are left as they are.
        masker.mask(&masked)
        var partial: OutputLine? = sanitizers[lastChannel == .stdout ? 0 : 1].pendingLine
        if let p = partial, p.text.isEmpty, p.droppedBytes == 0 { partial = nil }
        if let p = partial { partial = maskPartial(p) }
        if masked.isEmpty, partial == nil, !partialShown { return nil }
        partialShown = partial != nil
        return .output(id, lines: masked, partial: partial)
    }

    /// Masks the line in progress, and hides an ending that could be the start of a secret whose
    /// rest has not arrived yet.
    private func maskPartial(_ line: OutputLine) -> OutputLine {
        guard !masker.isEmpty else { return line }
        var text = masker.mask(line.text)
        for secret in masker.secrets {
            var k = min(secret.count - 1, text.count)
            while k > 0 {
                if text.hasSuffix(secret.prefix(k)) {
                    text = String(text.dropLast(k))
                    break
                }
                k -= 1
            }
        }
        guard text != line.text else { return line }
        return OutputLine(channel: line.channel, text: text, styles: [], droppedBytes: line.droppedBytes)
    }

    /// Reaps the leader and reports how the step ended, with the values it assigned.
    func end() -> AppEvent {
        // The group was killed once the leader exited: nothing is left to kill after a crash.
        rb_crash_guard_remove_group(monitor.child.processGroup)
        let outcome = monitor.finish()
        let end: StepEnd
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
        var assigned: [String: String] = [:]
        if let capture {
            if let bytes = PrivateFolder.read(capture.file) {
                assigned = StepInvocation.parseCaptures(bytes, allowed: captures)
            }
            capture.remove()
        }
        let ms = Int(outcome.duration.components.seconds) * 1000
            + Int(outcome.duration.components.attoseconds / 1_000_000_000_000_000)
        return .exited(id, end: end, durationMs: ms, assigned: assigned)
    }
}

/// Private folders for capture files: mode 0700, outside the session folder.
enum PrivateFolder {
    static func make(in base: String?) -> String? {
        let root = base.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        var template = Array((root + "/runbook-step-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let made else { return nil }
        return String(cString: made)
    }

    static func read(_ path: String) -> [UInt8]? {
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
