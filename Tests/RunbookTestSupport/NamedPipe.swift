import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A named pipe (FIFO) between a test and the processes it starts, so that their order is made by
/// the test, never by a `sleep`.
///
/// The test holds the pipe open for reading and writing (`O_RDWR`), so a step's `open` of it never
/// blocks and its reader never sees end-of-file. Two uses:
///
/// - a **gate**: the step blocks in `read _ < "$GATE"` until the test calls ``release()``, once it has
///   seen what it waits for (a partial line, the first channel's line);
/// - a **mailbox**: the step writes a line (`echo $$ > "$MAILBOX"`) and the test waits for it with
///   ``receiveLine(within:)``.
///
/// ```swift
/// let gate = try NamedPipe(in: TemporaryFolder("runbook-gate"), name: "gate")
/// // step: printf 'partial'; read _ < "$GATE"; echo ' end'
/// gate.release()
/// ```
public final class NamedPipe: @unchecked Sendable {
    /// The FIFO's path, for the step's environment.
    public let path: String
    private let fd: Int32
    /// The folder it lives in, when the pipe owns it: kept as long as the pipe.
    private let folder: TemporaryFolder?
    private let lock = NSLock()
    private var received: [UInt8] = []

    /// Makes the FIFO `name` in `folder`, which lasts at least as long as the pipe.
    public convenience init(in folder: TemporaryFolder, name: String) throws {
        try self.init(in: folder.path, name: name, keeping: folder)
    }

    /// Makes the FIFO `folder/name` (mode 0600) and opens it.
    public convenience init(in folder: String, name: String) throws {
        try self.init(in: folder, name: name, keeping: nil)
    }

    private init(in folder: String, name: String, keeping owner: TemporaryFolder?) throws {
        self.folder = owner
        path = folder + "/" + name
        guard mkfifo(path, 0o600) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let opened = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK)
        guard opened >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        fd = opened
    }

    deinit { close(fd) }

    /// Lets one `read` of a line in the step go on.
    public func release() {
        _ = "\n".withCString { write(fd, $0, 1) }
    }

    /// Waits for the next line a process writes into the pipe (without its newline), at most
    /// `timeout` (a bound for a failing test, not a measure); nil when none came.
    public func receiveLine(within timeout: Duration = .seconds(30)) -> String? {
        lock.lock()
        defer { lock.unlock() }
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let newline = received.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: received[..<newline], as: UTF8.self)
                received.removeSubrange(...newline)
                return line
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard poll(&entry, 1, ms) >= 0 || errno == EINTR else { return nil }
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { received += buffer[0..<n] }
        }
    }
}
