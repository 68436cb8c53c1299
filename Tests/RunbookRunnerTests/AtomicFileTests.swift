import Foundation
import RunbookTestSupport
import Testing

@testable import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// `AtomicFile`: what `runbook check --output` writes with, so node_exporter's textfile collector
/// never reads half a file.
@Suite("AtomicFile")
struct AtomicFileTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder("runbook-atomic")
    }

    func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test("replaces the file whole, leaves no temporary file, and is readable by others as umask allows")
    func replaces() throws {
        let path = folder.path + "/runbook.prom"
        try AtomicFile.write("old\n", to: path)
        try AtomicFile.write("new\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        #expect(try entries() == ["runbook.prom"])
        let mask = umask(0o022)
        umask(mask)
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o666 & ~mask, "not mkstemp's 0600: a collector running as another user reads it")
    }

    @Test("a folder that does not exist is an error naming the file; nothing is left behind")
    func missingFolder() throws {
        let path = folder.path + "/missing/runbook.prom"
        #expect {
            try AtomicFile.write("x\n", to: path)
        } throws: { error in
            "\(error)".hasPrefix(path + ": cannot create a temporary file beside it: No such file or directory")
        }
        #expect(try entries().isEmpty)
    }

    @Test("a path that is a folder cannot be replaced; the temporary file is removed")
    func folderInTheWay() throws {
        let path = folder.path + "/taken"
        try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
        #expect(throws: AtomicFile.Failure.self) { try AtomicFile.write("x\n", to: path) }
        #expect(try entries() == ["taken"])
    }
}
