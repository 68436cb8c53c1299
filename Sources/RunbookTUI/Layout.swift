import RunbookKit

/// A rectangle of cells on the screen.
struct Rect: Sendable, Hashable {
    var row: Int
    var column: Int
    var width: Int
    var height: Int

    init(row: Int, column: Int, width: Int, height: Int) {
        self.row = row
        self.column = column
        self.width = max(0, width)
        self.height = max(0, height)
    }

    var bottom: Int { row + height }
    var right: Int { column + width }
    var isEmpty: Bool { width == 0 || height == 0 }

    /// The inside of a box drawn on this rectangle.
    var inner: Rect { Rect(row: row + 1, column: column + 1, width: width - 2, height: height - 2) }

    /// The first `rows` rows, and the rest.
    func splitTop(_ rows: Int) -> (top: Rect, rest: Rect) {
        let n = min(max(0, rows), height)
        return (Rect(row: row, column: column, width: width, height: n),
                Rect(row: row + n, column: column, width: width, height: height - n))
    }

    /// The last `rows` rows, and the rest above them.
    func splitBottom(_ rows: Int) -> (rest: Rect, bottom: Rect) {
        let n = min(max(0, rows), height)
        return (Rect(row: row, column: column, width: width, height: height - n),
                Rect(row: row + height - n, column: column, width: width, height: n))
    }

    /// The first `columns` columns, and the rest.
    func splitLeft(_ columns: Int) -> (left: Rect, rest: Rect) {
        let n = min(max(0, columns), width)
        return (Rect(row: row, column: column, width: n, height: height),
                Rect(row: row, column: column + n, width: width - n, height: height))
    }

    /// A rectangle of at most `width` x `height` centred in this one.
    func centered(width w: Int, height h: Int) -> Rect {
        let cw = min(w, width)
        let ch = min(h, height)
        return Rect(row: row + (height - ch) / 2, column: column + (width - cw) / 2, width: cw, height: ch)
    }
}

extension CellGrid {
    /// Writes `text` on row `line` of `rect` (relative), clipped to the rectangle. Runbook text must
    /// already have gone through `TerminalSafeText`.
    @discardableResult
    mutating func put(_ text: String, in rect: Rect, line: Int, indent: Int = 0, style: CellStyle = .plain) -> Int {
        guard line >= 0, line < rect.height, indent < rect.width else { return 0 }
        return put(text, row: rect.row + line, column: rect.column + indent, width: rect.width - indent, style: style)
    }

    /// Fills one row of `rect` with `style` (a selection bar).
    mutating func highlight(_ rect: Rect, line: Int, style: CellStyle) {
        guard line >= 0, line < rect.height else { return }
        fill(row: rect.row + line, column: rect.column, width: rect.width, height: 1, style: style)
    }

    /// Clears a rectangle (for a dialog drawn over the screen).
    mutating func clear(_ rect: Rect) {
        fill(row: rect.row, column: rect.column, width: rect.width, height: rect.height, style: .plain)
    }

    /// A box with single lines, and a title in its top edge.
    mutating func box(_ rect: Rect, title: String? = nil, style: CellStyle = .plain, titleStyle: CellStyle? = nil) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let horizontal = String(repeating: "─", count: rect.width - 2)
        put("┌" + horizontal + "┐", row: rect.row, column: rect.column, width: rect.width, style: style)
        put("└" + horizontal + "┘", row: rect.bottom - 1, column: rect.column, width: rect.width, style: style)
        for r in (rect.row + 1)..<(rect.bottom - 1) {
            put("│", row: r, column: rect.column, width: 1, style: style)
            put("│", row: r, column: rect.right - 1, width: 1, style: style)
        }
        if let title, rect.width > 6 {
            let t = " " + DisplayWidth.clip(title, to: rect.width - 6) + " "
            put(t, row: rect.row, column: rect.column + 2, width: rect.width - 4, style: titleStyle ?? style)
        }
    }
}

/// Word wrapping by display width.
enum TextWrap {
    /// `text` broken into lines of at most `width` columns: at spaces where possible, inside a word
    /// that is longer than a line. Newlines in `text` start new lines; tabs become spaces.
    static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var out: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            out += wrapParagraph(String(paragraph).replacingTabs(), width: width)
        }
        return out
    }

    /// One line broken at any character into pieces of at most `width` columns (code and output: every
    /// character stays where it was written). Always at least one piece.
    static func pieces(_ text: String, width: Int) -> [String] {
        let width = max(1, width)
        var out: [String] = []
        var current = ""
        var col = 0
        for c in text {
            let w = DisplayWidth.of(c)
            if col + w > width, col > 0 {
                out.append(current)
                current = ""
                col = 0
            }
            current.append(c)
            col += w
        }
        out.append(current)
        return out
    }

    private static func wrapParagraph(_ text: String, width: Int) -> [String] {
        if DisplayWidth.of(text) <= width { return [trimTrailing(text)] }
        var lines: [String] = []
        var line = ""
        var lineWidth = 0
        // Leading indentation is kept on the first line only.
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let w = DisplayWidth.of(String(word))
            if word.isEmpty {
                if lineWidth > 0 && lineWidth < width {
                    line += " "
                    lineWidth += 1
                } else if lineWidth == 0 && lines.isEmpty {
                    line += " "
                    lineWidth += 1
                }
                continue
            }
            let sep = (lineWidth == 0 || line.hasSuffix(" ")) ? 0 : 1
            if lineWidth + sep + w <= width {
                if sep == 1 { line += " " }
                line += word
                lineWidth += sep + w
                continue
            }
            if lineWidth > 0 && !line.allSatisfy({ $0 == " " }) {
                lines.append(trimTrailing(line))
                line = ""
                lineWidth = 0
            }
            // A word longer than a line is cut into pieces.
            var piece = ""
            var pieceWidth = 0
            for ch in word {
                let cw = DisplayWidth.of(ch)
                if pieceWidth + cw > width - lineWidth, pieceWidth > 0 || lineWidth > 0 {
                    lines.append(trimTrailing(line + piece))
                    line = ""
                    lineWidth = 0
                    piece = ""
                    pieceWidth = 0
                }
                piece.append(ch)
                pieceWidth += cw
            }
            line += piece
            lineWidth += pieceWidth
        }
        if !line.isEmpty || lines.isEmpty { lines.append(trimTrailing(line)) }
        return lines
    }

    private static func trimTrailing(_ s: String) -> String {
        var s = s
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}

extension String {
    func replacingTabs() -> String {
        guard contains("\t") else { return self }
        return String(map { $0 == "\t" ? " " : $0 })
    }

    /// Runbook text made safe for the grid, on one line (newlines and tabs become spaces).
    var safeLine: String {
        let safe = TerminalSafeText.make(self)
        guard safe.contains(where: { $0 == "\n" || $0 == "\t" || $0 == "\r\n" }) else { return safe }
        return String(safe.map { $0 == "\n" || $0 == "\t" || $0 == "\r\n" ? " " : $0 })
    }

    /// Runbook text made safe for the grid, newlines kept for wrapping.
    var safeText: String { TerminalSafeText.make(self).replacingTabs() }
}

/// Scrolling a list so that a line stays visible.
enum Scroll {
    /// The first line to show of `count` lines in `height` rows, starting from `top`, so that `line`
    /// is visible (with one line of context where there is room).
    static func keepVisible(top: Int, line: Int?, count: Int, height: Int) -> Int {
        guard height > 0 else { return 0 }
        var t = top
        if let line {
            let margin = height > 6 ? 1 : 0
            if line - margin < t { t = line - margin }
            if line + margin >= t + height { t = line + margin - height + 1 }
        }
        return clamp(t, count: count, height: height)
    }

    static func clamp(_ top: Int, count: Int, height: Int) -> Int {
        max(0, min(top, count - height))
    }
}

/// A line of a scrolling list: text in a style, and optionally the item it selects.
struct ListLine<Target: Sendable & Hashable>: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case text(String, CellStyle)
        /// Moves to a column before the next part (for aligned columns).
        case column(Int)
        /// Text right-aligned at the end of the line.
        case right(String, CellStyle)
    }

    var parts: [Part]
    var target: Target?

    init(_ text: String = "", style: CellStyle = .plain, target: Target? = nil) {
        parts = text.isEmpty ? [] : [.text(text, style)]
        self.target = target
    }

    init(parts: [Part], target: Target? = nil) {
        self.parts = parts
        self.target = target
    }

    /// Draws the line on row `line` of `rect`, with a selection bar when `selected`.
    func draw(into grid: inout CellGrid, _ rect: Rect, line: Int, selected: Bool, theme: Theme) {
        guard line >= 0, line < rect.height else { return }
        if selected {
            grid.highlight(rect, line: line, style: theme.selected)
            // A mark that tells the selection without colour or reverse video (and in text snapshots).
            grid.put("›", in: rect, line: line, style: theme.selected)
        }
        var col = 0
        var rightParts: [(String, CellStyle)] = []
        // Text on the left stops (with `…`) before what is right-aligned: a verdict at the end of a
        // long title is never hidden.
        var rightWidth = 0
        for case .right(let t, _) in parts { rightWidth += DisplayWidth.of(t) + 2 }
        let limit = rightWidth > 0 ? rect.width - rightWidth : rect.width
        for part in parts {
            switch part {
            case .text(var t, var s):
                if selected {
                    s.reverse = true
                    if col == 0, t.hasPrefix(" ") { t.removeFirst(); col = 1 }
                }
                // Cut text says so with `…` (the scroll-mark column at the edge is left free).
                let edge = rightWidth > 0 ? limit : limit - 1
                if col + DisplayWidth.of(t) > edge + (rightWidth > 0 ? 0 : 1) { t = DisplayWidth.clip(t, to: max(0, edge - col)) }
                col += grid.put(t, in: rect, line: line, indent: col, style: s)
            case .column(let c):
                col = max(col + (col > 0 ? 1 : 0), c)
            case .right(let t, let s):
                rightParts.append((t, s))
            }
        }
        var end = rect.width - 1
        for (t, var s) in rightParts.reversed() {
            if selected { s.reverse = true }
            let w = DisplayWidth.of(t)
            let start = end - w
            if start > col { grid.put(t, in: rect, line: line, indent: start, style: s) }
            end = start - 2
        }
    }
}

/// Selection and scrolling over the lines of a list where some lines are items.
enum ListNavigation {
    /// Indices of the lines that are items.
    static func items<T>(_ lines: [ListLine<T>]) -> [Int] {
        lines.indices.filter { lines[$0].target != nil }
    }

    /// Draws `lines` in `rect` from the scroll position that keeps item `selection` in view; returns
    /// that position.
    @discardableResult
    static func draw<T>(
        _ lines: [ListLine<T>], selection: Int, top: Int, into grid: inout CellGrid, _ rect: Rect, theme: Theme,
        focused: Bool = true
    ) -> Int {
        let items = items(lines)
        let selectedLine = items.isEmpty ? nil : items[min(max(0, selection), items.count - 1)]
        let first = Scroll.keepVisible(top: top, line: selectedLine, count: lines.count, height: rect.height)
        for i in 0..<rect.height where first + i < lines.count {
            lines[first + i].draw(into: &grid, rect, line: i, selected: focused && first + i == selectedLine, theme: theme)
        }
        drawScrollMarks(into: &grid, rect, first: first, count: lines.count, theme: theme)
        return first
    }

    /// `▲` / `▼` in the right edge when there is more above or below.
    static func drawScrollMarks(into grid: inout CellGrid, _ rect: Rect, first: Int, count: Int, theme: Theme) {
        guard rect.width > 2, rect.height > 1 else { return }
        if first > 0 { grid.put("▲", row: rect.row, column: rect.right - 1, width: 1, style: theme.dim) }
        if first + rect.height < count {
            grid.put("▼", row: rect.bottom - 1, column: rect.right - 1, width: 1, style: theme.dim)
        }
    }
}
