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
            for file in files {
                do {
                    runbooks.append(try loader.load(path: file))
                } catch {
                    failures.append(error.diagnostic)
                }
            }
        }
        return RunbookLibrary(runbooks: runbooks, failures: failures)
    }
}
