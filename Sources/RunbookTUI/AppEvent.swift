import RunbookKit
import RunbookRunner

/// A key as the TUI understands it, decoded by the terminal backend.
public enum Key: Sendable, Hashable {
    case character(Character)
    case enter, escape, tab, backTab, backspace, delete
    case up, down, left, right, pageUp, pageDown, home, end
    /// Ctrl with a letter: `.control("c")` is Ctrl-C (in raw mode it arrives as a key, not a signal).
    case control(Character)
    case wheelUp, wheelDown
    case function(Int)
}

/// The size of the terminal in cells.
public struct ScreenSize: Sendable, Hashable {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }
}

/// Identifies one run of one step within the session (a step may run several times: `r` re-runs it).
public struct RunID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: Int
    public init(_ value: Int) { self.value = value }
    public static func < (a: RunID, b: RunID) -> Bool { a.value < b.value }
    public var description: String { "run-\(value)" }
}

/// Everything that happens to the TUI arrives as one of these, in order, through `AppState.update`.
public enum AppEvent: Sendable {
    case key(Key)
    /// Text pasted with bracketed paste: one event, whatever it holds. It goes into the text field
    /// that has focus as text (never as keys: a newline in it submits nothing), or is ignored.
    case paste(String)
    /// The keys and pastes that follow, up to the next of these, came in one read of the terminal
    /// (burst `n`, counting up). A question (a confirmation, a manual indicator's y/n) takes its
    /// answer only from a later burst than the one it appeared in: keys typed ahead, or pasted into
    /// a terminal without bracketed paste, never answer it. Without these events every key counts
    /// as pressed on its own.
    case inputBurst(Int)
    case resize(ScreenSize)
    /// Sanitized output lines of a running step (secrets already masked), in arrival order, the
    /// incomplete line so far (for live display), if any, and the step's verdicts so far, as its
    /// ``StepExecution`` judged them. The lines of a turn travel as one batch, with no `String` per line.
    case output(RunID, lines: OutputLineBatch, partial: OutputLine?, verdicts: [Verdict])
    /// The step's process group is gone: how it ended, as its ``StepExecution`` settled it.
    case exited(RunID, RunEnding)
    /// The interactive step the TUI handed the terminal to has finished; the TUI has the terminal back.
    case interactiveFinished(RunID, RunEnding)
    /// The session's journal stopped recording (or could not start): a banner says so from now on.
    case journalStopped(reason: String)
    /// About every 250 ms while anything runs (elapsed time, spinners); `nowMs` is monotonic milliseconds.
    case tick(nowMs: Int)
    /// The runtime is up, sent once before the first frame: opens ``AppOptions/initialRunbookPath``.
    case started
    /// SIGTERM, SIGHUP, SIGINT or SIGQUIT reached the process: cancel everything and quit.
    case terminate(signal: Int32)
    /// The runtime is leaving and stops waiting for the steps still running (their groups were
    /// killed): their runs end as cancelled, and the session ends.
    case stopped
}

/// How a run ended, as the runtime reports it: the end, the duration, the values it assigned for later
/// steps, and its settled verdicts.
public struct RunEnding: Sendable {
    public var end: StepEnd
    public var durationMs: Int
    public var assigned: [String: String]
    public var verdicts: [Verdict]

    public init(end: StepEnd, durationMs: Int, assigned: [String: String], verdicts: [Verdict]) {
        self.end = end
        self.durationMs = durationMs
        self.assigned = assigned
        self.verdicts = verdicts
    }

    public init(_ result: StepRunResult) {
        self.init(end: result.end, durationMs: result.durationMs, assigned: result.assigned, verdicts: result.verdicts)
    }
}

extension AppEvent {
    static func exited(_ id: RunID, _ result: StepRunResult) -> AppEvent { .exited(id, RunEnding(result)) }
}

/// What `update` asks the runtime to do. The runtime performs effects in order and reports back with
/// events; `update` itself never touches a file descriptor.
public enum AppEffect: Sendable, Equatable {
    /// Start a step: spawn it in its own process group with exactly this environment, stream its
    /// output back as `.output`, then `.exited`. `timeLimitMs` nil means the default.
    case run(RunID, StepLaunch)
    /// Cancel a running step: SIGINT, SIGTERM, SIGKILL to its group, then `.exited(.cancelled)`.
    case cancel(RunID)
    /// Hand the real terminal to an interactive step (endwin, run it in the foreground, take the
    /// terminal back), then `.interactiveFinished`.
    case runInteractive(RunID, StepLaunch)
    /// Append this to the session journal (secrets already masked). `sync` after a step ends.
    case journal(JournalEvent, sync: Bool)
    /// Start the session's journal for this runbook (creates the session folder).
    case openSession(runbookPath: String)
    /// Leave: cancel every running group, close the journal, restore the terminal, print `message`.
    case quit(message: String?)
    /// Ctrl-Z: give the terminal back to the shell and stop the process (job control) until it is
    /// continued (`fg`), then take the terminal back and redraw everything. Steps keep running.
    case suspend
}

/// A step ready to run: its environment is final. The runtime builds the command line with
/// `StepInvocation` (which captures the variables the step assigns) and spawns `shell` with it.
public struct StepLaunch: Sendable, Equatable {
    public var step: Step
    /// Entry id, checklist id or `tree`.
    public var scope: String?
    /// The runbook's `shell:` setting, nil for /bin/sh; the runtime finds it in PATH.
    public var shell: String?
    public var environment: [String: String]
    public var workingDirectory: String?
    public var timeLimitMs: Int?
    /// Secret values to mask in the step's output before it reaches `update`.
    public var secrets: [String]

    public init(
        step: Step, scope: String?, shell: String?, environment: [String: String], workingDirectory: String?,
        timeLimitMs: Int?, secrets: [String]
    ) {
        self.step = step
        self.scope = scope
        self.shell = shell
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeLimitMs = timeLimitMs
        self.secrets = secrets
    }
}
