/// Every runbook found under some paths, and the files that failed to load (shown, never hidden):
/// what the TUI opens and `runbook drill` walks.
public struct RunbookLibrary: Sendable {
    public var runbooks: [Runbook]
    public var failures: [Diagnostic]

    public init(runbooks: [Runbook], failures: [Diagnostic]) {
        self.runbooks = runbooks
        self.failures = failures
    }

    /// Every runbook under `paths` (files, or folders searched for Markdown); a path or file that
    /// cannot be read becomes a failure rather than an error that stops the caller.
    public static func load(_ paths: [String], loader: RunbookLoader = RunbookLoader()) -> RunbookLibrary {
        var runbooks: [Runbook] = []
        var failures: [Diagnostic] = []
        for path in paths {
            let files: [String]
            do {
                files = try RunbookFinder.markdownFiles(in: [path])
            } catch {
                failures.append(error.diagnostic)
                continue
            }
            // Parsed on every core (RunbookCatalog.swift), kept in the order of the files.
            for result in loadFiles(files, loader: loader) {
                switch result {
                case .success(let rb): runbooks.append(rb)
                case .failure(let e): failures.append(e.diagnostic)
                }
            }
        }
        return RunbookLibrary(runbooks: runbooks, failures: failures)
    }
}
