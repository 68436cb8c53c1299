/// Where in a runbook to open.
public enum RunbookPlace: Sendable, Hashable {
    /// The runbook's own screen.
    case top
    /// An entry, by id.
    case entry(String)
    /// A checklist, by id.
    case checklist(String)
    /// The decision tree (triage).
    case tree
    /// Any other heading: the runbook read from that file line on.
    case heading(line: Int)
}

/// A runbook and where in it to open.
public struct OpenTarget: Sendable, Hashable, CustomStringConvertible {
    /// The runbook's path as loaded.
    public var path: String
    public var anchor: String?
    public var place: RunbookPlace

    public init(path: String, anchor: String? = nil, place: RunbookPlace = .top) {
        self.path = path
        self.anchor = anchor
        self.place = place
    }

    /// `PATH` or `PATH#ANCHOR`.
    public var description: String { anchor.map { "\(path)#\($0)" } ?? path }
}

/// Why an ``OpenRequest`` opens nothing, with what to do about it.
public struct OpenError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Finds what an ``OpenRequest`` names among loaded runbooks (the files given, or the search path).
public struct RunbookResolver: Sendable {
    public var runbooks: [Runbook]
    /// The folders searched, named in errors.
    public var searchPath: [String]

    public init(runbooks: [Runbook], searchPath: [String]) {
        self.runbooks = runbooks
        self.searchPath = searchPath
    }

    public func resolve(_ request: OpenRequest) throws(OpenError) -> OpenTarget {
        switch request {
        case .file(let path, let anchor):
            guard let rb = runbooks.first(where: { $0.path == path }) ?? runbooks.first(where: { Self.same($0.path, path) }) else {
                throw OpenError("no runbook at \(path): check the path (runbook list shows the runbooks found)")
            }
            return try target(rb, anchor: anchor)
        case .url(let url, let path, let anchor):
            let rb = try runbook(endingWith: path, url: url)
            return try target(rb, anchor: anchor)
        case .alert(let name):
            return OpenTarget(path: try runbook(forAlert: name).path)
        }
    }

    /// Whether two paths name the same file, textually (`./a.md` and `a.md`).
    static func same(_ a: String, _ b: String) -> Bool {
        func parts(_ p: String) -> [Substring] { p.split(separator: "/").filter { $0 != "." } }
        return parts(a) == parts(b) && a.hasPrefix("/") == b.hasPrefix("/")
    }

    // MARK: - Anchors

    /// The place `anchor` names in `rb`: an entry, a checklist, the decision tree, or another heading.
    public func target(_ rb: Runbook, anchor: String?) throws(OpenError) -> OpenTarget {
        guard let anchor else { return OpenTarget(path: rb.path) }
        let a = anchor.lowercased()
        let checklist = rb.checklists.first { $0.id == a }
        if let e = rb.entries.first(where: { $0.anchor == a || $0.id == a }), checklist == nil || !e.steps.isEmpty {
            return OpenTarget(path: rb.path, anchor: a, place: .entry(e.id))
        }
        if let c = checklist { return OpenTarget(path: rb.path, anchor: a, place: .checklist(c.id)) }
        let headings = Self.headings(rb)
        if let tree = rb.decisionTree, HeadingSlugger.slug(tree.title) == a {
            return OpenTarget(path: rb.path, anchor: a, place: .tree)
        }
        if let h = headings.first(where: { $0.anchor == a }) {
            return OpenTarget(path: rb.path, anchor: a, place: .heading(line: h.line))
        }
        let nearest = Self.nearest(a, among: headings.map(\.anchor))
        let list = nearest.isEmpty ? "it has no headings" : "nearest: " + nearest.map { "#" + $0 }.joined(separator: ", ")
        throw OpenError("\(rb.path) has no heading #\(anchor) (\(list)); `runbook show \(rb.path)` lists its entries")
    }

    /// Every heading of the runbook with its GitHub anchor and line, in order.
    static func headings(_ rb: Runbook) -> [(anchor: String, line: Int)] {
        var slugger = HeadingSlugger()
        return SourceLines(rb.document).lines.filter(\.heading).map { (slugger.anchor(for: $0.text), $0.line) }
    }

    /// Up to three of `candidates` closest to `name` by edit distance, one that starts the other
    /// counting as two edits closer.
    static func nearest(_ name: String, among candidates: [String], count: Int = 3) -> [String] {
        let ranked = candidates.map { c -> (String, Int) in
            (c, editDistance(name, c) - (c.hasPrefix(name) || name.hasPrefix(c) ? 2 : 0))
        }
        var seen = Set<String>()
        return ranked.sorted { $0.1 < $1.1 }.map(\.0).filter { seen.insert($0).inserted }.prefix(count).map { $0 }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8.prefix(200)), y = Array(b.utf8.prefix(200))
        var row = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, y.count) where !y.isEmpty {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[y.count]
    }

    // MARK: - URLs

    /// The runbook whose path shares the longest end with `path` (compared by folder and file names,
    /// ignoring case; a last part without `.md` matches the file's name without it). At least the file
    /// name must match; two runbooks sharing the same longest end are ambiguous.
    func runbook(endingWith path: [String], url: String) throws(OpenError) -> Runbook {
        let wanted = path.map { $0.lowercased() }
        var best = 0
        var found: [Runbook] = []
        for rb in runbooks {
            var have = rb.path.split(separator: "/").map { $0.lowercased() }
            if let last = wanted.last, !last.hasSuffix(".md"), !last.hasSuffix(".markdown"), let file = have.last {
                have[have.count - 1] = Self.stem(file)
            }
            var n = 0
            while n < wanted.count, n < have.count, wanted[wanted.count - 1 - n] == have[have.count - 1 - n] { n += 1 }
            if n == 0 { continue }
            if n > best {
                best = n
                found = [rb]
            } else if n == best {
                found.append(rb)
            }
        }
        let shown = path.joined(separator: "/")
        guard let first = found.first else {
            throw OpenError(
                "no runbook on the search path (\(searchPath.joined(separator: ":"))) is \(shown) from \(url): "
                    + "add the folder of your runbooks checkout to RUNBOOK_PATH, or give it after the URL")
        }
        guard found.count == 1 else {
            throw OpenError(
                "\(url) could be any of: \(found.map(\.path).joined(separator: ", ")); give the folder to search after the URL")
        }
        return first
    }

    static func stem(_ file: String) -> String {
        for ext in [".md", ".markdown"] where file.hasSuffix(ext) { return String(file.dropLast(ext.count)) }
        return file
    }

    // MARK: - Alerts

    /// The runbook whose front matter lists `name` under `alerts:`, else whose file name (without
    /// `.md`) or id is `name` (the convention of alert runbook collections). Case is ignored when
    /// nothing matches exactly.
    func runbook(forAlert name: String) throws(OpenError) -> Runbook {
        let rules: [(Runbook) -> Bool] = [
            { $0.alerts.contains { $0.name == name } },
            { $0.alerts.contains { $0.name.lowercased() == name.lowercased() } },
            { Self.stem(Self.fileName($0.path)) == name || $0.id == name },
            { Self.stem(Self.fileName($0.path)).lowercased() == name.lowercased() || $0.id.lowercased() == name.lowercased() },
        ]
        for rule in rules {
            let found = runbooks.filter(rule)
            if found.count == 1 { return found[0] }
            if found.count > 1 {
                throw OpenError(
                    "alert \(name) is claimed by \(found.count) runbooks: \(found.map(\.path).joined(separator: ", ")); "
                        + "keep it under `alerts:` in one of them (runbook lint reports this)")
            }
        }
        let known = runbooks.flatMap { $0.alerts.map(\.name) } + runbooks.map { Self.stem(Self.fileName($0.path)) }
        let nearest = Self.nearest(name.lowercased(), among: known.map { $0.lowercased() }).compactMap { n in
            known.first { $0.lowercased() == n }
        }
        let hint = nearest.isEmpty ? "" : "; nearest: \(nearest.joined(separator: ", "))"
        throw OpenError(
            "no runbook on the search path (\(searchPath.joined(separator: ":"))) answers alert \(name)\(hint): "
                + "list it under `alerts:` in its runbook's front matter, or name the file \(name).md")
    }

    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
