/// Reads one document into the runbook model for `RunbookLoader`, and only for it; holds the walk's state.
/// Its steps are read in DocumentReader+Steps, its lists, checklists and decision tree in DocumentReader+Lists.
struct DocumentReader {
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
    /// The entry's open sections by heading level, outermost first: a deeper heading that names a
    /// role opens one, and the next heading at its level or above closes it.
    var sectionStack: [(level: Int, role: SectionRole)] = []
    /// The step of this section that opened a shell elsewhere: the steps after it are typed there.
    var remoteShell: (step: String, command: String, opens: String)?
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
        inferTree()
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
                sectionStack = [(2, SectionRole(heading: text) ?? .notes)]
                startSection(SectionRole(heading: text) ?? .notes, heading: text, location: block.location)
                return
            }
        } else {
            if level == 1, currentEntry == nil || inTree {
                finishEntry()
                inTree = false
                return
            }
            if level == 2 {
                finishEntry()
                sectionStack = []
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
                sectionStack = [(3, SectionRole(heading: text) ?? .notes)]
                startSection(SectionRole(heading: text) ?? .notes, heading: text, location: block.location)
                return
            }
        }
        if deeperSection(level: level, text: text, location: block.location) { return }
        // Deeper headings: an option of a fix, or a plain sub-heading.
        if currentRole == .fix, Self.namesOption(text) {
            option = (text, level)
        }
        appendText(block)
    }

    /// A heading below the section level inside an entry (an H1 in the middle of an entry counts as
    /// one): when it names a role it opens a section of that role (`#### Verification` in a procedure);
    /// when it closes such a section, the enclosing section's role comes back. True when the heading
    /// became a section heading.
    mutating func deeperSection(level: Int, text: String, location: SourceLocation) -> Bool {
        guard currentEntry != nil, !inTree else { return false }
        // An H1 inside an entry does not end it: it stands where a section heading would.
        let depth = level == 1 ? sectionLevel : level
        let before = sectionStack.last?.role
        while let last = sectionStack.last, last.level >= depth { sectionStack.removeLast() }
        if let role = SectionRole(heading: text) {
            sectionStack.append((depth, role))
            startSection(role, heading: text, location: location)
            return true
        }
        let enclosing = sectionStack.last?.role ?? .summary
        if before != nil, sectionStack.last?.role != before, enclosing != currentRole {
            startSection(enclosing, heading: "", location: location)
        }
        return false
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
        remoteShell = nil
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
        sectionStack = []
        remoteShell = nil
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
        var step = step
        followRemoteShell(&step)
        if currentEntry != nil {
            currentEntry!.steps.append(step)
        } else {
            looseSteps.append(step)
        }
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
            alerts: frontMatter.alerts, context: frontMatter.context)
    }
}
