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
    /// The runbook's `shell:` (a name looked up in PATH), nil for `/bin/sh`; a block tagged `bash`,
    /// `zsh` or `sh` runs with that shell instead (``StepShell``).
    public var shell: String?
    /// Exactly the environment the command gets: see `VariableResolver.environment(for:)`.
    public var environment: [String: String]
    public var workingDirectory: String?
    public var timeLimit: TimeLimit?
    /// The size of the pseudo-terminal, for a `pty` step.
    public var terminalSize = TerminalSize(rows: 24, columns: 80)

    public init(step: Step, scope: String?, shell: String?, environment: [String: String], workingDirectory: String?,
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

/// Runs one step to its end on the calling thread (`runbook check`): a ``StepExecution`` watched by a
/// ``StepSupervisor``'s blocking loop. Every rule is the execution's; this only drives it.
public struct StepRunner {
    public var journal: JournalSink?
    public var masker: SecretMasker
    public var settings = StepOutputProcessor.Settings()
    /// Where private capture folders are made (the run guard's private run folder, else /tmp).
    public var runtimeDirectory: String?
    /// The time limit of a step when neither the step nor the runbook sets one.
    public static let defaultTimeLimit = StepExecution.defaultTimeLimit

    public init(journal: JournalSink?, masker: SecretMasker) {
        self.journal = journal
        self.masker = masker
    }

    /// Runs the step to its end on this thread. `cancelFD`: a descriptor that becomes readable to cancel.
    public func run(_ request: StepRunRequest, cancelFD: Int32? = nil) -> StepRunResult {
        let execution = StepExecution(
            request, masker: masker, journal: journal, settings: settings, runtimeDirectory: runtimeDirectory)
        let spawn: SpawnRequest
        switch execution.spawnRequest {
        case .success(let r): spawn = r
        case .failure(let missing): return execution.finish(.failedToStart(missing.description), duration: .zero)
        }
        do {
            let outcome = try execution.supervisor.run(spawn, cancelFD: cancelFD) { channel, bytes in
                execution.take(channel, bytes)
            }
            return execution.finish(outcome)
        } catch {
            return execution.finish(.failedToStart(error.message), duration: .zero)
        }
    }
}
