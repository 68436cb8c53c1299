import Foundation
import RunbookTestSupport
import Testing

/// The helpers other tests lean on: where the corpus is looked for, and temporary folders that go away.
@Suite("test support: CorpusFolder and TemporaryFolder")
struct TestSupportTests {
    let root = "/src/runbook"
    let defaultCorpus = "/src/shared/corpus/prometheus-operator-runbooks"

    func locate(_ environment: [String: String], folders: Set<String>) -> CorpusFolder.Location {
        CorpusFolder.locate(environment: environment, packageRoot: root, isFolder: { folders.contains($0) })
    }

    @Test("without RUNBOOK_CORPUS, the corpus beside the repository is used when it is there")
    func defaultFolder() throws {
        let found = locate([:], folders: [defaultCorpus, defaultCorpus + "/content"])
        #expect(found == .found(CorpusFolder(root: defaultCorpus)))
        #expect(try found.folder().content == defaultCorpus + "/content")
        #expect(found.isExpected)
    }

    @Test("without it and without RUNBOOK_CORPUS, the tests are skipped with where it looked and how to run them")
    func absent() {
        for folders: Set<String> in [[], [defaultCorpus]] {
            let absent = locate(["RUNBOOK_CORPUS": ""], folders: folders)
            #expect(!absent.isExpected)
            #expect(absent.skipReason.contains("not at \(defaultCorpus)"), "\(absent.skipReason)")
            #expect(absent.skipReason.contains("RUNBOOK_CORPUS=<folder of the prometheus-operator runbooks>"))
            #expect(throws: CorpusFolderError.self) { try absent.folder() }
        }
    }

    @Test("RUNBOOK_CORPUS wins over the default folder, absolute or relative to the package root")
    func named() {
        let both: Set<String> = [defaultCorpus + "/content", "/data/po", "/data/po/content", "/src/runbook/corpus/content"]
        #expect(locate(["RUNBOOK_CORPUS": "/data/po"], folders: both) == .found(CorpusFolder(root: "/data/po")))
        #expect(locate(["RUNBOOK_CORPUS": "/data/po/"], folders: both) == .found(CorpusFolder(root: "/data/po")))
        #expect(locate(["RUNBOOK_CORPUS": "corpus"], folders: both) == .found(CorpusFolder(root: "/src/runbook/corpus")))
    }

    @Test("a RUNBOOK_CORPUS that names no corpus fails the tests instead of skipping them")
    func misnamed() {
        let missing = locate(["RUNBOOK_CORPUS": "/nowhere"], folders: [defaultCorpus + "/content"])
        #expect(missing.isExpected)
        #expect(missing.skipReason.hasPrefix("RUNBOOK_CORPUS=/nowhere: /nowhere is not a folder"), "\(missing.skipReason)")
        #expect(throws: CorpusFolderError.self) { try missing.folder() }
        let noContent = locate(["RUNBOOK_CORPUS": "/data/po"], folders: ["/data/po"])
        #expect(noContent.skipReason.hasPrefix("RUNBOOK_CORPUS=/data/po: /data/po has no content/ folder"), "\(noContent.skipReason)")
    }

    @Test("the package root is the folder of Package.swift")
    func packageRoot() {
        #expect(FileManager.default.fileExists(atPath: PackageRoot.path + "/Package.swift"))
        #expect(FileManager.default.fileExists(atPath: PackageRoot.path + "/Tests/RunbookTestSupport/CorpusFolder.swift"))
    }

    @Test("a temporary folder is new, empty and private, and goes away with what is in it")
    func temporaryFolderGoesAway() throws {
        var seen = ""
        try TemporaryFolder.with("runbook-support-test") { path in
            seen = path
            #expect(path.hasPrefix(FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path + "/runbook-support-test-"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: path).isEmpty)
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o700)
            try FileManager.default.createDirectory(atPath: path + "/a/b", withIntermediateDirectories: true)
            try "x".write(toFile: path + "/a/b/file", atomically: false, encoding: .utf8)
            // A folder a test locked is unlocked to be removed.
            #expect(chmod(path + "/a", 0o500) == 0)
        }
        #expect(!seen.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: seen))
    }

    struct Thrown: Error {}

    @Test("a temporary folder goes away when the test throws, and when its owner is dropped")
    func temporaryFolderGoesAwayOnThrowAndRelease() throws {
        var seen = ""
        #expect(throws: Thrown.self) {
            try TemporaryFolder.with("runbook-support-test") { path in
                seen = path
                throw Thrown()
            }
        }
        #expect(!seen.isEmpty && !FileManager.default.fileExists(atPath: seen))

        var owner: TemporaryFolder? = try TemporaryFolder("runbook-support-test")
        let path = try #require(owner?.path)
        #expect(FileManager.default.fileExists(atPath: path))
        owner = nil
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
