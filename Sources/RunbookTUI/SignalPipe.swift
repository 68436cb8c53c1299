import CSystem

#if canImport(Glibc)
import Glibc
#endif

/// The self-pipe: handlers for SIGTERM, SIGHUP, SIGINT and SIGQUIT write the signal's number into
/// it, and the event loop reads it like any other descriptor. Installed before the terminal is set
/// up, so ncurses leaves these signals alone (it only takes signals still at their default).
final class SignalPipe {
    let readFD: Int32
    private let writeFD: Int32

    static let forwarded: [Int32] = [SIGTERM, SIGHUP, SIGINT, SIGQUIT]

    init(signals: [Int32] = SignalPipe.forwarded) throws(TerminalError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw TerminalError(description: "cannot create the signal pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = rb_set_nonblocking(fd)
        }
        readFD = fds[0]
        writeFD = fds[1]
        let code = signals.withUnsafeBufferPointer { rb_forward_signals(writeFD, $0.baseAddress, Int32($0.count)) }
        guard code == 0 else {
            throw TerminalError(description: "cannot install signal handlers: \(String(cString: strerror(code)))")
        }
    }

    /// The signals that arrived since the last call, in order.
    func drain() -> [Int32] {
        var out: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(readFD, &buffer, buffer.count)
            if n > 0 {
                out += buffer[0..<n].map { Int32($0) }
                continue
            }
            if n < 0, errno == EINTR { continue }
            break
        }
        return out
    }
}
