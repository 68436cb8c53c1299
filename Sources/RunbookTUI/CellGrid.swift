/// A colour of a cell: the 16 ANSI colours, the 256 indexed ones, or RGB (shown as the nearest the
/// terminal has).
public enum CellColor: Sendable, Hashable {
    case ansi(UInt8)
    case indexed(UInt8)
    case rgb(UInt8, UInt8, UInt8)
}

/// How a cell looks. A pure value: the backend maps it to ncurses attributes and colour pairs
/// (or ignores colours under NO_COLOR and on monochrome terminals).
public struct CellStyle: Sendable, Hashable {
    public var bold = false
    public var dim = false
    public var underline = false
    public var reverse = false
    public var foreground: CellColor?
    public var background: CellColor?

    public init(bold: Bool = false, dim: Bool = false, underline: Bool = false, reverse: Bool = false,
                foreground: CellColor? = nil, background: CellColor? = nil) {
        self.bold = bold
        self.dim = dim
        self.underline = underline
        self.reverse = reverse
        self.foreground = foreground
        self.background = background
    }

    public static let plain = CellStyle()
}

/// One cell: a grapheme that is 1 or 2 columns wide, or the empty continuation of a wide one.
public struct Cell: Sendable, Hashable {
    /// The grapheme; "" for the second column of a wide character.
    public var text: String
    public var style: CellStyle

    public init(text: String = " ", style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }

    public static let blank = Cell()
}

/// A frame: what `view` renders and the backend flushes. Text rows make snapshots.
public struct CellGrid: Sendable, Hashable {
    public let size: ScreenSize
    public private(set) var cells: [Cell]

    public init(size: ScreenSize) {
        self.size = ScreenSize(columns: max(0, size.columns), rows: max(0, size.rows))
        cells = Array(repeating: .blank, count: self.size.columns * self.size.rows)
    }

    public subscript(row: Int, column: Int) -> Cell {
        get { cells[row * size.columns + column] }
        set { cells[row * size.columns + column] = newValue }
    }

    /// Writes `text` at (`row`, `column`), clipped to `width` columns (default: to the right edge), by
    /// display width: a wide character that does not fit whole is left out. Control characters must not
    /// reach here (output is sanitized; runbook text goes through `TerminalSafeText`); any that do are
    /// shown as U+FFFD. Returns the number of columns written.
    @discardableResult
    public mutating func put(_ text: String, row: Int, column: Int, width: Int? = nil, style: CellStyle = .plain) -> Int {
        guard row >= 0, row < size.rows, column < size.columns else { return 0 }
        let limit = min(size.columns, column + (width ?? size.columns - column))
        var col = max(0, column)
        for ch in text {
            var grapheme = String(ch)
            var w = DisplayWidth.of(ch)
            if ch.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
                grapheme = "\u{FFFD}"
                w = 1
            }
            if w == 0 {
                // A combining mark joins the previous cell.
                if col > column, col - 1 < size.columns {
                    self[row, col - 1].text += grapheme
                }
                continue
            }
            if col + w > limit { break }
            self[row, col] = Cell(text: grapheme, style: style)
            if w == 2 { self[row, col + 1] = Cell(text: "", style: style) }
            col += w
        }
        return col - max(0, column)
    }

    /// Fills a rectangle with a style (and blanks).
    public mutating func fill(row: Int, column: Int, width: Int, height: Int, style: CellStyle) {
        for r in max(0, row)..<min(size.rows, row + height) {
            for c in max(0, column)..<min(size.columns, column + width) {
                self[r, c] = Cell(text: " ", style: style)
            }
        }
    }

    /// The text of each row, trailing spaces trimmed: what snapshot tests compare.
    public var textRows: [String] {
        (0..<size.rows).map { r in
            var line = ""
            for c in 0..<size.columns { line += self[r, c].text }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }

    public var text: String { textRows.joined(separator: "\n") }
}
