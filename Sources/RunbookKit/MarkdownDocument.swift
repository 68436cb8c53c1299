import CMarkGFM
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Inline Markdown content, as cmark-gfm parsed it.
public indirect enum Inline: Sendable, Hashable {
    case text(String)
    case code(String)
    case softBreak
    case lineBreak
    case html(String)
    case emphasis([Inline])
    case strong([Inline])
    case strikethrough([Inline])
    case link(destination: String, [Inline])
    case image(source: String, [Inline])
}

extension [Inline] {
    /// The text a reader sees: markup removed, code spans kept as their content, breaks as spaces.
    public var plainText: String {
        var out = ""
        appendPlainText(to: &out)
        return out
    }

    func appendPlainText(to out: inout String) {
        for inline in self {
            switch inline {
            case .text(let s), .code(let s): out += s
            case .html: break
            case .softBreak, .lineBreak: out += " "
            case .emphasis(let c), .strong(let c), .strikethrough(let c), .link(_, let c), .image(_, let c):
                c.appendPlainText(to: &out)
            }
        }
    }

    /// Every link destination in document order, nested ones included.
    public var links: [(destination: String, text: String)] {
        var out: [(String, String)] = []
        for inline in self {
            switch inline {
            case .link(let d, let c): out.append((d, c.plainText))
            case .emphasis(let c), .strong(let c), .strikethrough(let c), .image(_, let c): out += c.links
            default: break
            }
        }
        return out
    }

    /// The same inlines with leading white space removed.
    func trimmingLeadingSpace() -> [Inline] {
        var rest = self
        while let first = rest.first {
            switch first {
            case .softBreak, .lineBreak:
                rest.removeFirst()
            case .text(let s):
                let t = s.drop(while: { $0 == " " || $0 == "\t" })
                if t.isEmpty {
                    rest.removeFirst()
                } else {
                    rest[0] = .text(String(t))
                    return rest
                }
            default:
                return rest
            }
        }
        return rest
    }
}

/// A fenced or indented code block.
public struct CodeBlock: Sendable, Hashable {
    /// The info string after the opening fence, as written (`sh {name=x}`); empty for indented blocks.
    public var info: String
    public var literal: String
    public var isFenced: Bool
    /// How many backticks or tildes open the fence (0 for an indented block).
    public var fenceLength: Int = 0
    /// The file column where the info string starts (0 when unknown).
    public var infoColumn: Int = 0
    /// False for a fence that runs to the end of the file without a closing fence.
    public var isClosed: Bool
    /// The info string exactly as the file has it: Markdown reads `\"` in an info string as `"`, a
    /// command written on the fence line keeps its backslashes only here.
    public var rawInfo: String = ""
}

/// One block of a Markdown document, with where it starts in the file.
public struct MarkdownBlock: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case document
        case blockQuote
        /// `start`: the number of an ordered list's first item (`3.` starts at 3); 1 otherwise.
        case list(ordered: Bool, start: Int)
        /// A list item; `task` is nil for an ordinary item, else whether its box is ticked.
        case item(task: Bool?)
        case codeBlock(CodeBlock)
        case htmlBlock(String)
        case paragraph([Inline])
        case heading(level: Int, [Inline])
        case thematicBreak
        case table
        case tableRow
        case tableCell([Inline])
    }

    public var kind: Kind
    public var location: SourceLocation
    public var endLine: Int
    public var children: [MarkdownBlock]

    public init(kind: Kind, location: SourceLocation, endLine: Int, children: [MarkdownBlock] = []) {
        self.kind = kind
        self.location = location
        self.endLine = endLine
        self.children = children
    }

    /// The inlines of a paragraph, heading or table cell; empty for other blocks.
    public var inlines: [Inline] {
        switch kind {
        case .paragraph(let i), .heading(_, let i), .tableCell(let i): i
        default: []
        }
    }

    /// The text of this block and everything inside it, paragraphs separated by blank lines.
    public var plainText: String {
        switch kind {
        case .paragraph(let i), .heading(_, let i), .tableCell(let i): return i.plainText
        case .codeBlock(let c): return c.literal
        case .htmlBlock: return ""
        case .thematicBreak: return ""
        default:
            return children.map(\.plainText).filter { !$0.isEmpty }.joined(separator: "\n\n")
        }
    }
}

/// A Markdown document parsed the way GitHub parses it: CommonMark with the GFM extensions
/// (tables, task lists, strikethrough, autolinks), through cmark-gfm.
public struct MarkdownDocument: Sendable {
    public var root: MarkdownBlock
    /// True when content nested deeper than `maximumDepth` was flattened into its ancestor.
    public var wasFlattened: Bool

    /// How deep blocks (and, separately, inlines) may nest before deeper content is flattened.
    /// Keeps every later walk of the tree well within the stack.
    public static let maximumDepth = 64

    /// The most `|` one line may have before tables are read as plain paragraphs.
    static let maximumTableCells = 256
    /// The most `[` a paragraph (a run of non-blank lines) may have: cmark-gfm 0.29 takes quadratic
    /// time on runs of unclosed brackets (`![[]()` repeated).
    public static let maximumBrackets = 5_000

    static func hasHugeTableRow(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { hasHugeTableRow($0) }
    }

    private static func hasHugeTableRow(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var pipes = 0
        for b in text {
            if b == UInt8(ascii: "|") {
                pipes += 1
                if pipes > maximumTableCells { return true }
            } else if b == 0x0A {
                pipes = 0
            }
        }
        return false
    }

    /// The first line of a paragraph with more brackets than cmark-gfm handles in reasonable time, if any.
    public static func bracketHazard(_ text: String) -> Int? {
        var text = text
        return text.withUTF8 { bracketHazard($0) }
    }

    private static func bracketHazard(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        var line = 1
        var runStart = 1
        var brackets = 0
        var blank = true
        for b in text {
            switch b {
            case 0x0A:
                if blank {
                    brackets = 0
                    runStart = line + 1
                }
                line += 1
                blank = true
            case UInt8(ascii: "["):
                brackets += 1
                blank = false
                if brackets > maximumBrackets { return runStart }
            case UInt8(ascii: " "), UInt8(ascii: "\t"), 0x0D:
                break
            default:
                blank = false
            }
        }
        return nil
    }

    /// cmark-gfm 0.29 keeps process-wide state without a lock: registering its extensions (a flag, and
    /// the node-type numbers the table extension takes) and the inline parser's special-character
    /// tables, which attaching extensions to a parser and freeing it change. Two parses at once (tests
    /// run in parallel; the tool itself parses on one thread) can corrupt each other, seen as cmark's
    /// `finalize: Assertion b->flags & CMARK_NODE__OPEN failed`. So parses take turns.
    private static let cmarkLock = NSLock()

    /// Parses `text`; `lineOffset` is added to every line number (the lines of front matter before it).
    public init(parsing text: String, lineOffset: Int = 0) {
        Self.cmarkLock.lock()
        defer { Self.cmarkLock.unlock() }
        cmark_gfm_core_extensions_ensure_registered()
        let parser = cmark_parser_new(CMARK_OPT_DEFAULT | CMARK_OPT_FOOTNOTES)!
        defer { cmark_parser_free(parser) }
        // Bare-URL autolinking is left out: cmark-gfm 0.29's autolinker is quadratic on some input
        // (`www.a_` repeated), and runbooks gain nothing from it. Tables are read unless a line has
        // so many cells that the table extension's row padding would take quadratic time.
        var extensions = ["tasklist", "strikethrough"]
        if !Self.hasHugeTableRow(text) { extensions.append("table") }
        for name in extensions {
            if let ext = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, ext)
            }
        }
        var sourceLines: [Substring] = []
        text.withCString { ptr in
            cmark_parser_feed(parser, ptr, strlen(ptr))
        }
        sourceLines = text.lines()
        let doc = cmark_parser_finish(parser)!
        defer { cmark_node_free(doc) }
        var builder = TreeBuilder(lineOffset: lineOffset, sourceLines: sourceLines)
        builder.build(doc)
        root = builder.result
        wasFlattened = builder.flattened
    }
}

/// Turns cmark's tree into `MarkdownBlock` values without recursion, so any depth of input is safe.
private struct TreeBuilder {
    let lineOffset: Int
    let sourceLines: [Substring]
    var result = MarkdownBlock(kind: .document, location: SourceLocation(line: 1, column: 1), endLine: 1)
    var flattened = false

    // Open blocks, innermost last.
    private var blocks: [MarkdownBlock] = []
    private var blockOverflow = 0
    // Open inline containers, innermost last; each holds (kind marker, children).
    private var inlines: [(node: OpaquePointer, children: [Inline])] = []
    private var inlineOverflow = 0

    init(lineOffset: Int, sourceLines: [Substring]) {
        self.lineOffset = lineOffset
        self.sourceLines = sourceLines
    }

    private func location(_ node: OpaquePointer) -> SourceLocation {
        SourceLocation(
            line: max(1, Int(cmark_node_get_start_line(node))) + lineOffset,
            column: max(1, Int(cmark_node_get_start_column(node))))
    }

    private func endLine(_ node: OpaquePointer) -> Int {
        max(1, Int(cmark_node_get_end_line(node))) + lineOffset
    }

    private func string(_ p: UnsafePointer<CChar>?) -> String {
        guard let p else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: strlen(p)), as: UTF8.self)
    }

    mutating func build(_ doc: OpaquePointer) {
        let iter = cmark_iter_new(doc)!
        defer { cmark_iter_free(iter) }
        while true {
            let event = cmark_iter_next(iter)
            if event == CMARK_EVENT_DONE { break }
            guard let node = cmark_iter_get_node(iter) else { continue }
            if event == CMARK_EVENT_ENTER {
                enter(node)
            } else if event == CMARK_EVENT_EXIT {
                exit(node)
            }
        }
        if let root = blocks.first { result = root }
    }

    private func typeName(_ node: OpaquePointer) -> String {
        string(cmark_node_get_type_string(node))
    }

    private mutating func enter(_ node: OpaquePointer) {
        let type = cmark_node_get_type(node)
        switch type {
        // Inline leaves.
        case CMARK_NODE_TEXT: appendInline(.text(string(cmark_node_get_literal(node))))
        case CMARK_NODE_CODE: appendInline(.code(string(cmark_node_get_literal(node))))
        case CMARK_NODE_SOFTBREAK: appendInline(.softBreak)
        case CMARK_NODE_LINEBREAK: appendInline(.lineBreak)
        case CMARK_NODE_HTML_INLINE: appendInline(.html(string(cmark_node_get_literal(node))))
        case CMARK_NODE_FOOTNOTE_REFERENCE: appendInline(.text("[^" + string(cmark_node_get_literal(node)) + "]"))
        // Inline containers.
        case CMARK_NODE_EMPH, CMARK_NODE_STRONG, CMARK_NODE_LINK, CMARK_NODE_IMAGE:
            openInline(node)
        // Leaf blocks.
        case CMARK_NODE_CODE_BLOCK:
            var length: Int32 = 0
            var offset: Int32 = 0
            var char: CChar = 0
            let fenced = cmark_node_get_fenced(node, &length, &offset, &char) != 0
            let column = fenced ? infoColumn(node, fenceLength: Int(length)) : 0
            var block = CodeBlock(
                info: string(cmark_node_get_fence_info(node)),
                literal: string(cmark_node_get_literal(node)),
                isFenced: fenced,
                fenceLength: fenced ? Int(length) : 0,
                infoColumn: column,
                isClosed: !fenced || fenceIsClosed(node))
            block.rawInfo = fenced ? rawInfo(node, column: column) : ""
            appendBlock(MarkdownBlock(kind: .codeBlock(block), location: location(node), endLine: endLine(node)))
        case CMARK_NODE_HTML_BLOCK:
            appendBlock(
                MarkdownBlock(
                    kind: .htmlBlock(string(cmark_node_get_literal(node))), location: location(node),
                    endLine: endLine(node)))
        case CMARK_NODE_THEMATIC_BREAK:
            appendBlock(MarkdownBlock(kind: .thematicBreak, location: location(node), endLine: endLine(node)))
        default:
            if type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING {
                // Blocks that hold inlines: collect them until EXIT.
                inlines = [(node, [])]
                inlineOverflow = 0
                return
            }
            let name = typeName(node)
            if name == "strikethrough" {
                openInline(node)
                return
            }
            if name == "table_cell" {
                inlines = [(node, [])]
                inlineOverflow = 0
                return
            }
            openBlock(node)
        }
    }

    private mutating func exit(_ node: OpaquePointer) {
        let type = cmark_node_get_type(node)
        switch type {
        case CMARK_NODE_EMPH, CMARK_NODE_STRONG, CMARK_NODE_LINK, CMARK_NODE_IMAGE:
            closeInline(node)
        case CMARK_NODE_PARAGRAPH, CMARK_NODE_HEADING:
            let content = inlines.first?.children ?? []
            inlines = []
            let kind: MarkdownBlock.Kind =
                type == CMARK_NODE_HEADING
                ? .heading(level: Int(cmark_node_get_heading_level(node)), content) : .paragraph(content)
            appendBlock(MarkdownBlock(kind: kind, location: location(node), endLine: endLine(node)))
        default:
            let name = typeName(node)
            if name == "strikethrough" {
                closeInline(node)
            } else if name == "table_cell" {
                let content = inlines.first?.children ?? []
                inlines = []
                appendBlock(
                    MarkdownBlock(kind: .tableCell(content), location: location(node), endLine: endLine(node)))
            } else {
                closeBlock()
            }
        }
    }

    private mutating func openBlock(_ node: OpaquePointer) {
        if blocks.count >= MarkdownDocument.maximumDepth {
            blockOverflow += 1
            flattened = true
            return
        }
        let kind: MarkdownBlock.Kind
        switch cmark_node_get_type(node) {
        case CMARK_NODE_DOCUMENT: kind = .document
        case CMARK_NODE_BLOCK_QUOTE: kind = .blockQuote
        case CMARK_NODE_LIST:
            let ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST
            kind = .list(ordered: ordered, start: ordered ? max(0, Int(cmark_node_get_list_start(node))) : 1)
        case CMARK_NODE_ITEM:
            if typeName(node) == "tasklist" {
                kind = .item(task: cmark_gfm_extensions_get_tasklist_item_checked(node))
            } else {
                kind = .item(task: nil)
            }
        default:
            switch typeName(node) {
            case "table": kind = .table
            case "table_row", "table_header": kind = .tableRow
            case "tasklist": kind = .item(task: cmark_gfm_extensions_get_tasklist_item_checked(node))
            default: kind = .blockQuote  // an unknown container: keep its content
            }
        }
        blocks.append(MarkdownBlock(kind: kind, location: location(node), endLine: endLine(node)))
    }

    private mutating func closeBlock() {
        if blockOverflow > 0 {
            blockOverflow -= 1
            return
        }
        guard let done = blocks.popLast() else { return }
        if blocks.isEmpty {
            blocks = [done]
        } else {
            blocks[blocks.count - 1].children.append(done)
        }
    }

    private mutating func appendBlock(_ block: MarkdownBlock) {
        guard !blocks.isEmpty else { return }
        blocks[blocks.count - 1].children.append(block)
    }

    private mutating func openInline(_ node: OpaquePointer) {
        guard !inlines.isEmpty else { return }
        if inlines.count >= MarkdownDocument.maximumDepth {
            inlineOverflow += 1
            flattened = true
            return
        }
        inlines.append((node, []))
    }

    private mutating func closeInline(_ node: OpaquePointer) {
        if inlineOverflow > 0 {
            inlineOverflow -= 1
            return
        }
        guard inlines.count > 1, let (open, children) = inlines.popLast() else { return }
        let inline: Inline
        switch cmark_node_get_type(open) {
        case CMARK_NODE_EMPH: inline = .emphasis(children)
        case CMARK_NODE_STRONG: inline = .strong(children)
        case CMARK_NODE_LINK: inline = .link(destination: string(cmark_node_get_url(open)), children)
        case CMARK_NODE_IMAGE: inline = .image(source: string(cmark_node_get_url(open)), children)
        default: inline = .strikethrough(children)
        }
        appendInline(inline)
    }

    private mutating func appendInline(_ inline: Inline) {
        guard !inlines.isEmpty else { return }
        inlines[inlines.count - 1].children.append(inline)
    }

    /// The 1-based byte column of the info string on the fence's line: after the fence and its spaces.
    private func infoColumn(_ node: OpaquePointer, fenceLength: Int) -> Int {
        let index = Int(cmark_node_get_start_line(node)) - 1
        guard index >= 0, index < sourceLines.count else { return 0 }
        let line = Array(sourceLines[index].utf8)
        var i = max(0, Int(cmark_node_get_start_column(node)) - 1)
        // Container markers and indentation before the fence, then the fence itself.
        while i < line.count, line[i] != UInt8(ascii: "`"), line[i] != UInt8(ascii: "~") { i += 1 }
        var run = 0
        while i < line.count, line[i] == UInt8(ascii: "`") || line[i] == UInt8(ascii: "~"), run < fenceLength {
            i += 1
            run += 1
        }
        while i < line.count, line[i] == UInt8(ascii: " ") || line[i] == UInt8(ascii: "\t") { i += 1 }
        return i + 1
    }

    /// The fence line's text from the info string's column, trailing spaces removed.
    private func rawInfo(_ node: OpaquePointer, column: Int) -> String {
        let index = Int(cmark_node_get_start_line(node)) - 1
        guard column > 0, index >= 0, index < sourceLines.count else { return "" }
        let line = sourceLines[index].utf8
        guard column - 1 <= line.count else { return "" }
        var text = String(decoding: line.dropFirst(column - 1), as: UTF8.self)
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
        return text
    }

    /// cmark does not record whether a fence was closed: look at the source line where the block ends.
    private func fenceIsClosed(_ node: OpaquePointer) -> Bool {
        var length: Int32 = 0
        var offset: Int32 = 0
        var char: CChar = 0
        _ = cmark_node_get_fenced(node, &length, &offset, &char)
        let index = Int(cmark_node_get_end_line(node)) - 1
        let start = Int(cmark_node_get_start_line(node)) - 1
        guard index > start, index >= 0, index < sourceLines.count else { return false }
        let line = sourceLines[index].drop(while: { $0 == " " || $0 == "\t" || $0 == ">" })
        let fenceChar = Character(UnicodeScalar(UInt8(bitPattern: char)))
        let run = line.prefix(while: { $0 == fenceChar })
        return run.count >= Int(length) && line.dropFirst(run.count).allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
    }
}
