import Foundation
import RunbookTestSupport
import Testing
@testable import RunbookKit

/// Runbooks written for people: here-documents, continuations, commands on the fence line, blocks that
/// are not commands, steps typed in a shell another step opened, and the prometheus-operator corpus.
@Suite("foreign runbooks: whole commands, remote steps, the corpus")
struct ForeignCommandTests {
    func load(_ markdown: String) throws -> Runbook { try ForeignFixture.load(markdown) }
    func onlyStep(_ markdown: String) throws -> Step { try ForeignFixture.onlyStep(markdown) }

    // MARK: - 4. Whole commands

    @Test("a here-document's body is part of the command, not example output")
    func hereDocuments() throws {
        let step = try onlyStep("""
            ## Fix

            ```console
            $ cat <<'EOF' > /tmp/patch.yaml
            spec:
              replicas: 2
            EOF
            $ kubectl patch deploy web --patch-file /tmp/patch.yaml
            deployment.apps/web patched
            ```
            """)
        #expect(step.command == "cat <<'EOF' > /tmp/patch.yaml\nspec:\n  replicas: 2\nEOF\nkubectl patch deploy web --patch-file /tmp/patch.yaml")
        #expect(step.exampleOutput == "deployment.apps/web patched")
        let tabs = try onlyStep("## Fix\n\n```console\n$ psql <<-SQL\n\tSELECT 1;\n\tSQL\n 1\n```\n")
        #expect(tabs.command == "psql <<-SQL\n\tSELECT 1;\n\tSQL")
        #expect(tabs.exampleOutput == " 1")
        let ps2 = try onlyStep("## Fix\n\n```console\n$ cat <<EOF\n> hello\n> EOF\nhello\n```\n")
        #expect(ps2.command == "cat <<EOF\nhello\nEOF")
        #expect(ps2.exampleOutput == "hello")
    }

    @Test("a `\\` with spaces after it continues the command, as the walkthrough shows it")
    func continuationWithTrailingSpaces() throws {
        let prompted = try onlyStep("## E\n\n```console\n$ kubectl get pods \\  \n    -n staging\nNAME\n```\n")
        #expect(prompted.command == "kubectl get pods \\\n    -n staging")
        #expect(prompted.exampleOutput == "NAME")
        let plain = try onlyStep("## E\n\n```sh\nkubectl get pods \\ \n  -n staging\n```\n")
        #expect(plain.command == "kubectl get pods \\\n  -n staging")
    }

    @Test("a command on the fence line keeps its backslashes and is shown above the body")
    func fenceLineCommand() throws {
        let step = try onlyStep(#"""
            ## E

            ```sudo gitlab-ctl tail "a\"b"
            ```
            """#)
        #expect(step.command == #"sudo gitlab-ctl tail "a\"b""#)
        #expect(step.blockText == #"sudo gitlab-ctl tail "a\"b""#)
    }

    @Test("a block that mixes prompted commands with a command without a prompt is shown, not run")
    func unpromptedCommand() throws {
        let step = try onlyStep("## E\n\n```\n$ export NODE=node-1\nkubectl get node \"$NODE\"\nNAME STATUS\n```\n")
        #expect(!step.isRunnable)
        #expect(step.notRun?.contains("line 2") == true)
        let output = try onlyStep("## E\n\n```\n$ kubectl version\nkubectl: command not found\n```\n")
        #expect(output.isRunnable)
    }

    @Test("YAML, JSON, queries, SQL and output in a shell block are shown, never run; real commands are not")
    func notCommands() throws {
        for text in [
            "apiVersion: v1\nkind: ConfigMap", "- name: web\n  image: nginx", "{\"status\": \"ok\"}", "{job=\"api\"} |= \"error\"",
            "rate(http_requests_total[5m]) > 0", "sum by (job) (rate(x[5m]))", "SELECT * FROM pg_stat_activity;",
            "notAfter=Jun  1 12:00:00 2026 GMT", "fs.file-max = 1597016", "NAME    READY   STATUS",
            "{\n  \"status\": \"ok\"\n}", "sudo gitlab-ctl status\nrun: alertmanager: (pid 1234) 5000s",
            "sysctl fs.file-max\nfs.file-max = 1597016",
        ] {
            let step = try onlyStep("## Diagnosis\n\n```sh\n\(text)\n```\n")
            #expect(!step.isRunnable, "\(text)")
            #expect(step.command == text, "the block is kept whole: \(text)")
        }
        for text in [
            "kubectl get pods -o jsonpath='{.items[*].metadata.name}'", "for (( i=0; i<3; i++ )); do echo $i; done",
            "ARR=(a b c)", "[[ $x =~ ^(a|b)$ ]] && echo yes", "KUBECONFIG=/tmp/k kubectl get pods", "echo $(date)",
            "f() { echo hi; }", "[ -f /etc/hosts ] && echo yes", "{ echo a; echo b; } > /dev/null", "(cd /tmp && ls)",
            "find . \\( -name '*.log' \\) -print", "if (true); then echo; fi", "# list the pods\nkubectl get pods",
            "export PATH=$PATH:/usr/local/bin", "select-editor", "{\n  echo a\n} > /dev/null",
            "kubectl patch deploy web -p '\nspec:\n  replicas: 2\n'", "cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Namespace\nEOF",
            "kubectl get pods \\\n  -n web", "echo \"a\nkey: b\"",
        ] {
            let step = try onlyStep("## Diagnosis\n\n```sh\n\(text)\n```\n")
            #expect(step.notRun == nil, "\(text): \(step.notRun ?? "")")
        }
    }

    // MARK: - 3. Remote steps

    static let nodeShell = """
        ## Diagnosis

        Open a shell on the node:

        ```console
        $ oc debug node/worker-1
        ```

        Look at the kubelet:

        ```console
        $ systemctl status kubelet
        ```

        Leave the node:

        ```console
        $ exit
        ```

        Back on your machine:

        ```console
        $ oc get nodes
        ```

        ### Next

        ```console
        $ oc get pods
        ```
        """

    @Test("steps after one that opens a shell elsewhere are remote until `exit`: check never runs them")
    func remoteSteps() throws {
        let runbook = try load(Self.nodeShell)
        let steps = runbook.allSteps
        #expect(steps.count == 5)
        let opener = try #require(steps.first)
        #expect(opener.opensShell == "a debug shell on the node")
        #expect(opener.handsOverTerminal)
        #expect(CheckPolicy.skipReason(opener, in: runbook) != nil)
        #expect(steps[1].remoteOf == opener.id)
        #expect(steps[1].notRun?.contains("type this in the shell opened by step \(opener.id)") == true)
        #expect(CheckPolicy.skipReason(steps[1], in: runbook)?.contains("type this in the shell opened by step") == true)
        #expect(steps[2].remoteOf == opener.id, "the `exit` is typed there too")
        #expect(steps[3].remoteOf == nil && steps[3].isRunnable, "after `exit`, the engineer's shell again")
        #expect(steps[4].remoteOf == nil)
    }

    @Test("every row of the opener table opens what it says for its own example")
    func openerRows() {
        for row in RemoteShell.rows {
            #expect(RemoteShell.opener(in: row.example)?.opens == row.opens, "\(row.example)")
        }
    }

    @Test("openers: a shell on a node, in a container, on another host, as root, a database prompt; commands are not")
    func openers() {
        for command in [
            "oc debug node/worker-1", "kubectl debug node/n1 -it --image=busybox", "kubectl exec -it web-0 -- bash",
            "oc exec -n ns web-0", "docker exec -it web sh", "oc rsh web-0", "ssh core@10.0.0.5", "ssh -i key.pem admin@host",
            "gcloud compute ssh vm-1 --zone us-central1-a", "chroot /host", "sudo -i", "sudo su -", "psql -U postgres",
            "mysql -u root -p", "redis-cli", "minikube ssh",
        ] {
            #expect(RemoteShell.opener(in: command) != nil, "\(command)")
        }
        for command in [
            "oc debug node/worker-1 -- chroot /host ls", "kubectl exec web-0 -- ls /", "docker exec web ls", "ssh host uptime",
            "gcloud compute ssh vm-1 --command 'uptime'", "chroot /host ls", "sudo systemctl restart kubelet",
            "psql -c 'SELECT 1'", "psql <<EOF\nSELECT 1;\nEOF", "redis-cli INFO", "kubectl get pods", "su -c id",
        ] {
            #expect(RemoteShell.opener(in: command) == nil, "\(command)")
        }
    }

    @Test("a block that goes on after its opening command is shown only, and opens the shell for the next steps")
    func openerInTheMiddle() throws {
        let runbook = try load("## Fix\n\n```shell\n$ kubectl debug node/n1\n$ chroot /host\n```\n\n```shell\n$ crictl rmi --prune\n```\n")
        let steps = runbook.allSteps
        #expect(steps.count == 2)
        #expect(steps[0].notRun?.contains("the commands after `kubectl debug node/n1`") == true)
        #expect(steps[1].remoteOf == steps[0].id)
        #expect(!steps[1].isRunnable)
    }

    // MARK: - The prometheus-operator corpus

    @Test(
        "the prometheus-operator runbooks: all load, no procedure text as indicators, no prompt left in a command, nothing typed elsewhere run by check",
        .enabled(if: CorpusFolder.prometheusOperator.isExpected, Comment(rawValue: CorpusFolder.prometheusOperator.skipReason)))
    func corpus() throws {
        let content = try CorpusFolder.prometheusOperator.folder().content
        let files = (FileManager.default.enumerator(atPath: content)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".md") }.sorted()
        #expect(files.count >= 100)
        var typedElsewhere = 0
        for file in files {
            let runbook = try RunbookLoader().load(path: content + "/" + file)
            let errors = runbook.diagnostics.filter { $0.severity == .error }
            #expect(errors.isEmpty, "\(file): \(errors)")
            for step in runbook.allSteps {
                // These runbooks write no indicators at all: a manual one would be procedure text.
                let manual = step.indicators.filter { $0.kind == .manual }
                #expect(manual.isEmpty, "\(file):\(step.location.line): \(manual.map(\.note))")
                for line in step.command.split(separator: "\n") {
                    let prompt = PromptTable.match(line).flatMap { $0.row.weak ? nil : $0.prompt }
                    #expect(prompt == nil, "\(file):\(step.location.line): a prompt is left in `\(line)`")
                }
                if step.remoteOf != nil {
                    #expect(CheckPolicy.skipReason(step, in: runbook) != nil, "\(file):\(step.location.line): a remote step")
                }
                if step.typedInto != nil {
                    typedElsewhere += 1
                    #expect(CheckPolicy.skipReason(step, in: runbook) != nil, "\(file):\(step.location.line)")
                }
            }
        }
        #expect(typedElsewhere >= 1, "the node shells of NodeFileDescriptorLimit.md are typed into a root shell")
    }
}
