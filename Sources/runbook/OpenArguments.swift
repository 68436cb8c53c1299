import Foundation
import RunbookKit

/// What `runbook open`'s arguments ask for: the runbooks to load and, for a link (`FILE#ANCHOR`, a
/// URL, `--alert NAME`) or a single file, the runbook and the place to open at start.
struct OpenArguments {
    var library: RunbookLibrary
    var target: OpenTarget?

    /// Loads what the arguments name. A `FILE#ANCHOR` loads that file; a URL or an alert is looked for
    /// on the other paths given, else on $RUNBOOK_PATH or ./runbooks.
    static func resolve(paths: [String], alert: String?) throws(OpenError) -> OpenArguments {
        let exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
        var requests = paths.map { OpenRequest(argument: $0, fileExists: exists) }
        if let alert { requests.append(.alert(alert)) }
        let links = requests.filter(\.isLink)
        guard links.count <= 1 else {
            throw OpenError("open one link at a time: \(paths.filter { $0.contains("#") || $0.contains("://") }.joined(separator: ", "))")
        }
        let plain = requests.compactMap { r -> String? in
            if case .file(let path, nil) = r { return path }
            return nil
        }
        guard let link = links.first else {
            let library = RunbookLibrary.load(plain.isEmpty ? defaultRunbookPaths() : plain)
            // One file given: open it, not a list of one.
            var target: OpenTarget?
            if plain.count == 1, !Self.isFolder(plain[0]), library.runbooks.count == 1 {
                target = OpenTarget(path: library.runbooks[0].path)
            }
            return OpenArguments(library: library, target: target)
        }
        let searchPath: [String]
        if case .file(let path, _) = link {
            guard exists(path) else {
                throw OpenError("no file \(path): check the path (runbook list shows the runbooks found)")
            }
            searchPath = [path] + plain
        } else {
            searchPath = plain.isEmpty ? defaultRunbookPaths() : plain
        }
        let library = RunbookLibrary.load(searchPath)
        if case .file(let path, _) = link, !library.runbooks.contains(where: { $0.path == path }),
            let failure = library.failures.first(where: { $0.file == path })
        {
            throw OpenError(failure.description)
        }
        let target = try RunbookResolver(runbooks: library.runbooks, searchPath: searchPath).resolve(link)
        return OpenArguments(library: library, target: target)
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
