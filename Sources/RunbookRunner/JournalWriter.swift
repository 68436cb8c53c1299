import Foundation
import RunbookKit
#if canImport(Glibc)
import Glibc
#endif

/// Appends records to a session's `journal.jsonl` (mode 0600). Each record is written whole, one line,
/// so it is in the file as soon as it is written; `sync()` makes it durable (called at every step's end).
///
/// A journal failure is loud, never silent and never blocking: when a write or a sync fails (`ENOSPC`,
/// `EIO`, `EROFS`, …) the file is cut back to the end of the last whole record (no torn record is ever
/// followed by a later one), the journal stops, an `incomplete` file beside it says why (when even that
/// can be written), and ``failure`` tells the caller, who says so to the user and goes on working. A
/// crash in mid-write leaves at most a torn last line, which `Journal.parse` leaves out.
public final class JournalWriter {
    public let path: String
    private var fd: Int32
    private var seq = 0
    private let clock: () -> Date
    private let formatter: ISO8601DateFormatter
    /// The file's size after the last whole record.
    private var committed: off_t = 0
    private let io: JournalIO
    /// Why the journal stopped, once it has.
    public private(set) var failure: String?

    /// The system calls the writer makes; tests give a failing one (a fault-injection seam).
    public struct JournalIO: Sendable {
        public var write: @Sendable (Int32, UnsafeRawPointer, Int) -> Int
        public var sync: @Sendable (Int32) -> Int32

        public init(
            write: @escaping @Sendable (Int32, UnsafeRawPointer, Int) -> Int = { Glibc.write($0, $1, $2) },
            sync: @escaping @Sendable (Int32) -> Int32 = { fsync($0) }
        ) {
            self.write = write
            self.sync = sync
        }
    }

    public init(folder: String, clock: @escaping () -> Date = Date.init, io: JournalIO = JournalIO()) throws {
        path = folder + "/journal.jsonl"
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SessionStoreError.cannotCreate(path, String(cString: strerror(errno))) }
        fchmod(fd, 0o600)
        committed = lseek(fd, 0, SEEK_END)
        self.clock = clock
        self.io = io
        formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    }

    deinit {
        if fd >= 0 {
            _ = io.sync(fd)
            Glibc.close(fd)
        }
    }

    /// Whether records still reach the file.
    public var isRecording: Bool { failure == nil && fd >= 0 }

    /// Writes one event, whole, or nothing (and the journal stops) when the write fails.
    public func append(_ event: JournalEvent) {
        guard isRecording else { return }
        seq += 1
        let record = JournalRecord(time: formatter.string(from: clock()), seq: seq, event: event)
        guard var line = try? Journal.line(record) else { return }
        line.append(0x0A)
        var problem: Int32 = 0
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = io.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    problem = errno
                    return
                }
                if n == 0 {
                    problem = ENOSPC
                    return
                }
                offset += n
            }
        }
        if problem != 0 {
            fail("cannot write the journal \(path): \(String(cString: strerror(problem)))")
        } else {
            committed += off_t(line.count)
        }
    }

    /// Makes everything written so far durable; a failure stops the journal.
    public func sync() {
        guard isRecording else { return }
        if io.sync(fd) != 0 {
            let code = errno
            fail("cannot sync the journal \(path): \(String(cString: strerror(code)))")
        }
    }

    public func close() {
        if fd >= 0 {
            if failure == nil, io.sync(fd) != 0 {
                let code = errno
                fail("cannot sync the journal \(path): \(String(cString: strerror(code)))")
            }
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
    }

    /// Stops the journal: cuts a torn record off, says why beside the journal (best effort).
    private func fail(_ reason: String) {
        failure = reason
        _ = ftruncate(fd, committed)
        Glibc.close(fd)
        fd = -1
        let marker = (path as NSString).deletingLastPathComponent + "/incomplete"
        let mfd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if mfd >= 0 {
            let text = reason + "\n"
            _ = text.withCString { Glibc.write(mfd, $0, strlen($0)) }
            Glibc.close(mfd)
        }
    }
}
