import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The summaries of every runbook under some paths (what `runbook list` prints), read from the
/// ``SummaryCache`` where a file's size and modification time are those its record was made from, and
/// parsed (on every core) where not; the cache is then brought up to date.
public struct RunbookCatalog: Sendable {
    public var records: [SummaryCache.Record]
    public var failures: [Diagnostic]
    /// How many files were parsed (not found in the cache).
    public var parsed: Int

    /// A file modified less than this long before the load began is not cached: a change made within
    /// the same clock tick as the write it follows would keep size and time (git's "racily clean").
    public static let settleNanoseconds: Int64 = 2_000_000_000
    /// Records of other folders kept beside those of the paths read now; past this, they are dropped.
    public static let maximumRecords = 100_000

    public static func load(
        _ paths: [String], cache: SummaryCache, loader: RunbookLoader = RunbookLoader(), now: Int64 = Self.now()
    ) -> RunbookCatalog {
        var failures: [Diagnostic] = []
        var files: [String] = []
        for path in paths {
            do {
                files += try RunbookFinder.markdownFiles(in: [path])
            } catch {
                failures.append(error.diagnostic)
            }
        }
        // Records are stored under absolute paths (the same relative path names other files from
        // another folder) and shown under the path as given.
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : (cwd.hasSuffix("/") ? cwd : cwd + "/") + p }
        let cached = cache.read()
        var slots: [SummaryCache.Record?] = Array(repeating: nil, count: files.count)
        var stamps: [FileStamp?] = Array(repeating: nil, count: files.count)
        var misses: [Int] = []
        for (i, file) in files.enumerated() {
            let stamp = FileStamp(path: file)
            stamps[i] = stamp
            if let stamp, var r = cached[absolute(file)], r.size == stamp.size, r.modified == stamp.modified {
                r.path = file
                slots[i] = r
            } else {
                misses.append(i)
            }
        }
        let loaded = RunbookLibrary.loadFiles(misses.map { files[$0] }, loader: loader)
        var errors: [Int: Diagnostic] = [:]
        for (k, result) in loaded.enumerated() {
            let i = misses[k]
            switch result {
            case .success(let rb):
                let stamp = stamps[i]
                slots[i] = SummaryCache.Record(rb, size: stamp?.size ?? -1, modified: stamp?.modified ?? -1)
            case .failure(let e):
                errors[i] = e.diagnostic
            }
        }
        // Failures in the order of the files, after those of the paths.
        for i in errors.keys.sorted() { if let d = errors[i] { failures.append(d) } }
        let records = slots.compactMap { $0 }
        // The new cache: this load's records (but files changed within the last 2 s), and those of
        // files outside the paths read now (another folder listed before), up to `maximumRecords`.
        var keep: [String: SummaryCache.Record] = [:]
        let roots = paths.map { p in absolute(p).hasSuffix("/") ? absolute(p) : absolute(p) + "/" }
        for (path, r) in cached where !roots.contains(where: { path.hasPrefix($0) || path + "/" == $0 }) {
            keep[path] = r
        }
        if keep.count > Self.maximumRecords { keep = [:] }
        for r in records where r.size >= 0 && r.modified < now - settleNanoseconds {
            var stored = r
            stored.path = absolute(r.path)
            keep[stored.path] = stored
        }
        if keep != cached { cache.write(keep.keys.sorted().compactMap { keep[$0] }) }
        return RunbookCatalog(records: records, failures: failures, parsed: misses.count)
    }

    /// The wall clock in nanoseconds since 1970, as file modification times count.
    public static func now() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }
}

extension RunbookSummary {
    /// The summary of a cached record; `overdue` as of `today`.
    public init(_ record: SummaryCache.Record, today: CalendarDate) {
        id = record.id
        title = record.title
        version = record.version
        updated = record.updated
        reviewBy = record.reviewBy
        overdue = record.reviewBy.flatMap { CalendarDate($0) }.map { $0 < today } ?? false
        path = record.path
    }
}

extension RunbookLibrary {
    /// Loads `files` on every core; the results in the order of `files`.
    static func loadFiles(_ files: [String], loader: RunbookLoader) -> [Result<Runbook, LoadError>] {
        let box = ResultSlots(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            let result: Result<Runbook, LoadError>
            do throws(LoadError) {
                result = .success(try loader.load(path: files[i]))
            } catch {
                result = .failure(error)
            }
            box.set(i, result)
        }
        return zip(files, box.values).map { file, value in value ?? .failure(LoadError(file: file, "not loaded")) }
    }
}

/// Results filled in from several threads, one slot each.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<Runbook, LoadError>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: Result<Runbook, LoadError>) {
        lock.lock()
        slots[i] = value
        lock.unlock()
    }

    var values: [Result<Runbook, LoadError>?] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
