import Foundation
import RunbookKit
import Testing

@testable import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// A journal failure is loud and never leaves a torn record behind (a fault-injection seam stands in
/// for the disk; `JournalFaultTests` fills a real filesystem).
@Suite("JournalWriter faults")
struct JournalWriterTests {
    let folder: String

    init() {
        var template = Array("/tmp/runbook-journal-XXXXXX".utf8CString)
        folder = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) } ?? "/tmp"
    }

    func lines() -> [String] {
        let text = (try? String(contentsOfFile: folder + "/journal.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func event(_ n: Int) -> JournalEvent {
        .output(.init(step: "s", channel: .stdout, line: n, text: String(repeating: "x", count: 100) + " line \(n)"))
    }

    @Test("a write that fails half way (ENOSPC): the torn record is cut off, the journal stops and says why")
    func diskFull() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The disk takes 700 bytes, then is full: the 5th or so record is cut in the middle.
        let budget = Budget(bytes: 700)
        let io = JournalWriter.JournalIO(write: { fd, p, n in
            let room = budget.take(n)
            if room == 0 {
                errno = ENOSPC
                return -1
            }
            return Glibc.write(fd, p, room)
        })
        let writer = try JournalWriter(folder: folder, io: io)
        for n in 1...20 { writer.append(Self.event(n)) }
        #expect(!writer.isRecording)
        #expect(writer.failure?.contains("No space left on device") == true, "\(writer.failure ?? "")")
        writer.close()
        let written = lines()
        #expect(written.last == "", "the file ends with a whole record")
        let records = written.dropLast()
        #expect(!records.isEmpty && records.count < 20)
        let parsed = Journal.parse(Array(try #require(FileManager.default.contents(atPath: folder + "/journal.jsonl"))))
        #expect(parsed.tornLines == 0 && parsed.damagedLines.isEmpty, "no torn record is left")
        #expect(parsed.records.count == records.count)
        let marker = try String(contentsOfFile: folder + "/incomplete", encoding: .utf8)
        #expect(marker.contains("No space left on device"))
        #expect(SessionStore(root: "/").incompleteReason(in: folder)?.contains("No space left") == true)

        // Space comes back: a new writer appends after the last whole record, never glued to a torn one.
        let again = try JournalWriter(folder: folder)
        again.append(Self.event(99))
        again.close()
        let after = Journal.parse(Array(try #require(FileManager.default.contents(atPath: folder + "/journal.jsonl"))))
        #expect(after.records.count == records.count + 1)
        #expect(after.damagedLines.isEmpty && after.tornLines == 0)
    }

    @Test("a failed sync (EIO) stops the journal too")
    func syncFails() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = try JournalWriter(
            folder: folder,
            io: JournalWriter.JournalIO(sync: { _ in
                errno = EIO
                return -1
            }))
        writer.append(Self.event(1))
        #expect(writer.isRecording)
        writer.sync()
        #expect(!writer.isRecording)
        #expect(writer.failure?.contains("Input/output error") == true)
        writer.append(Self.event(2))
        #expect(lines().filter { !$0.isEmpty }.count == 1, "nothing is written after the failure")
    }
}

/// Bytes a fake disk still takes.
final class Budget: @unchecked Sendable {
    private var left: Int
    private let lock = NSLock()
    init(bytes: Int) { left = bytes }
    func take(_ n: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let k = min(n, left)
        left -= k
        return k
    }
}
