import Dispatch
import Foundation
import Testing

@testable import RunbookKit

/// cmark-gfm keeps process-wide state (extension registration, the inline parser's special
/// characters) that parsers change as they start and end; `MarkdownDocument` takes parses one at a
/// time. Here many threads parse at once, tables and strikethrough included, and every result must be
/// the one a lone parse gives (without the lock this aborted in cmark's `finalize` assertion, or
/// read `~~` as text).
@Suite("parsing from several threads at once")
struct ConcurrentParsingTests {
    static let text = """
        # Title

        | a | b |
        | --- | --- |
        | ~~old~~ | `new` |

        - [ ] task with ~~strike~~ and [a link](#title)
        - [x] done

        A paragraph with *emphasis*, ~~strike~~ and `code`.

        ```sh {name=x}
        echo hi
        ```

        """

    /// Markdown with a table a parse may leave out (`hasHugeTableRow`): parsers attach different
    /// extension sets, which is what changes cmark's tables of special characters.
    static let noTable = String(repeating: "| x ", count: 300) + "|\n\nSome ~~strike~~ text.\n"

    @Test("2,000 parses on every core give the same trees as one parse alone")
    func parallel() {
        let expected = MarkdownDocument(parsing: Self.text).root
        let expectedNoTable = MarkdownDocument(parsing: Self.noTable).root
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 2_000) { i in
            let same = i % 2 == 0
                ? MarkdownDocument(parsing: Self.text).root == expected
                : MarkdownDocument(parsing: Self.noTable).root == expectedNoTable
            results.record(same)
        }
        #expect(results.count == 2_000)
        #expect(results.mismatches == 0)
    }

    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var count = 0
        private(set) var mismatches = 0
        func record(_ same: Bool) {
            lock.lock()
            defer { lock.unlock() }
            count += 1
            if !same { mismatches += 1 }
        }
    }
}
