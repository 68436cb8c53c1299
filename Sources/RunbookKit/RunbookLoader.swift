#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads runbooks: bytes -> front matter + cmark-gfm document -> typed `Runbook`.
///
/// Loading never crashes or hangs on bad input. A file that is not a runbook at all (binary, not UTF-8,
/// too large, unreadable) throws a `LoadError` with its `file:line:col`; anything else loads, with
/// diagnostics for what is wrong.
public struct RunbookLoader: Sendable {
    /// Files larger than this are refused.
    public static let maximumFileSize = 16 * 1024 * 1024

    public init() {}

    /// Reads and loads the file at `path`.
    public func load(path: String) throws(LoadError) -> Runbook {
        let bytes = try Self.readFile(path)
        return try load(bytes: bytes, path: path)
    }

    /// Loads a runbook from its bytes; `path` names it in diagnostics and gives its default id.
    public func load(bytes: [UInt8], path: String) throws(LoadError) -> Runbook {
        if bytes.count > Self.maximumFileSize {
            throw LoadError(file: path, "file is larger than 16 MiB (\(bytes.count) bytes): a runbook is text for people; split it")
        }
        if let nul = bytes.firstIndex(of: 0) {
            let (line, column) = Self.position(of: nul, in: bytes)
            throw LoadError(file: path, line: line, column: column, "file is binary (a NUL byte): a runbook must be UTF-8 Markdown text")
        }
        if let bad = Self.firstInvalidUTF8(bytes) {
            let (line, column) = Self.position(of: bad, in: bytes)
            throw LoadError(file: path, line: line, column: column, "file is not valid UTF-8: save it as UTF-8")
        }
        // CRLF line ends become LF: line numbers stay the same, and every later step sees one form.
        let text0 = bytes.contains(0x0D) ? Self.withoutCarriageReturnsBeforeNewlines(bytes) : bytes
        var text = String(decoding: text0, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var reader = DocumentReader(path: path, text: text)
        reader.read()
        return reader.runbook(sha256: SHA256.hex(bytes))
    }

    static func readFile(_ path: String) throws(LoadError) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw LoadError(file: path, "cannot read file: \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw LoadError(file: path, "is a folder: name a Markdown file, or use a command that takes folders")
        }
        if Int(info.st_size) > maximumFileSize {
            throw LoadError(file: path, "file is larger than 16 MiB (\(info.st_size) bytes): a runbook is text for people; split it")
        }
        guard let f = fopen(path, "rb") else {
            throw LoadError(file: path, "cannot read file: \(String(cString: strerror(errno)))")
        }
        defer { fclose(f) }
        // Read straight into the result, sized by stat (one byte more, to see the end of the file);
        // a file that grew since is read on in chunks.
        let expected = Int(info.st_size) + 1
        var bytes = [UInt8](unsafeUninitializedCapacity: expected) { buffer, count in
            count = fread(buffer.baseAddress, 1, expected, f)
        }
        var buffer = [UInt8](repeating: 0, count: bytes.count < expected ? 0 : 65536)
        while bytes.count >= expected {
            let n = fread(&buffer, 1, buffer.count, f)
            if n > 0 { bytes.append(contentsOf: buffer[0..<n]) }
            if n < buffer.count { break }
            if bytes.count > maximumFileSize {
                throw LoadError(file: path, "file is larger than 16 MiB: a runbook is text for people; split it")
            }
        }
        if ferror(f) != 0 {
            throw LoadError(file: path, "cannot read file: \(String(cString: strerror(errno)))")
        }
        return bytes
    }

    static func withoutCarriageReturnsBeforeNewlines(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (i, b) in bytes.enumerated() where !(b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A) {
            out.append(b)
        }
        return out
    }

    /// 1-based line and byte column of the byte at `offset`.
    static func position(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return (line, offset - lineStart + 1)
    }

    /// The offset of the first byte that is not part of valid UTF-8, or nil.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                i += 1
                continue
            }
            var need = 0
            var minimum: UInt32 = 0
            var cp: UInt32 = 0
            if b & 0xE0 == 0xC0 {
                need = 1
                minimum = 0x80
                cp = UInt32(b & 0x1F)
            } else if b & 0xF0 == 0xE0 {
                need = 2
                minimum = 0x800
                cp = UInt32(b & 0x0F)
            } else if b & 0xF8 == 0xF0 {
                need = 3
                minimum = 0x10000
                cp = UInt32(b & 0x07)
            } else {
                return i
            }
            guard i + need < n else { return i }
            for k in 1...need {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                cp = cp << 6 | UInt32(c & 0x3F)
            }
            if cp < minimum || cp > 0x10FFFF || (0xD800...0xDFFF).contains(cp) { return i }
            i += need + 1
        }
        return nil
    }
}
