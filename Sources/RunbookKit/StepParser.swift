/// Turns a code block into a step: reads the fence's info string (language, attributes, a command
/// written on the opening line). `StepBlock` reads the block's text.
struct StepParser {
    /// Fence languages whose blocks are shell commands.
    static let shellLanguages: Set<String> = [
        "sh", "bash", "shell", "zsh", "ksh", "dash", "posix", "console", "shell-session", "shellsession",
        "sh-session", "terminal",
    ]

    /// Languages shown but never run; an unknown first word followed by more words is a command
    /// written on the opening line.
    static let displayLanguages: Set<String> = [
        "text", "txt", "plain", "plaintext", "output", "log", "yaml", "yml", "json", "jsonc", "toml", "ini", "xml",
        "html", "css", "js", "javascript", "ts", "typescript", "python", "py", "go", "golang", "rust", "java",
        "c", "cpp", "c++", "swift", "ruby", "rb", "php", "perl", "sql", "psql", "promql", "logql", "mermaid",
        "diff", "patch", "dockerfile", "docker", "makefile", "make", "hcl", "terraform", "tf", "nginx", "conf",
        "properties", "env", "dotenv", "csv", "markdown", "md", "graphql", "proto", "protobuf", "lua", "r",
        "kotlin", "scala", "groovy", "powershell", "ps1", "bat", "cmd", "jsonnet", "cue", "rego", "vim",
    ]

    /// What the info string says.
    struct Info {
        var language: String
        var attributes: [(key: String, value: String?, column: Int)]
        var openingCommand: String?
        /// The command was written as `$ cmd` on the fence.
        var promptOnFence = false
        var problems: [(column: Int, message: String)]
    }

    static func parseInfo(_ info: String) -> Info {
        var result = Info(language: "", attributes: [], openingCommand: nil, promptOnFence: false, problems: [])
        let text = info.trimmingASCIISpaces()
        guard !text.isEmpty else { return result }
        if text.hasPrefix("$") {
            result.language = "console"
            result.openingCommand = String(text.dropFirst()).trimmingASCIISpaces()
            result.promptOnFence = true
            return result
        }
        let langEnd = text.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "{" }) ?? text.endIndex
        let language = String(text[..<langEnd]).lowercased()
        var rest = Substring(text[langEnd...])
        while let f = rest.first, f == " " || f == "\t" { rest.removeFirst() }
        result.language = language
        let restColumn = text.distance(from: text.startIndex, to: rest.startIndex) + 1
        if rest.hasPrefix("{") {
            guard let close = rest.firstIndex(of: "}") else {
                result.problems.append((restColumn, "attributes opened with `{` are not closed: add `}`"))
                return result
            }
            let body = rest[rest.index(after: rest.startIndex)..<close]
            let (attributes, problems) = parseAttributes(body, column: restColumn + 1)
            result.attributes = attributes
            result.problems += problems
            let after = rest[rest.index(after: close)...].trimmingASCIISpaces()
            if !after.isEmpty {
                result.problems.append((restColumn, "text after the attributes is ignored: `\(after)`"))
            }
            return result
        }
        if !rest.isEmpty {
            if shellLanguages.contains(language) {
                result.openingCommand = String(rest)
            } else if !displayLanguages.contains(language) {
                // ```kubectl get pods: the whole info string is the command.
                result.language = "sh"
                result.openingCommand = text
            }
        }
        return result
    }

    /// `name=x timeout=30s interactive cwd="some dir"`.
    static func parseAttributes(_ body: Substring, column: Int) -> ([(key: String, value: String?, column: Int)], [(Int, String)]) {
        var out: [(String, String?, Int)] = []
        var problems: [(Int, String)] = []
        let chars = Array(body)
        var i = 0
        while i < chars.count {
            while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == "," { i += 1 }
            guard i < chars.count else { break }
            let start = i
            var key = ""
            while i < chars.count, chars[i] != "=", chars[i] != " ", chars[i] != "\t", chars[i] != "," {
                key.append(chars[i])
                i += 1
            }
            var value: String? = nil
            if i < chars.count, chars[i] == "=" {
                i += 1
                if i < chars.count, chars[i] == "\"" || chars[i] == "'" {
                    let q = chars[i]
                    i += 1
                    var v = ""
                    while i < chars.count, chars[i] != q {
                        v.append(chars[i])
                        i += 1
                    }
                    if i >= chars.count {
                        problems.append((column + start, "the quoted value of `\(key)` is not closed"))
                    }
                    i += 1
                    value = v
                } else {
                    var v = ""
                    while i < chars.count, chars[i] != " ", chars[i] != "\t", chars[i] != "," {
                        v.append(chars[i])
                        i += 1
                    }
                    value = v
                }
            }
            if key.isEmpty {
                problems.append((column + start, "an attribute has no name: write name=value"))
            } else {
                out.append((key, value, column + start))
            }
        }
        return (out, problems)
    }
}
