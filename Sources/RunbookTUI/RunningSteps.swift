import CSystem
import RunbookKit
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// The steps the TUI runs in the background, and how their output and ends come back as events.
///
/// Each step is a ``StepExecution`` (the one owner of a step's rules, as in `runbook check`: shell,
/// command line, capture folder, sanitize → judge → mask → journal, exit mapping, outcome) watched by a
/// ``StepMonitor``, so the owner's one `poll()` loop serves every step, the keyboard and the signals.
/// The execution journals into `journal` as it goes; the masked lines and the verdicts so far become
/// an ``AppEvent/output(_:lines:partial:verdicts:)`` per turn, and the end an
/// ``AppEvent/exited(_:_:)`` once the whole group is gone. (``ChildProcess`` registers every group
/// with the crash guard and the run watcher until it is reaped.)
final class RunningSteps {
    /// Where the steps journal (the session recorder).
    var journal: JournalSink?
    /// Where private capture folders are made (the run guard's private run folder, else /tmp).
    var runtimeDirectory: String?
    /// How each step is supervised, from the execution's standard one (tests shorten it).
    var adjust: (StepSupervisor) -> StepSupervisor = { $0 }

    private var steps: [RunningStep] = []
    private let buffer: UnsafeMutableRawBufferPointer

    init(journal: JournalSink? = nil, runtimeDirectory: String? = nil, readSize: Int = 64 << 10) {
        self.journal = journal
        self.runtimeDirectory = runtimeDirectory
        buffer = .allocate(byteCount: readSize, alignment: 16)
    }

    deinit {
        // Normally empty: the owner waits for every step. Otherwise ChildProcess's deinit kills.
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

    /// The settings of a background step's output: the TUI keeps its own lines for the screen, so the
    /// execution keeps only what the journal's tail needs.
    static var outputSettings: StepOutputProcessor.Settings {
        var s = StepOutputProcessor.Settings()
        s.outputCapacity = s.journalLineLimit / 2
        s.gathersNewLines = true
        return s
    }

    // MARK: Effects

    /// Starts `launch` as run `id`. Returns the events to report at once (an `.exited` when it could
    /// not start).
    func start(_ id: RunID, _ launch: StepLaunch, terminalSize: TerminalSize) -> [AppEvent] {
        let execution = StepExecution(
            launch.request(terminalSize: terminalSize), masker: SecretMasker(secrets: launch.secrets), journal: journal,
            settings: Self.outputSettings, runtimeDirectory: runtimeDirectory)
        func failed(_ why: String) -> [AppEvent] {
            [.exited(id, execution.finish(.failedToStart(why), duration: .zero))]
        }
        guard !steps.contains(where: { $0.id == id }) else { return failed("run \(id) is already running") }
        let request: SpawnRequest
        switch execution.spawnRequest {
        case .success(let r): request = r
        case .failure(let missing): return failed(missing.description)
        }
        let child: ChildProcess
        do {
            child = try ChildProcess(request)
        } catch {
            return failed(error.message)
        }
        steps.append(
            RunningStep(id: id, monitor: StepMonitor(settings: adjust(execution.supervisor), child: child), execution: execution))
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

    /// The runtime stops waiting (it is leaving): every group gets SIGKILL and every run ends as
    /// cancelled, journaled as such. Returns their end events.
    func abandonAll() -> [AppEvent] {
        let events = steps.map { step -> AppEvent in
            step.monitor.kill(now: .now())
            let duration = MonotonicInstant.now() - step.monitor.child.startedAt
            return .exited(step.id, step.execution.finish(.cancelled, duration: duration))
        }
        steps.removeAll()
        return events
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

/// One background step: its monitor, its execution, and whether it has news since it was last reported.
final class RunningStep {
    let id: RunID
    var monitor: StepMonitor
    let execution: StepExecution
    private var changed = false
    private var partialShown = false
    var bytesRead = 0

    init(id: RunID, monitor: StepMonitor, execution: StepExecution) {
        self.id = id
        self.monitor = monitor
        self.execution = execution
    }

    func take(_ channel: OutputChannel, _ bytes: UnsafeRawBufferPointer) {
        execution.take(channel, bytes)
        changed = true
        bytesRead += bytes.count
    }

    /// Ends both streams (the group is gone): a last line without a line end becomes a line.
    func finishOutput() {
        execution.finishOutput()
        changed = true
    }

    /// The output since the last call, masked, with the line in progress and the verdicts so far;
    /// nil when nothing changed.
    func takeOutputEvent() -> AppEvent? {
        guard changed else { return nil }
        changed = false
        let lines = execution.takeNewLines()
        let partial = execution.output.partialLine
        if lines.isEmpty, partial == nil, !partialShown { return nil }
        partialShown = partial != nil
        return .output(id, lines: lines, partial: partial, verdicts: execution.verdicts)
    }

    /// Reaps the leader and reports how the step ended.
    func end() -> AppEvent {
        return .exited(id, execution.finish(monitor.finish()))
    }
}

extension StepLaunch {
    /// The request a ``StepExecution`` runs.
    func request(terminalSize: TerminalSize) -> StepRunRequest {
        var r = StepRunRequest(
            step: step, scope: scope, shell: shell, environment: environment, workingDirectory: workingDirectory,
            timeLimit: timeLimitMs.map { TimeLimit(milliseconds: $0) })
        r.terminalSize = terminalSize
        return r
    }
}
