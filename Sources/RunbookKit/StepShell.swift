/// Which shell runs a step: a block tagged with a shell's name runs with that shell; any other block
/// (`console`, `shell`, untagged) with the runbook's `shell:`, else `sh`.
///
/// | block           | runs with                                    |
/// |-----------------|----------------------------------------------|
/// | ```` ```bash ```` | `bash`                                      |
/// | ```` ```zsh ````  | `zsh` (skipped with a reason when not installed) |
/// | ```` ```sh ````   | `sh`                                        |
/// | anything else   | the front matter's `shell`, else `/bin/sh`   |
public enum StepShell {
    /// Block languages that name the shell to run them with.
    public static let byLanguage: [String: String] = ["bash": "bash", "zsh": "zsh", "sh": "sh"]

    /// The shell's name (looked up in PATH), or nil for `/bin/sh`.
    public static func name(for step: Step, runbookShell: String?) -> String? {
        if let named = byLanguage[step.language.lowercased()] { return named }
        guard let shell = runbookShell, !shell.isEmpty else { return nil }
        return shell
    }

    /// The program to run the step with, or why there is none.
    public static func program(for step: Step, runbookShell: String?, path: String?) -> Result<String, Missing> {
        let name = name(for: step, runbookShell: runbookShell)
        if let found = StepInvocation.shellPath(name, path: path) { return .success(found) }
        let fromBlock = byLanguage[step.language.lowercased()] != nil
        return .failure(Missing(shell: name ?? "sh", fromBlock: fromBlock))
    }

    /// A shell that is not installed.
    public struct Missing: Error, Sendable, Hashable, CustomStringConvertible {
        public var shell: String
        /// Whether the block's language asked for it (else the front matter's `shell:` did).
        public var fromBlock: Bool

        public var description: String {
            fromBlock
                ? "`\(shell)` is not installed (the block is tagged \(shell)): install it, or tag the block sh"
                : "shell `\(shell)` from the front matter is not in PATH"
        }
    }
}
