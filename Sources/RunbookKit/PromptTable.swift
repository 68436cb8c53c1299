/// The prompts that runbooks written for people show before a command, and the program each one
/// belongs to. A line that starts with a prompt is a command typed into that program; the prompt is
/// not part of the command. One table, as data: every row carries an example the test suite reads
/// through the row.
///
/// Where a prompt belongs:
/// - `shell`: the engineer's own shell (`$ `, `% `, `bash-5.1$ `, `user@host:~$ `): the command runs
///   with the step's shell, as any step does.
/// - `rootShell`: a shell of root (`# `, `sh-5.1# `, `[root@node ~]# `): typed where the engineer is
///   root (a node's debug shell, `sudo -i`), never run by `runbook` as the engineer.
/// - `program`: another program's prompt (`postgres=# `, `mysql> `, `redis> `, `>>> `): the text is
///   that program's input, never shell.
struct PromptTable: Sendable {
    enum Kind: String, Sendable, Hashable {
        case shell
        case rootShell
        case program
    }

    struct Row: Sendable {
        /// A POSIX extended regular expression matching the prompt at the start of a line (after its
        /// indentation), trailing space included.
        var pattern: String
        var kind: Kind
        /// What the command is typed into, as shown to the engineer (`psql`, `a root shell`).
        var program: String
        /// A weak prompt (`% `, `# `) is also ordinary text (a comment, a percentage): see
        /// ``StepBlockReader`` for when it counts.
        var weak: Bool = false
        /// A line this row reads, and the command it leaves.
        var example: String
        var exampleCommand: String
    }

    /// The first matching row decides.
    static let rows: [Row] = [
        Row(pattern: #"^\$>( |$)"#, kind: .shell, program: "the shell", example: "$> kubectl get pods", exampleCommand: "kubectl get pods"),
        Row(pattern: #"^\$( |$)"#, kind: .shell, program: "the shell", example: "$ kubectl get pods", exampleCommand: "kubectl get pods"),
        Row(pattern: #"^\([A-Za-z0-9_.-]+\) \$( |$)"#, kind: .shell, program: "the shell", example: "(venv) $ pip list", exampleCommand: "pip list"),
        Row(pattern: #"^(ba|z|k|da)?sh-[0-9][0-9.]*\$ "#, kind: .shell, program: "the shell", example: "bash-5.1$ ls /host", exampleCommand: "ls /host"),
        Row(pattern: #"^(ba|z|k|da)?sh-[0-9][0-9.]*# "#, kind: .rootShell, program: "a root shell", example: "sh-5.1# chroot /host", exampleCommand: "chroot /host"),
        Row(pattern: #"^\[[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+( [^]]*)?\]\$ "#, kind: .shell, program: "the shell", example: "[core@node-1 ~]$ uptime", exampleCommand: "uptime"),
        Row(pattern: #"^\[[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+( [^]]*)?\]# "#, kind: .rootShell, program: "a root shell", example: "[root@node-1 ~]# systemctl status kubelet", exampleCommand: "systemctl status kubelet"),
        Row(pattern: #"^[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+:[^ $#]*\$ "#, kind: .shell, program: "the shell", example: "deploy@bastion:~$ uptime", exampleCommand: "uptime"),
        Row(pattern: #"^[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+:[^ $#]*# "#, kind: .rootShell, program: "a root shell", example: "root@db-1:/var/log# ls", exampleCommand: "ls"),
        Row(pattern: #"^PS( [^>]*)?> "#, kind: .program, program: "PowerShell", example: #"PS C:\Users\ops> Get-Service"#, exampleCommand: "Get-Service"),
        Row(pattern: #"^[A-Za-z_][A-Za-z0-9_]*[=-][#>] "#, kind: .program, program: "psql", example: "pgbouncer=# SHOW CLIENTS;", exampleCommand: "SHOW CLIENTS;"),
        Row(pattern: #"^(mysql|MariaDB \[[^]]*\])> "#, kind: .program, program: "mysql", example: "mysql> SHOW PROCESSLIST;", exampleCommand: "SHOW PROCESSLIST;"),
        Row(pattern: #"^redis( [0-9A-Za-z.:-]+)?> "#, kind: .program, program: "redis-cli", example: "redis> INFO memory", exampleCommand: "INFO memory"),
        Row(pattern: #"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+:[0-9]+(\[[0-9]+\])?> "#, kind: .program, program: "redis-cli", example: "127.0.0.1:6379> DBSIZE", exampleCommand: "DBSIZE"),
        Row(pattern: #"^sqlite> "#, kind: .program, program: "sqlite3", example: "sqlite> .tables", exampleCommand: ".tables"),
        Row(pattern: #"^>>> "#, kind: .program, program: "python", example: ">>> import ssl", exampleCommand: "import ssl"),
        Row(pattern: #"^\(gdb\) "#, kind: .program, program: "gdb", example: "(gdb) bt", exampleCommand: "bt"),
        Row(pattern: #"^irb\([^)]*\):[0-9]+(:[0-9]+)?[>*] "#, kind: .program, program: "irb", example: "irb(main):001:0> User.count", exampleCommand: "User.count"),
        Row(pattern: #"^% "#, kind: .shell, program: "the shell", weak: true, example: "% brew list", exampleCommand: "brew list"),
        Row(pattern: #"^# "#, kind: .rootShell, program: "a root shell", weak: true, example: "# gitlab-ctl restart consul", exampleCommand: "gitlab-ctl restart consul"),
    ]

    /// The rows compiled once; a row whose pattern does not compile is left out (the table test
    /// requires none).
    static let compiled: [(row: Row, regex: PosixRegex)] = rows.compactMap { row in
        (try? PosixRegex(row.pattern, positions: true)).map { (row, $0) }
    }

    /// A prompt found at the start of a line.
    struct Match: Sendable {
        var row: Row
        /// The prompt as written (`postgres=# `).
        var prompt: Substring
        /// The line without its indentation and prompt.
        var command: Substring
    }

    /// The prompt `line` starts with (after spaces and tabs), or nil.
    static func match(_ line: Substring) -> Match? {
        let t = line.drop(while: { $0 == " " || $0 == "\t" })
        // Every prompt holds one of these; most output lines hold none, and cost no regexec.
        let text = String(t.prefix(200))
        guard text.utf8.contains(where: { "$#>%)".utf8.contains($0) }) else { return nil }
        for (row, regex) in compiled {
            guard let end = regex.matchEnd(text) else { continue }
            let offset = t.utf8.index(t.utf8.startIndex, offsetBy: end)
            return Match(row: row, prompt: t[..<offset], command: t[offset...])
        }
        return nil
    }
}
