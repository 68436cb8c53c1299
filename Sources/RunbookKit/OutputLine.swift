/// One complete line of a step's output, sanitized: safe to draw on a terminal, to match indicators
/// against, and to keep.
///
/// `text` never contains a control character: no scalar below U+0020 (tabs are already expanded to
/// spaces, line ends are gone), none in U+007F–U+009F, and no bidirectional control. Other control bytes
/// appear as their visible pictures (U+2400–U+2421).
public struct OutputLine: Sendable, Hashable {
    /// The stream the line came from.
    public var channel: OutputChannel
    /// The sanitized plain text, without its line ending.
    public var text: String
    /// The styled parts of `text`, in order, not overlapping, with adjacent equal styles merged. Text no
    /// run covers has the default style; the array is empty when the whole line is unstyled.
    public var styles: [StyleRun]
    /// How many bytes of sanitized text were cut off the end of the line because it was longer than the
    /// sanitizer's line cap (`OutputSanitizer.Limits.maxLineBytes`); 0 when the line is whole.
    public var droppedBytes: Int

    public init(channel: OutputChannel, text: String, styles: [StyleRun] = [], droppedBytes: Int = 0) {
        self.channel = channel
        self.text = text
        self.styles = styles
        self.droppedBytes = droppedBytes
    }

    /// Whether the end of the line was cut off by the line cap.
    public var isTruncated: Bool { droppedBytes > 0 }

    /// What ends a cut line wherever it is shown (the TUI, reports): ` ⋯ 5000000 more bytes cut`; ""
    /// for a whole line.
    public static func cutMark(droppedBytes: Int) -> String {
        droppedBytes > 0 ? " ⋯ \(droppedBytes) more bytes cut" : ""
    }
}

/// A stretch of a line's text drawn in one style.
///
/// `range` counts **UTF-8 bytes** of `OutputLine.text` (`text.utf8`), the unit the sanitizer builds lines
/// in: it costs nothing to record, and never splits a scalar. Convert with
/// `text.utf8.index(text.utf8.startIndex, offsetBy: range.lowerBound)`, or use `OutputLine.text(of:)`.
public struct StyleRun: Sendable, Hashable {
    /// UTF-8 byte offsets into the line's `text`.
    public var range: Range<Int>
    public var style: TextStyle

    public init(range: Range<Int>, style: TextStyle) {
        self.range = range
        self.style = style
    }
}

extension OutputLine {
    /// The part of `text` a style run covers.
    public func text(of run: StyleRun) -> Substring {
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: run.range.lowerBound, limitedBy: utf8.endIndex)
            ?? utf8.endIndex
        let upper = utf8.index(lower, offsetBy: run.range.count, limitedBy: utf8.endIndex) ?? utf8.endIndex
        return text[lower..<upper]
    }
}

/// How a run of text is drawn: the attributes of SGR (`ESC [ … m`) that a cell grid can show.
public struct TextStyle: Sendable, Hashable {
    public var bold: Bool
    public var dim: Bool
    public var italic: Bool
    public var underline: Bool
    public var reverse: Bool
    /// `nil` is the terminal's default foreground.
    public var foreground: TerminalColor?
    /// `nil` is the terminal's default background.
    public var background: TerminalColor?

    public init(
        bold: Bool = false, dim: Bool = false, italic: Bool = false, underline: Bool = false,
        reverse: Bool = false, foreground: TerminalColor? = nil, background: TerminalColor? = nil
    ) {
        self.bold = bold
        self.dim = dim
        self.italic = italic
        self.underline = underline
        self.reverse = reverse
        self.foreground = foreground
        self.background = background
    }

    /// No attribute, default colours.
    public static let plain = TextStyle()

    /// Whether this is the default style (what text outside every `StyleRun` has).
    public var isPlain: Bool { self == .plain }
}

/// A colour as SGR names it.
public enum TerminalColor: Sendable, Hashable {
    /// One of the 16 basic colours: 0–7 from SGR 30–37/40–47, 8–15 (bright) from SGR 90–97/100–107.
    case ansi(UInt8)
    /// A colour of the 256-colour palette, from SGR `38;5;n` / `48;5;n`, kept as written (0–15 included).
    case indexed(UInt8)
    /// A direct colour, from SGR `38;2;r;g;b` / `48;2;r;g;b`.
    case rgb(UInt8, UInt8, UInt8)
}
