import Foundation
import RunbookTestSupport
import Testing

/// A real step prints one line of 5 MB with the text its indicators look for at the very end:
/// `runbook check` (the one step core the TUI shares) judges the whole line, while the report and the
/// journal keep only its bounded, marked beginning.
@Suite("a 5 MB line through runbook check")
struct LongLineCheckTests {
    static let runbook = """
        ---
        id: long-line
        title: Long line
        version: 1.0.0
        updated: 2026-01-01
        review_by: 2099-01-01
        timeout: 60s
        ---
        # Long line

        One line of 5 MB, with what the indicators look for at its very end.

        ## Long output

        ### Verify

        ```sh {name=found}
        head -c 5000000 /dev/zero | tr '\\0' a; printf 'NEEDLE\\n'
        ```

        - contains `NEEDLE`
        - matches `NEEDLE$`

        ```sh {name=forbidden}
        head -c 5000000 /dev/zero | tr '\\0' a; printf 'NEEDLE\\n'
        ```

        - not contains `NEEDLE`

        """

    @Test("contains and matches pass, not contains fails; the kept line is 16 KiB and marked as cut")
    func needleAtTheEndOfAFiveMegabyteLine() throws {
        try TemporaryFolder.with("runbook-long-line") { folder in
            let file = folder + "/long.md"
            try Self.runbook.write(toFile: file, atomically: true, encoding: .utf8)
            let run = try ProgramRun.run(
                ["check", file, "--format", "json"], environment: ["XDG_STATE_HOME": folder + "/state"])
            #expect(run.status == 1, "\(run.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            let suites = try #require(report["suites"] as? [[String: Any]])
            let cases = suites.flatMap { $0["cases"] as? [[String: Any]] ?? [] }
            let byID = Dictionary(uniqueKeysWithValues: cases.map { ($0["id"] as? String ?? "", $0) })
            let kept = String(repeating: "a", count: 16 * 1024)
            let cut = " ⋯ \(5_000_006 - 16 * 1024) more bytes cut"

            let found = try #require(byID["found"])
            #expect(found["outcome"] as? String == "passed")
            let foundVerdicts = try #require(found["verdicts"] as? [[String: Any]])
            #expect(foundVerdicts.map { $0["state"] as? String } == ["passed", "passed", "passed"])
            #expect(foundVerdicts.first?["line"] as? String == kept)

            let forbidden = try #require(byID["forbidden"])
            #expect(forbidden["outcome"] as? String == "failed")
            let forbiddenVerdicts = try #require(forbidden["verdicts"] as? [[String: Any]])
            #expect(forbiddenVerdicts.first?["state"] as? String == "failed")
            #expect(forbiddenVerdicts.first?["reason"] as? String == "a line contains it")
            #expect(forbidden["output_tail"] as? [String] == [kept + cut])

            // The journal keeps the same bounded line, with how much was cut.
            let sessions = folder + "/state/runbook/sessions"
            let session = try #require(try FileManager.default.contentsOfDirectory(atPath: sessions).first)
            let journal = try String(contentsOfFile: sessions + "/" + session + "/journal.jsonl", encoding: .utf8)
            let outputs = journal.split(separator: "\n").compactMap { line -> [String: Any]? in
                let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return record?["type"] as? String == "output" ? record?["output"] as? [String: Any] : nil
            }
            #expect(outputs.count == 2)
            #expect(outputs.allSatisfy { $0["text"] as? String == kept })
            #expect(outputs.allSatisfy { $0["dropped_bytes"] as? Int == 5_000_006 - 16 * 1024 })
            #expect(journal.utf8.count < 200 * 1024, "the journal holds no more than the kept lines")
        }
    }
}
