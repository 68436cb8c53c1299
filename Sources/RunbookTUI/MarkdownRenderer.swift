import RunbookKit

/// One line of a runbook laid out for reading in the terminal.
struct DocLine: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case text
        case heading(Int)
        /// The line above a runnable block: its id and role.
        case stepHeader
        case code
        case rule
        case tableHeader
    }

    var text: String
    var kind: Kind
    /// The step the line belongs to (index into the steps passed to the renderer).
    var step: Int?
    /// The file line of the block the line comes from.
    var source: Int
}

/// Lays out a parsed Markdown document as lines of at most `width` columns: headings, wrapped
/// paragraphs, lists with bullets and task boxes, quotes, tables row by row, and code blocks, the
/// runnable ones with a header naming the step. All text goes through `TerminalSafeText`.
struct MarkdownRenderer: Sendable {
    var width: Int
    /// The runbook's steps; a code block at a step's location is that step.
    var steps: [Step]

    func lines(_ document: MarkdownBlock) -> [DocLine] {
        var out: [DocLine] = []
        render(document, prefix: "", firstPrefix: nil, into: &out)
        while out.last?.text.isEmpty == true && out.last?.kind == .text { out.removeLast() }
        return out
    }

    private func blank(_ out: inout [DocLine], source: Int) {
        if let last = out.last, !(last.text.isEmpty && last.kind == .text) {
            out.append(DocLine(text: "", kind: .text, step: nil, source: source))
        }
    }

    /// `firstPrefix` replaces `prefix` on the block's first line (a list bullet).
    private func render(_ block: MarkdownBlock, prefix: String, firstPrefix: String?, into out: inout [DocLine]) {
        let source = block.location.line
        let room = max(8, width - DisplayWidth.of(prefix))
        var first = firstPrefix
        func emit(_ text: String, _ kind: DocLine.Kind, step: Int? = nil) {
            out.append(DocLine(text: (first ?? prefix) + text, kind: kind, step: step, source: source))
            first = nil
        }
        switch block.kind {
        case .document:
            for child in block.children {
                render(child, prefix: prefix, firstPrefix: nil, into: &out)
            }
        case .heading(let level, let inlines):
            blank(&out, source: source)
            for l in TextWrap.lines(inlines.plainText.safeLine, width: room) { emit(l, .heading(level)) }
            out.append(DocLine(text: "", kind: .text, step: nil, source: source))
        case .paragraph(let inlines):
            for l in TextWrap.lines(inlines.plainText.safeLine, width: room) { emit(l, .text) }
            if firstPrefix == nil { blank(&out, source: source) }
        case .codeBlock(let code):
            let stepIndex = steps.firstIndex { $0.location == block.location }
            if let i = stepIndex {
                let step = steps[i]
                var header = "▶ \(step.id.safeLine) · \(step.role.rawValue)"
                if step.asksFirst { header += " · asks first" }
                if step.handsOverTerminal { header += " · interactive" }
                if !step.isRunnable { header = "■ \(step.id.safeLine) · shown only" }
                if let program = step.typedInto { header += " · typed into \(program.safeLine)" }
                if let opener = step.remoteOf { header += " · type it in the shell opened by \(opener.safeLine)" }
                emit(header, .stepHeader, step: i)
            } else if firstPrefix != nil {
                emit("", .text)
            }
            // A step shows the block as read: a command written on the fence line is its first line.
            var literal = stepIndex.flatMap { steps[$0].blockText } ?? code.literal
            if literal.hasSuffix("\n") { literal.removeLast() }
            let bar = stepIndex == nil ? "┆" : "│"
            for l in literal.safeText.split(separator: "\n", omittingEmptySubsequences: false) {
                // Long code lines wrap, each continuation marked ↪, as output lines do on the step screen.
                for (k, piece) in TextWrap.pieces(String(l), width: room - 2).enumerated() {
                    emit((k == 0 ? bar + " " : bar + "↪") + piece, .code, step: stepIndex)
                }
            }
            blank(&out, source: source)
        case .htmlBlock:
            break
        case .thematicBreak:
            emit(String(repeating: "─", count: min(room, 40)), .rule)
            blank(&out, source: source)
        case .blockQuote:
            for child in block.children { render(child, prefix: prefix + "│ ", firstPrefix: nil, into: &out) }
            blank(&out, source: source)
        case .list(let ordered, let start):
            // An ordered list broken by blocks goes on with the number its author wrote (`3.`).
            for (n, item) in block.children.enumerated() {
                var bullet = ordered ? "\(start + n). " : "• "
                if case .item(let task?) = item.kind { bullet = task ? "☑ " : "☐ " }
                let pad = String(repeating: " ", count: DisplayWidth.of(bullet))
                var itemFirst: String? = prefix + bullet
                for child in item.children {
                    render(child, prefix: prefix + pad, firstPrefix: itemFirst, into: &out)
                    itemFirst = nil
                }
                if item.children.isEmpty { emit("", .text) }
            }
            blank(&out, source: source)
        case .item:
            for child in block.children { render(child, prefix: prefix, firstPrefix: first, into: &out) }
        case .table:
            let rows = block.children.map { row in row.children.map { $0.inlines.plainText.safeLine } }
            if let widths = Self.columnWidths(rows, room: room) {
                // Columns aligned; a cell too wide for its column wraps inside it.
                for (r, cells) in rows.enumerated() {
                    let wrapped = widths.indices.map { c in
                        TextWrap.lines(c < cells.count ? cells[c] : "", width: widths[c])
                    }
                    let height = wrapped.map(\.count).max() ?? 1
                    for k in 0..<max(1, height) {
                        let parts = widths.indices.map { c in
                            DisplayWidth.pad(k < wrapped[c].count ? wrapped[c][k] : "", to: widths[c])
                        }
                        emit(Self.trimTrailingSpaces(parts.joined(separator: " │ ")), r == 0 ? .tableHeader : .text)
                    }
                    if r == 0 { emit(widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─"), .rule) }
                }
            } else {
                for (r, cells) in rows.enumerated() {
                    let text = cells.joined(separator: " │ ")
                    for l in TextWrap.lines(text, width: room) { emit(l, r == 0 ? .tableHeader : .text) }
                    if r == 0 { emit(String(repeating: "─", count: min(room, DisplayWidth.of(text))), .rule) }
                }
            }
            blank(&out, source: source)
        case .tableRow, .tableCell:
            break
        }
    }

    /// The widths of a table's columns in `room` columns (with ` │ ` between them): each as wide
    /// as its widest cell, the widest shrunk first until they fit, none below 6. Nil when even that
    /// does not fit.
    static func columnWidths(_ rows: [[String]], room: Int) -> [Int]? {
        let count = rows.map(\.count).max() ?? 0
        guard count > 0 else { return nil }
        var widths = (0..<count).map { c in max(1, rows.map { c < $0.count ? DisplayWidth.of($0[c]) : 0 }.max() ?? 1) }
        let separators = 3 * (count - 1)
        let minimum = 6
        while widths.reduce(0, +) + separators > room {
            guard let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > minimum else {
                return nil
            }
            widths[widest] -= 1
        }
        return widths
    }

    static func trimTrailingSpaces(_ s: String) -> String {
        var s = s
        while s.last == " " { s.removeLast() }
        return s
    }
}
