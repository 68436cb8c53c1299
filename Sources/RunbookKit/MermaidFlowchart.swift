import Foundation

/// A Mermaid `graph` / `flowchart` read as nodes and edges, the way runbooks draw decision trees:
///
/// ```
/// flowchart TD
///     A[Alert fires] --> B{Is the pod running?}
///     B -->|Yes| C[Check the logs]
///     B -- No --> D([Image pull errors])
///     click D href "#image-pull-errors"
/// ```
///
/// Read: the header (`graph`/`flowchart`, any direction), nodes with their shapes (`A[text]`,
/// `B{text}`, `C(text)`, `D([text])`, `E((text))`, `F>text]`, `G{{text}}`, quoted `A["text"]`), edges
/// (`-->`, `---`, `-.->`, `==>`, longer ones), their labels (`-->|label|`, `-- label -->`), chains
/// (`A --> B --> C`), `&` groups, `click` links, `%%` comments and `;` separators. `subgraph … end`,
/// `style`, `classDef`, `class`, `linkStyle` and `direction` lines are skipped. A statement that cannot
/// be read is skipped and named in `problems`; reading never fails.
public struct MermaidFlowchart: Sendable, Hashable {
    public enum Shape: Sendable, Hashable {
        case box, round, stadium, circle, flag, diamond, hexagon, other
        /// A shape that asks: `{…}` or `{{…}}`.
        public var isDecision: Bool { self == .diamond || self == .hexagon }
    }

    public struct Node: Sendable, Hashable {
        public var id: String
        /// The text shown in the node; the id when the node has no text.
        public var text: String
        public var shape: Shape
        public var line: Int
    }

    public struct Edge: Sendable, Hashable {
        public var from: String
        public var to: String
        public var label: String?
        public var line: Int
    }

    /// Nodes in the order they first appear.
    public private(set) var nodes: [Node] = []
    public private(set) var edges: [Edge] = []
    /// `click ID href "url"` / `click ID "url"`: the node's link.
    public private(set) var links: [String: String] = [:]
    /// Statements that could not be read: the file line and why.
    public private(set) var problems: [(line: Int, message: String)] = []
    private var index: [String: Int] = [:]
    private var outgoingIndex: [String: [Int]] = [:]

    public static func == (a: Self, b: Self) -> Bool { a.nodes == b.nodes && a.edges == b.edges && a.links == b.links }
    public func hash(into h: inout Hasher) {
        h.combine(nodes)
        h.combine(edges)
    }

    /// Reads `text`, the body of a ```` ```mermaid ```` block whose first line is file line `firstLine`;
    /// nil when the diagram is not a flowchart (a `sequenceDiagram`, say).
    public init?(parsing text: String, firstLine: Int) {
        var headerSeen = false
        var inConfig = false
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = firstLine + offset
            var content = Substring(raw)
            if let comment = content.range(of: "%%") { content = content[..<comment.lowerBound] }
            for part in content.split(separator: ";") {
                let statement = part.trimming(" \t\r")
                if statement.isEmpty { continue }
                // A `---` config block before the header (`title: ...`).
                if !headerSeen, statement == "---" || inConfig {
                    if statement == "---" { inConfig.toggle() }
                    continue
                }
                if !headerSeen {
                    let first = statement.split(separator: " ", maxSplits: 1).first.map { $0.lowercased() } ?? ""
                    guard first == "graph" || first == "flowchart" else { return nil }
                    headerSeen = true
                    continue
                }
                read(statement, line: line)
            }
        }
        if !headerSeen { return nil }
    }

    public func node(_ id: String) -> Node? { index[id].map { nodes[$0] } }

    /// The edges that leave `id`, in document order.
    public func outgoing(_ id: String) -> [Edge] { (outgoingIndex[id] ?? []).map { edges[$0] } }

    // MARK: - Statements

    private static let skipped: Set<String> = [
        "subgraph", "end", "style", "classdef", "class", "linkstyle", "direction", "acctitle", "accdescr",
    ]

    private mutating func read(_ statement: String, line: Int) {
        let keyword = statement.prefix { $0.isLetter }.lowercased()
        let afterKeyword = statement.dropFirst(keyword.count).first
        if Self.skipped.contains(keyword), afterKeyword == nil || afterKeyword == " " || afterKeyword == "\t" || afterKeyword == ":" {
            return
        }
        if keyword == "click", afterKeyword == " " {
            click(statement.dropFirst(6), line: line)
            return
        }
        var scanner = Scanner(Array(statement))
        var previous: [String] = []
        var pendingLabel: String?
        while true {
            scanner.skipSpaces()
            guard let group = readGroup(&scanner, line: line) else {
                problem(line, "cannot read `\(statement)` here (expected a node)")
                return
            }
            for from in previous {
                for to in group {
                    outgoingIndex[from, default: []].append(edges.count)
                    edges.append(Edge(from: from, to: to, label: pendingLabel, line: line))
                }
            }
            scanner.skipSpaces()
            if scanner.atEnd { return }
            guard let edge = scanner.readEdge() else {
                problem(line, "cannot read `\(statement)` here (expected an edge such as --> after a node)")
                return
            }
            previous = edge.visible ? group : []
            pendingLabel = edge.label
        }
    }

    private mutating func problem(_ line: Int, _ message: String) {
        problems.append((line, "Mermaid flowchart: " + message + "; the statement is skipped"))
    }

    /// `A[x] & B` — one or more nodes joined by `&`.
    private mutating func readGroup(_ scanner: inout Scanner, line: Int) -> [String]? {
        var ids: [String] = []
        repeat {
            scanner.skipSpaces()
            guard let (id, shape, text) = scanner.readNode() else { return nil }
            declare(id, shape: shape, text: text, line: line)
            ids.append(id)
            scanner.skipSpaces()
        } while scanner.take("&")
        return ids
    }

    private mutating func declare(_ id: String, shape: Shape?, text: String?, line: Int) {
        let cleaned = text.map(Self.clean)
        if let i = index[id] {
            if let shape, let cleaned {
                nodes[i].shape = shape
                nodes[i].text = cleaned
            }
            return
        }
        index[id] = nodes.count
        nodes.append(Node(id: id, text: cleaned ?? id, shape: shape ?? .box, line: line))
    }

    private mutating func click(_ rest: Substring, line: Int) {
        let words = rest.split(separator: " ", maxSplits: 1)
        guard let id = words.first.map(String.init), words.count == 2 else {
            problem(line, "cannot read `click\(rest)`")
            return
        }
        var tail = words[1].trimming(" \t")[...]
        if tail.hasPrefix("href ") { tail = tail.dropFirst(5).drop { $0 == " " } }
        guard tail.hasPrefix("\""), let close = tail.dropFirst().firstIndex(of: "\"") else { return }  // a callback
        links[id] = String(tail[tail.index(after: tail.startIndex)..<close])
    }

    /// Node text as a reader sees it: quotes, `<br>` and Mermaid's `#quot;` entities resolved.
    static func clean(_ text: String) -> String {
        var t = text.trimming(" \t")
        if t.count >= 2, t.hasPrefix("\""), t.hasSuffix("\"") { t = String(t.dropFirst().dropLast()) }
        for br in ["<br/>", "<br />", "<br>"] { t = t.replacingEvery(br, with: " ") }
        t = t.replacingEvery("#quot;", with: "\"").replacingEvery("#amp;", with: "&")
        return t.trimming(" \t")
    }
}

/// A cursor over one statement's characters.
private struct Scanner {
    let chars: [Character]
    var i = 0
    init(_ chars: [Character]) { self.chars = chars }

    var atEnd: Bool { i >= chars.count }
    func peek(_ k: Int = 0) -> Character? { i + k < chars.count ? chars[i + k] : nil }

    mutating func skipSpaces() { while let c = peek(), c == " " || c == "\t" { i += 1 } }

    mutating func take(_ s: String) -> Bool {
        let a = Array(s)
        guard i + a.count <= chars.count, Array(chars[i..<i + a.count]) == a else { return false }
        i += a.count
        return true
    }

    static func isIdCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    /// `id`, then optionally a shape with its text, then optionally `:::class`.
    mutating func readNode() -> (String, MermaidFlowchart.Shape?, String?)? {
        var id = ""
        while let c = peek() {
            if Self.isIdCharacter(c) {
                id.append(c)
                i += 1
            } else if c == "-" || c == ".", let n = peek(1), Self.isIdCharacter(n), !id.isEmpty {
                // `node-1`, `a.b` — but not the start of an edge (`A-->B`, `A-.->B`).
                id.append(c)
                i += 1
            } else {
                break
            }
        }
        guard !id.isEmpty else { return nil }
        var shape: MermaidFlowchart.Shape?
        var text: String?
        let opens: [(String, String, MermaidFlowchart.Shape)] = [
            ("(((", ")))", .circle), ("([", "])", .stadium), ("((", "))", .circle), ("[(", ")]", .other),
            ("[[", "]]", .other), ("{{", "}}", .hexagon), ("[/", "/]", .other), ("[\\", "\\]", .other),
            ("[/", "\\]", .other), ("[\\", "/]", .other), ("[", "]", .box), ("(", ")", .round),
            ("{", "}", .diamond), (">", "]", .flag),
        ]
        for (open, close, s) in opens where take(open) {
            guard let body = readUntil(close) else { return nil }
            shape = s
            text = body
            break
        }
        if take(":::") { while let c = peek(), Self.isIdCharacter(c) || c == "-" { i += 1 } }
        return (id, shape, text)
    }

    /// Text up to `close` (a quoted text may hold the closing characters), and past `close`.
    mutating func readUntil(_ close: String) -> String? {
        let start = i
        skipSpaces()
        if peek() == "\"" {
            i += 1
            while let c = peek(), c != "\"" { i += 1 }
            guard !atEnd else { return nil }
            i += 1
            let quoted = String(chars[start..<i])
            skipSpaces()
            return take(close) ? quoted : nil
        }
        let a = Array(close)
        while i + a.count <= chars.count {
            if Array(chars[i..<i + a.count]) == a {
                let text = String(chars[start..<i])
                i += a.count
                return text
            }
            i += 1
        }
        return nil
    }

    /// An edge and its label: `-->`, `---`, `-.->`, `==>`, `<-->`, `--x`, `~~~` (invisible: it links
    /// nothing), with `|label|` after it or `-- label -->` inside it.
    mutating func readEdge() -> (label: String?, visible: Bool)? {
        let start = i
        if take("~~~") {
            while peek() == "~" { i += 1 }
            return (nil, false)
        }
        _ = take("<")
        var body = ""
        while let c = peek(), c == "-" || c == "=" || c == "." {
            body.append(c)
            i += 1
        }
        guard body.count >= 2 || body == "-" && peek() == "." else {
            i = start
            return nil
        }
        var label: String?
        if let c = peek(), c == ">" || c == "x" || c == "o" {
            if c == ">" || !(peek(1).map(Self.isIdCharacter) ?? false) { i += 1 }
        } else if body == "--" || body == "==" || body == "-." {
            // `-- label -->`: the label runs to the closing arrow.
            let closers = body == "--" ? ["-->", "---", "--x", "--o"] : body == "==" ? ["==>", "==="] : [".->", ".-"]
            var j = i
            var found: (Int, Int)?
            while j < chars.count, found == nil {
                for c in closers where j + c.count <= chars.count && String(chars[j..<j + c.count]) == c {
                    found = (j, c.count)
                    break
                }
                if found == nil { j += 1 }
            }
            guard let (at, length) = found else {
                i = start
                return nil
            }
            label = String(chars[i..<at]).trimming(" \t")
            i = at + length
            while let c = peek(), c == "-" || c == "=" || c == "." || c == ">" { i += 1 }
        }
        skipSpaces()
        if peek() == "|" {
            i += 1
            let from = i
            while let c = peek(), c != "|" { i += 1 }
            guard !atEnd else {
                i = start
                return nil
            }
            label = String(chars[from..<i])
            i += 1
        }
        let cleaned = label.map(MermaidFlowchart.clean)
        return (cleaned?.isEmpty == false ? cleaned : nil, true)
    }
}

extension StringProtocol {
    /// The text without `set`'s characters at either end.
    fileprivate func trimming(_ set: String) -> String {
        let s = Set(set)
        guard let first = firstIndex(where: { !s.contains($0) }), let last = lastIndex(where: { !s.contains($0) }) else { return "" }
        return String(self[first...last])
    }

    fileprivate func replacingEvery(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return String(self) }
        var out = ""
        var rest = self[...]
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
