/// The sanitizer's forms that give `OutputLine`s (a `String` each) rather than a batch: for one-shot
/// callers and tests. A cut line's overflow is not kept here: nothing judges it.
extension OutputSanitizer {
    /// Sanitizes a whole output at once: every line, the last one even without a line end.
    public static func lines(
        of bytes: [UInt8], channel: OutputChannel = .stdout, limits: Limits = .default
    ) -> [OutputLine] {
        var sanitizer = OutputSanitizer(channel: channel, limits: limits)
        var lines: [OutputLine] = []
        sanitizer.feed(bytes, into: &lines)
        sanitizer.finish(into: &lines)
        return lines
    }

    /// Reads the next chunk of the stream, appending every line it completes to `lines`.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, into lines: inout [OutputLine]) {
        var batch = OutputLineBatch()
        feed(bytes, into: &batch)
        lines.append(contentsOf: batch)
    }

    /// Reads the next chunk of the stream, appending every line it completes to `lines`.
    public mutating func feed(_ bytes: [UInt8], into lines: inout [OutputLine]) {
        bytes.withUnsafeBytes { feed($0, into: &lines) }
    }

    /// Ends the stream as `finish(into:)` with a batch does, appending the last line to `lines`.
    public mutating func finish(into lines: inout [OutputLine]) {
        var batch = OutputLineBatch()
        finish(into: &batch)
        lines.append(contentsOf: batch)
    }
}
