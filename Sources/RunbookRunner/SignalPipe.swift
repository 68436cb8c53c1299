import CSystem

#if canImport(Glibc)
import Glibc
#endif

/// The self-pipe of `runbook check`, `runbook drill` and the TUI: handlers for the given signals
/// write each signal's number into it, and the caller's loop reads it like any other descriptor (or
/// hands ``readFD`` to a step's supervisor as its cancel descriptor). The signals are unblocked too: a
/// parent may have started this process with them blocked (Foundation.Process does), and they must
/// arrive. The TUI installs it before the terminal is set up, so ncurses leaves these signals alone
/// (it only takes signals still at their default).
public final class SignalPipe {
    public let readFD: Int32
    private let writeFD: Int32

    /// What the TUI catches: every signal that ends a terminal program.
    public static let terminal: [Int32] = [SIGTERM, SIGHUP, SIGINT, SIGQUIT]
    /// What a headless command catches: interrupt, terminate, hang-up.
    public static let headless: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public init(signals: [Int32]) throws(Failure) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw Failure(description: "cannot create the signal pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = rb_set_nonblocking(fd)
        }
        readFD = fds[0]
        writeFD = fds[1]
        let code = signals.withUnsafeBufferPointer { rb_forward_signals(writeFD, $0.baseAddress, Int32($0.count)) }
        guard code == 0 else {
            throw Failure(description: "cannot install signal handlers: \(String(cString: strerror(code)))")
        }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in signals { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// The signals that arrived since the last call, in order.
    public func drain() -> [Int32] {
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
