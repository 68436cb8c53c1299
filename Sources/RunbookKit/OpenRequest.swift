/// What `runbook open` is asked to open: a file (with a heading anchor), a link to a runbook in a Git
/// host's web view (the form of Alertmanager's `runbook_url` annotation), or an alert's name.
public enum OpenRequest: Sendable, Hashable {
    /// `runbooks/gke.md`, `runbooks/gke.md#issue-4-cloud-sql-requires-ssl`.
    case file(path: String, anchor: String?)
    /// `https://github.com/ORG/REPO/blob/REF/PATH#anchor`: found on the search path by PATH's end.
    case url(String, path: [String], anchor: String?)
    /// `--alert NAME`.
    case alert(String)

    /// Reads one argument: a URL when it has `://`; else a file, whose `#anchor` is split off unless
    /// the whole argument names an existing file.
    public init(argument: String, fileExists: (String) -> Bool) {
        if argument.contains("://"), let url = Self.url(argument) {
            self = url
            return
        }
        if !fileExists(argument), let hash = argument.lastIndex(of: "#") {
            let anchor = String(argument[argument.index(after: hash)...])
            self = .file(path: String(argument[..<hash]), anchor: anchor.isEmpty ? nil : anchor)
            return
        }
        self = .file(path: argument, anchor: nil)
    }

    /// Whether an argument is a link (a URL or `FILE#ANCHOR`) rather than a folder or file to list.
    public var isLink: Bool {
        switch self {
        case .file(_, let anchor): anchor != nil
        case .url, .alert: true
        }
    }

    /// The repository path a web URL shows: after `/blob/REF/` (GitHub, Gitea), `/-/blob/REF/`
    /// (GitLab), `/src/branch/REF/` (Gitea, Forgejo), `/src/REF/` (Bitbucket), or `ORG/REPO/REF/` on
    /// raw.githubusercontent.com; any other URL's whole path (a rendered site's
    /// `/runbooks/kubernetes/kubepodcrashlooping/` matches a file by its name without `.md`).
    static func url(_ text: String) -> OpenRequest? {
        guard let scheme = text.range(of: "://") else { return nil }
        var rest = text[scheme.upperBound...]
        var anchor: String?
        if let hash = rest.firstIndex(of: "#") {
            let a = String(rest[rest.index(after: hash)...])
            anchor = a.isEmpty ? nil : a
            rest = rest[..<hash]
        }
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        var parts = rest.split(separator: "/").map { String($0).removingPercentEncoding() }
        guard !parts.isEmpty else { return nil }
        let host = parts.removeFirst().lowercased()
        var path: [String]
        if host == "raw.githubusercontent.com" {
            path = Array(parts.dropFirst(3))
        } else if let i = parts.firstIndex(where: { $0 == "blob" || $0 == "raw" || $0 == "blame" || $0 == "tree" }),
            i + 1 < parts.count
        {
            path = Array(parts[(i + 2)...])
        } else if let i = parts.firstIndex(of: "src"), i + 1 < parts.count {
            let skip = ["branch", "tag", "commit"].contains(parts[i + 1]) ? 3 : 2
            path = Array(parts.dropFirst(i + skip))
        } else {
            path = parts
        }
        path.removeAll { $0 == "-" }
        guard !path.isEmpty else { return nil }
        return .url(text, path: path, anchor: anchor)
    }
}

extension String {
    /// `%20` and the like decoded; invalid escapes are kept as written.
    func removingPercentEncoding() -> String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        let u = Array(utf8)
        var k = 0
        while k < u.count {
            if u[k] == UInt8(ascii: "%"), k + 2 < u.count, let h = hexValue(u[k + 1]), let l = hexValue(u[k + 2]) {
                bytes.append(h << 4 | l)
                k += 3
            } else {
                bytes.append(u[k])
                k += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
