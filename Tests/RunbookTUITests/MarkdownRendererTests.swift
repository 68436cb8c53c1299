import RunbookKit
import Testing

@testable import RunbookTUI

/// How the walkthrough lays Markdown out: tables in aligned columns, long code lines wrapped.
@Suite("MarkdownRenderer: tables and code")
struct MarkdownRendererTests {
    static func render(_ markdown: String, width: Int) -> [String] {
        let rb = Fixture.inline("---\ntitle: Layout\n---\n# Layout\n\n" + markdown)
        return MarkdownRenderer(width: width, steps: rb.allSteps).lines(rb.document).map(\.text)
    }

    @Test("a table's columns are aligned; a cell too wide for its column wraps inside it")
    func alignedTable() throws {
        let lines = Self.render("""
            | Piece | In staging |
            | --- | --- |
            | Platform | GKE Standard, x86-64 nodes |
            | Database | Cloud SQL for PostgreSQL 15, private IP 10.41.64.3, database coditect_db, user coditect_app |
            """, width: 60)
        let header = try #require(lines.first { $0.hasPrefix("Piece") })
        let bar = header.firstIndex(of: "│").map { header.distance(from: header.startIndex, to: $0) }
        #expect(bar != nil)
        let rows = lines.filter { $0.contains("│") }
        #expect(rows.count >= 4, "the database row wraps: \(lines)")
        for row in rows {
            let at = row.firstIndex(of: "│").map { row.distance(from: row.startIndex, to: $0) }
            #expect(at == bar, "every │ in the same column: \(row)")
            #expect(DisplayWidth.of(row) <= 60)
        }
        #expect(lines.contains { $0.hasPrefix("─") && $0.contains("┼") })
        #expect(rows.contains { $0.hasPrefix("Platform") && $0.hasSuffix("GKE Standard, x86-64 nodes") })
        // Nothing is lost: the wrapped cell reads back in full.
        let database = rows.drop { !$0.hasPrefix("Database") }.map { String($0.split(separator: "│", maxSplits: 1).dropFirst().first ?? "").trimmingPrefixSpaces }
        #expect(database.joined(separator: " ").contains("private IP 10.41.64.3, database coditect_db, user coditect_app"))
    }

    @Test("a table with more columns than fit falls back to one line per row, wrapped")
    func tooManyColumns() {
        let header = (1...12).map { "column\($0)" }
        let lines = Self.render(
            "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: " --- |", count: 12) + "\n| " + (1...12).map(String.init).joined(separator: " | ") + " |\n",
            width: 40)
        #expect(lines.contains { $0.hasPrefix("column1 │ column2") })
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 40 })
    }

    @Test("a long code line wraps, each continuation marked ↪ after the bar; every character kept")
    func wrappedCode() throws {
        let command = "gcloud container clusters get-credentials \"$CLUSTER\" --region=\"$REGION\" --project=\"$PROJECT\""
        let lines = Self.render("```sh {name=creds}\n\(command)\n```\n", width: 50)
        let code = lines.filter { $0.hasPrefix("│") }
        #expect(code.count == 2)
        try #require(code.count > 0)
        #expect(code[0].hasPrefix("│ gcloud"))
        #expect(code.dropFirst().allSatisfy { $0.hasPrefix("│↪") })
        #expect(code.map { String($0.dropFirst(2)) }.joined() == command)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 50 })
    }
}

extension String {
    fileprivate var trimmingPrefixSpaces: String { String(drop { $0 == " " }) }
}
