import Testing
@testable import RunbookKit

/// Runbooks written for people, in the styles teams already have: numbered procedures broken by
/// blocks, prompts of shells and other programs, verification headings at any depth. Every fixture is
/// written here; ForeignCommandTests has whole commands, remote steps and the corpus.
@Suite("foreign runbooks: indicators, prompts, sections")
struct ForeignRunbookTests {
    func load(_ markdown: String) throws -> Runbook { try ForeignFixture.load(markdown) }
    func onlyStep(_ markdown: String) throws -> Step { try ForeignFixture.onlyStep(markdown) }

    // MARK: - 1. Indicators only where the author wrote indicators

    static let procedure = """
        # Upgrade the operator

        ## Procedure

        1. Apply the new CRDs:

        ```sh
        kubectl apply -f crds.yaml
        ```

        2. Check the operator is running:

        ```sh
        kubectl get deploy operator
        ```

        3. Verify that the CR is created:

        ```sh
        kubectl get myresource example
        ```

        - Pod status: Running
        """

    @Test("a numbered procedure broken by blocks: its items are procedure text, not indicators")
    func procedureTextIsNoIndicator() throws {
        let steps = try load(Self.procedure).allSteps
        #expect(steps.count == 3)
        #expect(steps[0].indicators.isEmpty, "\(steps[0].indicators)")
        #expect(steps[1].indicators.isEmpty, "\(steps[1].indicators)")
        // A bare list of plain text after a step is not indicators either: the author wrote no intro.
        #expect(steps[2].indicators.isEmpty, "\(steps[2].indicators)")
        #expect(steps[1].title == "Check the operator is running")
    }

    @Test("an ordered list broken by blocks keeps its numbers")
    func orderedListKeepsNumbers() throws {
        let runbook = try load(Self.procedure)
        let starts = runbook.document.children.compactMap { block -> Int? in
            if case .list(ordered: true, let start) = block.kind { return start }
            return nil
        }
        #expect(starts == [1, 2, 3])
    }

    @Test("a list is indicators after an intro, the spec's synonyms included, or when every item is in indicator syntax")
    func indicatorsWhereWritten() throws {
        for intro in ["Success indicators:", "Expected:", "You should see:", "Expected result:", "**Expect:**"] {
            let step = try onlyStep("## E\n\n```sh\nkubectl get pods\n```\n\n\(intro)\n\n- contains `Running`\n- Pod status: Running\n")
            #expect(step.indicators.map(\.kind.name) == ["contains", "manual"], "\(intro)")
        }
        let bare = try onlyStep("## E\n\n```sh\nkubectl get pods\n```\n\n- exit 0\n- no `CrashLoopBackOff`\n")
        #expect(bare.indicators.map(\.kind.name) == ["exit_code", "not_contains"])
        let mixed = try onlyStep("## E\n\n```sh\nkubectl get pods\n```\n\n- exit 0\n- Check networking on the node.\n")
        #expect(mixed.indicators.isEmpty, "a bare list with procedure text is not indicators")
    }

    @Test("after an intro, a list with an item that ends with a colon is procedure text")
    func colonItemIsProcedure() throws {
        let step = try onlyStep("## E\n\n```sh\nkubectl get pods\n```\n\nExpected:\n\n- Open the console:\n- contains `Running`\n")
        #expect(step.indicators.isEmpty)
    }

    // MARK: - 2. Prompts

    @Test("every row of the prompt table reads its own example")
    func promptRows() {
        #expect(PromptTable.compiled.count == PromptTable.rows.count, "a row's pattern does not compile")
        for row in PromptTable.rows {
            let match = PromptTable.match(Substring(row.example))
            #expect(match?.row.pattern == row.pattern, "\(row.example)")
            #expect(match.map { String($0.command) } == row.exampleCommand, "\(row.example)")
        }
    }

    @Test("a program's prompt is stripped, its output kept as example output, the step marked and never run")
    func programPrompts() throws {
        let step = try onlyStep("## E\n\n```\npgbouncer=# SHOW CLIENTS;\n type | user\n------+-----\n C    | app\n```\n")
        #expect(step.command == "SHOW CLIENTS;")
        #expect(step.exampleOutput?.contains("type | user") == true)
        #expect(step.typedInto == "psql")
        #expect(!step.isRunnable)
        let runbook = try load("## Diagnosis\n\n```console\nredis> INFO memory\n# Memory\nused_memory:1024\n```\n")
        let redis = try #require(runbook.allSteps.first)
        #expect(redis.command == "INFO memory")
        #expect(redis.typedInto == "redis-cli")
        #expect(CheckPolicy.skipReason(redis, in: runbook)?.contains("redis-cli") == true)
        for (block, command, program) in [
            ("sh-5.1# chroot /host", "chroot /host", "a root shell"),
            (">>> import ssl\n>>> ssl.OPENSSL_VERSION\n'OpenSSL 3.0.2'", "import ssl\nssl.OPENSSL_VERSION", "python"),
            ("mysql> SHOW PROCESSLIST;", "SHOW PROCESSLIST;", "mysql"),
            ("(gdb) bt", "bt", "gdb"),
            ("irb(main):001:0> User.count\n=> 3", "User.count", "irb"),
            ("127.0.0.1:6379> DBSIZE\n(integer) 4", "DBSIZE", "redis-cli"),
        ] {
            let s = try onlyStep("## E\n\n```shell\n\(block)\n```\n")
            #expect(s.command == command, "\(block)")
            #expect(s.typedInto == program, "\(block)")
            #expect(!s.isRunnable, "\(block)")
        }
    }

    @Test("shell prompts are stripped and the step runs with the shell")
    func shellPrompts() throws {
        for (block, command) in [
            ("$> kubectl get pods", "kubectl get pods"),
            ("bash-5.1$ ls /host", "ls /host"),
            ("[core@node-1 ~]$ uptime\n 10:00 up 3 days", "uptime"),
            ("deploy@bastion:~$ df -h", "df -h"),
            ("% brew list", "brew list"),
        ] {
            let s = try onlyStep("## E\n\n```console\n\(block)\n```\n")
            #expect(s.command == command, "\(block)")
            #expect(s.typedInto == nil, "\(block)")
            #expect(s.isRunnable, "\(block)")
        }
    }

    @Test("`# `: a root prompt alone or in a session, a comment in a script")
    func hashPromptOrComment() throws {
        let root = try onlyStep("## Fix\n\n```shell\n# gitlab-ctl restart consul\n```\n")
        #expect(root.command == "gitlab-ctl restart consul")
        #expect(root.typedInto == "a root shell")
        #expect(!root.isRunnable)
        let session = try onlyStep("## E\n\n```shell\n$ oc debug node/x\n# lsof -n\nCOMMAND PID\n```\n")
        #expect(session.command == "oc debug node/x\nlsof -n")
        #expect(session.exampleOutput == "COMMAND PID")
        #expect(session.typedInto == "a root shell")
        let script = try onlyStep("## E\n\n```sh\n# Restart the consul service\ngitlab-ctl restart consul\n```\n")
        #expect(script.command == "# Restart the consul service\ngitlab-ctl restart consul")
        #expect(script.typedInto == nil && script.isRunnable)
        let todo = try onlyStep("## E\n\n```sh\n# TODO: Command needed\n```\n")
        #expect(todo.typedInto == nil && todo.command == "# TODO: Command needed")
    }

    // MARK: - 6. Sections

    @Test("a Verification heading at any depth under an entry is a verify section; the parent's role comes back after it")
    func sectionsAtAnyDepth() throws {
        let runbook = try load("""
            # Operator

            ## Upgrade the operator

            ### Procedure

            #### Fix

            ```sh
            kubectl apply -f operator.yaml
            ```

            #### Verification

            ```sh
            kubectl get deploy operator
            ```

            ##### Details

            ```sh
            kubectl get pods -l app=operator
            ```

            ### Diagnosis

            #### Logs

            ```sh
            kubectl logs deploy/operator
            ```
            """)
        let roles = runbook.allSteps.map(\.role)
        #expect(roles == [.fix, .verify, .verify, .diagnose], "\(roles)")
    }

    @Test("an H1 in the middle of a file does not cut a procedure")
    func h1InTheMiddle() throws {
        let runbook = try load("""
            # Upgrade

            ## Upgrade the operator

            ### Fix

            ```sh
            kubectl apply -f operator.yaml
            ```

            # Verification

            ```sh
            kubectl get deploy operator
            ```

            ## Roll back

            ```sh
            kubectl rollout undo deploy/operator
            ```
            """)
        #expect(runbook.looseSteps.isEmpty)
        #expect(runbook.entries.map(\.title) == ["Upgrade the operator", "Roll back"])
        #expect(runbook.entries.first?.steps.map(\.role) == [.fix, .verify])
    }
}

/// Loads the inline fixtures of the foreign-runbook tests.
enum ForeignFixture {
    static func load(_ markdown: String) throws -> Runbook {
        try RunbookLoader().load(bytes: Array(markdown.utf8), path: "foreign.md")
    }

    /// The fixture's only step.
    static func onlyStep(_ markdown: String) throws -> Step {
        let steps = try load(markdown).allSteps
        #expect(steps.count == 1, "\(steps.map(\.command))")
        return try #require(steps.first)
    }
}
