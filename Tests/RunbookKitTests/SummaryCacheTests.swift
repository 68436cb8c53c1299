import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookKit

/// The summary cache never changes what `list` shows: whatever state the cache file is in (missing,
/// stale, truncated, corrupt, from another build, unwritable), the records are those a parse gives.
@Suite("the summary cache")
struct SummaryCacheTests {
    let folder: TemporaryFolder
    let runbooks: String
    let cache: SummaryCache
    /// Later than every file's time, so that every record is kept (see `settleNanoseconds`).
    let later = RunbookCatalog.now() + 3_600_000_000_000

    init() throws {
        folder = try TemporaryFolder("runbook-summary-cache")
        runbooks = folder.path + "/runbooks"
        try FileManager.default.createDirectory(atPath: runbooks + "/team", withIntermediateDirectories: true)
        for (name, title) in [("a", "Alpha"), ("b", "Beta: \"quoted\" 1:2"), ("team/c", "Gamma\twith tab")] {
            try Self.runbook(title, version: "1.2.3").write(toFile: "\(runbooks)/\(name).md", atomically: true, encoding: .utf8)
        }
        try "not a runbook \u{0}".write(toFile: runbooks + "/broken.md", atomically: true, encoding: .utf8)
        cache = SummaryCache(file: folder.path + "/cache/runbook/summaries", identity: "test 1")
    }

    static func runbook(_ title: String, version: String) -> String {
        """
        ---
        version: \(version)
        updated: 2026-01-02
        review_by: 2026-06-01
        ---

        # \(title)

        ## Issue 1: something

        Text.

        """
    }

    /// What a load without any cache gives.
    func uncached() -> RunbookCatalog {
        RunbookCatalog.load([runbooks], cache: SummaryCache(file: nil, identity: "test 1"), now: later)
    }

    func load(_ cache: SummaryCache? = nil) -> RunbookCatalog {
        RunbookCatalog.load([runbooks], cache: cache ?? self.cache, now: later)
    }

    @Test("the records from the cache are those a parse gives; a second load parses nothing")
    func sameResults() throws {
        let first = load()
        #expect(first.parsed == 4)
        let second = load()
        #expect(second.parsed == 1)  // the broken file, which is never cached
        #expect(second.records == uncached().records)
        #expect(second.failures.map(\.description) == uncached().failures.map(\.description))
        #expect(second.records.map(\.title) == ["Alpha", "Beta: \"quoted\" 1:2", "Gamma\twith tab"])
        #expect(second.records.first?.version == "1.2.3")
        let summary = try #require(second.records.first).reviewBy.flatMap { CalendarDate($0) }
        #expect(summary == CalendarDate(year: 2026, month: 6, day: 1))
    }

    @Test("a file whose size changed is parsed again")
    func staleSize() throws {
        _ = load()
        try Self.runbook("Alpha, longer now", version: "1.2.4").write(toFile: runbooks + "/a.md", atomically: true, encoding: .utf8)
        let after = load()
        #expect(after.parsed == 2)
        #expect(after.records.first?.title == "Alpha, longer now")
        #expect(after.records == uncached().records)
    }

    @Test("a file of the same size with another modification time is parsed again")
    func staleTime() throws {
        _ = load()
        let file = runbooks + "/a.md"
        try Self.runbook("Alphb", version: "1.2.3").write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -86_400)], ofItemAtPath: file)
        let after = load()
        #expect(after.records.first?.title == "Alphb")
        #expect(after.records == uncached().records)
    }

    @Test("a file changed less than two seconds before the load is not cached")
    func racyClean() {
        let now = RunbookCatalog.now()
        _ = RunbookCatalog.load([runbooks], cache: cache, now: now)
        #expect(cache.read().isEmpty)
    }

    @Test("a removed file leaves the list and the cache")
    func removed() throws {
        _ = load()
        try FileManager.default.removeItem(atPath: runbooks + "/b.md")
        let after = load()
        #expect(after.records.map(\.title) == ["Alpha", "Gamma\twith tab"])
        #expect(cache.read().count == 2)
    }

    @Test("a truncated cache file is ignored whole, at every length")
    func truncated() throws {
        _ = load()
        let file = try #require(cache.file)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        for length in stride(from: 0, to: bytes.count, by: 7) {
            #expect(SummaryCache.decode(Array(bytes.prefix(length)), identity: "test 1") == nil)
        }
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: file))
        let after = load()
        #expect(after.parsed == 4)
        #expect(after.records == uncached().records)
    }

    @Test("a cache file with any byte changed is ignored")
    func corrupt() throws {
        _ = load()
        let file = try #require(cache.file)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        for i in bytes.indices {
            var changed = bytes
            changed[i] ^= 0x01
            #expect(SummaryCache.decode(changed, identity: "test 1") == nil, "byte \(i)")
        }
        var changed = bytes
        if let i = changed.firstIndex(of: UInt8(ascii: "A")) { changed[i] = UInt8(ascii: "Z") }
        try Data(changed).write(to: URL(fileURLWithPath: file))
        let after = load()
        #expect(after.parsed == 4)
        #expect(after.records == uncached().records)
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: file))
        #expect(load().records == uncached().records)
    }

    @Test("a cache written by another build of runbook is ignored")
    func foreignVersion() throws {
        _ = load()
        let other = SummaryCache(file: cache.file, identity: "test 2")
        #expect(other.read().isEmpty)
        let after = load(other)
        #expect(after.parsed == 4)
        #expect(after.records == uncached().records)
        // A record that claims a file's key but says something else is believed only under its
        // own identity, so a foreign cache can never put its summaries in the list.
        let forged = SummaryCache.Record(
            path: runbooks + "/a.md", size: 0, modified: 0, id: "forged", title: "Forged", version: nil, updated: nil, reviewBy: nil)
        SummaryCache(file: cache.file, identity: "test 3").write([forged])
        #expect(load().records == uncached().records)
    }

    @Test("a cache folder that cannot be written is no error: the list is the same, only parsed")
    func unwritable() throws {
        let blocked = folder.path + "/blocked"
        try "a file where the folder would be".write(toFile: blocked, atomically: true, encoding: .utf8)
        let nowhere = SummaryCache(file: blocked + "/runbook/summaries", identity: "test 1")
        #expect(!nowhere.write([]))
        let first = load(nowhere)
        let second = load(nowhere)
        #expect(second.parsed == 4)
        #expect(first.records == uncached().records)
        #expect(second.records == uncached().records)
    }

    @Test("RUNBOOK_CACHE=off, XDG_CACHE_HOME and HOME choose the file")
    func location() {
        #expect(SummaryCache(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"], identity: "x").file == "/c/runbook/summaries")
        #expect(SummaryCache(environment: ["HOME": "/h"], identity: "x").file == "/h/.cache/runbook/summaries")
        #expect(SummaryCache(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"], identity: "x").file == "/h/.cache/runbook/summaries")
        #expect(SummaryCache(environment: ["RUNBOOK_CACHE": "off", "HOME": "/h"], identity: "x").file == nil)
    }
}

@Suite("the summary cache across folders")
struct SummaryCacheFolderTests {
    @Test("listing one folder keeps the records of another; a removed file leaves the cache")
    func twoFolders() throws {
        try TemporaryFolder.with("runbook-summary-folders") { root in
            let later = RunbookCatalog.now() + 3_600_000_000_000
            for name in ["one", "two"] {
                try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
                try SummaryCacheTests.runbook("Title \(name)", version: "1.0.0").write(
                    toFile: "\(root)/\(name)/rb.md", atomically: true, encoding: .utf8)
            }
            let cache = SummaryCache(file: root + "/cache/summaries", identity: "t")
            #expect(RunbookCatalog.load([root + "/one"], cache: cache, now: later).parsed == 1)
            #expect(RunbookCatalog.load([root + "/two"], cache: cache, now: later).parsed == 1)
            #expect(RunbookCatalog.load([root + "/one"], cache: cache, now: later).parsed == 0)
            #expect(Set(cache.read().keys) == ["\(root)/one/rb.md", "\(root)/two/rb.md"])
            // Removed files leave the cache when their folder is read.
            try FileManager.default.removeItem(atPath: root + "/two/rb.md")
            #expect(RunbookCatalog.load([root + "/two"], cache: cache, now: later).records.isEmpty)
            #expect(Set(cache.read().keys) == ["\(root)/one/rb.md"])
        }
    }
}
