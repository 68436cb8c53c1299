import Foundation
import RunbookTestSupport
import Testing

/// docs/reliability.md says which test proves each row of its tables. This keeps it true: every row
/// names a test, and every test it names exists, as `Suite` (a file `Tests/<target>/Suite.swift`
/// declaring it) or `Suite.function` (declared in that file).
@Suite("docs/reliability.md names tests that exist")
struct ReliabilityTableTests {
    /// A row of a table whose last column is `test`.
    struct Row: CustomStringConvertible {
        var line: Int
        var text: String
        /// The `Suite` or `Suite.function` names in the test column.
        var tests: [String]
        var description: String { "docs/reliability.md:\(line): \(text)" }
    }

    static func rows() throws -> [Row] {
        let text = try String(contentsOfFile: PackageRoot.path + "/docs/reliability.md", encoding: .utf8)
        var rows: [Row] = []
        var inTestTable = false
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard line.hasPrefix("|") else {
                inTestTable = false
                continue
            }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard let last = cells.last else { continue }
            if last == "test" {
                inTestTable = true
                continue
            }
            guard inTestTable, !last.allSatisfy({ $0 == "-" || $0 == ":" }) else { continue }
            rows.append(Row(line: index + 1, text: String(line), tests: testNames(in: last)))
        }
        return rows
    }

    /// The backquoted names that look like tests: `SomethingTests` or `SomethingTests.function`.
    static func testNames(in cell: String) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }
            .map { String($0.element) }
            .filter { $0.range(of: #"^[A-Z][A-Za-z0-9]*Tests(\.[a-z][A-Za-z0-9]*)?$"#, options: .regularExpression) != nil }
    }

    /// Every Swift file under Tests/, by its name without `.swift`.
    static func testFiles() -> [String: String] {
        let root = PackageRoot.path + "/Tests"
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let path = enumerator?.nextObject() as? String {
            guard path.hasSuffix(".swift") else { continue }
            let name = (path as NSString).lastPathComponent.dropLast(".swift".count)
            files[String(name)] = root + "/" + path
        }
        return files
    }

    @Test("the tables are found, and every row names at least one test")
    func everyRowNamesATest() throws {
        let rows = try Self.rows()
        #expect(rows.count >= 20, "the tables of docs/reliability.md were not found: \(rows)")
        for row in rows {
            #expect(!row.tests.isEmpty, "\(row) names no test")
        }
    }

    @Test("every test a row names exists: its file, its suite, its function")
    func namedTestsExist() throws {
        let files = Self.testFiles()
        for row in try Self.rows() {
            for name in row.tests {
                let parts = name.split(separator: ".").map(String.init)
                guard let suite = parts.first else { continue }
                guard let file = files[suite] else {
                    Issue.record("\(row): no file Tests/*/\(suite).swift")
                    continue
                }
                let source = try String(contentsOfFile: file, encoding: .utf8)
                #expect(
                    source.contains("struct \(suite)") || source.contains("class \(suite)"),
                    "\(row): \(file) declares no \(suite)")
                if parts.count == 2, let function = parts.last {
                    #expect(
                        source.range(of: #"func \#(function)\("#, options: .regularExpression) != nil,
                        "\(row): \(suite) has no test function \(function)")
                }
            }
        }
    }
}
