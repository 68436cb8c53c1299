import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes a file so that a reader sees the old content or the new, never a part: the text goes to a
/// temporary file in the same folder (named `.<name>.XXXXXX`, so node_exporter's textfile collector,
/// which reads `*.prom`, never picks it up), is synced, and is renamed over the file.
///
/// The file gets mode 0666 less the umask (0644 usually), as a plain `>` would: a textfile collector
/// running as another user must be able to read it.
public enum AtomicFile {
    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        public var operation: String
        public var errno: Int32

        public var description: String {
            "\(path): cannot \(operation): \(String(cString: strerror(errno)))"
        }
    }

    public static func write(_ text: String, to path: String) throws(Failure) {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var template = Array(((folder.isEmpty ? "." : folder) + "/." + name + ".XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else { throw Failure(path: path, operation: "create a temporary file beside it", errno: errno) }
        let temporary = String(cString: template)
        func fail(_ operation: String) -> Failure {
            let failure = Failure(path: path, operation: operation, errno: errno)
            close(fd)
            unlink(temporary)
            return failure
        }
        let mask = umask(0o022)
        umask(mask)
        guard fchmod(fd, 0o666 & ~mask) == 0 else { throw fail("set its mode") }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("write")
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw fail("sync") }
        guard close(fd) == 0 else {
            let failure = Failure(path: path, operation: "write", errno: errno)
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let failure = Failure(path: path, operation: "replace", errno: errno)
            unlink(temporary)
            throw failure
        }
        // The rename itself survives a crash once the folder is synced; a failure here loses nothing.
        let dir = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }
}
