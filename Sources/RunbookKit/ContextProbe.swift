import Yams

/// A context probe from the front matter (`context:`): a read-only command that says where the
/// runbook's commands would land (the Kubernetes context, the cloud project), and the pattern its
/// answer must match.
///
/// ```yaml
/// context:
///   kube:
///     command: kubectl config current-context
///     expect: "*staging*"
///   project:
///     command: gcloud config get-value project
///     expect: $PROJECT
/// ```
///
/// The probe runs as a step of role `probe` (the same command-safety judge and step core as every
/// other step, variables in its environment), with a short time limit. Its value is the first
/// non-empty line of its output, trimmed. `expect` is a glob matched against the whole value (`*` any
/// text, `?` one character, `\` takes the next character literally); `$NAME` or `${NAME}` in it is the
/// value of the runbook's variable NAME, taken literally (its `*` and `?` match only themselves), never
/// shell text.
public struct ContextProbe: Sendable, Hashable {
    public var name: String
    public var command: String
    public var expect: String
    public var location: SourceLocation

    /// The time limit of a probe: a context that does not answer in this time is unknown.
    public static let timeLimit = TimeLimit(milliseconds: 10_000)

    public init(name: String, command: String, expect: String, location: SourceLocation) {
        self.name = name
        self.command = command
        self.expect = expect
        self.location = location
    }

    /// The probe as a step: role `probe`, id `context-NAME`, the short time limit.
    public var step: Step {
        Step(
            id: "context-\(name)", role: .probe, language: "sh", command: command, location: location,
            attributes: StepAttributes(timeout: Self.timeLimit), title: "context \(name)")
    }

    /// The variables `expect` names (`$NAME`, `${NAME}`), in order.
    public var expectVariables: [String] {
        ContextPattern.parse(expect).compactMap { if case .variable(let n) = $0 { n } else { nil } }
    }

    /// `expect` with each variable's value put in (for showing it); nil values stay as written.
    public func expectation(_ value: (String) -> String?) -> String {
        ContextPattern.parse(expect).map {
            switch $0 {
            case .pattern(let p): p
            case .variable(let n): value(n) ?? "$\(n)"
            }
        }.joined()
    }

    /// Whether `answer` matches `expect`, with variables' values from `value` (a variable without one
    /// matches nothing).
    public func matches(_ answer: String, _ value: (String) -> String?) -> Bool {
        var pattern: [ContextPattern.Token] = []
        for part in ContextPattern.parse(expect) {
            switch part {
            case .pattern(let p):
                var escaped = false
                for c in p {
                    if escaped {
                        pattern.append(.literal(c))
                        escaped = false
                    } else if c == "\\" {
                        escaped = true
                    } else if c == "*" {
                        pattern.append(.any)
                    } else if c == "?" {
                        pattern.append(.one)
                    } else {
                        pattern.append(.literal(c))
                    }
                }
                if escaped { pattern.append(.literal("\\")) }
            case .variable(let n):
                guard let v = value(n) else { return false }
                pattern += v.map { .literal($0) }
            }
        }
        return ContextPattern.glob(pattern, Array(answer))
    }

    /// The value a probe's output gives: its first non-empty line, without surrounding spaces.
    public static func value(ofLines lines: [String]) -> String? {
        for line in lines {
            let t = line.trimmingASCIISpaces()
            if !t.isEmpty { return t }
        }
        return nil
    }

    /// Reads `context:` of the front matter; problems become diagnostics.
    static func read(
        _ node: Node, at: (Node) -> (Int, Int), report: (Int, Int, Severity, String) -> Void
    ) -> [ContextProbe] {
        guard case .mapping(let mapping) = node else {
            if case .scalar(let s) = node, FrontMatter.isNull(s) { return [] }
            let (l, c) = at(node)
            report(l, c, .error, "`context` must map each context's name to its `command` and `expect`, such as `kube: {command: kubectl config current-context, expect: \"*staging*\"}`")
            return []
        }
        var probes: [ContextProbe] = []
        for (key, value) in mapping {
            let (l, c) = at(key)
            guard let name = key.string, !name.isEmpty,
                name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            else {
                report(l, c, .error, "a context's name must be one word, such as `kube` or `project`")
                continue
            }
            guard case .mapping(let fields) = value else {
                report(l, c, .error, "context `\(name)` needs `command` and `expect`")
                continue
            }
            var command: String?
            var expect: String?
            for (k, v) in fields {
                let (kl, kc) = at(k)
                switch k.string ?? "" {
                case "command", "expect":
                    guard case .scalar(let s) = v, !s.string.trimmingASCIISpaces().isEmpty else {
                        report(kl, kc, .error, "`\(k.string ?? "")` of context `\(name)` must be a single, non-empty value")
                        continue
                    }
                    if k.string == "command" { command = s.string } else { expect = s.string }
                default:
                    report(kl, kc, .warning, "context field `\(k.string ?? "?")` is unknown: use command and expect")
                }
            }
            guard let command, let expect else {
                report(l, c, .error, "context `\(name)` needs both `command` (what to run) and `expect` (the pattern its answer must match)")
                continue
            }
            let probe = ContextProbe(name: name, command: command, expect: expect, location: SourceLocation(line: l, column: c))
            if probe.step.safety.safety == .changes {
                report(l, c, .error, "the command of context `\(name)` changes something (\(probe.step.safety.reason)): a context probe must only read; it never runs")
                continue
            }
            probes.append(probe)
        }
        return probes
    }
}

/// What one context probe found: the value, the expectation (variables put in), and whether they match.
/// An unknown value (the probe failed, timed out or said nothing) is never a match.
public struct ContextReading: Sendable, Hashable, Codable {
    public var name: String
    /// The command, secrets masked.
    public var command: String
    /// The answer (sanitized, secrets masked), or nil when it is unknown.
    public var value: String?
    /// The pattern with the variables' values put in (secrets masked).
    public var expect: String
    public var matches: Bool
    /// Why the value is unknown (`exit 1`, `timed out` ...), when it is.
    public var problem: String?

    public init(name: String, command: String, value: String?, expect: String, matches: Bool, problem: String? = nil) {
        self.name = name
        self.command = command
        self.value = value
        self.expect = expect
        self.matches = matches
        self.problem = problem
    }

    /// `kube=gke_x_staging (matches)`, `kube=prod (expected *staging*)`, `kube unknown: exit 1 (expected …)`.
    public var summary: String {
        if matches, let value { return "\(name)=\(value) (matches)" }
        if let value { return "\(name)=\(value) (does not match: expected \(expect))" }
        return "\(name) unknown\(problem.map { ": \($0)" } ?? "") (expected \(expect))"
    }
}

/// The parts of an `expect` pattern: glob text and `$NAME` variables.
enum ContextPattern {
    enum Part: Equatable {
        case pattern(String)
        case variable(String)
    }

    enum Token {
        case literal(Character)
        case any
        case one
    }

    static func parse(_ text: String) -> [Part] {
        var parts: [Part] = []
        var current = ""
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                current.append(c)
                current.append(chars[i + 1])
                i += 2
                continue
            }
            if c == "$", i + 1 < chars.count {
                var j = i + 1
                let braced = chars[j] == "{"
                if braced { j += 1 }
                var name = ""
                while j < chars.count, chars[j] == "_" || chars[j].isASCII && (chars[j].isLetter || chars[j].isNumber) {
                    if name.isEmpty, chars[j].isNumber { break }
                    name.append(chars[j])
                    j += 1
                }
                if !name.isEmpty, !braced || (j < chars.count && chars[j] == "}") {
                    if !current.isEmpty { parts.append(.pattern(current)) }
                    current = ""
                    parts.append(.variable(name))
                    i = braced ? j + 1 : j
                    continue
                }
            }
            current.append(c)
            i += 1
        }
        if !current.isEmpty { parts.append(.pattern(current)) }
        return parts
    }

    /// Whole-text glob matching, iteratively (backtracking to the last `*`).
    static func glob(_ pattern: [Token], _ text: [Character]) -> Bool {
        var p = 0, t = 0
        var star: Int? = nil
        var resume = 0
        while t < text.count {
            if p < pattern.count {
                switch pattern[p] {
                case .any:
                    star = p
                    resume = t
                    p += 1
                    continue
                case .one:
                    p += 1
                    t += 1
                    continue
                case .literal(let c) where c == text[t]:
                    p += 1
                    t += 1
                    continue
                default: break
                }
            }
            guard let s = star else { return false }
            p = s + 1
            resume += 1
            t = resume
        }
        while p < pattern.count, case .any = pattern[p] { p += 1 }
        return p == pattern.count
    }
}
