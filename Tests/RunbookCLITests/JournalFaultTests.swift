import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A journal failure is loud, never silent and never blocking: `check` still runs and reports, says
/// `session not recorded: …` on standard error and in its JSON, and `--require-journal` makes it exit 2.
@Suite("runbook check when the journal fails", .serialized)
struct JournalFaultTests {
    static let runbook = """
        ---
        id: chatty
        version: 1.0.0
        ---
        # Chatty

        ## Entry

        ### Verify

        ```sh {name=chatty}
        seq 1 20000 | sed 's/^/a fairly long line of output to fill the journal quickly, number /'
        ```

        - contains `number 20000`
        """

    static func folder() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-jfault-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try runbook.write(toFile: root + "/chatty.md", atomically: true, encoding: .utf8)
        return root
    }

    @Test("an unwritable state folder: the checks run and report, the session is said not to be recorded")
    func unwritable() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A regular file where the state folder should be: nothing can be made below it, even as root.
        try "".write(toFile: root + "/state", atomically: true, encoding: .utf8)
        let env = ["XDG_STATE_HOME": root + "/state", "HOME": root, "TMPDIR": root, "PATH": "/usr/bin:/bin"]
        let run = try ProgramRun.run(["check", root + "/chatty.md", "--format", "json"], environment: env)
        #expect(run.status == 0, "the check itself passed: \(run.stderr)")
        #expect(run.stderr.contains("session not recorded: cannot record the session: cannot create"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let journal = try #require(json["journal"] as? [String: Any])
        #expect(journal["recorded"] as? Bool == false)
        #expect((journal["error"] as? String)?.contains("cannot create") == true)
        let strict = try ProgramRun.run(["check", root + "/chatty.md", "--require-journal"], environment: env)
        #expect(strict.status == 2)
        #expect(strict.stdout.contains("PASS"), "the results are still reported")
        #expect(!strict.stdout.contains("writes its timeline"))
    }

    @Test("recorded: the JSON says so")
    func recorded() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let env = ["XDG_STATE_HOME": root + "/state", "HOME": root, "TMPDIR": root, "PATH": "/usr/bin:/bin"]
        let run = try ProgramRun.run(["check", root + "/chatty.md", "--format", "json", "--require-journal"], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((json["journal"] as? [String: Any])?["recorded"] as? Bool == true)
    }

    @Test("a real full filesystem in the middle of a step (a 64 KiB tmpfs; needs root to mount)",
          .enabled(if: getuid() == 0, "mounting a tmpfs needs root; JournalWriterTests covers the same rule with a fault seam"))
    func fullFilesystem() throws {
        let root = try Self.folder()
        let state = root + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let mounted = try ProgramRun.system(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", state])
        try #require(mounted == 0, "mount failed")
        defer {
            _ = try? ProgramRun.system(["umount", state])
            try? FileManager.default.removeItem(atPath: root)
        }
        let env = ["XDG_STATE_HOME": state, "HOME": root, "TMPDIR": root, "PATH": "/usr/bin:/bin"]
        let run = try ProgramRun.run(["check", root + "/chatty.md", "--format", "json"], environment: env)
        #expect(run.status == 0, "the check passed and says so although the disk is full: \(run.stderr)")
        #expect(run.stderr.contains("session not recorded: cannot write the journal"))
        #expect(run.stderr.contains("No space left on device"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((json["journal"] as? [String: Any])?["recorded"] as? Bool == false)
        // The journal holds whole records only.
        let sessions = state + "/runbook/sessions"
        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: sessions).first)
        let text = try String(contentsOfFile: sessions + "/" + id + "/journal.jsonl", encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        for line in text.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "a torn record: \(line.prefix(80))")
        }
        let listed = try ProgramRun.run(["sessions"], environment: env)
        #expect(listed.stdout.contains("incomplete:"), "\(listed.stdout)")
        let report = try ProgramRun.run(["report", id], environment: env)
        #expect(report.stdout.contains("- Result: incomplete:"))
    }
}
