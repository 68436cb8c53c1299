import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// `--trace FILE`: one line per key received, frame flushed, output batch read, step started and step
/// ended, each with the monotonic clock (`CLOCK_MONOTONIC`, the clock of Python's
/// `time.monotonic_ns()`) in nanoseconds, for the latency and throughput benchmarks
/// (scripts/benchmark.py):
///
/// ```
/// 81234560000000 start
/// 81234567890123 key character("j")
/// 81234571234567 frame 38
/// 81234580000000 run run-2
/// 81234590000000 output 65536
/// 81234990000000 exited run-2 exit 0
/// ```
///
/// `start` is written once the runbooks are loaded and the terminal is set up, before the first
/// frame; `frame N` counts the rows written; `output N` the bytes read from every step in one turn;
/// `run` is written once the step's process is spawned (where its duration starts), `exited` when its
/// end reaches `update`. Lines are written as they happen (one `write` each), so the file is complete
/// up to a crash.
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
