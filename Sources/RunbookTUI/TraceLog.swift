import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// `--trace FILE`: one line per key received, frame flushed and output batch read, each with the
/// monotonic clock in nanoseconds, for the latency and throughput benchmarks:
///
/// ```
/// 81234567890123 key character("j")
/// 81234571234567 frame 412
/// 81234590000000 output run-2 65536
/// ```
///
/// `frame N` counts the rows written. Lines are written as they happen (one `write` each), so the
/// file is complete up to a crash.
final class TraceLog {
    private let fd: Int32

    init?(path: String) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
    }

    deinit { close(fd) }

    func record(_ what: String, at instant: MonotonicInstant = .now()) {
        let line = "\(instant.nanoseconds) \(what)\n"
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
