/// Commands that open a shell (or a program's prompt) somewhere else: on a node, in a container, on
/// another host, as root. The steps after such a step, in the same section, are typed into what it
/// opened, never into the engineer's own shell: `runbook` never runs them (docs/runbook-format.md,
/// "Remote steps").
///
/// One table, as data; each row has an example the test suite reads through it:
///
/// | opens | when | example |
/// | --- | --- | --- |
/// | a debug shell on a node | `oc`/`kubectl debug node/…` with no command after `--` | `oc debug node/worker-1` |
/// | a shell in a container | `oc`/`kubectl`/`docker`/`podman exec` with no command, or a shell after `--` | `kubectl exec -it web-0 -- bash` |
/// | a shell in a pod | `oc rsh POD` with no command | `oc rsh web-0` |
/// | a shell on another host | `ssh HOST`, `gcloud compute ssh VM`, `minikube ssh`, `vagrant ssh` with no command | `ssh core@10.0.0.5` |
/// | a shell inside a folder tree | `chroot DIR` with no command | `chroot /host` |
/// | a root shell | `sudo -i`, `sudo -s`, `sudo su`, `su` with no command | `sudo -i` |
/// | a database prompt | `psql`, `mysql`, `redis-cli`, `mongosh` with no command or script | `psql -U postgres` |
enum RemoteShell {
    struct Row: Sendable {
        var programs: Set<String>
        /// The first positional word, when the row needs one (`debug`, `exec`).
        var verb: Set<String>?
        var opens: String
        var example: String
        /// Whether the command's words (program first) open a shell rather than run a command.
        var opensShell: @Sendable ([String]) -> Bool
    }

    static let shells: Set<String> = ["sh", "bash", "zsh", "ash", "ksh", "dash", "/bin/sh", "/bin/bash", "/bin/zsh", "/bin/ash"]

    /// Flags of these programs that take a value (so the value is not a positional word).
    static let valueFlags: Set<String> = [
        "-n", "--namespace", "-c", "--container", "--context", "--kubeconfig", "--image", "-i", "-p", "-l", "-J", "-o",
        "-F", "-b", "-D", "-E", "-e", "-L", "-R", "-W", "-w", "--zone", "--project", "-u", "--user", "-U", "-h", "--host",
        "-d", "--dbname", "--port", "-P", "-a", "--to-namespace", "-w", "--workdir", "--env",
    ]

    /// The positional words after the program (flags and their values left out), and the words after `--`.
    static func split(_ words: [String]) -> (positional: [String], afterDashes: [String]?) {
        var positional: [String] = []
        var i = 1
        while i < words.count {
            let w = words[i]
            if w == "--" { return (positional, Array(words[(i + 1)...])) }
            if w.hasPrefix("-") {
                if !w.contains("="), valueFlags.contains(w) { i += 1 }
            } else {
                positional.append(w)
            }
            i += 1
        }
        return (positional, nil)
    }

    static let rows: [Row] = [
        Row(programs: ["oc", "kubectl"], verb: ["debug"], opens: "a debug shell on the node", example: "oc debug node/worker-1") { words in
            let (positional, after) = split(words)
            return positional.dropFirst().contains { $0.hasPrefix("node/") || $0.hasPrefix("\"node/") } && (after ?? []).allSatisfy(shells.contains)
        },
        Row(programs: ["oc", "kubectl", "docker", "podman", "crictl"], verb: ["exec"], opens: "a shell in the container",
            example: "kubectl exec -it web-0 -- bash") { words in
            let (positional, after) = split(words)
            if let after { return after.isEmpty || (after.count == 1 && shells.contains(after[0])) }
            // docker exec -it NAME sh
            return words.first != "kubectl" && words.first != "oc" ? positional.count == 3 && shells.contains(positional[2]) || positional.count == 2
                : positional.count <= 2
        },
        Row(programs: ["oc"], verb: ["rsh"], opens: "a shell in the pod", example: "oc rsh web-0") { words in
            split(words).positional.count <= 2
        },
        Row(programs: ["ssh"], verb: nil, opens: "a shell on another host", example: "ssh core@10.0.0.5") { words in
            split(words).positional.count == 1
        },
        Row(programs: ["gcloud"], verb: ["compute"], opens: "a shell on the VM", example: "gcloud compute ssh vm-1 --zone us-central1-a") { words in
            let positional = split(words).positional
            return positional.count >= 2 && positional[1] == "ssh" && !words.contains { $0.hasPrefix("--command") }
        },
        Row(programs: ["minikube", "vagrant"], verb: ["ssh"], opens: "a shell on the VM", example: "minikube ssh") { words in
            split(words).positional.count <= 2 && split(words).afterDashes == nil
        },
        Row(programs: ["chroot"], verb: nil, opens: "a shell inside the folder tree", example: "chroot /host") { words in
            split(words).positional.count == 1
        },
        Row(programs: ["sudo"], verb: nil, opens: "a root shell", example: "sudo -i") { words in
            let rest = Array(words.dropFirst())
            if rest.allSatisfy({ $0.hasPrefix("-") }) { return rest.contains { $0 == "-i" || $0 == "-s" || $0 == "--login" || $0 == "--shell" } }
            return rest.first == "su" && rest.count <= 3
        },
        Row(programs: ["su"], verb: nil, opens: "a root shell", example: "su -") { words in
            !words.contains("-c") && split(words).positional.count <= 1
        },
        Row(programs: ["psql", "mysql", "redis-cli", "mongosh", "mongo", "sqlite3"], verb: nil, opens: "a database prompt",
            example: "psql -U postgres") { words in
            let scripted = ["-c", "--command", "-f", "--file", "-e", "--execute", "--eval"]
            guard !words.contains(where: { w in scripted.contains { w == $0 || w.hasPrefix($0 + "=") } }) else { return false }
            let positional = split(words).positional
            return words.first == "redis-cli" ? positional.isEmpty : positional.count <= (words.first == "sqlite3" ? 1 : 2)
        },
    ]

    /// The first command of a step that opens something: what it opens, its text, and whether more
    /// commands follow it in the same step (they are typed into what it opened, as the block shows them).
    struct Opener: Sendable, Equatable {
        var opens: String
        var command: String
        var followedByMore: Bool
    }

    static func opener(in command: String) -> Opener? {
        let commands = ShellScript(command).commands.filter { !$0.words.isEmpty }
        for (k, c) in commands.enumerated() {
            if let found = opens(c) { return Opener(opens: found.opens, command: found.command, followedByMore: k < commands.count - 1) }
        }
        return nil
    }

    static func opens(_ command: SimpleCommand) -> (opens: String, command: String)? {
        let words = command.words.map(\.text)
        guard let first = words.first else { return nil }
        let program = SafetyJudge.programName(first)
        let normalized = [program] + words.dropFirst()
        for row in rows where row.programs.contains(program) {
            if let verb = row.verb, !(split(normalized).positional.first.map(verb.contains) ?? false) { continue }
            if row.opensShell(normalized), command.input == .inherited {
                return (row.opens, words.joined(separator: " "))
            }
        }
        return nil
    }
}
