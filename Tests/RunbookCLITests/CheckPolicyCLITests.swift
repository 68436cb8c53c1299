import Foundation
import RunbookTestSupport
import Testing

/// `runbook check` never changes anything: the skips, with their reasons, in every format; shells by
/// block language; the dry run as JSON; and the prometheus-operator corpus, where Diagnosis sections hold
/// `oc patch`, `oc debug node/…` and `journalctl -f`.
@Suite("runbook check: what it runs and what it skips")
struct CheckPolicyCLITests {
    static let runbook = """
        ---
        id: policy
        version: 1.0.0
        ---
        # Policy

        ## Pods are stuck

        ### Diagnosis

        ```sh {name=list-pods}
        echo "web-1 Running"
        ```

        - contains `Running`

        ```sh {name=delete-pod}
        kubectl delete pod web-1
        ```

        ```sh {name=follow-logs}
        kubectl logs -f web-1
        ```

        ```bash {name=bash-only}
        if [[ "a" == "a" ]]; then echo "bash ran it"; fi
        ```

        - contains `bash ran it`

        ### Verify

        ```sh {name=migrate-check confirm=true}
        echo migrate
        ```

        ```sh {name=vouched readonly=true}
        echo "a dry run" > /dev/null; oc patch deploy web --dry-run=server -p '{}' || true
        ```
        """

    static func write(_ root: String) throws -> String {
        let file = root + "/policy.md"
        try runbook.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    static func environment(_ root: String, path: String = "/usr/bin:/bin") -> [String: String] {
        ["XDG_STATE_HOME": root + "/state", "HOME": root, "TMPDIR": root, "PATH": path]
    }

    @Test("skips come with their reason in text, JSON and JUnit; nothing that changes anything runs")
    func skips() throws {
        try TemporaryFolder.with("runbook-policy") { root in
            let file = try Self.write(root)
            // A kubectl that records it ran: it must never be called.
            try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
            try "#!/bin/sh\necho \"$@\" >> \(root)/kubectl-calls\n".write(toFile: root + "/bin/kubectl", atomically: true, encoding: .utf8)
            try "#!/bin/sh\necho \"$@\" >> \(root)/oc-calls\n".write(toFile: root + "/bin/oc", atomically: true, encoding: .utf8)
            chmod(root + "/bin/kubectl", 0o755)
            chmod(root + "/bin/oc", 0o755)
            let env = Self.environment(root, path: root + "/bin:/usr/bin:/bin")

            let text = try ProgramRun.run(["check", file], environment: env)
            #expect(text.status == 0, "\(text.stdout)\(text.stderr)")
            #expect(text.stdout.contains("SKIP delete-pod"))
            #expect(text.stdout.contains("`kubectl delete` changes"))
            #expect(text.stdout.contains("never ends by itself"))
            #expect(text.stdout.contains("confirm=true"))
            #expect(text.stdout.contains("PASS bash-only"), "a bash block runs with bash")
            #expect(!FileManager.default.fileExists(atPath: root + "/kubectl-calls"), "kubectl was never called")
            #expect((try? String(contentsOfFile: root + "/oc-calls", encoding: .utf8))?.contains("--dry-run=server") == true,
                    "the vouched step ran")

            let json = try ProgramRun.run(["check", file, "--format", "json"], environment: env)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let cases = ((report["suites"] as? [[String: Any]]) ?? []).flatMap { ($0["cases"] as? [[String: Any]]) ?? [] }
            let delete = try #require(cases.first { $0["id"] as? String == "delete-pod" })
            #expect(delete["outcome"] as? String == "skipped")
            #expect((delete["reason"] as? String)?.contains("changes") == true)

            let junit = try ProgramRun.run(["check", file, "--format", "junit"], environment: env)
            #expect(junit.stdout.contains("<skipped message=\"it changes something (`kubectl delete` changes"))
        }
    }

    @Test("a zsh block: run with zsh where it is installed, skipped with the reason where it is not")
    func zsh() throws {
        try TemporaryFolder.with("runbook-policy") { root in
            let file = root + "/zsh.md"
            try """
                ---
                version: 1.0.0
                ---
                # Z

                ## Entry

                ### Verify

                ```zsh {name=zsh-only}
                print -r -- "zsh $ZSH_VERSION"
                ```

                - contains `zsh 5`
                """.write(toFile: file, atomically: true, encoding: .utf8)
            // A PATH without zsh: the step is skipped, not failed.
            try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
            symlink("/bin/sh", root + "/bin/sh")
            let without = try ProgramRun.run(["check", file], environment: Self.environment(root, path: root + "/bin"))
            #expect(without.status == 0, "\(without.stdout)\(without.stderr)")
            #expect(without.stdout.contains("`zsh` is not installed"))
            if access("/usr/bin/zsh", X_OK) == 0 {
                let with = try ProgramRun.run(["check", file], environment: Self.environment(root))
                #expect(with.status == 0, "\(with.stdout)")
                #expect(with.stdout.contains("PASS zsh-only"))
            }
        }
    }

    @Test("--dry-run --format json: every step, its safety, and whether check would run it")
    func dryRunJSON() throws {
        try TemporaryFolder.with("runbook-policy") { root in
            let file = try Self.write(root)
            let run = try ProgramRun.run(["check", file, "--dry-run", "--format", "json"], environment: Self.environment(root))
            #expect(run.status == 0, "\(run.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            #expect(json["runbook"] as? String == "policy")
            let steps = try #require(json["steps"] as? [[String: Any]])
            #expect(steps.map { $0["id"] as? String } == [
                "list-pods", "delete-pod", "follow-logs", "bash-only", "migrate-check", "vouched",
            ])
            for step in steps {
                #expect(Set(step.keys).isSuperset(of: ["id", "entry", "role", "command", "safety", "safety_reason", "would_run", "reason"]))
            }
            let byId = Dictionary(uniqueKeysWithValues: steps.map { ($0["id"] as? String ?? "", $0) })
            #expect(byId["list-pods"]?["would_run"] as? Bool == true)
            #expect(byId["list-pods"]?["safety"] as? String == "read-only")
            #expect(byId["delete-pod"]?["would_run"] as? Bool == false)
            #expect(byId["delete-pod"]?["safety"] as? String == "changes")
            #expect(byId["follow-logs"]?["safety"] as? String == "interactive")
            #expect(byId["vouched"]?["would_run"] as? Bool == true)
            #expect(!FileManager.default.fileExists(atPath: root + "/state"), "a dry run records no session")
        }
    }

    @Test("the prometheus-operator corpus: no would-run step changes anything, opens a shell on a node or never ends",
          .enabled(if: CorpusFolder.prometheusOperator.isExpected, Comment(rawValue: CorpusFolder.prometheusOperator.skipReason)))
    func corpus() throws {
        let corpus = try CorpusFolder.prometheusOperator.folder()
        let files = try FileManager.default.subpathsOfDirectory(atPath: corpus.content).filter { $0.hasSuffix(".md") }
        try #require(files.count > 50)
        // Words that must never be in a command check runs, whatever the command table says.
        let forbidden = [
            "patch ", "delete ", "apply ", "edit ", "scale ", "drain ", "cordon ", "rollout restart", "debug node",
            "debug ", "exec -it", "exec -ti", "rsh ", "ssh ", "chroot", "nsenter", "logs -f", "--follow", "tail -f",
            "journalctl -f", "get pods -w", "get pod -w", "--watch", "watch ", "top\n", "port-forward", "kubectl proxy",
            "oc proxy", "systemctl restart",
            "reboot", "rm -", "mv ", "kill ",
        ]
        var ran = 0
        try TemporaryFolder.with("runbook-policy") { root in
            for path in files {
                let run = try ProgramRun.run(
                    ["check", corpus.content + "/" + path, "--dry-run", "--format", "json"], environment: Self.environment(root))
                #expect(run.status == 0 || run.status == 2, "\(path): \(run.stderr)")
                guard run.status == 0,
                    let json = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                    let steps = json["steps"] as? [[String: Any]]
                else { continue }
                for step in steps where step["would_run"] as? Bool == true {
                    ran += 1
                    let command = (step["command"] as? String ?? "") + "\n"
                    let safety = step["safety"] as? String
                    #expect(safety == "read-only" || safety == "unknown", "\(path) \(step["id"] ?? ""): \(safety ?? "")")
                    for word in forbidden where command.contains(word) {
                        Issue.record("\(path) \(step["id"] ?? ""): check would run `\(command)` (holds `\(word)`)")
                    }
                }
            }
        }
        #expect(ran > 0, "some read-only diagnosis runs")
    }
}
