import Foundation
import RunbookTestSupport
import Testing

/// `runbook list` reads what it can from `$XDG_CACHE_HOME/runbook/summaries`; the output is the same
/// whether the cache is missing, filled, stale, damaged or off.
@Suite("runbook list and its cache")
struct ListCacheTests {
    let runbooks = ProgramRun.repository + "/runbooks"
    let temporary: TemporaryFolder
    var cacheHome: String { temporary.path + "/cache" }
    var cacheFile: String { cacheHome + "/runbook/summaries" }

    init() throws {
        temporary = try TemporaryFolder("runbook-list-cache")
    }

    func list(_ args: [String], _ environment: [String: String]) throws -> ProgramRun {
        try ProgramRun.run(["list"] + args, environment: environment)
    }

    @Test("list --json and the table are the same cold, warm, off, and after the cache file is damaged")
    func sameOutput() throws {
        let off = try list([runbooks, "--json"], ["RUNBOOK_CACHE": "off"])
        #expect(off.status == 0, "\(off.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cacheFile))
        let cold = try list([runbooks, "--json"], ["XDG_CACHE_HOME": cacheHome])
        #expect(FileManager.default.fileExists(atPath: cacheFile))
        let warm = try list([runbooks, "--json"], ["XDG_CACHE_HOME": cacheHome])
        #expect(cold.stdout == off.stdout)
        #expect(warm.stdout == off.stdout)
        #expect(warm.stderr.isEmpty)
        let table = try list([runbooks], ["RUNBOOK_CACHE": "off"])
        #expect(try list([runbooks], ["XDG_CACHE_HOME": cacheHome]).stdout == table.stdout)
        // Damaged: half of it, then garbage.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: cacheFile))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cacheFile))
        #expect(try list([runbooks, "--json"], ["XDG_CACHE_HOME": cacheHome]).stdout == off.stdout)
        try Data("runbook-summary-cache 1\n\u{0}\u{1}".utf8).write(to: URL(fileURLWithPath: cacheFile))
        #expect(try list([runbooks, "--json"], ["XDG_CACHE_HOME": cacheHome]).stdout == off.stdout)
    }

    @Test("a cache folder that cannot be made is no error")
    func unwritable() throws {
        let blocked = temporary.path + "/file"
        try "not a folder".write(toFile: blocked, atomically: true, encoding: .utf8)
        let run = try list([runbooks, "--json"], ["XDG_CACHE_HOME": blocked])
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        #expect(run.stdout == (try list([runbooks, "--json"], ["RUNBOOK_CACHE": "off"])).stdout)
    }

    @Test("a runbook edited after it was cached is listed as it is now")
    func edited() throws {
        let folder = temporary.path + "/books"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = folder + "/one.md"
        try "---\nversion: 1.0.0\n---\n# First title\n".write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -600)], ofItemAtPath: file)
        #expect(try list([folder], ["XDG_CACHE_HOME": cacheHome]).stdout.contains("First title"))
        try "---\nversion: 1.0.1\n---\n# Second title\n".write(toFile: file, atomically: true, encoding: .utf8)
        let after = try list([folder], ["XDG_CACHE_HOME": cacheHome])
        #expect(after.stdout.contains("Second title"))
        #expect(after.stdout.contains("1.0.1"))
    }
}
