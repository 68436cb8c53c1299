/// What to start for one step: a shell, its arguments, and exactly the environment it gets.
///
/// Variables reach the command through `environment`, never by splicing them into the command text:
///
/// ```swift
/// let request = SpawnRequest(
///     shell: "/bin/sh",
///     arguments: ["-c", #"kubectl get pods -n "$NAMESPACE""#],
///     environment: ["PATH": "/usr/bin:/bin", "NAMESPACE": namespace]
/// )
/// ```
public struct SpawnRequest: Sendable, Hashable {
    /// Absolute path of the shell (no `PATH` search).
    public var shell: String
    /// The arguments after the shell's own name, e.g. `["-c", command]`.
    public var arguments: [String]
    /// The child's entire environment: nothing is inherited from this process.
    public var environment: [String: String]
    /// The directory the child starts in; nil keeps this process's.
    public var workingDirectory: String?
    /// Run on a new pseudo-terminal instead of pipes: tools colour and line-buffer as in a terminal,
    /// stdout and stderr arrive merged as `.stdout`, line ends become CRLF, and stdin is the terminal,
    /// which is also the step's controlling terminal. A step that reads stdin then waits for input
    /// (written to ``ChildProcess/outputFD``, the master) until its time limit or a cancel; in pipe
    /// mode stdin is /dev/null and such a read sees EOF at once.
    public var usePseudoTerminal: Bool
    /// The pseudo-terminal's size, when `usePseudoTerminal` is set.
    public var terminalSize: TerminalSize

    public init(
        shell: String = "/bin/sh",
        arguments: [String],
        environment: [String: String],
        workingDirectory: String? = nil,
        usePseudoTerminal: Bool = false,
        terminalSize: TerminalSize = TerminalSize(rows: 24, columns: 80)
    ) {
        self.shell = shell
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.usePseudoTerminal = usePseudoTerminal
        self.terminalSize = terminalSize
    }

    /// A request to run `command` with `shell -c`.
    public static func command(
        _ command: String,
        shell: String = "/bin/sh",
        environment: [String: String],
        workingDirectory: String? = nil,
        usePseudoTerminal: Bool = false
    ) -> SpawnRequest {
        SpawnRequest(
            shell: shell, arguments: ["-c", command], environment: environment,
            workingDirectory: workingDirectory, usePseudoTerminal: usePseudoTerminal)
    }
}

/// A terminal's size in character cells.
public struct TerminalSize: Sendable, Hashable {
    public var rows: UInt16
    public var columns: UInt16

    public init(rows: UInt16, columns: UInt16) {
        self.rows = rows
        self.columns = columns
    }
}
