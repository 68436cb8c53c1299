import Foundation
import Yams

/// A scenario that cannot be used: every problem found, each `file:line:col: error: what and how to fix`.
public struct DrillScenarioError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Reads drill scenario files (YAML) into ``DrillScenario`` values, and finds them in a drills folder.
///
/// Every problem is a diagnostic with its line and column: a YAML syntax error, a document that is
/// not a mapping, an unknown or repeated key, a missing or empty required key, a value of the wrong
/// shape, an `id` that differs from the file's stem, a bad fact name, a workspace path that is
/// absolute or goes up with `..`, a file, folder or runbook that does not exist, an entry the
/// runbook does not have. All problems of a file are reported together; nothing here crashes.
public struct DrillScenarioLoader: Sendable {
    /// The keys a scenario may have.
    public static let knownKeys = ["id", "title", "description", "runbook", "entry", "simulators", "files", "state", "lab"]
    /// A scenario file may be at most this many bytes.
    public static let maximumSize = 256 * 1024
    /// The extension of scenario files.
    public static let fileExtension = "yaml"

    public init() {}

    // MARK: Finding scenarios

    /// The scenario files of a drills folder (`*.yaml` directly in it, not in subfolders), sorted.
    public static func scenarioFiles(in folder: String) throws(LoadError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw LoadError(file: folder, "no drills folder here: give one with --drills DIR")
        }
        guard isDirectory.boolValue else {
            throw LoadError(file: folder, "is not a folder: --drills takes the folder of the scenario files")
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw LoadError(file: folder, "cannot read the drills folder")
        }
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        return names.filter { !$0.hasPrefix(".") && $0.hasSuffix("." + fileExtension) }.sorted().map { base + "/" + $0 }
    }

    /// The scenario file that `name` means: a path when it names a file or ends in `.yaml`/`.yml`,
    /// else the id of a scenario in `drills`.
    public static func locate(_ name: String, drills: String) throws(LoadError) -> String {
        if name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.contains("/") {
            return name
        }
        let base = drills.hasSuffix("/") ? String(drills.dropLast()) : drills
        let file = base + "/" + name + "." + fileExtension
        if FileManager.default.fileExists(atPath: file) { return file }
        let known = (try? scenarioFiles(in: drills))?.map { stem(of: $0) } ?? []
        let hint = known.isEmpty ? "`runbook drill --list` shows the scenarios" : "known: " + known.joined(separator: ", ")
        throw LoadError(file: file, "no drill scenario `\(name)` in \(drills): \(hint)")
    }

    /// The file name without its folder and extension.
    public static func stem(of path: String) -> String {
        var name = Substring(path)
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { name = name[..<dot] }
        return String(name)
    }

    // MARK: Loading

    /// Reads and checks the scenario file at `path`.
    public func load(path: String) throws(DrillScenarioError) -> DrillScenario {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DrillScenarioError([Self.error(path, 1, 1, "no such scenario file: give a drill's id or the path of its .yaml file")])
        }
        if isDirectory.boolValue {
            throw DrillScenarioError([Self.error(path, 1, 1, "is a folder, not a scenario file: give the path of a .yaml file")])
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DrillScenarioError([Self.error(path, 1, 1, "cannot read the scenario file: check its permissions")])
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: Self.maximumSize + 1)) ?? Data()
        return try load(bytes: Array(data), path: path)
    }

    /// Checks a scenario's text as if it were the file at `path` (the paths it names are still
    /// resolved against the folder of `path`, and must exist).
    public func load(bytes: [UInt8], path: String) throws(DrillScenarioError) -> DrillScenario {
        var reader = Reader(path: path)
        let scenario = reader.read(bytes)
        if let scenario, reader.diagnostics.isEmpty { return scenario }
        throw DrillScenarioError(reader.diagnostics.sorted { $0.location < $1.location })
    }

    static func error(_ file: String, _ line: Int, _ column: Int, _ message: String) -> Diagnostic {
        Diagnostic(file: file, location: SourceLocation(line: line, column: column), severity: .error, message: message)
    }

    /// Joins `relative` to `folder` and removes `.` and `..` names where it can, without touching
    /// the file system (the result stays relative when both are).
    public static func resolve(_ relative: String, against folder: String) -> String {
        let joined = relative.hasPrefix("/") ? relative : (folder.isEmpty ? relative : folder + "/" + relative)
        let absolute = joined.hasPrefix("/")
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", absolute {
                continue
            } else {
                parts.append(part)
            }
        }
        let path = parts.joined(separator: "/")
        if absolute { return "/" + path }
        return path.isEmpty ? "." : path
    }

    /// The folder of `path` ("." for a bare file name).
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// One file's reading: the diagnostics found so far.
    struct Reader {
        let path: String
        var diagnostics: [Diagnostic] = []

        init(path: String) { self.path = path }

        mutating func report(_ line: Int, _ column: Int, _ message: String) {
            diagnostics.append(DrillScenarioLoader.error(path, line, column, message))
        }

        mutating func report(_ node: Node, _ message: String) {
            report(node.mark?.line ?? 1, node.mark?.column ?? 1, message)
        }

        mutating func read(_ bytes: [UInt8]) -> DrillScenario? {
            if bytes.count > DrillScenarioLoader.maximumSize {
                report(1, 1, "the scenario file is larger than 256 KiB: keep it to the scenario's keys")
                return nil
            }
            if bytes.contains(0) {
                report(1, 1, "the scenario file is binary: write it as YAML text")
                return nil
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                report(1, 1, "the scenario file is not UTF-8 text: save it as UTF-8")
                return nil
            }
            let yaml = Substring(text)
            if let (line, column) = FrontMatter.firstAnchorOrAlias(yaml) {
                report(line, column, "the scenario uses a YAML anchor or alias (&name, *name): write the values out instead")
                return nil
            }
            if let (line, column) = FrontMatter.excessiveNesting(yaml) {
                report(line, column, "the scenario nests deeper than \(FrontMatter.maximumNesting) levels: flatten it")
                return nil
            }
            let node: Node?
            do {
                node = try Yams.compose(yaml: text, FrontMatter.resolver, .default, .utf8)
            } catch let error as YamlError {
                if let (name, line, column) = Self.duplicateKey(error, in: text) {
                    report(line, column, "`\(TerminalSafeText.make(name))` is given twice: keep one")
                    return nil
                }
                let (mark, problem) = FrontMatter.describe(error)
                // Yams may add the whole document as context: the first line says what is wrong.
                let firstLine = problem.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? problem
                report(mark?.line ?? 1, mark?.column ?? 1, "invalid YAML: \(TerminalSafeText.make(firstLine))")
                return nil
            } catch {
                report(1, 1, "invalid YAML: \(error)")
                return nil
            }
            if let node, case .scalar(let s) = node, FrontMatter.isNull(s) {
                report(1, 1, "the scenario file is empty: write a mapping with title, description, runbook and simulators")
                return nil
            }
            guard let node else {
                report(1, 1, "the scenario file is empty: write a mapping with title, description, runbook and simulators")
                return nil
            }
            guard case .mapping(let mapping) = node else {
                report(node, "a scenario must be a mapping of keys to values, such as `title: ...` (see docs/drills.md)")
                return nil
            }
            return read(mapping)
        }

        /// A key given twice, which Yams reports without a useful place: its name, and the line and
        /// column of its second occurrence at the indentation of its first.
        static func duplicateKey(_ error: YamlError, in text: String) -> (String, Int, Int)? {
            guard case .duplicatedKeysInMapping(let duplicates, _) = error, let name = duplicates.sorted().first else {
                return nil
            }
            var seen: Int?
            var lineNumber = 0
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                lineNumber += 1
                let indent = line.prefix { $0 == " " }.count
                let body = line.dropFirst(indent)
                guard body.hasPrefix(name + ":") || body.hasPrefix("\"\(name)\":") || body.hasPrefix("'\(name)':") else { continue }
                if let first = seen, first == indent { return (name, lineNumber, indent + 1) }
                if seen == nil { seen = indent }
            }
            return (name, 1, 1)
        }

        mutating func read(_ mapping: Node.Mapping) -> DrillScenario? {
            let folder = DrillScenarioLoader.folder(of: path)
            let stem = DrillScenarioLoader.stem(of: path)
            var values: [String: (key: Node, value: Node)] = [:]
            for (keyNode, value) in mapping {
                guard case .scalar(let key) = keyNode else {
                    report(keyNode, "scenario keys must be plain names, such as `title`")
                    continue
                }
                guard DrillScenarioLoader.knownKeys.contains(key.string) else {
                    report(
                        keyNode,
                        "unknown key `\(TerminalSafeText.make(key.string))`: a scenario has "
                            + DrillScenarioLoader.knownKeys.joined(separator: ", "))
                    continue
                }
                if values[key.string] != nil {
                    report(keyNode, "`\(key.string)` is given twice: keep one")
                    continue
                }
                values[key.string] = (keyNode, value)
            }
            let mappingMark = Node.mapping(mapping).mark

            func missing(_ key: String, _ how: String) {
                report(mappingMark?.line ?? 1, mappingMark?.column ?? 1, "`\(key)` is missing: \(how)")
            }

            // id
            if let (_, value) = values["id"] {
                if let id = text("id", value, allowEmpty: false), id != stem {
                    report(
                        value,
                        "`id` is `\(TerminalSafeText.make(id))` but the file is \(stem).yaml: the id is the file's stem; rename the file or fix the id")
                }
            }
            // title and description
            var title: String?
            if let (_, value) = values["title"] {
                title = text("title", value, allowEmpty: false)
            } else {
                missing("title", "add `title: \"...\"`, a short name of the failure drilled")
            }
            var description: String?
            if let (_, value) = values["description"] {
                description = text("description", value, allowEmpty: false)
            } else {
                missing("description", "add `description: ...`, what the trainee will meet (not the answer)")
            }
            // runbook and entry
            var runbook: String?
            var loadedRunbook: Runbook?
            if let (_, value) = values["runbook"], let relative = text("runbook", value, allowEmpty: false) {
                let resolved = DrillScenarioLoader.resolve(relative, against: folder)
                if !Self.isFile(resolved) {
                    report(
                        value,
                        "runbook `\(TerminalSafeText.make(relative))` not found (looked for \(TerminalSafeText.make(resolved))): the path is relative to the scenario file")
                } else if !(resolved.lowercased().hasSuffix(".md") || resolved.lowercased().hasSuffix(".markdown")) {
                    report(value, "runbook `\(TerminalSafeText.make(relative))` is not a Markdown file (.md): name the runbook the drill opens")
                } else {
                    runbook = resolved
                    do {
                        loadedRunbook = try RunbookLoader().load(path: resolved)
                    } catch {
                        report(value, "runbook `\(TerminalSafeText.make(relative))` cannot be loaded: \(error.diagnostic.message)")
                        runbook = nil
                    }
                }
            } else if values["runbook"] == nil {
                missing("runbook", "add `runbook: ../NAME.md`, the runbook the drill opens, relative to this file")
            }
            var entry: String?
            if let (_, value) = values["entry"] {
                if case .scalar(let s) = value, FrontMatter.isNull(s) {
                    entry = nil
                } else if let name = text("entry", value, allowEmpty: false) {
                    if let loadedRunbook {
                        if let found = loadedRunbook.entry(named: name) {
                            entry = found.id
                        } else {
                            let ids = loadedRunbook.entries.map(\.id)
                            report(
                                value,
                                "the runbook has no entry `\(TerminalSafeText.make(name))`: use one of "
                                    + (ids.isEmpty ? "its entries (it has none)" : ids.joined(separator: ", "))
                                    + ", or leave `entry` out for a healthy drill")
                        }
                    } else {
                        entry = name
                    }
                }
            }
            // simulators
            var simulators: String?
            if let (_, value) = values["simulators"] {
                if let relative = text("simulators", value, allowEmpty: false) {
                    let resolved = DrillScenarioLoader.resolve(relative, against: folder)
                    if Self.isFolder(resolved) {
                        simulators = resolved
                    } else {
                        report(
                            value,
                            "simulators folder `\(TerminalSafeText.make(relative))` not found (looked for \(TerminalSafeText.make(resolved))): name a folder relative to the scenario file")
                    }
                }
            } else {
                missing("simulators", "add `simulators: simulators/NAME`, the folder of the drill's simulator scripts")
            }
            // files
            var files: [DrillScenario.File] = []
            if let (_, value) = values["files"] {
                files = readFiles(value, folder: folder)
            }
            // state
            var facts: [DrillScenario.Fact] = []
            if let (_, value) = values["state"] {
                facts = readFacts(value)
            }
            // lab
            var lab: String?
            if let (_, value) = values["lab"], let relative = text("lab", value, allowEmpty: false) {
                let resolved = DrillScenarioLoader.resolve(relative, against: folder)
                if access(resolved, X_OK) == 0 && !Self.isFolder(resolved) {
                    lab = resolved
                } else {
                    report(
                        value,
                        "lab `\(TerminalSafeText.make(relative))` is not an executable file (looked for \(TerminalSafeText.make(resolved))): name the lab script relative to the scenario file, such as `lab/postgres`")
                }
            }
            guard let title, let description, let runbook, let simulators, diagnostics.isEmpty else { return nil }
            return DrillScenario(
                id: stem, title: title, description: description, path: path, runbook: runbook, entry: entry,
                simulators: simulators, files: files, facts: facts, lab: lab)
        }

        /// The text of a single value; a list, a mapping, or (unless allowed) an empty value is reported.
        mutating func text(_ key: String, _ node: Node, allowEmpty: Bool) -> String? {
            guard case .scalar(let s) = node else {
                report(node, "`\(key)` must be a single value, not a list or mapping")
                return nil
            }
            if !allowEmpty && (FrontMatter.isNull(s) || s.string.trimmingASCIISpaces().isEmpty) {
                report(node, "`\(key)` is empty: give it a value")
                return nil
            }
            return s.string
        }

        mutating func readFiles(_ node: Node, folder: String) -> [DrillScenario.File] {
            if case .scalar(let s) = node, FrontMatter.isNull(s) { return [] }
            guard case .mapping(let mapping) = node else {
                report(node, "`files` must map workspace paths to files, such as `Dockerfile: files/Dockerfile`")
                return []
            }
            var files: [DrillScenario.File] = []
            var seen = Set<String>()
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let key) = keyNode else {
                    report(keyNode, "a workspace path in `files` must be a plain path, such as `deployment/app.yaml`")
                    continue
                }
                let place = key.string
                if let problem = DrillScenario.workspacePathProblem(place) {
                    report(
                        keyNode,
                        "workspace path `\(TerminalSafeText.make(place))` \(problem): give a path inside the workspace's repository, such as `deployment/app.yaml`")
                    continue
                }
                guard seen.insert(place).inserted else {
                    report(keyNode, "workspace path `\(TerminalSafeText.make(place))` is given twice: keep one")
                    continue
                }
                if let other = seen.first(where: { $0 != place && ($0.hasPrefix(place + "/") || place.hasPrefix($0 + "/")) }) {
                    report(
                        keyNode,
                        "workspace path `\(TerminalSafeText.make(place))` and `\(TerminalSafeText.make(other))` cannot both be files: one is inside the other")
                    continue
                }
                guard let relative = text("files: \(place)", valueNode, allowEmpty: false) else { continue }
                let source = DrillScenarioLoader.resolve(relative, against: folder)
                guard Self.isFile(source) else {
                    report(
                        valueNode,
                        "file `\(TerminalSafeText.make(relative))` not found (looked for \(TerminalSafeText.make(source))): name a file relative to the scenario file")
                    continue
                }
                files.append(DrillScenario.File(workspacePath: place, source: source))
            }
            return files
        }

        mutating func readFacts(_ node: Node) -> [DrillScenario.Fact] {
            if case .scalar(let s) = node, FrontMatter.isNull(s) { return [] }
            guard case .mapping(let mapping) = node else {
                report(node, "`state` must map fact names to values, such as `require_ssl: \"true\"`")
                return []
            }
            var facts: [DrillScenario.Fact] = []
            var seen = Set<String>()
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let key) = keyNode, DrillScenario.Fact.isValidName(key.string) else {
                    report(
                        keyNode,
                        "fact name `\(TerminalSafeText.make(keyNode.string ?? "?"))` is not valid: use a lowercase letter, then lowercase letters, digits and _ (such as `require_ssl`)")
                    continue
                }
                guard seen.insert(key.string).inserted else {
                    report(keyNode, "fact `\(key.string)` is given twice: keep one")
                    continue
                }
                guard case .scalar(let value) = valueNode else {
                    report(valueNode, "fact `\(key.string)` must be a single value (taken as text), not a list or mapping")
                    continue
                }
                facts.append(DrillScenario.Fact(name: key.string, value: FrontMatter.isNull(value) ? "" : value.string))
            }
            return facts
        }

        static func isFile(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }

        static func isFolder(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }
}
