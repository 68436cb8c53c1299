/// Text from a runbook made safe to print on a terminal: control characters (C0 but tab and newline,
/// DEL, C1) and bidirectional overrides become U+FFFD, so no escape sequence hidden in a file reaches
/// the screen.
public enum TerminalSafeText {
    public static func make(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            out.append(isUnsafe(s) ? "\u{FFFD}" : s)
        }
        return String(out)
    }

    static func isUnsafe(_ s: UnicodeScalar) -> Bool {
        let v = s.value
        if v == 0x09 || v == 0x0A { return false }
        if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) { return true }
        return (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }
}
