import Foundation
import Testing

@testable import RunbookKit
import RunbookTestSupport

/// Hostile, malformed and merely unusual inputs: the loader must either load them (with diagnostics)
/// or throw a `LoadError` whose diagnostic names the right `file:line:col` — never crash or hang.
/// Every case asserts the specific outcome expected, not just "did not crash".
@Suite struct LoaderRobustnessTests {

    // MARK: - Invalid YAML front matter

    @Test func invalidYAMLIsAnErrorOnTheLineOfTheBadToken() throws {
        // Front matter starts on file line 2; the bad `:` is on file line 3, byte column 9.
        let text = """
            ---
            title: Fine
            owner: a: b
            ---
            # Body

            Text.

            """
        let runbook = try loaded(text)
        let errors = runbook.errors
        try #require(errors.count == 1, "\(runbook.diagnostics)")
        #expect(errors[0].file == RobustnessFixture.path)
        #expect(errors[0].location == SourceLocation(line: 3, column: 9))
        #expect(errors[0].message.contains("invalid YAML"))
        // The body is still read, on its own file lines.
        #expect(runbook.document.children.first?.location == SourceLocation(line: 5, column: 1))
    }

    @Test func invalidYAMLAfterTheFirstLinesIsReportedOnItsFileLine() throws {
        // A tab cannot start a token: file line 5, column 1.
        let text = "---\ntitle: Fine\nowner: ops\nversion: 1.0.0\n\tshell: bash\n---\n# Body\n"
        let runbook = try loaded(text)
        let errors = runbook.errors
        try #require(errors.count == 1, "\(runbook.diagnostics)")
        #expect(errors[0].location.line == 5)
        #expect(errors[0].location.column == 1)
        #expect(errors[0].message.contains("invalid YAML"))
    }

    @Test func invalidYAMLColumnCountsBytesAfterNonASCIIText() throws {
        // Columns are bytes, as everywhere else in diagnostics: `Zoë` is 4 bytes, so the second `:` is
        // at byte column 11 (character column 10).
        let text = "---\ntitle: Fine\nowner: Zoë: b\n---\n# Body\n"
        let runbook = try loaded(text)
        let errors = runbook.errors
        try #require(errors.count == 1, "\(runbook.diagnostics)")
        #expect(errors[0].location == SourceLocation(line: 3, column: 11))
    }

    @Test func frontMatterThatIsNotAMappingIsAnError() throws {
        let runbook = try loaded("---\n- just\n- a list\n---\n# Body\n")
        let errors = runbook.errors
        try #require(errors.count == 1, "\(runbook.diagnostics)")
        #expect(errors[0].location == SourceLocation(line: 2, column: 1))
        #expect(errors[0].message.contains("mapping"))
    }

    // MARK: - Versions

    @Test(arguments: ["1.0", "v1.0.0", "01.0.0", "1.0.0.0", "1.0.0-", "1.0.0-01", "\"1.0\""])
    func versionThatIsNotSemverIsAnErrorAtTheValue(_ version: String) throws {
        let runbook = try loaded("---\ntitle: T\nversion: \(version)\n---\n# T\n")
        let errors = runbook.errors
        try #require(errors.count == 1, "\(runbook.diagnostics)")
        try #require(errors.count > 0)
        #expect(errors[0].location == SourceLocation(line: 3, column: 10))
        #expect(errors[0].message.contains("semantic version"))
        #expect(runbook.version == nil)
    }

    @Test func semanticVersionsLoad() throws {
        let plain = try loaded("---\ntitle: T\nversion: 1.0.0\n---\n# T\n")
        #expect(plain.errors.isEmpty)
        #expect(plain.version == SemanticVersion(major: 1, minor: 0, patch: 0))

        let full = try loaded("---\ntitle: T\nversion: 2.1.3-rc.1+build.5\n---\n# T\n")
        #expect(full.errors.isEmpty)
        #expect(full.version == SemanticVersion(major: 2, minor: 1, patch: 3, prerelease: ["rc", "1"], build: ["build", "5"]))
        #expect(full.version?.description == "2.1.3-rc.1+build.5")
    }

    // MARK: - Binary and non-UTF-8 files

    @Test func binaryFileIsRefusedAtTheNUL() throws {
        let bytes = Array("# Title\n\nsome text\nab".utf8) + [0] + Array("cd\n".utf8)
        let error = try failed(bytes)
        #expect(error.diagnostic.file == RobustnessFixture.path)
        #expect(error.diagnostic.severity == .error)
        #expect(error.diagnostic.location == SourceLocation(line: 4, column: 3))
        #expect(error.diagnostic.message.contains("binary"))
    }

    @Test func binaryFileStartingWithNULIsRefusedAtOneOne() throws {
        let error = try failed([0, 0x50, 0x4B, 0x03, 0x04, 0xFF])
        #expect(error.diagnostic.location == SourceLocation(line: 1, column: 1))
        #expect(error.diagnostic.message.contains("binary"))
    }

    static let invalidUTF8: [(String, [UInt8], Int, Int)] = [
        ("0xFF byte", Array("# Title\nhello ".utf8) + [0xFF] + Array(" world\n".utf8), 2, 7),
        ("0xFF after a multi-byte character counts bytes", Array("# T\nhéllo ".utf8) + [0xFF], 2, 8),
        ("lone continuation byte", Array("# T\n\n".utf8) + [0x80] + Array("x\n".utf8), 3, 1),
        ("truncated 3-byte sequence at end of file", Array("# T\nabc".utf8) + [0xE2, 0x82], 2, 4),
        ("truncated 2-byte sequence mid-line", Array("x".utf8) + [0xC3] + Array("(\n".utf8), 1, 2),
        ("truncated 4-byte sequence", Array("# T\n\n\n--".utf8) + [0xF0, 0x9F, 0x98] + Array(" ok\n".utf8), 4, 3),
        ("overlong 2-byte encoding of /", Array("# T\n\n  ".utf8) + [0xC0, 0xAF], 3, 3),
        ("overlong 3-byte encoding of /", Array("# T\n".utf8) + [0xE0, 0x80, 0xAF], 2, 1),
        ("UTF-16 surrogate encoded in UTF-8", Array("a\n".utf8) + [0xED, 0xA0, 0x80] + Array("\n".utf8), 2, 1),
        ("code point above U+10FFFF", Array("a\nb".utf8) + [0xF4, 0x90, 0x80, 0x80], 2, 2),
        ("0xF8 lead byte", Array("ab".utf8) + [0xF8, 0x88, 0x80, 0x80, 0x80], 1, 3),
        ("CRLF lines count by LF", Array("a\r\nb\r\n".utf8) + [0xFE], 3, 1),
        ("inside front matter", Array("---\ntitle: caf".utf8) + [0xE9] + Array("\n---\n".utf8), 2, 11),
    ]

    @Test(arguments: invalidUTF8)
    func nonUTF8IsRefusedAtTheBadByte(_ name: String, _ bytes: [UInt8], _ line: Int, _ column: Int) throws {
        let error = try failed(bytes)
        #expect(error.diagnostic.severity == .error, "\(name)")
        #expect(error.diagnostic.location == SourceLocation(line: line, column: column), "\(name)")
        #expect(error.diagnostic.message.contains("UTF-8"), "\(name)")
    }

    @Test func validMultiByteTextLoads() throws {
        // 2-, 3- and 4-byte characters, and the largest code point: all valid.
        let runbook = try loaded("# Ünïcödé 日本語 🚀 \u{10FFFF}\n\ntext\n")
        #expect(runbook.title == "Ünïcödé 日本語 🚀 \u{10FFFF}")
    }

    // MARK: - Size

    @Test func tenMegabyteFileLoads() throws {
        let (bytes, entries) = RobustnessFixture.largeRunbook(minimumBytes: 10_000_000)
        #expect(bytes.count >= 10_000_000)
        // A hang fails through the deadline of the loading thread; speed itself is the benchmark's job.
        let runbook = try loaded(bytes, seconds: 120)
        #expect(runbook.errors.isEmpty, "\(runbook.errors.prefix(3))")
        #expect(runbook.title == "A very large runbook")
        #expect(runbook.entries.count == entries)
        #expect(runbook.entries.allSatisfy { $0.steps.count == 2 })
        #expect(runbook.allSteps.count == 2 * entries)
        #expect(runbook.entries.last?.steps.last?.command == "kubectl rollout restart deployment/web-\(entries - 1) -n ns-\(entries - 1)")
        #expect(runbook.entries.last?.steps.first?.role == .diagnose)
        #expect(runbook.entries.last?.steps.last?.role == .fix)
    }

    @Test func fileOverTheSizeLimitIsRefused() throws {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: RunbookLoader.maximumFileSize + 1)
        let error = try failed(bytes)
        #expect(error.diagnostic.location == SourceLocation(line: 1, column: 1))
        #expect(error.diagnostic.message.contains("larger than"))
    }

    // MARK: - Deep Markdown nesting

    @Test func tenThousandNestedBlockQuotesAreFlattened() throws {
        let text = "# Deep\n\n## Quotes\n\n" + String(repeating: ">", count: 10_000) + " deepest quote text\n"
        let runbook = try loaded(text)
        #expect(runbook.errors.isEmpty)
        #expect(runbook.warnings.contains { $0.message.contains("deeper than") }, "\(runbook.diagnostics)")
        #expect(runbook.document.plainText.contains("deepest quote text"))
        #expect(runbook.entries.first?.text(of: .summary)?.contains("deepest quote text") == true)
    }

    @Test func tenThousandNestedSpacedBlockQuotesAreFlattened() throws {
        let text = String(repeating: "> ", count: 10_000) + "deepest spaced text\n"
        let runbook = try loaded(text)
        #expect(runbook.warnings.contains { $0.message.contains("deeper than") }, "\(runbook.diagnostics)")
        #expect(runbook.document.plainText.contains("deepest spaced text"))
    }

    @Test func thousandNestedListLevelsAreFlattened() throws {
        var text = "# Deep\n\n## Lists\n\n"
        for level in 0..<1_000 {
            text += String(repeating: "  ", count: level) + "- level \(level)\n"
        }
        let runbook = try loaded(text)
        #expect(runbook.errors.isEmpty)
        #expect(runbook.warnings.contains { $0.message.contains("deeper than") }, "\(runbook.diagnostics)")
        let plain = runbook.document.plainText
        #expect(plain.contains("level 0"))
        #expect(plain.contains("level 999"))
    }

    @Test func thousandNestedOrderedListsWithAStepAtTheBottom() throws {
        var text = "## Deep steps\n\n"
        for level in 0..<1_000 {
            text += String(repeating: "   ", count: level) + "1. level \(level)\n"
        }
        let indent = String(repeating: "   ", count: 1_000)
        text += "\n" + indent + "```sh\n" + indent + "echo bottom\n" + indent + "```\n"
        let runbook = try loaded(text)
        #expect(runbook.warnings.contains { $0.message.contains("deeper than") }, "\(runbook.diagnostics)")
        #expect(runbook.document.plainText.contains("level 999"))
        #expect(runbook.document.plainText.contains("echo bottom"))
    }

    @Test func deeplyNestedInlinesAreFlattened() throws {
        let text = "# Inline\n\n" + String(repeating: "*a **b ", count: 2_000) + "core"
            + String(repeating: "** c*", count: 2_000) + "\n\n" + String(repeating: "[", count: 4_000) + "x"
            + String(repeating: "](#a)", count: 4_000) + "\n"
        let runbook = try loaded(text)
        #expect(runbook.errors.isEmpty)
        #expect(runbook.warnings.contains { $0.message.contains("deeper than") }, "\(runbook.diagnostics)")
        #expect(runbook.document.plainText.contains("a b a b"))
        #expect(runbook.document.plainText.contains("core"))
        #expect(runbook.document.plainText.contains("x"))
    }

    // MARK: - Hostile YAML

    @Test func yamlAliasBombIsAnErrorAndReturnsQuickly() throws {
        let runbook = try loaded(RobustnessFixture.aliasBomb(key: false), seconds: 30)
        let errors = runbook.errors
        try #require(errors.count == 1, "\(runbook.diagnostics)")
        try #require(errors.count > 0)
        #expect((2...11).contains(errors[0].location.line))
        #expect(errors[0].message.contains("alias"))
    }

    @Test func yamlAliasBombAsAMappingKeyIsAnErrorAndReturnsQuickly() throws {
        // The same bomb used as a complex key: composing the mapping hashes the key, which walks every
        // expanded node unless the loader stops it first.
        let runbook = try loaded(RobustnessFixture.aliasBomb(key: true), seconds: 30)
        #expect(runbook.errors.count == 1, "\(runbook.diagnostics)")
        #expect(runbook.errors.allSatisfy { (2...12).contains($0.location.line) })
    }

    @Test func deepFlowNestingIsAnError() throws {
        let depth = 10_000
        let text = "---\ntitle: T\nx: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            + "\n---\n# T\n"
        let runbook = try loaded(text)
        let errors = runbook.errors
        try #require(errors.count == 1, "\(runbook.diagnostics)")
        // The 33rd `[` on file line 3: `x: ` is 3 bytes.
        #expect(errors[0].location == SourceLocation(line: 3, column: 36))
        #expect(errors[0].message.contains("nests deeper"))
    }

    @Test func deepFlowNestingSpreadOverLinesIsAnError() throws {
        // 5,000 levels, 40 KB: under the 64 KiB front matter limit.
        var text = "---\ntitle: T\nx:\n"
        for _ in 0..<5_000 { text += "  [\n" }
        for _ in 0..<5_000 { text += "  ]\n" }
        text += "---\n# T\n"
        let runbook = try loaded(text)
        let errors = runbook.errors
        try #require(errors.count == 1, "\(runbook.diagnostics)")
        #expect(errors[0].location == SourceLocation(line: 4 + 32, column: 3))
    }

    @Test func deepFlowNestingHiddenBehindAnApostropheIsAnError() throws {
        // `it's` is a plain scalar in YAML; the apostrophe must not hide the brackets after it.
        let depth = 10_000
        let text = "---\ntitle: T\nx: [it's, " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            + "]\n---\n# T\n"
        let runbook = try loaded(text)
        let errors = runbook.errors
        #expect(errors.count == 1, "\(runbook.diagnostics)")
        #expect(errors.allSatisfy { $0.location.line == 3 })
    }

    @Test func deepBlockNestingIsAnError() throws {
        let text = "---\n" + String(repeating: "- ", count: 10_000) + "x\n---\n# T\n"
        let runbook = try loaded(text)
        let errors = runbook.errors
        try #require(errors.count == 1, "\(runbook.diagnostics)")
        // The 33rd `-` on file line 2.
        #expect(errors[0].location == SourceLocation(line: 2, column: 65))
        #expect(errors[0].message.contains("nests deeper"))
    }

    @Test func deepIndentedBlockNestingIsAnError() throws {
        // 200 levels of `-` on lines of their own, indented two more spaces each (40 KB).
        var text = "---\nx:\n"
        for level in 0..<200 { text += String(repeating: "  ", count: level + 1) + "-\n" }
        text += String(repeating: "  ", count: 201) + "deep\n---\n# T\n"
        let runbook = try loaded(text)
        let errors = runbook.errors
        try #require(errors.count == 1, "\(runbook.diagnostics)")
        #expect(errors[0].message.contains("nests deeper"))
        #expect((3...202).contains(errors[0].location.line))
    }

    @Test func oversizedFrontMatterIsAnError() throws {
        let text = "---\ntitle: T\ndescription: " + String(repeating: "word ", count: 20_000) + "\n---\n# T\n"
        let runbook = try loaded(text)
        let errors = runbook.errors
        try #require(errors.count == 1, "\(runbook.diagnostics)")
        #expect(errors[0].location == SourceLocation(line: 2, column: 1))
        #expect(errors[0].message.contains("64 KiB"))
    }

    // MARK: - Front matter boundaries

    @Test func frontMatterNeverClosedIsAnErrorAtOneOne() throws {
        let runbook = try loaded("---\ntitle: Never closed\nversion: 1.0.0\n\n# Heading\n\nBody.\n")
        let errors = runbook.errors
        try #require(errors.count == 1, "\(runbook.diagnostics)")
        #expect(errors[0].location == SourceLocation(line: 1, column: 1))
        #expect(errors[0].message.contains("not closed"))
    }

    @Test func frontMatterOpenedOnTheLastLineIsAnErrorAtOneOne() throws {
        let runbook = try loaded("---\n")
        #expect(runbook.errors.map(\.location) == [SourceLocation(line: 1, column: 1)])
    }

    @Test func emptyFileLoads() throws {
        let runbook = try loaded("", path: "runbooks/empty.md")
        #expect(runbook.diagnostics.isEmpty)
        #expect(runbook.id == "empty")
        #expect(runbook.entries.isEmpty)
    }

    // MARK: - Real-world pitfalls

    @Test func noFrontMatter() throws {
        let runbook = try loaded("# Title\n\n## Check pods\n\n```sh\nkubectl get pods\n```\n", path: "ops/no-front.md")
        #expect(runbook.diagnostics.isEmpty)
        #expect(runbook.id == "no-front")
        #expect(runbook.title == "Title")
        #expect(runbook.version == nil)
        #expect(runbook.entries.map(\.title) == ["Check pods"])
        #expect(runbook.allSteps.map(\.command) == ["kubectl get pods"])
        #expect(runbook.allSteps.first?.location == SourceLocation(line: 5, column: 1))
    }

    @Test func hugoFrontMatterLoadsAndUnknownKeysAreNotes() throws {
        let text = """
            ---
            title: Kube Pod Not Ready
            weight: 20
            bookHidden: true
            ---

            # KubePodNotReady

            ## Meaning

            Pod has been in a non-ready state.

            ## Mitigation

            ```shell
            kubectl -n $NAMESPACE delete pod $POD
            ```

            """
        let runbook = try loaded(text)
        #expect(runbook.title == "Kube Pod Not Ready")
        #expect(runbook.errors.isEmpty && runbook.warnings.isEmpty, "\(runbook.diagnostics)")
        let notes = runbook.diagnostics.filter { $0.severity == .note }
        #expect(notes.map(\.location) == [SourceLocation(line: 3, column: 1), SourceLocation(line: 4, column: 1)])
        #expect(notes.first?.message.contains("weight") == true)
        #expect(notes.last?.message.contains("bookHidden") == true)
        #expect(runbook.entries.count == 1)
        #expect(runbook.allSteps.map(\.command) == ["kubectl -n $NAMESPACE delete pod $POD"])
        #expect(runbook.allSteps.first?.role == .fix)
        #expect(runbook.allSteps.first?.location == SourceLocation(line: 15, column: 1))
    }

    @Test func promptsAreStrippedAndTheLinesAfterThemAreExampleOutput() throws {
        let text = """
            ## Pods

            ```console
            $ kubectl get pods -n prod
            NAME    READY   STATUS
            web-1   1/1     Running
            $ kubectl get svc \\
                -n prod
            NAME   TYPE
            ```

            ```shell
              $ uptime
            ```

            """
        let runbook = try loaded(text)
        #expect(runbook.errors.isEmpty)
        let steps = runbook.allSteps
        try #require(steps.count == 2)
        try #require(steps.count > 1)
        #expect(steps[0].command == "kubectl get pods -n prod\nkubectl get svc \\\n    -n prod")
        #expect(steps[0].exampleOutput == "NAME    READY   STATUS\nweb-1   1/1     Running\nNAME   TYPE")
        #expect(steps[1].command == "uptime")
        #expect(steps[1].exampleOutput == nil)
        for step in steps {
            #expect(!step.command.split(separator: "\n").contains { $0.hasPrefix("$ ") })
        }
    }

    @Test func untaggedBlockWithAPromptIsAStep() throws {
        let runbook = try loaded("## Disk\n\n```\n$ df -h /\nFilesystem  Size\n```\n\n```\nnot a command\n```\n")
        #expect(runbook.allSteps.map(\.command) == ["df -h /"])
        #expect(runbook.allSteps.first?.exampleOutput == "Filesystem  Size")
    }

    @Test func unclosedFenceAtEndOfFileStillMakesAStepWithAWarning() throws {
        let runbook = try loaded("## Restart\n\nRestart it:\n\n```sh\nkubectl rollout restart deploy/web\n")
        #expect(runbook.errors.isEmpty)
        #expect(runbook.allSteps.map(\.command) == ["kubectl rollout restart deploy/web"])
        let warnings = runbook.warnings
        #expect(warnings.count == 1, "\(runbook.diagnostics)")
        #expect(warnings.first?.location == SourceLocation(line: 5, column: 1))
        #expect(warnings.first?.message.contains("not closed") == true)
    }

    @Test func unclosedFenceWithoutATrailingNewline() throws {
        let runbook = try loaded("## Restart\n\n```sh\nkubectl get pods")
        #expect(runbook.allSteps.map(\.command) == ["kubectl get pods"])
        #expect(runbook.warnings.map(\.location) == [SourceLocation(line: 3, column: 1)])
    }

    @Test func closedFenceAtEndOfFileWithoutANewlineHasNoWarning() throws {
        let runbook = try loaded("## Restart\n\n```sh\nkubectl get pods\n```")
        #expect(runbook.allSteps.map(\.command) == ["kubectl get pods"])
        #expect(runbook.diagnostics.isEmpty, "\(runbook.diagnostics)")
    }

    @Test func fencesInsideListItems() throws {
        let text = """
            ## Restart the backend

            1. Check the pods:

               ```sh
               kubectl get pods -n prod
               ```

            2. Restart them:

               ```bash
               kubectl rollout restart deploy/web -n prod
               ```

            - Then watch:
              ```sh
              kubectl get pods -w
              ```

            """
        let runbook = try loaded(text)
        #expect(runbook.diagnostics.isEmpty, "\(runbook.diagnostics)")
        let steps = runbook.allSteps
        #expect(steps.map(\.command) == [
            "kubectl get pods -n prod", "kubectl rollout restart deploy/web -n prod", "kubectl get pods -w",
        ])
        #expect(steps.map(\.location) == [
            SourceLocation(line: 5, column: 4), SourceLocation(line: 11, column: 4), SourceLocation(line: 16, column: 3),
        ])
        #expect(steps.map(\.title) == ["Check the pods", "Restart them", "Then watch"])
    }

    @Test func fencesIndentedFourSpacesInsideListItems() throws {
        let text = """
            ## Check

            - Look at the pods:

                ```sh
                kubectl get pods
                  -o wide
                ```

            1. Look at the nodes:

                ```shell
                kubectl get nodes
                ```

            """
        let runbook = try loaded(text)
        #expect(runbook.diagnostics.isEmpty, "\(runbook.diagnostics)")
        #expect(runbook.allSteps.map(\.command) == ["kubectl get pods\n  -o wide", "kubectl get nodes"])
        #expect(runbook.allSteps.map(\.location.line) == [5, 12])
    }

    @Test func commandWrittenOnTheFenceOpeningLine() throws {
        let text = """
            ## Pods

            ```kubectl get pods -A
            ```

            ```bash kubectl get pods
            ```

            ```$ kubectl get nodes
            ```

            ```yaml kind: Pod
            ```

            """
        let runbook = try loaded(text)
        #expect(runbook.errors.isEmpty, "\(runbook.diagnostics)")
        let steps = runbook.allSteps
        #expect(steps.map(\.command) == ["kubectl get pods -A", "kubectl get pods", "kubectl get nodes"])
        #expect(steps.map(\.language) == ["sh", "bash", "console"])
        #expect(steps.map(\.location.line) == [3, 6, 9])
    }

    @Test func detailsAndSummaryHTMLWithACodeBlockInside() throws {
        let text = """
            ## Pod not ready

            <details>
            <summary>Full context</summary>

            Check the events:

            ```sh
            kubectl get events -n prod
            ```

            </details>

            <details><summary>Raw HTML only</summary>
            ```sh
            echo not-a-step
            ```
            </details>

            """
        let runbook = try loaded(text)
        #expect(runbook.diagnostics.isEmpty, "\(runbook.diagnostics)")
        // The first block is Markdown between HTML blocks; the second is inside an HTML block (no blank
        // line), which GitHub shows as raw HTML, so it is not a step.
        #expect(runbook.allSteps.map(\.command) == ["kubectl get events -n prod"])
        #expect(runbook.allSteps.first?.location == SourceLocation(line: 8, column: 1))
        #expect(runbook.allSteps.first?.title == "Check the events")
        #expect(runbook.document.plainText.contains("Check the events"))
    }

    @Test func hugoShortcodesInLinkSyntaxAreNotDanglingLinks() throws {
        let text = """
            # Runbook

            ## Entry

            See [the other runbook]({{< ref "./Other.md" >}}) and [that one]({{< relref "Another.md#fix" >}}).
            Also [a real one](#entry).

            """
        let runbook = try loaded(text)
        #expect(runbook.diagnostics.isEmpty, "\(runbook.diagnostics)")
        #expect(runbook.document.plainText.contains("the other runbook"))
        #expect(runbook.links.allSatisfy { $0.target == nil || $0.destination == "#entry" })
        let lint = RunbookLinter(today: CalendarDate(year: 2025, month: 1, day: 1)!).lint(runbook) { _ in nil }
        #expect(!lint.contains { $0.severity == .error }, "\(lint)")
    }

    @Test func crlfLineEndings() async throws {
        // Run in a child process: CRLF front matter once crashed the loader (a force-unwrapped search for
        // "\n", which Swift never finds in "\r\n"), and a crash must fail this test, not the whole run.
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            let text = """
                ---
                title: Windows runbook
                version: 1.2.3
                owner: ops
                ---

                # Windows runbook

                ## Check pods

                Run:

                ```console
                $ kubectl get pods
                NAME    READY
                web-1   1/1
                ```

                ```sh
                kubectl get nodes
                kubectl get ns
                ```

                """.replacingOccurrences(of: "\n", with: "\r\n")
            let runbook = try RunbookLoader().load(bytes: Array(text.utf8), path: "crlf.md")
            var problems: [String] = []
            func check(_ ok: Bool, _ what: @autoclosure () -> String) { if !ok { problems.append(what()) } }
            check(runbook.diagnostics.isEmpty, "diagnostics: \(runbook.diagnostics)")
            check(runbook.title == "Windows runbook", "title: \(runbook.title)")
            check(runbook.version?.description == "1.2.3", "version: \(String(describing: runbook.version))")
            check(runbook.owner == "ops", "owner: \(String(describing: runbook.owner))")
            check(runbook.entries.map(\.title) == ["Check pods"], "entries: \(runbook.entries.map(\.title))")
            let steps = runbook.allSteps
            check(steps.map(\.command) == ["kubectl get pods", "kubectl get nodes\nkubectl get ns"], "commands: \(steps.map(\.command))")
            check(steps.first?.exampleOutput == "NAME    READY\nweb-1   1/1", "example: \(String(describing: steps.first?.exampleOutput))")
            check(steps.map(\.location.line) == [13, 19], "lines: \(steps.map(\.location.line))")
            check(!steps.contains { $0.command.contains("\r") || ($0.exampleOutput ?? "").contains("\r") }, "CR kept")
            // The child exits normally either way (a failed exit test returns no output to read); what it
            // found wrong goes to its standard error, which is read below.
            for problem in problems {
                FileHandle.standardError.write(Data(("CRLF: " + problem + "\n").utf8))
            }
        }
        // What the child found wrong; nothing when it crashed (the expectation above has failed then).
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        for line in stderr.split(separator: "\n") where line.hasPrefix("CRLF: ") {
            Issue.record("\(line)")
        }
    }

    @Test func crlfLineEndingsWithoutFrontMatter() throws {
        let text = "# T\r\n\r\n## Check\r\n\r\n```console\r\n$ kubectl get pods\r\nNAME\r\n```\r\n"
        let runbook = try loaded(text)
        #expect(runbook.diagnostics.isEmpty, "\(runbook.diagnostics)")
        #expect(runbook.allSteps.map(\.command) == ["kubectl get pods"])
        #expect(runbook.allSteps.first?.exampleOutput == "NAME")
    }

    @Test func utf8ByteOrderMark() throws {
        let withFrontMatter = try loaded("\u{FEFF}---\ntitle: With BOM\nversion: 1.0.0\n---\n# Heading\n\n## Entry\n\n```sh\ntrue\n```\n")
        #expect(withFrontMatter.diagnostics.isEmpty, "\(withFrontMatter.diagnostics)")
        #expect(withFrontMatter.title == "With BOM")
        #expect(withFrontMatter.version?.description == "1.0.0")
        #expect(withFrontMatter.allSteps.map(\.location.line) == [9])

        let plain = try loaded("\u{FEFF}# Title\n\n## Entry\n")
        #expect(plain.diagnostics.isEmpty)
        #expect(plain.title == "Title")
        #expect(plain.anchors.contains("title"))
    }

    // MARK: - The prometheus-operator runbooks

    // An integration test: it reads the shared corpus, which CI has beside the repository and a fresh
    // clone does not. Without it the test is skipped, and the skip says where it looked and how to
    // run it (RUNBOOK_CORPUS=<folder>); a RUNBOOK_CORPUS that names no corpus fails it.
    @Test(
        .enabled(
            if: CorpusFolder.prometheusOperator.isExpected,
            Comment(rawValue: CorpusFolder.prometheusOperator.skipReason)))
    func prometheusOperatorRunbooksLoad() throws {
        let content = URL(fileURLWithPath: try CorpusFolder.prometheusOperator.folder().content)
        var isFolder: ObjCBool = false
        var files: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: content.path)
        while let relative = enumerator?.nextObject() as? String {
            let full = content.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue { files.append(full) }
        }
        files.sort()
        #expect(files.count >= 100, "only \(files.count) files under \(content.path)")
        var fencesSeen = 0
        for file in files {
            let runbook: Runbook
            do {
                runbook = try RunbookLoader().load(path: file)
            } catch {
                Issue.record("\(error)")
                continue
            }
            let errors = runbook.errors
            #expect(errors.isEmpty, "\(file): \(errors)")
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
            let fenceLines = RobustnessFixture.shellFenceLines(text)
            fencesSeen += fenceLines.count
            let steps = runbook.allSteps.filter { fenceLines.contains($0.location.line) }
            #expect(
                steps.count == fenceLines.count,
                "\(file): shell/console fences on lines \(fenceLines.sorted()), steps on lines \(runbook.allSteps.map(\.location.line))")
            for step in steps {
                let prompted = step.command.split(separator: "\n").filter {
                    $0.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("$ ")
                }
                #expect(prompted.isEmpty, "\(file):\(step.location.line): command keeps a prompt: \(step.command)")
            }
        }
        #expect(fencesSeen >= 40, "only \(fencesSeen) shell/console fences found")
    }

    // MARK: - Inputs that take super-linear time or memory

    // No timing is asserted here (these machines are noisy; speed is the benchmark's job). Each input is
    // sized so that the super-linear behaviour it guards against would take minutes, while a linear load
    // takes well under a second; a load that misses the 30 s deadline of its thread fails as a hang.

    @Test func matchesIndicatorWithHugeRepetitionsIsAnErrorNotGigabytes() throws {
        // glibc's regcomp expands bounded repetitions: this 28-byte pattern needs over 1 GB and a second
        // to compile (`a{1,32767}` needs 8 GB). The loader validates `matches` operands with regcomp.
        let text = "## Check\n\n```sh\ntrue\n```\n\n- matches `((a{1,100}){1,100}){1,100}`\n"
        let runbook = try loaded(text, seconds: 30)
        let errors = runbook.errors
        #expect(errors.count == 1, "\(runbook.diagnostics)")
        #expect(errors.first?.location.line == 7)
        #expect(errors.first?.message.contains("matches") == true)
    }

    enum Pathological: String, CaseIterable, Sendable {
        case wwwAutolinksWithUnderscores, imageBrackets, tableOfManyColumnsAndShortRows

        var text: String {
            switch self {
            case .wwwAutolinksWithUnderscores: String(repeating: "www.a_", count: 40_000)
            case .imageBrackets: String(repeating: "![[]()", count: 100_000)
            // 700 columns; each one-cell row is padded to 700 cells.
            case .tableOfManyColumnsAndShortRows:
                String(repeating: "| a ", count: 700) + "|\n" + String(repeating: "|-", count: 700) + "|\n"
                    + String(repeating: "| b\n", count: 700)
            }
        }

        /// The same size and kind of content, without the pattern.
        var baseline: String {
            switch self {
            case .wwwAutolinksWithUnderscores: String(repeating: "www.a ", count: 40_000)
            case .imageBrackets: String(repeating: "![a]()", count: 100_000)
            // Not a delimiter row, so not a table: a paragraph of the same text.
            case .tableOfManyColumnsAndShortRows:
                String(repeating: "| a ", count: 700) + "|\n" + String(repeating: "|=", count: 700) + "|\n"
                    + String(repeating: "| b\n", count: 700)
            }
        }
    }

    @Test(arguments: Pathological.allCases)
    func pathologicalMarkdownLoadsInLinearTime(_ input: Pathological) throws {
        // Sized so that the quadratic paths of cmark-gfm 0.29 would take minutes; the deadline catches that.
        let runbook = try deadlineLoad("# Pathological\n\n" + input.text + "\n")
        _ = try deadlineLoad("# Pathological\n\n" + input.baseline + "\n")
        // The loader may refuse such a paragraph, but only with an error that points at it.
        #expect(runbook.errors.allSatisfy { $0.location == SourceLocation(line: 3, column: 1) }, "\(runbook.errors)")
    }

    @Test func manyDistinctPlaceholdersLoadInLinearTime() throws {
        var text = "## Echo\n\n```sh\necho"
        var plain = text
        for i in 0..<60_000 {
            text += " <value-\(i)>"
            plain += " value-\(i)"
        }
        // Quadratic handling of 60,000 placeholders takes minutes; the deadline catches that.
        let runbook = try deadlineLoad(text + "\n```\n")
        _ = try deadlineLoad(plain + "\n```\n")
        #expect(runbook.allSteps.first?.placeholders.count == 60_000)
        #expect(runbook.variables.count == 60_000)
    }

    @Test func manyChecklistsLoadInLinearTime() throws {
        var text = ""
        var plain = ""
        for i in 0..<20_000 {
            text += "## Before deploy \(i)\n\n- [ ] item \(i)\n\n"
            plain += "## Before deploy \(i)\n\n- item \(i)\n\n"
        }
        let runbook = try deadlineLoad(text)
        _ = try deadlineLoad(plain)
        #expect(runbook.checklists.count == 20_000)
    }

    // MARK: - Columns of fence attributes

    @Test(arguments: [
        ("````sh {timeout=abc}", 9),
        ("```  sh {timeout=abc}", 10),
        ("~~~sh {timeout=abc}", 8),
        ("```sh {timeout=abc}", 8),
    ])
    func attributeErrorsPointAtTheAttribute(_ fence: String, _ column: Int) throws {
        let close = fence.hasPrefix("~") ? "~~~" : fence.hasPrefix("````") ? "````" : "```"
        let runbook = try loaded("## Step\n\n\(fence)\ntrue\n\(close)\n")
        let errors = runbook.errors
        try #require(errors.count == 1, "\(runbook.diagnostics)")
        #expect(errors[0].location == SourceLocation(line: 3, column: column), "\(fence)")
    }

    // MARK: - Fuzzer findings

    // Inputs that scripts/fuzz-loader finds (minimised) belong here as regression tests. So far it has
    // found none in the loader; the CRLF crash and the super-linear inputs above were found by hand.

    // MARK: - Helpers

    private func loaded(_ text: String, path: String = RobustnessFixture.path, seconds: Double = 10) throws -> Runbook {
        try loaded(Array(text.utf8), path: path, seconds: seconds)
    }

    /// Loads `bytes`, which must load; any diagnostic must name the file and a place inside it.
    private func loaded(_ bytes: [UInt8], path: String = RobustnessFixture.path, seconds: Double = 10) throws -> Runbook {
        switch try RobustnessFixture.load(bytes, path: path, seconds: seconds) {
        case .success(let runbook):
            let lines = bytes.count { $0 == 0x0A } + 1
            for d in runbook.diagnostics {
                #expect(d.file == path && (1...lines).contains(d.location.line) && d.location.column >= 1 && !d.message.isEmpty, "\(d)")
            }
            return runbook
        case .failure(let error):
            Issue.record("expected the runbook to load, got \(error)")
            throw error
        }
    }

    /// Loads with a deadline generous enough for a loaded machine (30 s) and far below what the
    /// super-linear behaviour each caller guards against would take. No timing is asserted otherwise.
    private func deadlineLoad(_ text: String) throws -> Runbook {
        try loaded(text, seconds: 30)
    }

    /// Loads `bytes`, which must be refused with a sane diagnostic.
    private func failed(_ bytes: [UInt8], path: String = RobustnessFixture.path) throws -> LoadError {
        switch try RobustnessFixture.load(bytes, path: path, seconds: 10) {
        case .success(let runbook):
            Issue.record("expected a LoadError, the runbook loaded with \(runbook.diagnostics)")
            throw RobustnessFixture.Unexpected()
        case .failure(let error):
            let lines = bytes.count { $0 == 0x0A } + 1
            #expect(error.diagnostic.file == path)
            #expect(error.diagnostic.severity == .error)
            #expect((1...lines).contains(error.diagnostic.location.line) && error.diagnostic.location.column >= 1)
            #expect(!error.diagnostic.message.isEmpty)
            return error
        }
    }
}

extension Runbook {
    fileprivate var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    fileprivate var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
}

/// Inputs and the guarded load shared by the tests above.
private enum RobustnessFixture {
    static let path = "runbooks/robust.md"

    struct Unexpected: Error {}
    struct Hang: Error, CustomStringConvertible {
        var seconds: Double
        var description: String { "the loader did not return within \(seconds) s" }
    }

    final class Slot: @unchecked Sendable {
        var result: Result<Runbook, LoadError>?
        let done = DispatchSemaphore(value: 0)
    }

    /// Loads on a thread of its own with an 8 MiB stack (the size of a command-line program's main
    /// thread), and gives up after `seconds`: a hang fails the test instead of blocking the run.
    static func load(_ bytes: [UInt8], path: String, seconds: Double) throws -> Result<Runbook, LoadError> {
        let slot = Slot()
        let thread = Thread {
            do throws(LoadError) {
                slot.result = .success(try RunbookLoader().load(bytes: bytes, path: path))
            } catch {
                slot.result = .failure(error)
            }
            slot.done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        guard slot.done.wait(timeout: .now() + seconds) == .success, let result = slot.result else {
            Issue.record("hang: \(Hang(seconds: seconds))")
            throw Hang(seconds: seconds)
        }
        return result
    }

    /// The classic "billion laughs": nine levels of nine aliases each, 9^9 nodes when expanded.
    /// With `key`, the bomb is also used as a complex mapping key.
    static func aliasBomb(key: Bool) -> String {
        var text = "---\ntitle: Laughs\n"
        text += "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for k in 1..<names.count {
            let previous = "*" + names[k - 1]
            text += "\(names[k]): &\(names[k]) [" + Array(repeating: previous, count: 9).joined(separator: ",") + "]\n"
        }
        if key { text += "? *i\n: boom\n" }
        return text + "---\n# Laughs\n"
    }

    /// A realistic runbook of at least `minimumBytes`: headings, prose with inline markup, shell steps
    /// and output blocks. Returns the bytes and the number of entries (each with two steps).
    static func largeRunbook(minimumBytes: Int) -> ([UInt8], Int) {
        var out: [UInt8] = []
        out.reserveCapacity(minimumBytes + 4096)
        out += Array("---\ntitle: A very large runbook\nversion: 1.0.0\nowner: ops\n---\n\n# A very large runbook\n\nIntro.\n\n".utf8)
        // About 3.5 KB an entry, most of it in blocks (as real runbooks are): ~2,900 entries.
        let listing = (0..<40).map { "web-%d-\($0)abc   1/1     Running   0          \($0)d" }.joined(separator: "\n")
        var n = 0
        while out.count < minimumBytes {
            let entry = """
                ## Issue \(n): pods of web-\(n) crash-looping in ns-\(n)

                ### Symptoms

                The pods of **web-\(n)** restart every few minutes and `kubectl get pods` shows `CrashLoopBackOff`.
                Requests to the service time out, and the [dashboard](https://grafana.example.com/d/\(n)) shows
                5xx errors rising. See also [the previous issue](#issue-\(max(0, n - 1))) and _the notes_ below.
                The restarts began after the last deploy; the previous replica set is still available, so a
                rollback is possible, but check the database migrations first: a rollback past a migration
                leaves the schema ahead of the code, and the old pods will crash too.

                ### Diagnosis

                Look at the pods and their last logs:

                ```sh
                kubectl get pods -n ns-\(n) -l app=web-\(n)
                kubectl logs -n ns-\(n) deploy/web-\(n) --previous --tail=50
                ```

                Expected output:

                ```text
                NAME                  READY   STATUS    RESTARTS   AGE
                \(listing.replacingOccurrences(of: "%d", with: String(n)))
                ```

                ### Fix

                1. Roll the deployment back, or restart it once the config is fixed.
                2. Watch the rollout.

                ```bash
                kubectl rollout restart deployment/web-\(n) -n ns-\(n)
                ```

                > Note: a restart drops in-flight requests; warn the on-call channel first.


                """
            out += Array(entry.utf8)
            n += 1
        }
        return (out, n)
    }

    /// File lines (1-based) of fences opened with a `shell` or `console` info string, found by a simple
    /// line scan that tracks whether a fence is open.
    static func shellFenceLines(_ text: String) -> Set<Int> {
        var found: Set<Int> = []
        var open: (char: Character, count: Int)?
        // Split bytes, not Characters: "\r\n" is one Character in Swift.
        for (index, raw) in Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            var line = Substring(String(decoding: raw, as: UTF8.self))
            if line.hasSuffix("\r") { line = line.dropLast() }
            let t = line.drop(while: { $0 == " " || $0 == "\t" || $0 == ">" })
            guard let c = t.first, c == "`" || c == "~" else { continue }
            let run = t.prefix(while: { $0 == c }).count
            guard run >= 3 else { continue }
            let info = t.dropFirst(run).drop(while: { $0 == " " })
            if let o = open {
                if c == o.char, run >= o.count, info.allSatisfy({ $0 == " " || $0 == "\t" }) { open = nil }
                continue
            }
            open = (c, run)
            let language = info.prefix(while: { $0 != " " && $0 != "{" && $0 != "\t" }).lowercased()
            if language == "shell" || language == "console" { found.insert(index + 1) }
        }
        return found
    }
}
