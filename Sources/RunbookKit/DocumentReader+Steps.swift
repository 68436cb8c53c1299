extension DocumentReader {
    // MARK: - Steps

    mutating func makeStep(_ code: CodeBlock, location: SourceLocation, role: StepRole, scope: String) -> Step? {
        var info = StepParser.parseInfo(code.info)
        for problem in info.problems {
            report(SourceLocation(line: location.line, column: Self.infoColumn(code, location) + problem.column - 1), .error, problem.message)
        }
        var literal = code.literal
        if info.language.isEmpty {
            // An untagged block is a step only when its first line shows a prompt.
            let lines = literal.lines()
            let prompts = StepBlock.countingPrompts(lines)
            guard let first = lines.firstIndex(where: { !$0.allSatisfy { $0 == " " || $0 == "\t" } }), prompts[first] != nil
            else { return nil }
            info.language = "console"
        }
        guard StepParser.shellLanguages.contains(info.language) else { return nil }
        var blockText: String?
        // The command on the fence line as the file has it (Markdown drops backslashes from info strings).
        if let opening = (code.rawInfo.isEmpty ? info : StepParser.parseInfo(code.rawInfo)).openingCommand, !opening.isEmpty {
            // `$ cmd` on the fence, or a body that shows prompts: the opening command is a prompt line too,
            // so what follows it stays example output.
            let bodyHasPrompts = StepBlock.countingPrompts(literal.lines()).contains { $0 != nil }
            literal = (info.promptOnFence || bodyHasPrompts ? "$ " : "") + opening + "\n" + literal
            blockText = literal.hasSuffix("\n") ? String(literal.dropLast()) : literal
        }
        if !code.isClosed {
            report(location, .warning, "code fence is not closed: it runs to the end of the file")
        }
        let attributes = stepAttributes(info, code: code, location: location)
        let block = StepBlock.read(literal)
        let rawCommand = block.command
        let shell = ShellText(rawCommand)
        var placeholders: [String] = []
        var seenPlaceholders = Set<String>()
        for name in shell.placeholders where seenPlaceholders.insert(name).inserted {
            placeholders.append(name)
            if !declaredNames.contains(name) && placeholderNames.insert(name).inserted {
                placeholderVariables.append(
                    Variable(
                        name: name, description: "asked for: the command's <placeholder>",
                        isSecret: Variable.nameLooksSecret(name), origin: .placeholder, location: location))
            }
        }
        let command = placeholders.isEmpty ? rawCommand : shell.rewritten

        // Steps are numbered by their place in the scope, named or not; a name wins over a number.
        let n = (stepCounts[scope] ?? 0) + 1
        stepCounts[scope] = n
        let id: String
        if let name = attributes.name {
            if let earlier = stepNames[name] {
                report(location, .error, "step name `\(name)` is already used at line \(earlier.line): step names must be unique in a runbook")
            }
            id = name
        } else {
            var candidate = "\(scope)-\(n)"
            var k = 0
            while stepNames[candidate] != nil {
                k += 1
                candidate = "\(scope)-\(n)-\(k)"
            }
            id = candidate
        }
        if stepNames[id] == nil { stepNames[id] = location }
        var title = leadIn
        while title.hasSuffix(":") { title.removeLast() }
        if title.count > 160 { title = String(title.prefix(157)) + "..." }
        var step = Step(
            id: id, role: attributes.role ?? role, language: info.language, command: command, location: location,
            attributes: attributes, exampleOutput: block.example, indicators: [], title: title,
            option: role == .fix ? option?.text : nil, placeholders: placeholders)
        step.blockText = blockText
        step.typedInto = block.program
        if let program = block.program, let prompt = block.prompt {
            step.notRun = block.typedInto == .rootShell
                ? "typed at a root prompt (`\(prompt)`): run it where you are root (a node's debug shell, `sudo -i`); runbook never runs it as you"
                : "typed into \(program) (its prompt `\(prompt)`): type it there; runbook never runs it with the shell"
        } else {
            step.notRun = block.notRun
        }
        return step
    }

    /// The step attributes of a fence's info string, with a diagnostic for each bad one.
    mutating func stepAttributes(_ info: StepParser.Info, code: CodeBlock, location: SourceLocation) -> StepAttributes {
        var attributes = StepAttributes()
        for (key, value, column) in info.attributes {
            let at = SourceLocation(line: location.line, column: Self.infoColumn(code, location) + column - 1)
            func flag() -> Bool? {
                switch value?.lowercased() {
                case nil, "true", "yes": return true
                case "false", "no": return false
                default:
                    report(at, .error, "`\(key)=\(value ?? "")` must be true or false")
                    return nil
                }
            }
            switch key {
            case "name":
                if let v = value, !v.isEmpty, !v.contains(" ") {
                    attributes.name = v
                } else {
                    report(at, .error, "`name` needs a value without spaces, such as name=check-pods")
                }
            case "timeout":
                if let v = value, let t = TimeLimit(v) {
                    attributes.timeout = t
                } else {
                    report(at, .error, "timeout `\(value ?? "")` is not a duration: write seconds or a number with s, m or h, such as timeout=30s")
                }
            case "confirm": attributes.confirm = flag()
            case "interactive": attributes.interactive = flag() ?? false
            case "pty": attributes.pty = flag() ?? false
            case "skip": attributes.skip = flag() ?? false
            case "readonly": attributes.readonly = flag() ?? false
            case "cwd":
                if let v = value, !v.isEmpty { attributes.cwd = v } else { report(at, .error, "`cwd` needs a folder, such as cwd=deploy") }
            case "role":
                if let v = value, let r = StepRole(rawValue: v) {
                    attributes.role = r
                } else {
                    report(at, .error, "role `\(value ?? "")` is unknown: use fix, verify, diagnose, probe or walkthrough")
                }
            default:
                report(at, .warning, "attribute `\(key)` is unknown: the known ones are \(StepAttributes.known.joined(separator: ", "))")
            }
        }

        return attributes
    }

    /// Reads what follows a step: "Expected output:" and its block, "Success indicators:" and its list,
    /// or a list directly after the block.
    mutating func attachTrailing(_ siblings: [MarkdownBlock], from i: inout Int, to step: inout Step) {
        var tookList = false
        while i < siblings.count {
            let block = siblings[i]
            switch block.kind {
            case .paragraph(let inlines):
                let text = inlines.plainText.trimmingASCIISpaces()
                let lower = text.lowercased()
                if lower.hasPrefix("expected output") || lower.hasPrefix("example output") {
                    guard lower.hasSuffix(":"), i + 1 < siblings.count,
                        case .codeBlock(let code) = siblings[i + 1].kind
                    else { return }
                    let literal = code.literal.hasSuffix("\n") ? String(code.literal.dropLast()) : code.literal
                    // Labelled examples (runbook test): see LabelledExample.
                    if let heading = LabelledExample.heading(text) {
                        switch heading {
                        case .success(let h): step.takeExample(h, output: literal, at: block.location)
                        case .failure(let problem): report(block.location, .error, problem.description)
                        }
                        i += 2
                        continue
                    }
                    step.exampleOutput = literal
                    i += 2
                    continue
                }
                guard Self.indicatorIntros.contains(where: { lower.hasPrefix($0 + ":") }) else { return }
                let after = Self.inlinesAfterColon(inlines)
                if !after.plainText.trimmingASCIISpaces().isEmpty {
                    if let indicator = indicator(after, location: block.location) { step.indicators.append(indicator) }
                }
                i += 1
                if i < siblings.count, case .list = siblings[i].kind, isIndicatorList(siblings[i], introduced: true) {
                    step.indicators += indicators(from: siblings[i])
                    i += 1
                    tookList = true
                }
            case .list where !tookList:
                if !isIndicatorList(block, introduced: false) { return }
                step.indicators += indicators(from: block)
                i += 1
                return
            default:
                return
            }
        }
    }

    /// Where a code block's info string starts on its line.
    static func infoColumn(_ code: CodeBlock, _ location: SourceLocation) -> Int {
        code.infoColumn > 0 ? code.infoColumn : location.column + max(3, code.fenceLength)
    }

    /// The paragraphs that introduce a step's indicators (lower case, before their colon).
    static let indicatorIntros = [
        "success indicators", "success indicator", "success criteria", "expected", "expect", "expected result",
        "expected results", "you should see", "you should get",
    ]

    /// A list of indicators: ordinary items holding one paragraph each (no task items, no code), none
    /// ending with `:` (an item that introduces what follows is procedure text). Without an intro, every
    /// item must be in indicator syntax (a keyword: `exit 0`, ``contains `x` ``): a list of plain text
    /// after a step is the procedure going on, not questions for the engineer.
    func isIndicatorList(_ list: MarkdownBlock, introduced: Bool) -> Bool {
        list.children.allSatisfy { item in
            guard case .item(nil) = item.kind,
                item.children.allSatisfy({ if case .paragraph = $0.kind { true } else { false } }),
                let first = item.children.first
            else { return false }
            // Ends with a colon in its text (not in a code span: ``contains `db-password:` ``).
            if case .text(let last)? = first.inlines.last, last.trimmingASCIISpaces().hasSuffix(":") { return false }
            if introduced { return true }
            switch indicatorParser.parse(first.inlines, location: item.location) {
            case .success(let indicator): return indicator.kind != .manual
            case .failure: return true  // `contains Running`: indicator syntax, reported as malformed
            }
        }
    }

    static func inlinesAfterColon(_ inlines: [Inline]) -> [Inline] {
        for (k, inline) in inlines.enumerated() {
            switch inline {
            case .strong(let c), .emphasis(let c):
                // **Expected:** exit 0
                if c.plainText.trimmingASCIISpaces().hasSuffix(":") {
                    return Array(inlines[(k + 1)...]).trimmingLeadingSpace()
                }
            default:
                break
            }
            if case .text(let s) = inline, let colon = s.firstIndex(of: ":") {
                let rest = String(s[s.index(after: colon)...])
                return ([.text(rest)] + inlines[(k + 1)...]).trimmingLeadingSpace()
            }
        }
        return []
    }

    mutating func indicators(from list: MarkdownBlock) -> [Indicator] {
        var out: [Indicator] = []
        for item in list.children {
            guard let first = item.children.first, case .paragraph(let inlines) = first.kind else { continue }
            if let indicator = indicator(inlines, location: item.location) { out.append(indicator) }
        }
        return out
    }

    mutating func indicator(_ inlines: [Inline], location: SourceLocation) -> Indicator? {
        switch indicatorParser.parse(inlines, location: location) {
        case .success(let indicator):
            return indicator
        case .failure(.malformed(let message)):
            report(location, .error, message)
            let text = inlines.plainText.trimmingASCIISpaces()
            return Indicator(kind: .manual, note: text, text: text, location: location)
        }
    }

    /// Remote steps: a step after one that opens a shell elsewhere (`oc debug node/x`, `ssh host`,
    /// `chroot /host`), in the same section, is typed into that shell and never run here; a step that
    /// only says `exit` is the last of them. A step that opens one hands the terminal over; one whose
    /// block goes on after the opening command is shown only.
    mutating func followRemoteShell(_ step: inout Step) {
        if let remote = remoteShell {
            step.remoteOf = remote.step
            if step.notRun == nil {
                step.notRun = "type this in the shell opened by step \(remote.step) (`\(remote.command)`: \(remote.opens)); runbook never runs it with your shell"
            }
            if step.command.split(separator: "\n").allSatisfy({ ["exit", "logout", "\\q", "quit", "exit;"].contains($0.trimmingASCIISpaces()) }) {
                remoteShell = nil
            }
            return
        }
        guard let opener = RemoteShell.opener(in: step.command) else { return }
        step.opensShell = opener.opens
        if opener.followedByMore, step.notRun == nil {
            step.notRun = "the commands after `\(opener.command)` are typed in \(opener.opens) it opens: shown, not run; type the block by hand"
        }
        // The reason quotes the opening command; a long one is cut.
        let quoted = opener.command.count > 60 ? String(opener.command.prefix(57)) + "…" : opener.command
        remoteShell = (step.id, quoted, opener.opens)
    }
}
