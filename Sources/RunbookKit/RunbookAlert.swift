import Yams

/// An alert a runbook answers, from its front matter's `alerts:` (one name or a list): `runbook open
/// --alert NAME` opens it, and `runbook lint` reports an alert two runbooks claim.
///
/// ```yaml
/// alerts: [BackendCrashLooping, BackendNotReady]
/// ```
public struct RunbookAlert: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }

    /// Whether `name` is an alert name as Prometheus writes them: a letter, `_` or `:`, then letters,
    /// digits, `_` and `:`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII,
            first == "_" || first == ":" || first.properties.isAlphabetic
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0 == "_" || $0 == ":" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
        }
    }

    /// Reads `alerts:`: a name, or a list of names; anything else is an error at its place.
    static func read(
        _ node: Node, at: (Node) -> (Int, Int), report: (Int, Int, Severity, String) -> Void
    ) -> [RunbookAlert] {
        let items: [Node]
        switch node {
        case .scalar: items = [node]
        case .sequence(let s): items = Array(s)
        case .mapping, .alias:
            let (l, c) = at(node)
            report(l, c, .error, "`alerts` must be an alert name or a list of names, such as `[BackendCrashLooping]`")
            return []
        }
        var out: [RunbookAlert] = []
        for item in items {
            let (l, c) = at(item)
            guard case .scalar(let s) = item, isValidName(s.string) else {
                report(l, c, .error, "an alert name is one word of letters, digits, `_` and `:`, such as `KubePodCrashLooping`")
                continue
            }
            out.append(RunbookAlert(name: s.string, location: SourceLocation(line: l, column: c)))
        }
        return out
    }
}
