#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a step's shell could not be started.
public struct SpawnError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The part of starting that failed.
    public enum Stage: String, Sendable, Hashable {
        /// The shell is missing or not executable.
        case shell
        /// The working directory is missing or cannot be entered.
        case workingDirectory
        /// The output pipes could not be created (usually: out of file descriptors).
        case pipes
        /// No pseudo-terminal could be opened.
        case pseudoTerminal
        /// The request cannot be passed to a process: a NUL byte in an argument or a variable, or a
        /// variable name that is empty or contains `=`.
        case request
        /// Anything else the system refused.
        case system
    }

    public var stage: Stage
    /// The `errno` value reported.
    public var code: Int32
    /// The shell that was to run.
    public var shell: String
    /// The working directory asked for, if any.
    public var workingDirectory: String?

    public init(stage: Stage, code: Int32, shell: String, workingDirectory: String? = nil) {
        self.stage = stage
        self.code = code
        self.shell = shell
        self.workingDirectory = workingDirectory
    }

    /// What went wrong and what to check, naming the shell.
    public var message: String {
        let reason = String(cString: strerror(code))
        switch stage {
        case .shell:
            return "cannot run shell \(shell): \(reason); check that it exists and is executable"
        case .workingDirectory:
            return "cannot start \(shell) in \(workingDirectory ?? "."): \(reason)"
        case .pipes:
            return "cannot create output pipes for \(shell): \(reason)"
        case .pseudoTerminal:
            return "cannot open a pseudo-terminal for \(shell): \(reason)"
        case .request:
            return "cannot start \(shell): an argument or environment variable contains a NUL byte, "
                + "or a variable name is empty or contains '='"
        case .system:
            return "cannot start \(shell): \(reason)"
        }
    }

    public var description: String { message }
}
