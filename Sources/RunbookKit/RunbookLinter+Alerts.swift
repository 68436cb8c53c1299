extension RunbookLinter {
    /// An alert that two or more runbooks list under `alerts:`: `runbook open --alert` could not tell
    /// which to open. An error at every claim after the first, naming the first.
    public static func alertClaims(_ runbooks: [Runbook]) -> [Diagnostic] {
        var first: [String: (path: String, line: Int)] = [:]
        var out: [Diagnostic] = []
        for rb in runbooks {
            for alert in rb.alerts {
                if let claimed = first[alert.name] {
                    guard claimed.path != rb.path else { continue }
                    out.append(
                        Diagnostic(
                            file: rb.path, location: alert.location, severity: .error,
                            message: "alert `\(alert.name)` is also claimed by \(claimed.path):\(claimed.line): "
                                + "list each alert in one runbook only"))
                } else {
                    first[alert.name] = (rb.path, alert.location.line)
                }
            }
        }
        return out
    }
}
