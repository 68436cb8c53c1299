import Foundation
import RunbookKit
#if canImport(Glibc)
import Glibc
#endif

/// Appends records to a session's `journal.jsonl` (mode 0600). Each record is one `write` of one
/// line, so it is in the file as soon as it is written; `sync()` makes it durable (called at every
/// step's end). A crash in mid-write leaves at most a torn last line, which `Journal.parse` leaves out.
public final class JournalWriter {
    public let path: String
    private var fd: Int32
    private var seq = 0
    private let clock: () -> Date
    private let formatter: ISO8601DateFormatter

    public init(folder: String, clock: @escaping () -> Date = Date.init) throws {
        path = folder + "/journal.jsonl"
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SessionStoreError.cannotCreate(path, String(cString: strerror(errno))) }
        fchmod(fd, 0o600)
        self.clock = clock
        formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    }

    deinit {
        if fd >= 0 {
            fsync(fd)
            Glibc.close(fd)
        }
    }

    /// Writes one event. Errors writing the journal are reported once and never stop the session.
    public func append(_ event: JournalEvent) {
        guard fd >= 0 else { return }
        seq += 1
        let record = JournalRecord(time: formatter.string(from: clock()), seq: seq, event: event)
        guard var line = try? Journal.line(record) else { return }
        line.append(0x0A)
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }

    /// Makes everything written so far durable.
    public func sync() {
        if fd >= 0 { fsync(fd) }
    }

    public func close() {
        if fd >= 0 {
            fsync(fd)
            Glibc.close(fd)
            fd = -1
        }
    }
}
