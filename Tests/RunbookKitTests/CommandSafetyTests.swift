import Foundation
import Testing

@testable import RunbookKit

/// The command table and the judge: each row decides its own example, and the cases below pin the
/// wrappers, nesting, here-documents, redirections and reasons.
@Suite("command safety")
struct CommandSafetyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var command: String
        var safety: SafetyClass
        /// The whole reason, when given.
        var reason: String?
        var terminal = false
        var follow = false
        var testDescription: String { command }
    }

    static let cases: [Case] = [
        // Wrappers.
        Case(command: "sudo kubectl delete pod x", safety: .changes, reason: "`kubectl delete` changes cluster objects"),
        Case(command: "sudo -u ops -E kubectl get pods", safety: .readOnly),
        Case(command: "env A=1 timeout 5 kubectl get pods", safety: .readOnly, reason: "`kubectl get` only reads cluster objects"),
        Case(command: "env A=1 B=2", safety: .readOnly, reason: "`env` prints the environment"),
        Case(command: "nice -n 5 nohup stdbuf -oL time command kubectl delete ns x", safety: .changes),
        Case(command: "command -v kubectl", safety: .readOnly),
        Case(command: "xargs -I{} -n 1 kubectl delete pod {}", safety: .changes),
        Case(command: "timeout -s KILL 30s kubectl logs -f web", safety: .readOnly,
             reason: "`kubectl logs -f` runs until interrupted, but `timeout` ends it"),
        Case(command: "watch -n 5 kubectl get pods", safety: .interactive, reason: "`watch` runs until interrupted", follow: true),
        Case(command: "watch kubectl delete pod x", safety: .changes, follow: true),
        Case(command: "bash -c 'kubectl get pods; rm -rf /tmp/x'", safety: .changes, reason: "`rm` changes files or the system"),
        Case(command: "sh -ec \"kubectl get pods\"", safety: .readOnly),
        Case(command: "bash ./deploy.sh", safety: .unknown, reason: "`deploy.sh` is not in the command table"),
        // kubectl exec.
        Case(command: "kubectl exec pod -- cat /x", safety: .readOnly, reason: "`cat` only reads and prints text"),
        Case(command: "kubectl exec -it pod -- bash", safety: .interactive, terminal: true),
        Case(command: "kubectl exec -i -t pod -- sh", safety: .interactive, terminal: true),
        Case(command: "oc exec --stdin --tty pod", safety: .interactive, reason: "`oc exec --tty` without a command opens a shell", terminal: true),
        Case(command: "kubectl exec pod -- rm /x", safety: .changes, reason: "`rm` changes files or the system"),
        Case(command: "kubectl -n ns exec pod -c app -- sh -c 'sed -i s/a/b/ /etc/x'", safety: .changes),
        Case(command: "kubectl exec -i pod -- sh <<'EOF'\nrm /x\nEOF", safety: .changes),
        Case(command: "kubectl exec pod -- python manage.py migrate", safety: .changes),
        Case(command: "kubectl exec pod -- python manage.py dbshell -- -c 'SELECT 1; \\dt'", safety: .readOnly),
        Case(command: "kubectl exec pod -- python manage.py dbshell -- -c 'DELETE FROM jobs'", safety: .changes,
             reason: "SQL `DELETE` changes data"),
        Case(command: "python manage.py dbshell", safety: .interactive, terminal: true),
        // Global flags before the verb.
        Case(command: "kubectl -n ns --context=prod -A get pods -owide", safety: .readOnly),
        Case(command: "kubectl --namespace x delete pod y", safety: .changes, reason: "`kubectl delete` changes cluster objects"),
        Case(command: "oc patch deploy web -p '{}'", safety: .changes, reason: "`oc patch` changes cluster objects"),
        Case(command: "kubectl logs --follow web", safety: .interactive, reason: "`kubectl logs --follow` runs until interrupted", follow: true),
        Case(command: "kubectl get pods --watch=false", safety: .readOnly),
        Case(command: "gcloud sql instances describe db --project p", safety: .readOnly,
             reason: "`gcloud sql instances describe` only reads"),
        Case(command: "gcloud beta run services list", safety: .readOnly),
        // Here-documents.
        Case(command: "kubectl apply -f - <<EOF\nkind: Pod\nEOF", safety: .changes),
        Case(command: "cat <<EOF\nrm -rf / and kubectl delete\nEOF", safety: .readOnly),
        Case(command: "cat > f <<EOF\nhello\nEOF", safety: .changes, reason: "`>` writes to f"),
        Case(command: "cat <<-EOF\n\t$(kubectl delete pod x)\n\tEOF", safety: .changes),
        Case(command: "cat <<'EOF'\n$(kubectl delete pod x)\nEOF", safety: .readOnly),
        Case(command: "psql <<SQL\nDELETE FROM x;\nSQL", safety: .changes, reason: "SQL `DELETE` changes data"),
        Case(command: "psql -h db <<'SQL'\n-- nothing changes\nSELECT 1;\n\\d jobs\nSQL", safety: .readOnly),
        Case(command: "bash <<'EOF'\nkubectl get pods\nEOF\necho done", safety: .readOnly),
        Case(command: "echo 'DELETE FROM x' | psql", safety: .unknown, reason: "`psql` runs SQL from a pipe, which the table cannot read"),
        Case(command: "psql <<< 'TRUNCATE jobs'", safety: .changes),
        // Redirections.
        Case(command: "kubectl get pods > /dev/null 2>&1", safety: .readOnly),
        Case(command: "kubectl get pods 2>&1 >&2 </etc/hosts", safety: .readOnly),
        Case(command: "kubectl get pods > out.txt", safety: .changes, reason: "`>` writes to out.txt"),
        Case(command: "echo x >> log.txt", safety: .changes, reason: "`>>` appends to log.txt"),
        Case(command: "kubectl get pods &> all.txt", safety: .changes, reason: "`&>` writes to all.txt"),
        Case(command: "echo x 2> err.txt", safety: .changes),
        Case(command: "echo x >| f", safety: .changes),
        // Substitutions, pipelines, compound commands.
        Case(command: "X=$(kubectl get pods -o name)", safety: .readOnly, reason: "`kubectl get` only reads cluster objects"),
        Case(command: "X=1 Y=\"a b\"", safety: .readOnly, reason: "only sets variables"),
        Case(command: "NS='a b' kubectl get pods -n \"$NS\"", safety: .readOnly),
        Case(command: "echo `kubectl delete pod x`", safety: .changes),
        Case(command: "echo \"$(kubectl delete pod \"$(kubectl get pods -o name | head -1)\")\"", safety: .changes),
        Case(command: "kubectl get pods | xargs kubectl delete pod", safety: .changes, reason: "`kubectl delete` changes cluster objects"),
        Case(command: "kubectl get pods -o name | grep web | wc -l", safety: .readOnly),
        Case(command: "for p in $(kubectl get pods -o name); do\n  kubectl delete \"$p\"\ndone", safety: .changes),
        Case(command: "if kubectl get ns x; then echo ok; else kubectl create ns x; fi", safety: .changes),
        Case(command: "while read -r p; do echo \"$p\"; done < pods.txt", safety: .readOnly),
        Case(command: "case \"$X\" in\n  a) kubectl get pods ;;\n  *) rm -f x ;;\nesac", safety: .changes),
        Case(command: "[[ $(kubectl get pods | wc -l) > 3 ]] && echo many", safety: .readOnly),
        Case(command: "(( n > 3 )) && echo big", safety: .readOnly),
        Case(command: "diff <(kubectl get cm a -o yaml) <(kubectl get cm b -o yaml)", safety: .readOnly),
        Case(command: "( cd /tmp && ls ) & { echo a; kubectl cordon n1; }", safety: .changes),
        Case(command: "kubectl get pods \\\n  -n x", safety: .readOnly),
        Case(command: "# kubectl delete pod x\n", safety: .readOnly, reason: "nothing to run"),
        Case(command: "", safety: .readOnly, reason: "nothing to run"),
        Case(command: "echo \"kubectl delete pod x\" 'rm -rf /'", safety: .readOnly),
        // Command words from variables, paths, unknown programs.
        Case(command: "\"${EDITOR:-vi}\" deploy.yaml", safety: .interactive, reason: "`vi` opens an editor", terminal: true),
        Case(command: "$EDITOR deploy.yaml", safety: .interactive, terminal: true),
        Case(command: "/usr/bin/kubectl get pods", safety: .readOnly),
        Case(command: "./deploy.sh", safety: .unknown, reason: "`deploy.sh` is not in the command table"),
        Case(command: "kubectl frobnicate x", safety: .unknown, reason: "`kubectl frobnicate` is not in the command table"),
        // SQL.
        Case(command: "psql -c 'SELECT 1'", safety: .readOnly, reason: "SQL `SELECT` only reads"),
        Case(command: "psql -c 'EXPLAIN SELECT 1'", safety: .readOnly),
        Case(command: "mysql -e \"WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x\"", safety: .changes),
        Case(command: "psql -c \"SELECT 'DROP TABLE x' AS s -- DELETE\"", safety: .readOnly),
        Case(command: "psql -c 'CALL refresh_all()'", safety: .unknown, reason: "SQL `CALL` is not in the command table"),
        Case(command: "psql -c 'SELECT 1' -c 'VACUUM jobs'", safety: .changes),
        // Follow and terminal marks.
        Case(command: "journalctl -b -f -u kubelet.service", safety: .interactive, reason: "`journalctl -f` runs until interrupted", follow: true),
        Case(command: "journalctl -fu kubelet", safety: .interactive, follow: true),
        Case(command: "ping -c 3 host && ping host2", safety: .interactive, follow: true),
        Case(command: "tail -n 100 -F /var/log/x", safety: .interactive, follow: true),
        Case(command: "tail -n 100 /var/log/x", safety: .readOnly),
        Case(command: "kubectl logs web -f | grep x > /dev/null", safety: .interactive, follow: true),
        Case(command: "gcloud sql connect db --user=postgres", safety: .interactive, terminal: true),
        Case(command: "oc debug node/n1", safety: .changes, reason: "`oc debug` starts a debugging pod or node shell", terminal: true),
        Case(command: "openssl s_client -connect api:443 </dev/null", safety: .readOnly),
        Case(command: "wget -qO- https://x", safety: .readOnly),
        Case(command: "curl -fsSL https://x -o /dev/null", safety: .readOnly),
        Case(command: "curl --request=put https://x", safety: .changes),
        Case(command: "tee -a /var/log/x", safety: .changes, reason: "`tee /var/log/x` writes to a file"),
        Case(command: "find / -name x -exec rm {} \\;", safety: .changes),
    ]

    @Test(arguments: cases)
    func classifies(_ c: Case) {
        let a = CommandSafety.assess(c.command)
        #expect(a.safety == c.safety, "\(a.reason)")
        if let reason = c.reason { #expect(a.reason == reason) }
        #expect(a.needsTerminal == c.terminal, "\(a.reason)")
        #expect(a.runsUntilInterrupted == c.follow, "\(a.reason)")
    }

    // MARK: - The table

    @Test("every row of the table parses, and the table is not trivially small")
    func tableParses() {
        #expect(CommandTable.standard.errors == [])
        #expect(CommandTable.standard.rules.count > 150)
    }

    @Test("each row decides its own example", arguments: CommandTable.standard.rules.indices)
    func rowDecidesExample(_ index: Int) {
        let rule = CommandTable.standard.rules[index]
        var judge = SafetyJudge(table: .standard)
        let a = rule.programs == [SafetyJudge.sqlProgram] ? judge.sql(rule.example, depth: 0) : judge.script(rule.example, depth: 0)
        #expect(judge.rowsUsed.contains(index), "line \(rule.line): `\(rule.example)` was decided by \(a.reason)")
        if case .classify(let outcome) = rule.action {
            #expect(a.safety == outcome.safety, "line \(rule.line): \(a.reason)")
            #expect(a.reason.hasSuffix(rule.reason), "line \(rule.line): \(a.reason)")
            #expect(a.needsTerminal == outcome.terminal && a.runsUntilInterrupted == outcome.follow, "line \(rule.line)")
        }
    }

    @Test("a malformed row is reported with its line and what is wrong")
    func malformedRows() {
        let table = CommandTable(
            """
            # comment
            kubectl | get | | maybe | reads | kubectl get pods
            kubectl | get | +x | read-only | reads | kubectl get pods
            kubectl | get | | interactive | waits | kubectl get pods
            kubectl | get | | read-only
            @ kubectl | -n | bundles
            kubectl | get | | runs skip=x | wraps | kubectl get pods
            """)
        #expect(table.rules.isEmpty)
        #expect(
            table.errors == [
                "line 2: class `maybe` is unknown: use read-only, unknown, interactive or changes",
                "line 3: `+x`: flags start with -",
                "line 4: an interactive row says why: terminal, follow or both",
                "line 5: a row has six columns separated by `|`, this one has 4",
                "line 6: the third column of a flags row is `words` or `first`",
                "line 7: `skip=x` is not a parameter of runs",
            ])
    }

    @Test("severity orders the classes: read-only < unknown < interactive < changes")
    func severity() {
        #expect(SafetyClass.allCases.sorted() == [.readOnly, .unknown, .interactive, .changes])
        #expect(SafetyClass(rawValue: "read-only") == .readOnly)
    }

    @Test("nesting deeper than the reader follows is unknown, not a crash")
    func deepNesting() {
        let deep = String(repeating: "$(", count: 400) + "kubectl get pods" + String(repeating: ")", count: 400)
        #expect(CommandSafety.assess("echo " + deep).safety == .unknown)
        let braces = String(repeating: "${A:-", count: 5000) + "x" + String(repeating: "}", count: 5000)
        #expect(CommandSafety.assess("echo " + braces).safety == .unknown)
        let subshells = String(repeating: "( ", count: 5000) + "ls"
        #expect(CommandSafety.assess(subshells).safety == .unknown)
        let wrapped = CommandSafety.assess(String(repeating: "sudo ", count: 40) + "ls")
        #expect(wrapped.safety == .unknown && wrapped.reason == "nests commands too deeply to read")
    }
}
