/// A plain-text table for the terminal: columns padded to their widest cell, two spaces apart, the
/// last column not padded. Cells must already be terminal-safe (`TerminalSafeText.make`).
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) }
        }
        func line(_ row: [String]) -> String {
            row.enumerated().map { i, c in
                i == row.count - 1 || i >= widths.count ? c : c + String(repeating: " ", count: widths[i] - c.count)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
