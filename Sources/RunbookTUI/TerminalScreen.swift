import CCurses
import RunbookKit

#if canImport(Glibc)
import Glibc
#endif

/// Why the terminal could not be taken over.
public struct TerminalError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// The ncurses backend: the one place that sets the terminal up, draws frames on it and gives it
/// back. Everything else renders into a ``CellGrid``.
///
/// - Set-up: the locale (falling back to C.UTF-8 where it is plain C, or box drawing turns into
///   `lqqk`), `newterm` on stdout/stdin (a failure is an error, not an exit), `raw` (Ctrl-C arrives
///   as a key), `noecho`, `keypad`, `set_escdelay(25)`, no typeahead check, the wheel as mouse
///   events, colours when the terminal has them and `NO_COLOR` is unset, the cursor hidden.
/// - ``flush(_:)`` writes the rows that changed since the last frame (a row at a time, so wide
///   characters never leave half a cell behind) with the wide-character API, then `refresh`, which
///   sends only the difference to the terminal.
/// - Bracketed paste is on while the TUI has the terminal (the terminfo `BE`/`BD` strings, else
///   `ESC [ ? 2004 h` / `l`): off again in ``suspend()`` and ``end()``, and in ``restoreSequence``
///   for the crash guard.
/// - ``readInput()`` decodes everything waiting (`get_wch`) into keys, pastes and resizes without
///   blocking (``InputDecoder``).
/// - ``suspend()`` / ``resume()`` hand the terminal to an interactive step, or to the shell while
///   the process is stopped (Ctrl-Z), and take it back; ``end()`` restores it for good and may be
///   called any number of times.
///
/// Not thread-safe; one instance per process.
public final class TerminalScreen {
    /// The terminal's size, updated on every resize.
    public private(set) var size: ScreenSize
    /// Whether frames are drawn in colour (the terminal has colours and `NO_COLOR` is not set).
    public let usesColor: Bool
    /// What undoes the set-up on this terminal (bracketed paste off, sgr0, cnorm, rmcup, rmkx, mouse
    /// off), for the crash handler, which can only write bytes.
    public let restoreSequence: [UInt8]

    private var active = true
    private var suspended = false
    private var previous: CellGrid?
    private let palette: Palette?
    private let wheelUp: mmask_t
    private let wheelDown: mmask_t
    private var decoder = InputDecoder()
    /// Turn bracketed paste on and off.
    private let pasteOn: [UInt8]
    private let pasteOff: [UInt8]

    /// Takes over the terminal on stdin/stdout. `environment` supplies `NO_COLOR` and
    /// `RUNBOOK_MOUSE` (`off` keeps the terminal's own mouse selection and gives up the wheel).
    public init(environment: [String: String]) throws(TerminalError) {
        Self.setUpLocale()
        guard runbook_newterm() != nil else {
            throw TerminalError(description: "cannot set up the terminal `\(environment["TERM"] ?? "")`")
        }
        raw()
        noecho()
        nonl()
        keypad(runbook_stdscr(), true)
        nodelay(runbook_stdscr(), true)
        // A bare ESC is a key after 25 ms; Alt-x arrives as ESC x and is read as the two keys.
        set_escdelay(25)
        // No typeahead check: ncurses would poll the keyboard between the rows of an update and stop
        // short of the frame when a key is waiting. The loop reads keys itself, between frames, and a
        // frame is written whole.
        typeahead(-1)
        curs_set(0)
        let mouseWanted = (environment["RUNBOOK_MOUSE"] ?? "").lowercased() != "off"
        wheelUp = runbook_wheel_up_mask()
        wheelDown = runbook_wheel_down_mask()
        var mouseOn = false
        if mouseWanted {
            var old: mmask_t = 0
            let granted = mousemask(wheelUp | wheelDown, &old)
            mouseOn = granted != 0
            mouseinterval(0)  // no click detection: wheel notches arrive at once
        }
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        if has_colors() && !noColor {
            start_color()
            use_default_colors()
            palette = Palette(colors: Int(runbook_colors()), pairs: Int(runbook_color_pairs()))
        } else {
            palette = nil
        }
        usesColor = palette != nil
        size = ScreenSize(columns: Int(runbook_cols()), rows: Int(runbook_lines()))
        pasteOn = Self.capability("BE", "\u{1B}[?2004h")
        pasteOff = Self.capability("BD", "\u{1B}[?2004l")
        restoreSequence = pasteOff + Self.restoreBytes(mouse: mouseOn)
        Self.write(pasteOn)
    }

    deinit { end() }

    // MARK: Frames

    /// Draws `grid`: every row that differs from the last frame is written cell by cell with its
    /// attributes; cells outside the grid are blank. Then `refresh`. Returns the rows written.
    @discardableResult
    public func flush(_ grid: CellGrid) -> Int {
        guard active, !suspended else { return 0 }
        let full = previous == nil || previous?.size != grid.size
        if full { werase(runbook_stdscr()) }
        let rows = min(grid.size.rows, size.rows)
        let columns = min(grid.size.columns, size.columns)
        var written = 0
        for row in 0..<rows where full || !rowEqual(grid, previous!, row) {
            writeRow(grid, row: row, columns: columns)
            written += 1
        }
        if written > 0 || full {
            wnoutrefresh(runbook_stdscr())
            doupdate()
        }
        previous = grid
        return written
    }

    /// Forgets the last frame, so the next ``flush(_:)`` rewrites everything and ncurses repaints
    /// the whole terminal (after an interactive step or anything else that wrote on it).
    public func invalidate() {
        previous = nil
        guard active else { return }
        clearok(runbook_curscr(), true)
    }

    private func rowEqual(_ a: CellGrid, _ b: CellGrid, _ row: Int) -> Bool {
        let start = row * a.size.columns
        return a.cells[start..<start + a.size.columns] == b.cells[start..<start + b.size.columns]
    }

    private func writeRow(_ grid: CellGrid, row: Int, columns: Int) {
        let window = runbook_stdscr()
        var cell = cchar_t()
        var chars: [wchar_t] = []
        chars.reserveCapacity(6)
        var column = 0
        while column < columns {
            let c = grid[row, column]
            var width = 1
            chars.removeAll(keepingCapacity: true)
            if let ch = c.text.first {
                width = max(1, DisplayWidth.of(ch))
                Self.appendWideCharacters(of: ch, to: &chars)
                if !Self.agreesWithCurses(chars[0], width: width) {
                    // ncurses measures with the C library's wcwidth: where it disagrees with our
                    // table, a replacement character keeps every later cell in its column.
                    chars = [0xFFFD]
                    width = 1
                }
            } else {
                chars.append(0x20)  // a continuation cell whose wide character is not there
            }
            if column + width > columns {
                chars = [0x20]
                width = 1
            }
            chars.append(0)
            setcchar(&cell, chars, attributes(of: c.style), palette?.pair(for: c.style) ?? 0, nil)
            mvwadd_wch(window, Int32(row), Int32(column), &cell)
            column += width
        }
    }

    /// The character's first scalar and the zero-width ones after it (combining marks, variation
    /// selectors, joiners), at most 5 in all as ncurses keeps.
    private static func appendWideCharacters(of character: Character, to chars: inout [wchar_t]) {
        for scalar in character.unicodeScalars {
            if chars.isEmpty {
                chars.append(wchar_t(bitPattern: scalar.value))
            } else if chars.count < 5, DisplayWidth.of(scalar) == 0, scalar.value >= 0x300 {
                chars.append(wchar_t(bitPattern: scalar.value))
            } else {
                break
            }
        }
    }

    private func attributes(of style: CellStyle) -> attr_t {
        var a: attr_t = 0
        if style.bold { a |= runbook_a_bold() }
        if style.dim { a |= runbook_a_dim() }
        if style.underline { a |= runbook_a_underline() }
        if style.reverse { a |= runbook_a_reverse() }
        return a
    }

    /// Whether ncurses (through wcwidth) gives `first` the width our table gives its character.
    private static func agreesWithCurses(_ first: wchar_t, width: Int) -> Bool {
        if first >= 0x20 && first < 0x7F { return width == 1 }
        return Int(runbook_wcwidth(first)) == width
    }

    // MARK: Input

    /// Everything the terminal has sent so far, decoded; never blocks (but for the escape delay
    /// after a lone ESC). Consecutive resizes are reported once.
    public func readInput() -> [TerminalInput] {
        guard active, !suspended else { return [] }
        var out: [TerminalInput] = []
        var characters: [UInt32] = []
        var ch: wint_t = 0
        while true {
            let r = wget_wch(runbook_stdscr(), &ch)
            if r == ERR { break }
            if r == KEY_CODE_YES { flushCharacters(into: &out, &characters) }
            if r == KEY_CODE_YES {
                let code = Int32(bitPattern: ch)
                if code == runbook_key_resize() {
                    size = ScreenSize(columns: Int(runbook_cols()), rows: Int(runbook_lines()))
                    invalidate()
                    if case .resize = out.last { out.removeLast() }
                    out.append(.resize(size))
                } else if code == runbook_key_mouse() {
                    var event = MEVENT()
                    while getmouse(&event) == OK {
                        if decoder.isPasting { continue }
                        if event.bstate & wheelUp != 0 { out.append(.key(.wheelUp)) }
                        if wheelDown != 0, event.bstate & wheelDown != 0 { out.append(.key(.wheelDown)) }
                    }
                } else if let key = Self.functionKey(code) {
                    out += decoder.key(key)
                }
            } else {
                characters.append(UInt32(ch))
                continue
            }
            flushCharacters(into: &out, &characters)
        }
        flushCharacters(into: &out, &characters)
        return out
    }

    private func flushCharacters(into out: inout [TerminalInput], _ characters: inout [UInt32]) {
        guard !characters.isEmpty else { return }
        out += decoder.characters(characters)
        characters.removeAll(keepingCapacity: true)
    }

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME, KEY_A1: return .home
        case KEY_END, KEY_C1, KEY_LL: return .end
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        default:
            let f = code - runbook_key_f(0)
            if f >= 1 && f <= 63 { return .function(Int(f)) }
            return nil
        }
    }

    // MARK: Giving the terminal up

    /// Gives the terminal to someone else (an interactive step): saves the program modes and
    /// restores the shell's.
    public func suspend() {
        guard active, !suspended else { return }
        def_prog_mode()
        endwin()
        Self.write(pasteOff)
        suspended = true
    }

    /// Takes the terminal back after ``suspend()`` and repaints everything at the next flush.
    public func resume() {
        guard active, suspended else { return }
        reset_prog_mode()
        suspended = false
        invalidate()
        refresh()
        Self.write(pasteOn)
    }

    /// Restores the terminal for good (endwin). Idempotent.
    public func end() {
        guard active else { return }
        active = false
        if !suspended {
            endwin()
            Self.write(pasteOff)
        }
        suspended = false
    }

    /// Whether the terminal is still owned (not ended).
    public var isActive: Bool { active }

    // MARK: Set-up details

    private static func setUpLocale() {
        _ = setlocale(LC_ALL, "")
        let ctype = setlocale(LC_CTYPE, nil).map { String(cString: $0) } ?? "C"
        if ctype == "C" || ctype == "POSIX" {
            _ = setlocale(LC_CTYPE, "C.UTF-8")
        }
    }

    private static func restoreBytes(mouse: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        if mouse { bytes += Array("\u{1B}[?1006;1000l".utf8) }
        bytes += capability("sgr0", "\u{1B}[0m")
        bytes += capability("cnorm", "\u{1B}[?25h")
        bytes += capability("rmkx", "")
        bytes += capability("rmcup", "")
        return bytes
    }

    /// A terminfo string of the terminal (extended names such as `BE` included), or `fallback`.
    private static func capability(_ name: String, _ fallback: String) -> [UInt8] {
        if let s = runbook_tigetstr(name) { return Array(String(cString: s).utf8) }
        return Array(fallback.utf8)
    }

    /// Writes bytes to the terminal directly, where ncurses has nothing buffered (after `endwin` or
    /// `refresh`, or before the first frame): terminal modes ncurses does not manage.
    private static func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}

/// Colour pairs for cell styles, allocated as they are first used.
private final class Palette {
    let colors: Int
    let maximumPairs: Int
    private var pairs: [Key: Int16] = [:]
    private var next = 1

    struct Key: Hashable {
        var foreground: Int16
        var background: Int16
    }

    init(colors: Int, pairs: Int) {
        self.colors = colors
        self.maximumPairs = min(pairs, Int(Int16.max))
    }

    func pair(for style: CellStyle) -> Int16 {
        guard style.foreground != nil || style.background != nil else { return 0 }
        let key = Key(foreground: number(style.foreground), background: number(style.background))
        if let p = pairs[key] { return p }
        guard next < maximumPairs else { return 0 }
        let p = Int16(next)
        next += 1
        init_pair(p, key.foreground, key.background)
        pairs[key] = p
        return p
    }

    /// The terminal's colour number for `color`; -1 is the terminal's default.
    private func number(_ color: CellColor?) -> Int16 {
        guard let color else { return -1 }
        switch color {
        case .ansi(let n):
            let n = Int(n) % 16
            return Int16(colors >= 16 ? n : n % 8)
        case .indexed(let n):
            if colors >= 256 || Int(n) < min(colors, 16) { return Int16(n) }
            let (r, g, b) = Self.rgb(ofIndexed: Int(n))
            return Int16(Self.nearestBasic(r, g, b, count: colors >= 16 ? 16 : 8))
        case .rgb(let r, let g, let b):
            if colors >= 256 { return Int16(Self.nearest256(Int(r), Int(g), Int(b))) }
            return Int16(Self.nearestBasic(Int(r), Int(g), Int(b), count: colors >= 16 ? 16 : 8))
        }
    }

    private static let basic: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
        (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
        (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    private static let cube = [0, 95, 135, 175, 215, 255]

    static func rgb(ofIndexed n: Int) -> (Int, Int, Int) {
        if n < 16 { return basic[n] }
        if n < 232 {
            let i = n - 16
            return (cube[i / 36], cube[(i / 6) % 6], cube[i % 6])
        }
        let v = 8 + (n - 232) * 10
        return (v, v, v)
    }

    static func nearestBasic(_ r: Int, _ g: Int, _ b: Int, count: Int) -> Int {
        var best = 0
        var bestDistance = Int.max
        for i in 0..<count {
            let (cr, cg, cb) = basic[i]
            let d = (cr - r) * (cr - r) + (cg - g) * (cg - g) + (cb - b) * (cb - b)
            if d < bestDistance {
                best = i
                bestDistance = d
            }
        }
        return best
    }

    static func nearest256(_ r: Int, _ g: Int, _ b: Int) -> Int {
        func level(_ v: Int) -> Int { v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40 }
        let cubeIndex = 16 + 36 * level(r) + 6 * level(g) + level(b)
        let (cr, cg, cb) = rgb(ofIndexed: cubeIndex)
        let gray = max(0, min(23, ((r + g + b) / 3 - 3) / 10))
        let gv = 8 + gray * 10
        let dc = (cr - r) * (cr - r) + (cg - g) * (cg - g) + (cb - b) * (cb - b)
        let dg = (gv - r) * (gv - r) + (gv - g) * (gv - g) + (gv - b) * (gv - b)
        return dg < dc ? 232 + gray : cubeIndex
    }
}
