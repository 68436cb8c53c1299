import RunbookKit

#if canImport(Glibc)
import Glibc
#endif

/// The full output of one step, as the journal's sibling file `output/<step>.log`: each line as
/// `  text` (standard output) or `! text` (standard error), up to `limit` bytes; one write per chunk
/// of output, as it arrives.
struct Spool {
    private var fd: Int32
    private var written = 0
    private let limit: Int
    private var cut = false
    private var block: [UInt8] = []

    init?(folder: String, step: String, limit: Int) {
        let dir = folder + "/output"
        mkdir(dir, 0o700)
        let safe = String(step.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        var path = dir + "/" + safe + ".log"
        var n = 1
        while access(path, F_OK) == 0 {
            n += 1
            path = dir + "/" + safe + "-\(n).log"
        }
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        self.limit = limit
    }

    mutating func write(_ lines: OutputLineBatch) {
        guard fd >= 0, !cut else { return }
        for i in lines.indices {
            let size = lines.withUTF8(of: i) { $0.count } + 3
            if written + size > limit {
                cut = true
                let note = Array("… output cut at \(limit) bytes\n".utf8)
                written += note.count
                block += note
                break
            }
            written += size
            block += lines.channel(of: i) == .stderr ? [UInt8(ascii: "!"), 0x20] : [0x20, 0x20]
            lines.withUTF8(of: i) { block += $0 }
            block.append(0x0A)
        }
        flush()
    }

    private mutating func flush() {
        var offset = 0
        block.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                offset += n
            }
        }
        block.removeAll(keepingCapacity: true)
    }

    mutating func close() {
        if fd >= 0 {
            flush()
            Glibc.close(fd)
            fd = -1
        }
    }
}
