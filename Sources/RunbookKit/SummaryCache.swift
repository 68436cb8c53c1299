import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `runbook list` shows of one runbook file, kept between runs so that a file unchanged since
/// is not read and parsed again: one record per file, keyed on its path, size and modification time
/// (nanoseconds); the whole cache is keyed on the tool's identity (version and build).
///
/// The cache lives in one file, `$XDG_CACHE_HOME/runbook/summaries` (by default
/// `~/.cache/runbook/summaries`); `RUNBOOK_CACHE=off` bypasses it, and removing the folder clears it.
/// It never changes a result: a record whose key differs from the file's `stat` now is parsed again,
/// and a cache file that is truncated, corrupt, from another build or unreadable is ignored whole
/// (and rewritten); a folder that cannot be written is no error, only slower.
public struct SummaryCache: Sendable {
    /// One runbook file's key and summary.
    public struct Record: Sendable, Hashable {
        public var path: String
        public var size: Int64
        public var modified: Int64
        public var id: String
        public var title: String
        public var version: String?
        public var updated: String?
        public var reviewBy: String?

        public init(path: String, size: Int64, modified: Int64, id: String, title: String,
                    version: String?, updated: String?, reviewBy: String?) {
            self.path = path
            self.size = size
            self.modified = modified
            self.id = id
            self.title = title
            self.version = version
            self.updated = updated
            self.reviewBy = reviewBy
        }

        public init(_ runbook: Runbook, size: Int64, modified: Int64) {
            self.init(
                path: runbook.path, size: size, modified: modified, id: runbook.id, title: runbook.title,
                version: runbook.version?.description, updated: runbook.updated?.description,
                reviewBy: runbook.reviewBy?.description)
        }
    }

    /// The cache file; nil when the cache is off.
    public var file: String?
    /// The tool's identity: a cache written by another is ignored.
    public var identity: String

    public init(file: String?, identity: String) {
        self.file = file
        self.identity = identity
    }

    /// The cache for this user: `$XDG_CACHE_HOME/runbook/summaries`, or `~/.cache/...`; off with
    /// `RUNBOOK_CACHE=off` or without a home.
    public init(environment: [String: String], identity: String) {
        self.identity = identity
        if environment["RUNBOOK_CACHE"] == "off" {
            file = nil
        } else if let x = environment["XDG_CACHE_HOME"], x.hasPrefix("/") {
            file = x + "/runbook/summaries"
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            file = home + "/.cache/runbook/summaries"
        } else {
            file = nil
        }
    }

    static let magic = "runbook-summary-cache 1"

    /// The records of the cache file by path; empty when there is none or it cannot be trusted whole.
    public func read() -> [String: Record] {
        guard let file, let bytes = try? RunbookLoader.readFile(file) else { return [:] }
        return Self.decode(bytes, identity: identity) ?? [:]
    }

    /// Replaces the cache file (a temporary file renamed over it); false if it could not be written.
    @discardableResult
    public func write(_ records: [Record]) -> Bool {
        guard let file else { return false }
        let folder = (file as NSString).deletingLastPathComponent
        mkdir((folder as NSString).deletingLastPathComponent, 0o700)
        mkdir(folder, 0o700)
        let bytes = Self.encode(records, identity: identity)
        var template = Array((file + ".XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { b in b.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else { return false }
        let temporary = String(cString: template)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            written += n
        }
        let ok = written == bytes.count && close(fd) == 0 && rename(temporary, file) == 0
        if !ok { unlink(temporary) }
        return ok
    }

    // MARK: - The file's layout

    // A header line `runbook-summary-cache 1`, then fields, each `<byte count>:<bytes>` (a missing
    // value is `-`): the identity, the record count, every record's eight fields, and last the
    // FNV-1a hash (hex) of everything before it. Whatever does not read exactly so is ignored.

    static func encode(_ records: [Record], identity: String) -> [UInt8] {
        var out = Array((magic + "\n").utf8)
        func field(_ s: String?) {
            guard let s else { return out.append(UInt8(ascii: "-")) }
            let u = Array(s.utf8)
            out += Array(String(u.count).utf8)
            out.append(UInt8(ascii: ":"))
            out += u
        }
        field(identity)
        field(String(records.count))
        for r in records {
            field(r.path)
            field(String(r.size))
            field(String(r.modified))
            field(r.id)
            field(r.title)
            field(r.version)
            field(r.updated)
            field(r.reviewBy)
        }
        field(String(fnv1a(out), radix: 16))
        return out
    }

    static func decode(_ bytes: [UInt8], identity: String) -> [String: Record]? {
        let header = Array((magic + "\n").utf8)
        guard bytes.count > header.count, Array(bytes[0..<header.count]) == header else { return nil }
        var i = header.count
        // nil: malformed; .some(nil): a missing value.
        func field() -> String?? {
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "-") {
                i += 1
                return .some(nil)
            }
            var n = 0
            var digits = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, digits < 9 {
                n = n * 10 + Int(bytes[i] - 0x30)
                i += 1
                digits += 1
            }
            guard digits > 0, i < bytes.count, bytes[i] == UInt8(ascii: ":"), n <= bytes.count - i - 1 else { return nil }
            let s = String(decoding: bytes[(i + 1)..<(i + 1 + n)], as: UTF8.self)
            i += 1 + n
            return .some(s)
        }
        func value() -> String? { if case .some(.some(let s)) = field() { s } else { nil } }
        func optional() -> String?? { field() }
        guard value() == identity, let count = value().flatMap(Int.init), count >= 0, count <= bytes.count else { return nil }
        var records: [String: Record] = [:]
        for _ in 0..<count {
            guard let path = value(), let size = value().flatMap(Int64.init), let modified = value().flatMap(Int64.init),
                  let id = value(), let title = value(),
                  case .some(let version) = optional(), case .some(let updated) = optional(),
                  case .some(let reviewBy) = optional()
            else { return nil }
            records[path] = Record(
                path: path, size: size, modified: modified, id: id, title: title, version: version, updated: updated,
                reviewBy: reviewBy)
        }
        let body = i
        guard let hash = value(), i == bytes.count, hash == String(fnv1a(bytes[0..<body]), radix: 16) else { return nil }
        return records
    }

    static func fnv1a<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }
}

/// A file's size and modification time (nanoseconds), the key of its record; nil if it cannot be
/// stat'ed or is not a regular file.
public struct FileStamp: Sendable, Hashable {
    public var size: Int64
    public var modified: Int64

    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }
}
