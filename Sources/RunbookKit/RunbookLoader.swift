#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads runbooks: bytes -> front matter + cmark-gfm document -> typed `Runbook`.
///
/// Loading never crashes or hangs on bad input. A file that is not a runbook at all (binary, not UTF-8,
/// too large, unreadable) throws a `LoadError` with its `file:line:col`; anything else loads, with
/// diagnostics for what is wrong.
public struct RunbookLoader: Sendable {
    /// Files larger than this are refused.
    public static let maximumFileSize = 16 * 1024 * 1024

    public init() {}

    /// Reads and loads the file at `path`.
    public func load(path: String) throws(LoadError) -> Runbook {
        let bytes = try Self.readFile(path)
        return try load(bytes: bytes, path: path)
    }

    /// Loads a runbook from its bytes; `path` names it in diagnostics and gives its default id.
    public func load(bytes: [UInt8], path: String) throws(LoadError) -> Runbook {
        if bytes.count > Self.maximumFileSize {
            throw LoadError(file: path, "file is larger than 16 MiB (\(bytes.count) bytes): a runbook is text for people; split it")
        }
        if let nul = bytes.firstIndex(of: 0) {
            let (line, column) = Self.position(of: nul, in: bytes)
            throw LoadError(file: path, line: line, column: column, "file is binary (a NUL byte): a runbook must be UTF-8 Markdown text")
        }
        if let bad = Self.firstInvalidUTF8(bytes) {
            let (line, column) = Self.position(of: bad, in: bytes)
            throw LoadError(file: path, line: line, column: column, "file is not valid UTF-8: save it as UTF-8")
        }
        // CRLF line ends become LF: line numbers stay the same, and every later step sees one form.
        let text0 = bytes.contains(0x0D) ? Self.withoutCarriageReturnsBeforeNewlines(bytes) : bytes
        var text = String(decoding: text0, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var reader = DocumentReader(path: path, text: text)
        reader.read()
        return reader.runbook(sha256: SHA256.hex(bytes))
    }

    static func readFile(_ path: String) throws(LoadError) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw LoadError(file: path, "cannot read file: \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw LoadError(file: path, "is a folder: name a Markdown file, or use a command that takes folders")
        }
        if Int(info.st_size) > maximumFileSize {
            throw LoadError(file: path, "file is larger than 16 MiB (\(info.st_size) bytes): a runbook is text for people; split it")
        }
        guard let f = fopen(path, "rb") else {
            throw LoadError(file: path, "cannot read file: \(String(cString: strerror(errno)))")
        }
        defer { fclose(f) }
        // Read straight into the result, sized by stat (one byte more, to see the end of the file);
        // a file that grew since is read on in chunks.
        let expected = Int(info.st_size) + 1
        var bytes = [UInt8](unsafeUninitializedCapacity: expected) { buffer, count in
            count = fread(buffer.baseAddress, 1, expected, f)
        }
        var buffer = [UInt8](repeating: 0, count: bytes.count < expected ? 0 : 65536)
        while bytes.count >= expected {
            let n = fread(&buffer, 1, buffer.count, f)
            if n > 0 { bytes.append(contentsOf: buffer[0..<n]) }
            if n < buffer.count { break }
            if bytes.count > maximumFileSize {
                throw LoadError(file: path, "file is larger than 16 MiB: a runbook is text for people; split it")
            }
        }
        if ferror(f) != 0 {
            throw LoadError(file: path, "cannot read file: \(String(cString: strerror(errno)))")
        }
        return bytes
    }

    static func withoutCarriageReturnsBeforeNewlines(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (i, b) in bytes.enumerated() where !(b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A) {
            out.append(b)
        }
        return out
    }

    /// 1-based line and byte column of the byte at `offset`.
    static func position(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return (line, offset - lineStart + 1)
    }

    /// The offset of the first byte that is not part of valid UTF-8, or nil.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                i += 1
                continue
            }
            var need = 0
            var minimum: UInt32 = 0
            var cp: UInt32 = 0
            if b & 0xE0 == 0xC0 {
                need = 1
                minimum = 0x80
                cp = UInt32(b & 0x1F)
            } else if b & 0xF0 == 0xE0 {
                need = 2
                minimum = 0x800
                cp = UInt32(b & 0x0F)
            } else if b & 0xF8 == 0xF0 {
                need = 3
                minimum = 0x10000
                cp = UInt32(b & 0x07)
            } else {
                return i
            }
            guard i + need < n else { return i }
            for k in 1...need {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                cp = cp << 6 | UInt32(c & 0x3F)
            }
            if cp < minimum || cp > 0x10FFFF || (0xD800...0xDFFF).contains(cp) { return i }
            i += need + 1
        }
        return nil
    }
}

/// Reads one document into the runbook model. Private to the loader; holds the walk's state.
private struct DocumentReader {
    let path: String
    let text: String
    var frontMatter = FrontMatter()
    var document = MarkdownBlock(kind: .document, location: SourceLocation(line: 1, column: 1), endLine: 1)
    var diagnostics: [Diagnostic] = []
    var anchorByHeading: [SourceLocation: String] = [:]
    var anchors: Set<String> = []
    var links: [Link] = []
    var entries: [Entry] = []
    var looseSteps: [Step] = []
    var checklists: [Checklist] = []
    var tree: DecisionTree?
    var firstH1: (text: String, anchor: String, location: SourceLocation)?
    var placeholderVariables: [Variable] = []
    var placeholderNames = Set<String>()
    var declaredNames = Set<String>()
    var checklistIndex: [String: Int] = [:]
    var stepNames: [String: SourceLocation] = [:]
    var stepCounts: [String: Int] = [:]
    let indicatorParser = IndicatorParser(validateRegex: { PosixRegex.problem(with: $0) })

    // The walk's context.
    var singleEntry = false
    var sectionLevel = 3
    var currentEntry: Entry?
    var currentRole: SectionRole?
    var currentSection: Section?
    var option: (text: String, level: Int)?
    var leadIn = ""
    var inTree = false
    var checklistHeading: (id: String, title: String, location: SourceLocation)?

    /// The file's name without `.md` or `.markdown`: the default id and title.
    let fileStem: String

    init(path: String, text: String) {
        self.path = path
        self.text = text
        fileStem = Self.stem(of: path)
    }

    static func stem(of path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        for ext in [".markdown", ".md"] where name.lowercased().hasSuffix(ext) {
            return String(name.dropLast(ext.count))
        }
        return name
    }

    mutating func report(_ location: SourceLocation, _ severity: Severity, _ message: String) {
        diagnostics.append(Diagnostic(file: path, location: location, severity: severity, message: message))
    }

    // MARK: - Reading

    mutating func read() {
        var body = Substring(text)
        var bodyLine = 1
        if let split = FrontMatter.split(body) {
            if !split.closed {
                report(
                    SourceLocation(line: 1, column: 1), .error,
                    "front matter opened on line 1 is not closed: add a line `---` after it")
            } else if split.toml {
                report(SourceLocation(line: 1, column: 1), .note, "TOML front matter (+++) is not read: use YAML between --- lines")
            } else {
                frontMatter = FrontMatter(yaml: split.yaml, firstLine: split.yamlLine, file: path)
                diagnostics += frontMatter.diagnostics
                declaredNames = Set(frontMatter.variables.map(\.name))
            }
            if split.closed {
                body = split.body
                bodyLine = split.bodyLine
            }
        }
        let bodyText = String(body)
        if let line = MarkdownDocument.bracketHazard(bodyText) {
            report(
                SourceLocation(line: line + bodyLine - 1, column: 1), .error,
                "a paragraph here has more than \(MarkdownDocument.maximumBrackets) `[` brackets, more than the Markdown parser handles in reasonable time: split it with blank lines; the rest of the file is not read")
            return
        }
        let markdown = MarkdownDocument(parsing: bodyText, lineOffset: bodyLine - 1)
        document = markdown.root
        if markdown.wasFlattened {
            report(
                document.location, .warning,
                "content nests deeper than \(MarkdownDocument.maximumDepth) levels; deeper content is read as flat text")
        }
        collectAnchorsAndLinks()
        decideLayout()
        walk(document.children)
        finishEntry()
    }

    /// Anchors of every heading, in document order as GitHub numbers them, and every link.
    mutating func collectAnchorsAndLinks() {
        var slugger = HeadingSlugger()
        var stack: [MarkdownBlock] = [document]
        var ordered: [MarkdownBlock] = []
        while let block = stack.popLast() {
            ordered.append(block)
            stack.append(contentsOf: block.children.reversed())
        }
        for block in ordered {
            if case .heading(let level, let inlines) = block.kind {
                let anchor = slugger.anchor(for: inlines.plainText)
                anchorByHeading[block.location] = anchor
                anchors.insert(anchor)
                if level == 1, firstH1 == nil {
                    firstH1 = (inlines.plainText.trimmingASCIISpaces(), anchor, block.location)
                }
            }
            for link in block.inlines.links {
                links.append(Link(destination: link.destination, text: link.text, location: block.location))
            }
        }
    }

    /// One entry per H2, unless the H2s name sections (Meaning, Impact, Diagnosis, Mitigation ...):
    /// then the whole file is one entry and its H2s are the sections.
    mutating func decideLayout() {
        var h2 = 0
        var roles = 0
        for block in document.children {
            if case .heading(2, let inlines) = block.kind {
                let text = inlines.plainText
                if Self.isTreeHeading(text) { continue }
                h2 += 1
                if SectionRole(heading: text) != nil { roles += 1 }
            }
        }
        if roles >= 2 && roles * 2 >= h2 {
            singleEntry = true
            sectionLevel = 2
            let title = firstH1?.text ?? frontMatter.title ?? fileStem
            let anchor = firstH1?.anchor ?? HeadingSlugger.slug(title)
            currentEntry = Entry(
                id: anchor, title: title, anchor: anchor,
                location: firstH1?.location ?? SourceLocation(line: 1, column: 1))
            currentRole = .summary
        }
    }

    /// `Option A: ...`, `Option 2 (recommended)`, `Option:` — but not `Optional ...`.
    static func namesOption(_ text: String) -> Bool {
        let t = text.lowercased().trimmingASCIISpaces()
        return t == "option" || t.hasPrefix("option ") || t.hasPrefix("option:")
    }

    static func isTreeHeading(_ text: String) -> Bool {
        let t = text.lowercased().trimmingASCIISpaces()
        return t == "triage" || t.contains("decision tree")
    }

    // MARK: - Walking blocks

    mutating func walk(_ blocks: [MarkdownBlock]) {
        var i = 0
        while i < blocks.count {
            let block = blocks[i]
            i += 1
            switch block.kind {
            case .heading(let level, let inlines):
                heading(level: level, inlines: inlines, block: block)
            case .paragraph(let inlines):
                paragraph(inlines, block: block)
            case .codeBlock(let code):
                if inTree {
                    appendText(block)
                    continue
                }
                if var step = makeStep(code, location: block.location, role: roleForSection(), scope: stepScope()) {
                    attachTrailing(blocks, from: &i, to: &step)
                    addStep(step)
                } else if code.isFenced && !code.isClosed {
                    report(block.location, .warning, "code fence is not closed: it runs to the end of the file")
                }
                appendText(block)
            case .list:
                if inTree {
                    if tree == nil {
                        tree = DecisionTree(
                            title: currentSection?.heading ?? "Decision tree", location: block.location,
                            roots: treeNodes(block))
                    } else {
                        report(block.location, .warning, "a second list in the decision tree is ignored: keep the tree in one list")
                    }
                    continue
                }
                // Ordinary items are read in place (their paragraphs join the section as they are walked).
                list(block)
            case .blockQuote:
                walk(block.children)
            default:
                appendText(block)
            }
        }
    }

    mutating func heading(level: Int, inlines: [Inline], block: MarkdownBlock) {
        let text = inlines.plainText.trimmingASCIISpaces()
        let anchor = anchorByHeading[block.location] ?? HeadingSlugger.slug(text)
        checklistHeading = (anchor, text, block.location)
        leadIn = text
        if let o = option, level <= o.level { option = nil }

        if singleEntry {
            if level == 1 { return }
            if level == 2 {
                inTree = Self.isTreeHeading(text)
                startSection(SectionRole(heading: text) ?? .notes, heading: text, location: block.location)
                return
            }
        } else {
            if level == 1 {
                finishEntry()
                inTree = false
                return
            }
            if level == 2 {
                finishEntry()
                inTree = Self.isTreeHeading(text)
                if inTree {
                    currentSection = Section(role: .notes, heading: text, text: "", location: block.location)
                    return
                }
                currentEntry = Entry(id: anchor, title: text, anchor: anchor, location: block.location)
                currentRole = .summary
                currentSection = nil
                return
            }
            if level == 3, currentEntry != nil {
                startSection(SectionRole(heading: text) ?? .notes, heading: text, location: block.location)
                return
            }
        }
        // Deeper headings: an option of a fix, or a plain sub-heading.
        if currentRole == .fix, Self.namesOption(text) {
            option = (text, level)
        }
        appendText(block)
    }

    mutating func paragraph(_ inlines: [Inline], block: MarkdownBlock) {
        let text = inlines.plainText.trimmingASCIISpaces()
        // A bold lead-in naming an option: **Option B: Cloud SQL Auth Proxy**
        if currentRole == .fix, case .strong(let bold)? = inlines.trimmingLeadingSpace().first,
            Self.namesOption(bold.plainText)
        {
            option = (bold.plainText.trimmingASCIISpaces(), 99)
        }
        leadIn = text
        appendText(block)
    }

    mutating func startSection(_ role: SectionRole, heading: String, location: SourceLocation) {
        flushSection()
        currentRole = role
        currentSection = Section(role: role, heading: heading, text: "", location: location)
        option = nil
    }

    mutating func flushSection() {
        guard let section = currentSection, currentEntry != nil else {
            currentSection = nil
            return
        }
        currentEntry!.sections.append(section)
        currentSection = nil
    }

    mutating func finishEntry() {
        flushSection()
        if let entry = currentEntry { entries.append(entry) }
        currentEntry = nil
        currentRole = nil
        option = nil
    }

    mutating func appendText(_ block: MarkdownBlock) {
        guard currentEntry != nil else { return }
        let t = block.plainText.trimmingASCIISpaces()
        guard !t.isEmpty else { return }
        if currentSection == nil {
            currentSection = Section(role: currentRole ?? .summary, heading: "", text: "", location: block.location)
        }
        if currentSection!.text.isEmpty {
            currentSection!.text = t
        } else {
            currentSection!.text += "\n\n" + t
        }
    }

    func roleForSection() -> StepRole {
        switch currentRole {
        case .fix?: .fix
        case .verify?: .verify
        case .diagnosis?: .diagnose
        default: .walkthrough
        }
    }

    func stepScope() -> String {
        currentEntry?.id ?? fileStem
    }

    mutating func addStep(_ step: Step) {
        if currentEntry != nil {
            currentEntry!.steps.append(step)
        } else {
            looseSteps.append(step)
        }
    }

    // MARK: - Lists: checklists and nested steps

    mutating func list(_ block: MarkdownBlock) {
        for item in block.children {
            guard case .item(let task) = item.kind else { continue }
            if let checked = task {
                appendText(item)
                checklistItem(item, checked: checked)
            } else {
                // An ordinary item: its blocks are read in place (steps inside list items count).
                walk(item.children)
            }
        }
    }

    mutating func checklistItem(_ item: MarkdownBlock, checked: Bool) {
        let heading = checklistHeading ?? ("checklist", frontMatter.title ?? firstH1?.text ?? fileStem, item.location)
        var text = ""
        var step: Step?
        var nested: [MarkdownBlock] = []
        var i = 0
        let children = item.children
        while i < children.count {
            let child = children[i]
            i += 1
            switch child.kind {
            case .paragraph(let inlines) where text.isEmpty:
                text = inlines.plainText.trimmingASCIISpaces()
            case .codeBlock(let code) where step == nil:
                if var s = makeStep(code, location: child.location, role: .verify, scope: heading.id) {
                    s.title = text
                    attachTrailing(children, from: &i, to: &s)
                    step = s
                }
            case .list:
                nested.append(child)
            default:
                break
            }
        }
        let index: Int
        if let known = checklistIndex[heading.id] {
            index = known
        } else {
            checklists.append(Checklist(id: heading.id, title: heading.title, location: heading.location))
            index = checklists.count - 1
            checklistIndex[heading.id] = index
        }
        checklists[index].items.append(ChecklistItem(text: text, checked: checked, step: step, location: item.location))
        for list in nested { self.list(list) }
    }

    // MARK: - Steps

    mutating func makeStep(_ code: CodeBlock, location: SourceLocation, role: StepRole, scope: String) -> Step? {
        var info = StepParser.parseInfo(code.info)
        for problem in info.problems {
            report(SourceLocation(line: location.line, column: Self.infoColumn(code, location) + problem.column - 1), .error, problem.message)
        }
        var literal = code.literal
        if info.language.isEmpty {
            // An untagged block is a step only when it shows a `$ ` prompt.
            let first = literal.lines(omittingEmpty: true).first { !$0.allSatisfy { $0 == " " } } ?? ""
            guard first.drop(while: { $0 == " " }).hasPrefix("$ ") else { return nil }
            info.language = "console"
        }
        guard StepParser.shellLanguages.contains(info.language) else { return nil }
        if let opening = info.openingCommand, !opening.isEmpty {
            // `$ cmd` on the fence, or a body that shows prompts: the opening command is a prompt line too,
            // so what follows it stays example output.
            let bodyHasPrompts = literal.lines(omittingEmpty: true).contains {
                let t = $0.drop(while: { $0 == " " || $0 == "\t" })
                return t.hasPrefix("$ ") || t == "$"
            }
            literal = (info.promptOnFence || bodyHasPrompts ? "$ " : "") + opening + "\n" + literal
        }
        if !code.isClosed {
            report(location, .warning, "code fence is not closed: it runs to the end of the file")
        }

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

        let (rawCommand, example) = StepParser.splitPrompts(literal)
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
        return Step(
            id: id, role: attributes.role ?? role, language: info.language, command: command, location: location,
            attributes: attributes, exampleOutput: example, indicators: [], title: title,
            option: role == .fix ? option?.text : nil, placeholders: placeholders)
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
                    // BEGIN labelled examples (runbook test): see LabelledExample.
                    if let heading = LabelledExample.heading(text) {
                        switch heading {
                        case .success(let h): step.takeExample(h, output: literal, at: block.location)
                        case .failure(let problem): report(block.location, .error, problem.description)
                        }
                        i += 2
                        continue
                    }
                    // END labelled examples
                    step.exampleOutput = literal
                    i += 2
                    continue
                }
                let intros = ["success indicators", "success indicator", "success criteria", "expected", "expect"]
                guard let intro = intros.first(where: { lower.hasPrefix($0 + ":") }) else { return }
                _ = intro
                let after = Self.inlinesAfterColon(inlines)
                if !after.plainText.trimmingASCIISpaces().isEmpty {
                    if let indicator = indicator(after, location: block.location) { step.indicators.append(indicator) }
                }
                i += 1
                if i < siblings.count, case .list = siblings[i].kind, Self.isIndicatorList(siblings[i]) {
                    step.indicators += indicators(from: siblings[i])
                    i += 1
                    tookList = true
                }
            case .list where !tookList:
                if !Self.isIndicatorList(block) { return }
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

    /// A list of indicators: ordinary items holding one paragraph each (no task items, no code).
    static func isIndicatorList(_ list: MarkdownBlock) -> Bool {
        list.children.allSatisfy { item in
            guard case .item(nil) = item.kind else { return false }
            return item.children.allSatisfy { if case .paragraph = $0.kind { return true } else { return false } }
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

    // MARK: - Decision tree

    mutating func treeNodes(_ list: MarkdownBlock) -> [TreeNode] {
        var nodes: [TreeNode] = []
        for item in list.children {
            guard case .item = item.kind else { continue }
            var label: [Inline] = []
            var probe: Step?
            var children: [TreeNode] = []
            for child in item.children {
                switch child.kind {
                case .paragraph(let inlines) where label.isEmpty:
                    label = inlines
                    leadIn = inlines.plainText.trimmingASCIISpaces()
                case .codeBlock(let code) where probe == nil:
                    probe = makeStep(code, location: child.location, role: .probe, scope: "tree")
                case .list:
                    children += treeNodes(child)
                default:
                    break
                }
            }
            let target = label.links.lazy.compactMap { LinkTarget($0.destination) }.first
            nodes.append(
                TreeNode(
                    label: label.plainText.trimmingASCIISpaces(), location: item.location, probe: probe,
                    patterns: Self.patterns(label), target: target, children: children))
        }
        return nodes
    }

    /// The code spans a label starts with: `A` or `B`, `C`: ...
    static func patterns(_ label: [Inline]) -> [String] {
        var out: [String] = []
        for inline in label.trimmingLeadingSpace() {
            switch inline {
            case .code(let c):
                if !c.isEmpty { out.append(c) }
            case .text(let t):
                let w = t.trimmingASCIISpaces().lowercased()
                if w == "or" || w == "," || w == "/" || w == "|" || w.isEmpty { continue }
                return out
            default:
                return out
            }
        }
        return out
    }

    // MARK: - Result

    func runbook(sha256: String) -> Runbook {
        Runbook(
            id: frontMatter.id ?? fileStem,
            title: frontMatter.title ?? firstH1?.text ?? fileStem,
            version: frontMatter.version,
            updated: frontMatter.updated,
            reviewBy: frontMatter.reviewBy,
            owner: frontMatter.owner,
            shell: frontMatter.shell,
            timeout: frontMatter.timeout,
            description: frontMatter.description,
            variables: frontMatter.variables + placeholderVariables,
            entries: entries,
            decisionTree: tree,
            checklists: checklists,
            looseSteps: looseSteps,
            path: path,
            sha256: sha256,
            anchors: anchors,
            links: links,
            document: document,
            diagnostics: diagnostics.sorted { $0.location < $1.location },
            alerts: frontMatter.alerts)
    }
}
