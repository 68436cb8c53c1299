// libFuzzer entry point for the runbook loader. Every input is loaded as a runbook; a load that
// succeeds is also encoded as JSON (`runbook show --json`) and linted (`runbook lint`), so the whole
// path from bytes to report is exercised. Crashes, hangs (-timeout) and memory blow-ups (-rss_limit_mb)
// are what libFuzzer reports; the checks below turn nonsensical diagnostics into crashes too.
//
// Build and run with scripts/fuzz-loader. This file is compiled with -parse-as-library: libFuzzer
// supplies main().
import RunbookKit

private let linter = RunbookLinter(today: CalendarDate(year: 2026, month: 1, day: 1)!)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let path = "fuzz/input.md"
    // Diagnostics must point into the file: lines 1...(number of lines), columns from 1. Lines end
    // with LF, CR or CRLF, as CommonMark and YAML count them.
    var lines = 1
    for (i, b) in bytes.enumerated() where b == 0x0A || (b == 0x0D && (i + 1 == bytes.count || bytes[i + 1] != 0x0A)) {
        lines += 1
    }
    func check(_ d: Diagnostic, _ what: String) {
        if d.file != path || d.location.line < 1 || d.location.line > lines || d.location.column < 1
            || d.message.isEmpty
        {
            fatalError("\(what) diagnostic outside the file (\(lines) lines): \(d)")
        }
    }

    let runbook: Runbook
    do {
        runbook = try RunbookLoader().load(bytes: bytes, path: path)
    } catch {
        check(error.diagnostic, "load error")
        if error.diagnostic.severity != .error { fatalError("a LoadError that is not an error: \(error)") }
        return 0
    }
    for d in runbook.diagnostics { check(d, "loader") }
    do {
        _ = try RunbookJSON.encode(runbook)
    } catch {
        fatalError("a loaded runbook does not encode as JSON: \(error)")
    }
    for d in linter.lint(runbook, resolve: { _ in nil }) { check(d, "lint") }
    return 0
}
