import Testing
@testable import RunbookKit

/// Each lint rule, with a case that trips it and one that passes.
@Suite("runbook lint rules")
struct RunbookLinterTests {
    static let today = CalendarDate(year: 2026, month: 6, day: 1)!

    static let header = """
        ---
        id: lint-fixture
        version: 1.0.0
        review_by: 2027-01-01
        variables:
          NAMESPACE:
            default: staging
        ---

        """

    /// Lints `markdown` as `dir/main.md`; `others` are the other files that exist, by path.
    func lint(_ markdown: String, others: [String: String] = [:]) throws -> [Diagnostic] {
        let runbook = try RunbookLoader().load(bytes: Array(markdown.utf8), path: "dir/main.md")
        return RunbookLinter(today: Self.today).lint(runbook) { path in
            others[path].flatMap { try? RunbookLoader().load(bytes: Array($0.utf8), path: path) }
        }
    }

    func messages(_ d: [Diagnostic], _ severity: Severity) -> [String] {
        d.filter { $0.severity == severity }.map(\.message)
    }

    @Test("a clean runbook has no findings")
    func clean() throws {
        let d = try lint(
            Self.header + """
                # Clean

                ## Decision tree

                - Pods crash: [Crash](#crash)

                ## Crash

                ### Verify

                ```sh {name=pods}
                kubectl get pods -n "$NAMESPACE"
                ```

                Example output when healthy:

                ```text
                web-0   1/1   Running
                ```

                Example output when failing (no cluster, exit 1):

                ```text
                Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout
                ```

                - exit 0
                """)
        #expect(d.isEmpty, "\(d)")
    }

    @Test("invalid front matter is an error at the YAML's line")
    func invalidFrontMatter() throws {
        let d = try lint("---\nid: x\nversion: [1.0.0\n---\n# T\n")
        let errors = d.filter { $0.severity == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("invalid YAML") == true)
        #expect((errors.first?.location.line ?? 0) >= 3)
    }

    @Test("a version that is not semantic versioning is an error at the version")
    func badVersion() throws {
        let d = try lint("---\nversion: 1.0\n---\n# T\n")
        let e = d.first { $0.severity == .error }
        #expect(e?.message.contains("not a semantic version") == true)
        #expect(e?.location == SourceLocation(line: 2, column: 10))
        let ok = try lint("---\nversion: 1.2.3\n---\n# T\n")
        #expect(ok.allSatisfy { $0.severity != .error })
    }

    @Test("a missing version is a warning")
    func missingVersion() throws {
        let d = try lint("# Title\n")
        #expect(messages(d, .warning).contains { $0.hasPrefix("no version") })
    }

    @Test("a link to an anchor that no heading has is an error; a right one is not")
    func danglingAnchor() throws {
        let bad = try lint(Self.header + "# T\n\nSee [x](#no-such-heading).\n\n## Real heading\n")
        #expect(messages(bad, .error) == ["link `#no-such-heading` names no heading in this file"])
        let good = try lint(Self.header + "# T\n\nSee [x](#real-heading).\n\n## Real heading\n")
        #expect(messages(good, .error).isEmpty)
    }

    @Test("a decision-tree link to a missing entry is an error")
    func treeLinkToMissingEntry() throws {
        let d = try lint(Self.header + "# T\n\n## Decision tree\n\n- Crash: [Issue 9](#issue-9)\n")
        let e = d.first { $0.severity == .error }
        #expect(e?.message.hasPrefix("link `#issue-9` names no heading") == true)
        #expect(e?.location.line == 13)
    }

    @Test("a cross-file link needs the file and its anchor")
    func crossFileLinks() throws {
        let other = "# Other\n\n## Target here\n"
        let missingFile = try lint(Self.header + "# T\n\n[x](other.md#target-here)\n")
        #expect(messages(missingFile, .error).contains { $0.contains("names no runbook: `dir/other.md`") })
        let missingAnchor = try lint(Self.header + "# T\n\n[x](other.md#nope)\n", others: ["dir/other.md": other])
        #expect(messages(missingAnchor, .error).contains { $0.contains("names no heading of other.md") })
        let good = try lint(Self.header + "# T\n\n[x](other.md#target-here) and [y](../dir/other.md)\n", others: ["dir/other.md": other])
        #expect(messages(good, .error).isEmpty, "\(good)")
        // URLs are not checked.
        let url = try lint(Self.header + "# T\n\n[x](https://example.com/a.md#b)\n")
        #expect(messages(url, .error).isEmpty)
    }

    @Test("two entries with the same anchor are an error")
    func duplicateAnchors() throws {
        let d = try lint(Self.header + "# T\n\n## Restart\n\ntext\n\n## Restart\n\nmore\n")
        let e = d.filter { $0.severity == .error }
        #expect(e.count == 1)
        #expect(e.first?.message.contains("duplicate anchor `#restart`") == true)
        #expect(e.first?.location.line == 15)
        // The same H3 under different entries is ordinary (Symptoms, Verify ...).
        let fine = try lint(Self.header + "# T\n\n## A\n\n### Verify\n\n## B\n\n### Verify\n")
        #expect(messages(fine, .error).isEmpty)
    }

    @Test("a malformed indicator is an error; plain words are a manual indicator")
    func malformedIndicator() throws {
        let bad = try lint(Self.header + "# T\n\n## E\n\n### Verify\n\n```sh\ntrue\n```\n\n- contains Successfully pulled\n- exit 300\n- matches `(unclosed`\n")
        let errors = bad.filter { $0.severity == .error }
        #expect(errors.count == 3, "\(errors)")
        #expect(errors.map(\.location.line) == [19, 20, 21])
        let good = try lint(Self.header + "# T\n\n## E\n\n### Verify\n\n```sh\ntrue\n```\n\n- No authentication errors in the log\n- exit 0\n")
        #expect(messages(good, .error).isEmpty)
    }

    @Test("an entry with steps that no branch of the tree reaches is a warning")
    func unreachableEntry() throws {
        let body = """
            # T

            ## Decision tree

            - A: [Alpha](#alpha)

            ## Alpha

            ```sh
            echo a
            ```

            ## Beta

            ```sh
            echo b
            ```
            """
        let d = try lint(Self.header + body)
        #expect(messages(d, .warning) == ["no branch of the decision tree reaches entry `Beta`: link to #beta from the tree"])
        let reached = try lint(Self.header + body.replacingOccurrences(of: "- A: [Alpha](#alpha)", with: "- A: [Alpha](#alpha)\n- B: [Beta](#beta)"))
        #expect(messages(reached, .warning).isEmpty)
    }

    @Test("a verify step without an indicator is a warning")
    func verifyWithoutIndicator() throws {
        let d = try lint(Self.header + "# T\n\n## E\n\n### Verify\n\n```sh {name=v}\ntrue\n```\n")
        #expect(messages(d, .warning) == ["verify step `v` has no success indicator: add a list such as `- exit 0` after it"])
        let ok = try lint(Self.header + "# T\n\n## E\n\n### Verify\n\n```sh {name=v}\ntrue\n```\n\nSuccess indicators:\n\n- exit 0\n")
        #expect(messages(ok, .warning).filter { !$0.contains("example output labelled") }.isEmpty)
    }

    @Test("a variable neither declared nor assigned earlier is a warning")
    func undeclaredVariable() throws {
        let d = try lint(Self.header + "# T\n\n```sh\necho \"$NAMESPACE\" \"$UNDECLARED\" '$QUOTED' \"${GKE_SA}\"\n```\n")
        #expect(messages(d, .warning).sorted() == [
            "command uses `$GKE_SA`, which is neither declared under `variables:` nor assigned by an earlier step",
            "command uses `$UNDECLARED`, which is neither declared under `variables:` nor assigned by an earlier step",
        ])
        // Assigned by an earlier step, ambient (HOME), or a <placeholder>: fine.
        let ok = try lint(Self.header + "# T\n\n```sh\nGKE_SA=$(gcloud get)\n```\n\n```sh\necho \"${GKE_SA}\" \"$HOME\" <pod-name>\nfor i in 1 2; do echo $i; done\n```\n")
        #expect(messages(ok, .warning).isEmpty, "\(ok)")
        // Used before the step that assigns it: still a warning.
        let early = try lint(Self.header + "# T\n\n```sh\necho \"$LATER\"\n```\n\n```sh\nLATER=1\n```\n")
        #expect(messages(early, .warning).count == 1)
    }

    @Test("review_by in the past is a warning")
    func overdueReview() throws {
        let d = try lint("---\nversion: 1.0.0\nreview_by: 2026-01-01\n---\n# T\n")
        #expect(messages(d, .warning) == ["review_by 2026-01-01 is past: review the runbook, then move review_by forward"])
        let ok = try lint("---\nversion: 1.0.0\nreview_by: 2026-06-01\n---\n# T\n")
        #expect(ok.isEmpty)
    }

    @Test("a tree branch that leads nowhere is a warning")
    func deadEndBranch() throws {
        let d = try lint(Self.header + "# T\n\n## Decision tree\n\n- Something odd\n")
        #expect(messages(d, .warning).first?.hasPrefix("this branch of the decision tree leads nowhere") == true)
    }
}
