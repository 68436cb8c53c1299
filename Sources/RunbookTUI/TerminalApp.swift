import CSystem
import RunbookKit
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// How the runtime itself is set up (the pure layer's settings are in ``AppOptions``).
public struct RuntimeOptions: Sendable {
    /// The environment: `NO_COLOR`, `RUNBOOK_MOUSE`, `XDG_STATE_HOME` (sessions).
    public var environment: [String: String]
    /// `--trace FILE`: timestamps of keys, frames and output, for the benchmarks.
    public var tracePath: String?
    /// A test hook: crash on purpose, to prove the terminal is restored and no step survives.
    public var crashTest: CrashTest?
    /// The private run folder (``RunGuard``) where temporary files go; nil: /tmp.
    public var runFolder: String?

    /// When the runtime crashes on purpose (`RUNBOOK_TEST_CRASH=1` or `--crash-for-test`, and
    /// `RUNBOOK_TEST_CRASH=running`).
    public enum CrashTest: Sendable {
        /// Right after the first frame.
        case afterFirstFrame
        /// At the first frame drawn once a step has run for a second (its processes are all there).
        case whileStepRuns
    }

    public init(
        environment: [String: String], tracePath: String? = nil, crashTest: CrashTest? = nil, runFolder: String? = nil
    ) {
        self.environment = environment
        self.runFolder = runFolder
        self.tracePath = tracePath
        self.crashTest = crashTest
    }
}

/// The TUI's runtime: one thread, one `poll()` loop over the keyboard, every running step's output
/// and pidfd, and the signal self-pipe. It feeds ``AppState/update(_:)`` with events, performs the
/// effects it returns, and draws ``AppState/view(_:)`` through ``TerminalScreen``.
///
/// Each turn: deliver what the steps produced (output, then ends) and send what is due (escalation
/// signals), tick every 250 ms while ``AppState/wantsTicks``, draw if something changed (at once
/// after a key, else at most every 33 ms), then poll (at most 250 ms, less when a deadline is
/// nearer), read signals, then keys (a key is handled before more output is read), then at most
/// 1 MiB of output over all steps (less while `update` cannot keep up: see `readOutput`).
///
/// The terminal is restored on every way out: `q` and the like (``AppEffect/quit(message:)``), the
/// signals SIGTERM, SIGHUP, SIGINT and SIGQUIT (their handlers, installed before the terminal is set
/// up, only write to the self-pipe; the loop turns them into ``AppEvent/terminate(signal:)`` and the
/// quit path), and crashes (the C crash guard kills the step groups, writes the terminal's restore
/// sequence, restores the saved modes, then lets Swift's backtracer report).
///
/// Quitting restores the terminal first, then stops every running step (the standard escalation,
/// SIGKILL for all after 5 s, waiting at most 2 s more), closes the journal, and prints the message
/// and the sessions recorded.
public final class TerminalApp {
    private var state: AppState
    private let screen: TerminalScreen
    private let signals: SignalPipe
    private let steps: RunningSteps
    private let recorder: SessionRecorder
    private let trace: TraceLog?
    private let runtime: RuntimeOptions

    private var interactive: InteractiveStep?
    private var pending: [AppEvent] = []
    private var dispatching = false
    private var dirty = true
    private var urgent = true
    private var lastFrame = MonotonicInstant(nanoseconds: 0)
    private var framesDrawn = 0
    private var nextTick: MonotonicInstant?
    private var quitting = false
    private var quitMessage: String?
    private var quitDeadline = MonotonicInstant(nanoseconds: 0)
    private var killedAll = false
    private var terminatedBy: Int32?
    /// Whether `update` has been told that the journal stopped.
    private var toldJournalFailure = false
    private var byteBudget = TerminalApp.bytesPerTurn
    /// Reads of the terminal that brought keys or pastes (``AppEvent/inputBurst(_:)``).
    private var bursts = 0
    /// Ctrl-Z was pressed: stop once this read's input is handled.
    private var suspendRequested = false

    static let pollCap = Duration.milliseconds(250)
    static let frameInterval = Duration.milliseconds(33)
    static let tickInterval = Duration.milliseconds(250)
    static let bytesPerTurn = 1 << 20
    static let minimumBytesPerTurn = 64 << 10
    /// How long a turn's output work should take, about half a frame.
    static let turnWork = Duration.milliseconds(12)
    /// From quit until every remaining group gets SIGKILL (the standard escalation sends it at 4 s).
    static let quitKillAfter = Duration.seconds(5)
    /// From that SIGKILL until the runtime stops waiting for the groups to drain.
    static let quitGiveUpAfter = Duration.seconds(2)

    /// Opens the TUI on the terminal, runs it until it quits, restores the terminal. Returns the exit
    /// status: 0, 2 when the terminal could not be set up, 128 + the signal when one ended it.
    public static func run(library: RunbookLibrary, options: AppOptions, runtime: RuntimeOptions) -> Int32 {
        let signals: SignalPipe
        do {
            signals = try SignalPipe(signals: SignalPipe.terminal)
        } catch {
            writeError("runbook: \(error)")
            return 2
        }
        let terminalFD: Int32 = isatty(STDOUT_FILENO) != 0 ? STDOUT_FILENO : STDIN_FILENO
        _ = rb_crash_guard_install(terminalFD)
        let screen: TerminalScreen
        do {
            screen = try TerminalScreen(environment: runtime.environment)
        } catch {
            writeError("runbook: \(error)")
            return 2
        }
        screen.restoreSequence.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { rb_crash_guard_set_restore($0.baseAddress, Int32($0.count)) }
        }
        var options = options
        if !screen.usesColor { options.monochrome = true }
        let app = TerminalApp(library: library, options: options, runtime: runtime, screen: screen, signals: signals)
        return app.loop()
    }

    private init(
        library: RunbookLibrary, options: AppOptions, runtime: RuntimeOptions, screen: TerminalScreen,
        signals: SignalPipe
    ) {
        self.screen = screen
        self.signals = signals
        self.runtime = runtime
        state = AppState(library: library, options: options, size: screen.size)
        recorder = SessionRecorder(
            store: SessionStore(environment: runtime.environment), library: library,
            environment: runtime.environment, drill: options.drill, drillScenario: options.drillId)
        steps = RunningSteps(journal: recorder, runtimeDirectory: runtime.runFolder)
        trace = runtime.tracePath.flatMap { TraceLog(path: $0) }
        trace?.record("start")
    }

    // MARK: The loop

    private func loop() -> Int32 {
        var fds: [pollfd] = []
        var tags: [(step: Int, watch: StepMonitor.Watch)] = []
        var ready: [(step: Int, watch: StepMonitor.Watch, revents: Int16)] = []
        dispatch(.started)
        while true {
            let now = MonotonicInstant.now()
            for event in steps.collect(now: now) { dispatch(event) }
            if !toldJournalFailure, let failure = recorder.failure {
                toldJournalFailure = true
                dispatch(.journalStopped(reason: failure))
            }
            if let step = interactive, let result = step.advance(now: now) {
                finishInteractive(step, result)
            }
            if quitting {
                if steps.isEmpty && interactive == nil { break }
                if !killedAll && now >= quitDeadline {
                    steps.killAll(now: now)
                    killedAll = true
                }
                if now >= quitDeadline + Self.quitGiveUpAfter { break }
            } else {
                tickIfDue(now)
                drawIfDue(now)
            }

            // Poll.
            fds.removeAll(keepingCapacity: true)
            tags.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: signals.readFD, events: Int16(POLLIN), revents: 0))
            let readsKeys = !quitting && interactive == nil && screen.isActive
            if readsKeys { fds.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
            if let fd = interactive?.exitFD { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            let stepBase = fds.count
            steps.watches(into: &fds, tags: &tags)
            let timeout = now.pollTimeout(until: nextWake(now))
            let count = fds.count
            let result = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t(count), timeout) }
            let interrupted = result < 0 && errno == EINTR
            if result < 0 && !interrupted {
                // Nothing can be watched any more: leave as cleanly as possible (what still runs is
                // killed and reaped as the steps go away).
                let why = String(cString: strerror(errno))
                if !quitting { beginQuit(message: "runbook: cannot wait for input: \(why)") }
                steps.killAll()
                break
            }

            if interrupted || fds[0].revents != 0 {
                for signal in signals.drain() { received(signal: signal) }
            }
            if readsKeys, fds[1].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                // The terminal is gone without a SIGHUP (or stdin was closed): a hangup all the same.
                received(signal: SIGHUP)
            }
            if readsKeys, !quitting, interactive == nil {
                readKeys(stdinReadable: fds[1].revents & Int16(POLLIN) != 0)
            }
            if result > 0 {
                ready.removeAll(keepingCapacity: true)
                for (offset, tag) in tags.enumerated() where fds[stepBase + offset].revents != 0 {
                    ready.append((tag.step, tag.watch, fds[stepBase + offset].revents))
                }
                if !ready.isEmpty { readOutput(ready) }
            }
        }
        return finish()
    }

    /// Reads the terminal and dispatches what came: every turn, not only when stdin is readable (a
    /// resize arrives as SIGWINCH, EINTR or not, and is read as KEY_RESIZE).
    ///
    /// Before keys are read, the frame is brought up to date, so that a question that appeared since
    /// the last key (a manual indicator, a confirmation after output) is on screen before the next
    /// keys can answer it; the keys and pastes of one read form one burst (``AppEvent/inputBurst(_:)``).
    /// Keys typed into a secret's value are traced as `key •`, pastes without their text.
    private func readKeys(stdinReadable: Bool) {
        if stdinReadable, dirty {
            urgent = true
            drawIfDue(.now())
        }
        let inputs = screen.readInput()
        if inputs.contains(where: { if case .resize = $0 { false } else { true } }) {
            bursts += 1
            dispatch(.inputBurst(bursts))
        }
        for input in inputs {
            switch input {
            case .key(let key):
                trace?.record(state.isSecretFieldFocused ? "key •" : "key \(key)")
                urgent = true
                dispatch(.key(key))
            case .paste(let text):
                trace?.record(state.isSecretFieldFocused ? "paste •" : "paste \(text.count) characters")
                urgent = true
                dispatch(.paste(text))
            case .resize(let size):
                trace?.record("resize \(size.columns)x\(size.rows)")
                urgent = true
                dispatch(.resize(size))
            }
            if quitting || interactive != nil || suspendRequested { break }
        }
        if suspendRequested {
            suspendRequested = false
            stopForJobControl()
        }
        // A key is answered on the screen before more output is read.
        if urgent { drawIfDue(.now()) }
    }

    /// Ctrl-Z: gives the terminal back to the shell, stops the process until `fg`, then takes the
    /// terminal back and redraws it all. Running steps go on meanwhile (their own sessions); what
    /// they write waits in their pipes.
    private func stopForJobControl() {
        guard !quitting, interactive == nil, screen.isActive else { return }
        trace?.record("suspend")
        screen.suspend()
        let n = steps.count
        let running = n == 0 ? "" : " (\(n) step\(n == 1 ? "" : "s") still running)"
        Self.write(STDOUT_FILENO, "runbook: stopped\(running); fg brings it back\n")
        _ = rb_stop_for_job_control()
        screen.resume()
        trace?.record("continue")
        dirty = true
        urgent = true
    }

    /// Reads what the steps wrote, at most ``byteBudget`` bytes, and hands it to `update` at once.
    /// The budget adapts so that a turn's work (reading, sanitizing, `update`) stays near a frame's
    /// time under a flood of output: halved after a slow turn that used it all, doubled after a
    /// quick one, between 64 KiB and 1 MiB.
    private func readOutput(_ ready: [(step: Int, watch: StepMonitor.Watch, revents: Int16)]) {
        let start = MonotonicInstant.now()
        var budget = byteBudget
        steps.handle(ready, budget: &budget)
        if let trace {
            let bytes = steps.takeByteCount()
            if bytes > 0 { trace.record("output \(bytes)") }
        }
        let end = MonotonicInstant.now()
        for event in steps.collect(now: end) { dispatch(event) }
        let took = MonotonicInstant.now() - start
        if budget <= 0, took > Self.turnWork * 2 {
            byteBudget = max(Self.minimumBytesPerTurn, byteBudget / 2)
        } else if took < Self.turnWork / 2 {
            byteBudget = min(Self.bytesPerTurn, byteBudget * 2)
        }
    }

    private func nextWake(_ now: MonotonicInstant) -> MonotonicInstant {
        var wake = now + Self.pollCap
        if let d = steps.nextDeadline(now: now) { wake = min(wake, d) }
        if let step = interactive { wake = min(wake, step.nextDeadline(now: now)) }
        if quitting {
            wake = min(wake, killedAll ? quitDeadline + Self.quitGiveUpAfter : quitDeadline)
        } else {
            if let tick = nextTick { wake = min(wake, tick) }
            if dirty, interactive == nil { wake = min(wake, urgent ? now : lastFrame + Self.frameInterval) }
        }
        return wake
    }

    private func tickIfDue(_ now: MonotonicInstant) {
        guard state.wantsTicks else {
            nextTick = nil
            return
        }
        // The first tick comes at once, so elapsed time starts with the run.
        let due = nextTick ?? now
        guard now >= due else { return }
        nextTick = now + Self.tickInterval
        dispatch(.tick(nowMs: Int(now.nanoseconds / 1_000_000)))
    }

    private func drawIfDue(_ now: MonotonicInstant) {
        guard dirty, interactive == nil, screen.isActive else { return }
        guard urgent || now >= lastFrame + Self.frameInterval else { return }
        let rows = screen.flush(state.view(screen.size))
        lastFrame = now
        dirty = false
        urgent = false
        framesDrawn += 1
        trace?.record("frame \(rows)")
        switch runtime.crashTest {
        case .afterFirstFrame?: Self.crashForTest()
        case .whileStepRuns?:
            if let started = steps.earliestStart, now - started >= .seconds(1) { Self.crashForTest() }
        default: break
        }
    }

    /// Deliberately crashes (SIGILL or SIGTRAP from a Swift runtime trap), for the test that the
    /// crash guard restores the terminal.
    private static func crashForTest() -> Never {
        fatalError("runbook: crash requested for a test")
    }

    // MARK: Events and effects

    private func dispatch(_ event: AppEvent) {
        if let trace, case .exited(let id, let ending) = event {
            let end = ending.end
            // One line each: a start failure's message is left out.
            if case .failedToStart = end {
                trace.record("exited \(id) failed to start")
            } else {
                trace.record("exited \(id) \(end.description)")
            }
        }
        pending.append(event)
        guard !dispatching else { return }
        dispatching = true
        defer { dispatching = false }
        while !pending.isEmpty {
            let next = pending.removeFirst()
            let effects = state.update(next)
            dirty = true
            for effect in effects { apply(effect) }
        }
        if state.isFinished, !quitting { beginQuit(message: nil) }
    }

    private func apply(_ effect: AppEffect) {
        switch effect {
        case .run(let id, let launch):
            guard !quitting else { return }
            let size = TerminalSize(
                rows: UInt16(clamping: screen.size.rows), columns: UInt16(clamping: screen.size.columns))
            let failed = steps.start(id, launch, terminalSize: size)
            // Once spawned: where `StepMonitor` starts the step's duration, headless or not.
            if failed.isEmpty { trace?.record("run \(id)") }
            pending += failed
        case .cancel(let id):
            if let step = interactive, step.id == id {
                step.terminate()
            } else {
                steps.cancel(id)
            }
        case .runInteractive(let id, let launch):
            guard !quitting else { return }
            startInteractive(id, launch)
        case .journal(let event, let sync):
            recorder.append(event, sync: sync)
        case .openSession(let path):
            recorder.open(runbookPath: path)
        case .quit(let message):
            beginQuit(message: message)
        case .suspend:
            suspendRequested = true
        }
    }

    private func startInteractive(_ id: RunID, _ launch: StepLaunch) {
        guard interactive == nil else {
            let execution = StepExecution(
                launch.request(terminalSize: TerminalSize(rows: 24, columns: 80)),
                masker: SecretMasker(secrets: launch.secrets), journal: recorder)
            let result = execution.finish(.failedToStart("another interactive step has the terminal"), duration: .zero)
            pending.append(.interactiveFinished(id, RunEnding(result)))
            return
        }
        screen.suspend()
        Self.write(
            STDOUT_FILENO,
            "\n── runbook · step \(TerminalSafeText.make(launch.step.id)): \(TerminalSafeText.make(launch.step.title))"
                + " ── interactive: the terminal is the step's until it exits ──\n\n")
        do {
            interactive = try InteractiveStep(
                id, launch, terminal: STDIN_FILENO, journal: recorder,
                runtimeDirectory: runtime.runFolder)
        } catch {
            screen.resume()
            urgent = true
            pending.append(.interactiveFinished(id, error.ending))
        }
    }

    private func finishInteractive(_ step: InteractiveStep, _ ending: RunEnding) {
        interactive = nil
        if quitting {
            screen.end()
        } else {
            screen.resume()
            urgent = true
        }
        dispatch(.interactiveFinished(step.id, ending))
    }

    private func received(signal: Int32) {
        trace?.record("signal \(signal)")
        if quitting {
            // A second signal: no more waiting.
            steps.killAll()
            killedAll = true
            quitDeadline = .now()
            return
        }
        terminatedBy = signal
        dispatch(.terminate(signal: signal))
        if !quitting { beginQuit(message: nil) }
    }

    /// Gives the terminal back at once and starts stopping every step; the loop then waits for them.
    private func beginQuit(message: String?) {
        guard !quitting else { return }
        quitting = true
        quitMessage = message
        let now = MonotonicInstant.now()
        quitDeadline = now + Self.quitKillAfter
        steps.cancelAll(now: now)
        interactive?.terminate(now: now)
        if interactive == nil { releaseTerminal() }
        if !steps.isEmpty {
            let n = steps.count
            Self.write(STDERR_FILENO, "runbook: stopping \(n) running step\(n == 1 ? "" : "s")…\n")
        }
    }

    private func releaseTerminal() {
        screen.end()
        rb_crash_guard_set_restore(nil, 0)
    }

    private func finish() -> Int32 {
        var abandoned = steps.abandonAll()
        if let step = interactive {
            abandoned.append(.interactiveFinished(step.id, step.abandon()))
            interactive = nil
        }
        releaseTerminal()
        // Runs the runtime stopped waiting for end as cancelled (journaled so by their executions),
        // before the session's end.
        for event in abandoned { dispatch(event) }
        dispatch(.stopped)
        recorder.close()
        var out = ""
        if let message = quitMessage, !message.isEmpty { out += TerminalSafeText.make(message) + "\n" }
        out += Self.sessionHint(recorder.sessions.map(\.id))
        if !out.isEmpty { Self.write(STDOUT_FILENO, out) }
        for problem in recorder.problems { Self.writeError("runbook: \(problem)") }
        return terminatedBy.map { 128 + $0 } ?? 0
    }

    // MARK: Output after the terminal is released

    /// What is printed on leaving: the sessions recorded and how to get a report, once.
    static func sessionHint(_ ids: [String]) -> String {
        switch ids.count {
        case 0: return ""
        case 1: return "session \(ids[0]) recorded\nits report: runbook report \(ids[0])\n"
        default:
            return "sessions recorded: \(ids.joined(separator: ", "))\na report: runbook report <session>\n"
        }
    }

    private static func writeError(_ text: String) {
        write(STDERR_FILENO, TerminalSafeText.make(text) + "\n")
    }

    private static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
