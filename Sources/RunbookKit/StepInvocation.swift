#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a step's command is handed to the shell.
///
/// The command text reaches the shell as `-c` text, exactly as the runbook wrote it (prompts stripped,
/// placeholders turned into expansions). Variable values are never in that text: they are in the
/// environment. When the step assigns variables that later steps may use (`GKE_SA=$(...)`), the command
/// is run through a fixed wrapper instead: the command travels in `RUNBOOK_STEP_COMMAND`, runs with
/// `eval`, and an EXIT trap writes the assigned variables, NUL-separated, to a private file.
public struct StepInvocation: Sendable, Hashable {
    public var arguments: [String]
    /// Variables to add to the step's environment for the wrapper.
    public var environment: [String: String]
    /// The variables whose values are read back after the step, if any.
    public var captures: [String]

    /// The wrapper: fixed text, no value from a runbook or a user is ever part of it.
    static let wrapper = """
        __runbook_capture() {
          __runbook_status=$?
          trap - EXIT
          for __runbook_name in $(printf '%s' "${RUNBOOK_CAPTURE-}"); do
            eval "__runbook_isset=\\${$__runbook_name+x}"
            if [ -n "$__runbook_isset" ]; then
              eval "printf '%s=%s\\\\0' \\"\\$__runbook_name\\" \\"\\${$__runbook_name}\\""
            fi
          done > "$RUNBOOK_CAPTURE_FILE"
          exit $__runbook_status
        }
        trap __runbook_capture EXIT
        eval "$RUNBOOK_STEP_COMMAND"
        """

    /// `captureFile` is where assigned values are written; nil runs the command plainly.
    public init(command: String, captureFile: String?) {
        let names = ShellText(command).assignments.filter { Variable.isValidName($0) && !$0.hasPrefix("__runbook") }.sorted()
        if let captureFile, !names.isEmpty {
            arguments = ["-c", Self.wrapper]
            environment = [
                "RUNBOOK_STEP_COMMAND": command,
                "RUNBOOK_CAPTURE": names.joined(separator: " "),
                "RUNBOOK_CAPTURE_FILE": captureFile,
            ]
            captures = names
        } else {
            arguments = ["-c", command]
            environment = [:]
            captures = []
        }
    }

    /// Reads a capture file's `NAME=value\0` records.
    public static func parseCaptures(_ bytes: [UInt8], allowed: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for record in bytes.split(separator: 0, omittingEmptySubsequences: true) {
            guard let eq = record.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: record[record.startIndex..<eq], as: UTF8.self)
            guard allowed.contains(name) else { continue }
            out[name] = String(decoding: record[(eq + 1)...], as: UTF8.self)
        }
        return out
    }

    /// The shell program for a shell name (a name is looked up in PATH), else `/bin/sh`.
    public static func shellPath(_ shell: String?, path: String?) -> String? {
        guard let shell, !shell.isEmpty else { return "/bin/sh" }
        if shell.contains("/") { return shell }
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = dir + "/" + shell
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
