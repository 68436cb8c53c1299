import CSystem
import RunbookKit
import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// An interactive step (a `psql` prompt, `kubectl exec -it`, `$EDITOR`) running in the foreground
/// of the real terminal while the TUI has given it up.
///
/// The screen is suspended first (`def_prog_mode` + `endwin`: the shell's terminal modes are back).
/// The step is a ``StepExecution`` like any other (shell, command line, capture folder for the values
/// it assigns, journal records, exit indicators, outcome) whose process is a ``ForegroundProcess``:
/// fds 0-2 are the TUI's terminal and its group is the terminal's foreground group while it runs. The
/// TUI keeps its one loop going meanwhile (other steps' output, signals), without drawing or reading
/// keys. When it ends, ``AppEvent/interactiveFinished(_:_:)`` reports the ending.
final class InteractiveStep {
    let id: RunID
    private let execution: StepExecution
    private let process: ForegroundProcess

    /// Starts `launch` in the foreground of `terminal` (the screen must be suspended already).
    /// Throws with the execution finished (journaled) as failed to start.
    init(_ id: RunID, _ launch: StepLaunch, terminal: Int32, journal: JournalSink?, runtimeDirectory: String? = nil)
        throws(StartFailure)
    {
        self.id = id
        let execution = StepExecution(
            launch.request(terminalSize: TerminalSize(rows: 24, columns: 80)), masker: SecretMasker(secrets: launch.secrets),
            journal: journal, settings: RunningSteps.outputSettings, runtimeDirectory: runtimeDirectory)
        let request: SpawnRequest
        switch execution.spawnRequest {
        case .success(let r): request = r
        case .failure(let missing):
            throw StartFailure(ending: RunEnding(execution.finish(.failedToStart(missing.description), duration: .zero)))
        }
        do {
            process = try ForegroundProcess(
                executable: request.shell, arguments: [request.shell] + request.arguments, environment: request.environment,
                workingDirectory: request.workingDirectory, terminal: terminal)
        } catch {
            throw StartFailure(ending: RunEnding(execution.finish(.failedToStart(error.message), duration: .zero)))
        }
        self.execution = execution
    }

    /// A step that could not start, already journaled.
    struct StartFailure: Error {
        var ending: RunEnding
    }

    /// The pidfd to poll, if there is one.
    var exitFD: Int32? { process.exitFD }

    /// Asks the step to stop (a signal to the TUI, or quitting): the standard escalation.
    func terminate(now: MonotonicInstant = .now()) { process.terminate(now: now) }

    /// Sends what is due and checks the leader: the step's ending once it has exited.
    func advance(now: MonotonicInstant) -> RunEnding? {
        guard let ending = process.advance(now: now) else { return nil }
        let end: StepEnd
        if ending.terminated {
            end = .cancelled
        } else {
            switch ending.status {
            case .exited(let c)?: end = .exited(c)
            case .signaled(let s)?: end = .signaled(s)
            case nil: end = .failedToStart("its exit status was lost")
            }
        }
        return RunEnding(execution.finish(end, duration: ending.duration))
    }

    /// The next instant a signal is due, or a stop check.
    func nextDeadline(now: MonotonicInstant) -> MonotonicInstant { process.nextDeadline(now: now) }

    /// Gives up waiting (the runtime is leaving): SIGKILL to the group, the terminal back, the run
    /// journaled as cancelled.
    func abandon() -> RunEnding {
        process.abandon()
        return RunEnding(execution.finish(.cancelled, duration: .now() - process.startedAt))
    }
}
