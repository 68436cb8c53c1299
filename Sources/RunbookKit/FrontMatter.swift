import Yams

/// The YAML front matter of a runbook, read into typed values. Every problem becomes a diagnostic
/// with its line and column in the file; nothing here throws.
public struct FrontMatter: Sendable {
    public var id: String?
    public var title: String?
    public var version: SemanticVersion?
    /// The version as written, even when it is not semantic versioning.
    public var versionText: String?
    public var updated: CalendarDate?
    public var reviewBy: CalendarDate?
    public var owner: String?
    public var shell: String?
    public var timeout: TimeLimit?
    public var description: String?
    public var variables: [Variable] = []
    /// The alerts this runbook answers (`alerts:`), for `runbook open --alert NAME`.
    public var alerts: [RunbookAlert] = []
    /// Where the commands would land (`context:`): probes whose answers the TUI header and `check` show.
    public var context: [ContextProbe] = []
    public var diagnostics: [Diagnostic] = []
    /// Where the front matter block starts (its opening `---`).
    public var location: SourceLocation?

    /// The keys the format knows.
    public static let knownKeys: Set<String> = [
        "id", "title", "version", "updated", "review_by", "owner", "shell", "timeout", "description", "variables",
        "alerts", "context",
    ]

    /// Front matter may be at most this many bytes.
    public static let maximumSize = 64 * 1024
    /// How deeply YAML collections may nest, and how many nodes a front matter may expand to
    /// (aliases included): guards against alias bombs and stack exhaustion.
    public static let maximumNesting = 32
    public static let maximumNodes = 10_000

    public init() {}

    /// Resolves the tags this file reads (`bool` for `secret:`, `value` for `Node.string`), and no
    /// others: each rule is a regular expression run on every plain scalar. The encoding is given so
    /// that Yams does not read the whole environment for every parse.
    static let resolver = Resolver.basic.appending(.bool).appending(.value)

    /// Splits `text` into front matter and body. Returns nil when the file has no front matter.
    /// `yamlLine` is the file line of the first YAML line; `bodyLine` the file line where the body starts.
    static func split(_ text: Substring) -> (yaml: Substring, yamlLine: Int, body: Substring, bodyLine: Int, closed: Bool, toml: Bool)? {
        let fence: Substring
        if text.hasPrefix("---\n") || text.hasPrefix("---\r\n") {
            fence = "---"
        } else if text.hasPrefix("+++\n") || text.hasPrefix("+++\r\n") {
            fence = "+++"
        } else {
            return nil
        }
        var lineNumber = 1
        var index = text.index(after: text.firstIndex(of: "\n")!)
        let yamlStart = index
        while index < text.endIndex {
            let end = Self.lineEnd(in: text, from: index)
            lineNumber += 1
            var line = text[index..<end]
            if line.hasSuffix("\r") { line = line.dropLast() }
            let closing = fence == "---" ? (line == "---" || line == "...") : line == "+++"
            if closing {
                let bodyStart = end < text.endIndex ? text.index(after: end) : end
                return (text[yamlStart..<index], 2, text[bodyStart...], lineNumber + 1, true, fence == "+++")
            }
            index = end < text.endIndex ? text.index(after: end) : end
        }
        return (text[yamlStart...], 2, text[text.endIndex...], lineNumber + 1, false, fence == "+++")
    }

    /// Where the line starting at `start` ends: its `"\n"` Character (a line feed not right after a
    /// carriage return), or the end of the text. As `text[start...].firstIndex(of: "\n")`, by bytes.
    static func lineEnd(in text: Substring, from start: Substring.Index) -> Substring.Index {
        let utf8 = text.utf8
        var previous: UInt8 = 0
        var i = start
        while i < utf8.endIndex {
            let byte = utf8[i]
            if byte == 0x0A && previous != 0x0D { return i }
            previous = byte
            utf8.formIndex(after: &i)
        }
        return text.endIndex
    }

    /// Reads the YAML of a front matter whose first line is file line `firstLine`.
    init(yaml: Substring, firstLine: Int, file: String) {
        location = SourceLocation(line: firstLine - 1, column: 1)
        func report(_ line: Int, _ column: Int, _ severity: Severity, _ message: String) {
            diagnostics.append(
                Diagnostic(
                    file: file, location: SourceLocation(line: line, column: column), severity: severity,
                    message: message))
        }
        if yaml.utf8.count > Self.maximumSize {
            report(firstLine, 1, .error, "front matter is larger than 64 KiB: keep it to the runbook's metadata")
            return
        }
        if let (line, column) = Self.firstAnchorOrAlias(yaml) {
            report(
                firstLine + line - 1, column, .error,
                "front matter uses a YAML anchor or alias (&name, *name): write the values out instead")
            return
        }
        if let (line, column) = Self.excessiveNesting(yaml) {
            report(
                firstLine + line - 1, column, .error,
                "front matter nests deeper than \(Self.maximumNesting) levels: flatten it")
            return
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: String(yaml), Self.resolver, .default, .utf8)
        } catch let error as YamlError {
            let (mark, problem) = Self.describe(error)
            report(
                firstLine + (mark?.line ?? 1) - 1, mark?.column ?? 1, .error,
                "invalid YAML in front matter: \(problem)")
            return
        } catch {
            report(firstLine, 1, .error, "invalid YAML in front matter: \(error)")
            return
        }
        guard let node else { return }
        guard case .mapping(let mapping) = node else {
            let m = node.mark
            report(
                firstLine + (m?.line ?? 1) - 1, m?.column ?? 1, .error,
                "front matter must be a mapping of keys to values, such as `title: ...`")
            return
        }
        var budget = Self.maximumNodes
        guard Self.fitsBudget(node, &budget) else {
            report(
                firstLine, 1, .error,
                "front matter expands to more than \(Self.maximumNodes) values (aliases included): simplify it")
            return
        }

        func at(_ n: Node) -> (Int, Int) {
            let m = n.mark
            return (firstLine + (m?.line ?? 1) - 1, m?.column ?? 1)
        }
        func scalarString(_ key: String, _ n: Node) -> String? {
            guard case .scalar(let s) = n else {
                let (l, c) = at(n)
                report(l, c, .error, "`\(key)` must be a single value, not a list or mapping")
                return nil
            }
            return s.string
        }

        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                let (l, c) = at(keyNode)
                report(l, c, .error, "front matter keys must be plain names")
                continue
            }
            let key = keyScalar.string
            let (line, column) = at(value)
            switch key {
            case "id":
                if let s = scalarString(key, value) {
                    if s.isEmpty || s.contains(where: { $0 == " " || $0 == "/" || $0 == "\t" }) {
                        report(line, column, .error, "`id` must be one word without spaces or slashes, such as `gke-staging`")
                    } else {
                        id = s
                    }
                }
            case "title": title = scalarString(key, value)
            case "owner": owner = scalarString(key, value)
            case "description": description = scalarString(key, value)
            case "shell":
                if let s = scalarString(key, value) {
                    if s.trimmingASCIISpaces().isEmpty {
                        report(line, column, .error, "`shell` is empty: name a shell such as `bash`, or remove the key")
                    } else {
                        shell = s.trimmingASCIISpaces()
                    }
                }
            case "version":
                if let s = scalarString(key, value) {
                    versionText = s
                    if let v = SemanticVersion(s) {
                        version = v
                    } else {
                        report(
                            line, column, .error,
                            "version `\(s)` is not a semantic version: write MAJOR.MINOR.PATCH, such as `1.0.0`")
                    }
                }
            case "updated", "review_by":
                if let s = scalarString(key, value) {
                    if let d = CalendarDate(s) {
                        if key == "updated" { updated = d } else { reviewBy = d }
                    } else {
                        report(line, column, .error, "`\(key)` `\(s)` is not a date: write YYYY-MM-DD, such as `2026-01-31`")
                    }
                }
            case "timeout":
                if let s = scalarString(key, value) {
                    if let t = TimeLimit(s) {
                        timeout = t
                    } else {
                        report(
                            line, column, .error,
                            "timeout `\(s)` is not a duration: write seconds or a number with s, m or h, such as `90s` or `5m` (at most 24h)")
                    }
                }
            case "variables":
                variables = Self.readVariables(value, firstLine: firstLine, report: report)
            case "alerts":
                alerts = RunbookAlert.read(value, at: at, report: report)
            case "context":
                context = ContextProbe.read(value, at: at, report: report)
            default:
                report(
                    at(keyNode).0, at(keyNode).1, .note,
                    "front matter key `\(key)` is not part of the runbook format; it is kept but not used")
            }
        }
        for probe in context {
            for name in probe.expectVariables where !variables.contains(where: { $0.name == name }) {
                report(
                    probe.location.line, probe.location.column, .error,
                    "the `expect` of context `\(probe.name)` names `$\(name)`, which is not a variable of this runbook: declare it under `variables`")
            }
        }
    }

    private static func readVariables(
        _ node: Node, firstLine: Int, report: (Int, Int, Severity, String) -> Void
    ) -> [Variable] {
        var variables: [Variable] = []
        func at(_ n: Node) -> SourceLocation {
            let m = n.mark
            return SourceLocation(line: firstLine + (m?.line ?? 1) - 1, column: m?.column ?? 1)
        }
        var pairs: [(Node, Node)] = []
        switch node {
        case .mapping(let m):
            pairs = m.map { ($0.key, $0.value) }
        case .sequence(let seq):
            // The list form: `- name: NAMESPACE` followed by its fields.
            for item in seq {
                guard case .mapping(let m) = item,
                    let nameNode = m.first(where: { $0.key.string == "name" })?.value
                else {
                    let l = at(item)
                    report(l.line, l.column, .error, "each variable in the list needs a `name`")
                    continue
                }
                pairs.append((nameNode, item))
            }
        case .scalar(let s) where s.string.isEmpty:
            return []
        default:
            let l = at(node)
            report(l.line, l.column, .error, "`variables` must map each variable's name to its default or its fields")
            return []
        }
        var seen = Set<String>()
        for (nameNode, value) in pairs {
            let where_ = at(nameNode)
            guard let name = nameNode.string, Variable.isValidName(name) else {
                report(
                    where_.line, where_.column, .error,
                    "variable name `\(nameNode.string ?? "?")` is not a shell variable name: use letters, digits and _, such as NAMESPACE")
                continue
            }
            guard seen.insert(name).inserted else {
                report(where_.line, where_.column, .error, "variable `\(name)` is declared twice")
                continue
            }
            var variable = Variable(name: name, location: where_)
            var explicitSecret: Bool?
            switch value {
            case .scalar(let s):
                // `NAME: value` is the short form of `NAME: {default: value}`; `NAME:` alone has no default.
                variable.defaultValue = Self.isNull(s) ? nil : s.string
            case .mapping(let fields):
                for (k, v) in fields {
                    let kl = at(k)
                    switch k.string ?? "" {
                    case "name": break
                    case "default":
                        if case .scalar(let s) = v {
                            variable.defaultValue = Self.isNull(s) ? nil : s.string
                        } else {
                            report(kl.line, kl.column, .error, "the default of `\(name)` must be a single value")
                        }
                    case "description":
                        variable.description = v.string
                    case "secret":
                        if let b = v.bool {
                            explicitSecret = b
                        } else {
                            report(kl.line, kl.column, .error, "`secret` of `\(name)` must be true or false")
                        }
                    default:
                        report(
                            kl.line, kl.column, .warning,
                            "variable field `\(k.string ?? "?")` is unknown: use default, description or secret")
                    }
                }
            default:
                report(where_.line, where_.column, .error, "variable `\(name)` must have a value or fields")
                continue
            }
            // A name that says PASSWORD, SECRET, TOKEN or KEY makes the variable secret, unless the
            // front matter says `secret: false` in so many words.
            variable.isSecret = explicitSecret ?? Variable.nameLooksSecret(name)
            variables.append(variable)
        }
        return variables
    }

    /// `~`, `null`, or nothing, written plainly: YAML's null.
    static func isNull(_ s: Node.Scalar) -> Bool {
        s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    /// Counts nodes depth-first (aliases expanded), stopping once the budget is spent.
    private static func fitsBudget(_ root: Node, _ budget: inout Int) -> Bool {
        var stack: [Node] = [root]
        while let node = stack.popLast() {
            budget -= 1
            if budget < 0 { return false }
            switch node {
            case .mapping(let m):
                for pair in m {
                    stack.append(pair.key)
                    stack.append(pair.value)
                }
            case .sequence(let s):
                stack.append(contentsOf: s)
            default:
                break
            }
        }
        return true
    }

    /// Where an anchor (`&name`) or alias (`*name`) starts a node, if anywhere. Runbook front matter
    /// needs neither, and aliases are how a few bytes of YAML expand into billions of nodes.
    static func firstAnchorOrAlias(_ yaml: Substring) -> (Int, Int)? {
        // Only an `&` or a `*` can be one: most front matter has neither, and needs no closer look.
        guard yaml.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "*") }) else { return nil }
        var lineNumber = 0
        for line in yaml.lines() {
            lineNumber += 1
            var quote: Character? = nil
            var previous: Character = " "
            var column = 0
            let chars = Array(line)
            for (i, c) in chars.enumerated() {
                column += String(c).utf8.count
                if let q = quote {
                    if c == q { quote = nil }
                    previous = c
                    continue
                }
                if c == "#" && (previous == " " || i == 0) { break }
                if (c == "'" || c == "\"") && (previous == " " || previous == ":" || previous == "[" || previous == "{" || previous == "," || previous == "-" || i == 0) {
                    quote = c
                } else if (c == "&" || c == "*") && (i == 0 || " [{,:-?".contains(previous)),
                    i + 1 < chars.count, !chars[i + 1].isWhitespace
                {
                    // `- *x`, `key: &a`, `[*a, *b]`, `? *k` — but not `a*b` or `"*"`.
                    let startsNode = i == 0 || previous == " " || previous == "[" || previous == "{" || previous == ","
                    if startsNode { return (lineNumber, column) }
                }
                previous = c
            }
        }
        return nil
    }

    /// Finds YAML nested so deeply that a recursive parser could exhaust the stack:
    /// flow brackets and block indicators (`- `, `? `) counted per line, plus indentation.
    /// Returns the 1-based line and column where the limit is passed.
    static func excessiveNesting(_ yaml: Substring) -> (Int, Int)? {
        guard mayNestTooDeeply(yaml) else { return nil }
        var flow = 0
        var lineNumber = 0
        for line in yaml.lines() {
            lineNumber += 1
            var column = 0
            var indent = 0
            var blockMarkers = 0
            var inQuote: Character? = nil
            var leading = true
            var previous: Character = " "
            for c in line {
                column += 1
                if let q = inQuote {
                    if c == q { inQuote = nil }
                    previous = c
                    continue
                }
                switch c {
                case " " where leading: indent += 1
                case "-", "?":
                    if leading || previous == " " { blockMarkers += 1 }
                case "'", "\"": inQuote = c
                case "[", "{": flow += 1
                case "]", "}": flow = max(0, flow - 1)
                case "#" where previous == " " || leading:
                    break
                default:
                    if c != " " { leading = false }
                }
                if c != " " && c != "-" && c != "?" { leading = false }
                previous = c
                if flow > maximumNesting || blockMarkers > maximumNesting || indent > maximumNesting * 8 {
                    return (lineNumber, column)
                }
            }
        }
        return nil
    }

    /// False when `excessiveNesting` cannot find anything, told from bytes alone: at most
    /// `maximumNesting` brackets in all, and on every line at most that many `-` and `?` and at most
    /// eight times that many leading spaces (leading as that check counts them: dashes and question
    /// marks do not end the indentation). Each byte count is at least the Character count it bounds.
    static func mayNestTooDeeply(_ yaml: Substring) -> Bool {
        var brackets = 0
        var markers = 0
        var indent = 0
        var leading = true
        var previous: UInt8 = 0
        for byte in yaml.utf8 {
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                brackets += 1
                if brackets > maximumNesting { return true }
                leading = false
            case UInt8(ascii: "-"), UInt8(ascii: "?"):
                markers += 1
                if markers > maximumNesting { return true }
            case UInt8(ascii: " "):
                if leading {
                    indent += 1
                    if indent > maximumNesting * 8 { return true }
                }
            case 0x0A where previous != 0x0D:
                // A line ends as `lines()` ends it ("\r\n" is one Character, not a line end).
                markers = 0
                indent = 0
                leading = true
            default:
                leading = false
            }
            previous = byte
        }
        return false
    }

    static func describe(_ error: YamlError) -> (Mark?, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            if let context { return (mark, "\(problem) (\(context.text))") }
            return (mark, problem)
        case .reader(let problem, _, _, _):
            return (nil, problem)
        default:
            return (nil, "\(error)")
        }
    }
}
