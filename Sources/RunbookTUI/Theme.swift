import RunbookKit

/// The styles of the TUI. Colour only ever repeats what a symbol and a word already say; under
/// `monochrome` (NO_COLOR, a terminal without colours) there is none at all.
struct Theme: Sendable, Hashable {
    var monochrome: Bool

    init(monochrome: Bool) { self.monochrome = monochrome }

    private func colored(_ base: CellStyle, _ color: UInt8) -> CellStyle {
        var s = base
        if !monochrome { s.foreground = .ansi(color) }
        return s
    }

    var plain: CellStyle { .plain }
    var bold: CellStyle { CellStyle(bold: true) }
    var dim: CellStyle { CellStyle(dim: true) }
    var heading: CellStyle { CellStyle(bold: true, underline: true) }
    var header: CellStyle { CellStyle(bold: true, reverse: true) }
    var selected: CellStyle { CellStyle(reverse: true) }
    var keyName: CellStyle { CellStyle(bold: true) }
    var pass: CellStyle { colored(CellStyle(bold: true), 2) }
    var fail: CellStyle { colored(CellStyle(bold: true), 1) }
    var pending: CellStyle { colored(.plain, 3) }
    var ask: CellStyle { colored(CellStyle(bold: true), 6) }
    var warning: CellStyle { colored(CellStyle(bold: true), 3) }
    var code: CellStyle { colored(.plain, 6) }
    var match: CellStyle { CellStyle(bold: true, underline: true) }
    var stderr: CellStyle { colored(.plain, 1) }
    var banner: CellStyle {
        var s = CellStyle(bold: true, reverse: true)
        if !monochrome { s.foreground = .ansi(3) }
        return s
    }

    func style(_ state: Verdict.State) -> CellStyle {
        switch state {
        case .passed: pass
        case .failed: fail
        case .pending: pending
        case .needsAnswer: ask
        }
    }

    func style(_ outcome: RunOutcome) -> CellStyle {
        switch outcome {
        case .passed: pass
        case .failed, .cancelled: fail
        case .running: pending
        case .needsAnswers: ask
        case .dryRun: dim
        }
    }

    /// An output line's SGR style as a cell style (colours dropped when monochrome).
    func style(_ text: TextStyle, base: CellStyle) -> CellStyle {
        var s = base
        s.bold = s.bold || text.bold
        s.dim = s.dim || text.dim
        s.underline = s.underline || text.underline
        s.reverse = s.reverse != text.reverse
        if !monochrome {
            if let f = text.foreground { s.foreground = Self.cellColor(f) }
            if let b = text.background { s.background = Self.cellColor(b) }
        }
        return s
    }

    static func cellColor(_ c: TerminalColor) -> CellColor {
        switch c {
        case .ansi(let n): .ansi(n)
        case .indexed(let n): .indexed(n)
        case .rgb(let r, let g, let b): .rgb(r, g, b)
        }
    }
}

/// Verdicts and outcomes told by symbol and word, never by colour alone.
enum Label {
    static func verdict(_ state: Verdict.State) -> String {
        switch state {
        case .passed: "✓ pass"
        case .failed: "✗ fail"
        case .pending: "… pending"
        case .needsAnswer: "? answer y/n"
        }
    }

    static func outcome(_ outcome: RunOutcome) -> String {
        switch outcome {
        case .passed: "✓ passed"
        case .failed: "✗ failed"
        case .cancelled: "✗ cancelled"
        case .running: "… running"
        case .needsAnswers: "? answer y/n"
        case .dryRun: "- dry run"
        }
    }

    /// What an end means when its number alone does not say it: the shell's 127 and 126.
    /// `short` for a line that has little room.
    static func endHint(_ end: StepEnd?, short: Bool = false) -> String? {
        switch end {
        case .exited(127)?: short ? "command not found" : "command not found: is it installed and in PATH?"
        case .exited(126)?: short ? "command not executable" : "command not executable: check its permissions"
        default: nil
        }
    }

    /// `1 line`, `3 lines`.
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// Milliseconds as a person reads them: `840ms`, `3.2s`, `2m05s`.
    static func duration(_ ms: Int) -> String {
        if ms < 1000 { return "\(max(0, ms))ms" }
        if ms < 60_000 {
            let tenths = ms / 100
            return "\(tenths / 10).\(tenths % 10)s"
        }
        let s = ms / 1000
        let sec = s % 60
        return "\(s / 60)m\(sec < 10 ? "0" : "")\(sec)s"
    }
}
