import Foundation

/// Where the shared corpus of real-world runbooks is, for the integration tests that read it.
///
/// The corpus (prometheus-operator's alert runbooks, written for people and for no tool) is not part
/// of the repository: CI has it beside the repository, at `../shared/corpus/prometheus-operator-runbooks`,
/// and a fresh clone has nothing there. A test that reads it is an integration test: it runs when the
/// corpus is found, and is skipped otherwise, with `skipReason` printed:
///
/// ```swift
/// @Test(.enabled(if: CorpusFolder.prometheusOperator.isExpected, Comment(rawValue: CorpusFolder.prometheusOperator.skipReason)))
/// func corpusLoads() throws {
///     let corpus = try CorpusFolder.prometheusOperator.folder()
/// ```
///
/// `RUNBOOK_CORPUS=<folder>` names the folder instead; then it must be there (a wrong value fails
/// the test rather than skipping it, so CI cannot lose the corpus without noticing).
public struct CorpusFolder: Sendable, Equatable {
    /// The variable that names the folder of the prometheus-operator runbooks.
    public static let environmentVariable = "RUNBOOK_CORPUS"
    /// Where the folder is looked for without the variable, relative to the package root.
    public static let defaultRelativePath = "../shared/corpus/prometheus-operator-runbooks"

    /// The folder of the prometheus-operator runbooks (it holds `content/`).
    public let root: String
    /// The runbooks themselves: Markdown files, in folders.
    public var content: String { root + "/content" }

    public init(root: String) {
        self.root = root
    }

    /// The outcome of looking for the corpus.
    public enum Location: Sendable, Equatable {
        /// Found: the integration tests run.
        case found(CorpusFolder)
        /// Neither named nor beside the repository: the integration tests are skipped, for this reason.
        case absent(reason: String)
        /// Named by `RUNBOOK_CORPUS`, but not there: the integration tests run and fail with this reason.
        case misnamed(reason: String)

        /// Whether the tests that need the corpus are to run (they then fail if it is misnamed).
        public var isExpected: Bool {
            if case .absent = self { return false }
            return true
        }

        /// Why the tests that need the corpus are skipped, and how to run them.
        public var skipReason: String {
            switch self {
            case .absent(let reason), .misnamed(let reason): reason
            case .found(let folder): "the corpus is at \(folder.root)"
            }
        }

        /// The folder, or an error saying why there is none.
        public func folder() throws -> CorpusFolder {
            switch self {
            case .found(let folder): folder
            case .absent(let reason), .misnamed(let reason): throw CorpusFolderError(reason: reason)
            }
        }
    }

    /// Where the prometheus-operator runbooks are for this test run: `$RUNBOOK_CORPUS`, or the
    /// default folder beside the repository.
    public static let prometheusOperator: Location = locate(
        environment: ProcessInfo.processInfo.environment, packageRoot: PackageRoot.path,
        isFolder: { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
        })

    /// Looks for the corpus: `environment[RUNBOOK_CORPUS]` when set and not empty (relative to the
    /// package root when not absolute), otherwise `defaultRelativePath` under `packageRoot`. A folder
    /// counts only if it holds `content/`.
    public static func locate(
        environment: [String: String], packageRoot: String, isFolder: (String) -> Bool
    ) -> Location {
        let howToRun = "to run it, set \(environmentVariable)=<folder of the prometheus-operator runbooks> "
            + "(a checkout of github.com/prometheus-operator/runbooks, holding content/), "
            + "or put that folder at \(defaultRelativePath) beside the repository, as CI does"
        if let named = environment[environmentVariable], !named.isEmpty {
            let root = absolute(named, from: packageRoot)
            guard isFolder(root + "/content") else {
                let what = isFolder(root) ? "has no content/ folder" : "is not a folder"
                return .misnamed(reason: "\(environmentVariable)=\(named): \(root) \(what); \(howToRun)")
            }
            return .found(CorpusFolder(root: root))
        }
        let root = absolute(defaultRelativePath, from: packageRoot)
        guard isFolder(root + "/content") else {
            return .absent(reason: "an integration test: the prometheus-operator runbooks are not at \(root); \(howToRun)")
        }
        return .found(CorpusFolder(root: root))
    }

    /// `path` made absolute against `base`, with `.` and `..` resolved.
    static func absolute(_ path: String, from base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        return URL(fileURLWithPath: joined).standardized.path
    }
}

/// The corpus is not where it was named, or not there at all.
public struct CorpusFolderError: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public var description: String { reason }
}
