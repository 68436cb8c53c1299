// libFuzzer entry point for the output sanitizer. Every input is sanitized whole, byte by byte and in
// uneven chunks, with the default caps and with caps small enough to hit; any difference between the
// three, or any broken invariant below, is a crash. The invariants are written out here rather than
// taken from the sanitizer, so the fuzzer does not trust the code it checks.
//
// Build and run with scripts/fuzz-sanitizer. This file is compiled with -parse-as-library: libFuzzer
// supplies main(). It uses only RunbookKit's public API.
import RunbookKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let smallLimits = OutputSanitizer.Limits(
        maxLineBytes: 24, maxControlSequenceBytes: 8, maxStringSequenceBytes: 12, maxParameters: 3)
    for limits in [OutputSanitizer.Limits.default, smallLimits] {
        let whole = sanitize(input, limits: limits, chunkSizes: [max(1, size)])
        if sanitize(input, limits: limits, chunkSizes: [1]) != whole {
            fatalError("feeding byte by byte changed the result")
        }
        if sanitize(input, limits: limits, chunkSizes: [3, 1, 7, 2, 64, 5]) != whole {
            fatalError("feeding in uneven chunks changed the result")
        }
        for line in whole.lines + [whole.pending] { check(line, limits: limits) }
        checkOverflow(input, limits: limits, expected: whole.lines)
    }
    return 0
}

/// Each cut line streams its whole text through the batch's overflow, in chunks: that text starts with
/// the kept text, is as long as the kept and dropped bytes together, and the kept text ends on a
/// grapheme cluster boundary of it. Lines fed into batches are the lines fed into an array.
private func checkOverflow(_ input: UnsafeRawBufferPointer, limits: OutputSanitizer.Limits, expected: [OutputLine]) {
    var sanitizer = OutputSanitizer(channel: .stdout, limits: limits)
    var lines: [OutputLine] = []
    var current: [UInt8] = []
    var streamed: [[UInt8]] = []
    func take(_ batch: OutputLineBatch) {
        lines += batch
        for piece in batch.overflow.pieces {
            switch piece.event {
            case .text(let range): current += batch.overflow.text[range]
            case .ended: streamed.append(current); current = []
            case .abandoned: current = []
            }
        }
    }
    let sizes = [5, 2, 11, 1, 40]
    var start = 0
    var turn = 0
    while start < input.count {
        let end = min(input.count, start + sizes[turn % sizes.count])
        var batch = OutputLineBatch()
        sanitizer.feed(UnsafeRawBufferPointer(rebasing: input[start..<end]), into: &batch)
        take(batch)
        start = end
        turn += 1
    }
    var batch = OutputLineBatch()
    sanitizer.finish(into: &batch)
    take(batch)
    if lines != expected { fatalError("feeding into batches changed the lines") }
    let cut = lines.filter(\.isTruncated)
    if cut.count != streamed.count { fatalError("\(cut.count) cut lines, \(streamed.count) streamed") }
    for (line, text) in zip(cut, streamed) {
        let kept = Array(line.text.utf8)
        if text.count != kept.count + line.droppedBytes || Array(text.prefix(kept.count)) != kept {
            fatalError("the overflow of \(line) is not its whole text: \(text)")
        }
        var offset = 0
        for character in String(decoding: text, as: UTF8.self) where offset < kept.count {
            offset += character.utf8.count
        }
        if offset != kept.count { fatalError("the cut splits a grapheme cluster: \(line), whole \(text)") }
    }
}

/// The lines `input` becomes when fed in chunks of the given sizes, in turn, and the pending line just
/// before `finish`.
private func sanitize(
    _ input: UnsafeRawBufferPointer, limits: OutputSanitizer.Limits, chunkSizes: [Int]
) -> SanitizedOutput {
    var sanitizer = OutputSanitizer(channel: .stdout, limits: limits)
    var lines: [OutputLine] = []
    var start = 0
    var turn = 0
    while start < input.count {
        let end = min(input.count, start + chunkSizes[turn % chunkSizes.count])
        sanitizer.feed(UnsafeRawBufferPointer(rebasing: input[start..<end]), into: &lines)
        start = end
        turn += 1
    }
    let pending = sanitizer.pendingLine
    sanitizer.finish(into: &lines)
    return SanitizedOutput(lines: lines, pending: pending)
}

private struct SanitizedOutput: Equatable {
    var lines: [OutputLine]
    var pending: OutputLine
}

/// No scalar below U+0020 (tabs are expanded, line ends removed), none in U+007F–U+009F, no bidi
/// control; the line cap holds; style runs are ordered, non-empty, inside the text, on scalar
/// boundaries, and never plain.
private func check(_ line: OutputLine, limits: OutputSanitizer.Limits) {
    for scalar in line.text.unicodeScalars {
        let v = scalar.value
        if v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            || v == 0x200E || v == 0x200F || v == 0x061C
        {
            fatalError("U+\(String(v, radix: 16, uppercase: true)) in the text of \(line)")
        }
    }
    let utf8 = Array(line.text.utf8)
    if utf8.count > limits.maxLineBytes { fatalError("a line of \(utf8.count) bytes, over the cap: \(line)") }
    if line.droppedBytes < 0 { fatalError("negative dropped bytes: \(line)") }
    var previousEnd = 0
    for run in line.styles {
        if run.range.lowerBound < previousEnd || run.range.isEmpty || run.range.upperBound > utf8.count {
            fatalError("style run \(run.range) misplaced in \(line)")
        }
        if run.style.isPlain { fatalError("a plain style run in \(line)") }
        if run.style.foreground != nil, run.style.foreground == run.style.background {
            fatalError("style run \(run.range) hides its text (foreground = background) in \(line)")
        }
        for offset in [run.range.lowerBound, run.range.upperBound] where offset < utf8.count {
            if utf8[offset] & 0xC0 == 0x80 { fatalError("style run \(run.range) splits a scalar in \(line)") }
        }
        previousEnd = run.range.upperBound
    }
}
