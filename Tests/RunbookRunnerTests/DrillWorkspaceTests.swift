import Foundation
import RunbookKit
import Testing

@testable import RunbookRunner

#if canImport(Glibc)
import Glibc
#endif

/// The drill's workspace on disk: its layout, modes, environment, and removal.
@Suite("drill workspace")
struct DrillWorkspaceTests {
    /// A scenario's sources (simulators, files) and a private TMPDIR, under one temporary folder.
    struct Sandbox {
        let root: String
        var tmp: String { root + "/tmp" }
        var sources: String { root + "/src" }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("drill-ws-\(UUID().uuidString)").path
            let fm = FileManager.default
            for folder in [tmp, sources + "/sim/lib", sources + "/files"] {
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            try "#!/bin/sh\necho tool\n".write(toFile: sources + "/sim/tool", atomically: true, encoding: .utf8)
            #expect(chmod(sources + "/sim/tool", 0o755) == 0)
            try "helpers\n".write(toFile: sources + "/sim/lib/common.sh", atomically: true, encoding: .utf8)
            #expect(chmod(sources + "/sim/lib/common.sh", 0o644) == 0)
            try "FROM scratch\n".write(toFile: sources + "/files/Dockerfile", atomically: true, encoding: .utf8)
            #expect(chmod(sources + "/files/Dockerfile", 0o444) == 0)
        }

        func scenario(files: [DrillScenario.File]? = nil, facts: [DrillScenario.Fact]? = nil) -> DrillScenario {
            DrillScenario(
                id: "demo", title: "Demo", description: "d", path: sources + "/demo.yaml", runbook: sources + "/demo.md",
                entry: nil, simulators: sources + "/sim",
                files: files ?? [
                    .init(workspacePath: "Dockerfile", source: sources + "/files/Dockerfile"),
                    .init(workspacePath: "deployment/kubernetes/staging/app.yaml", source: sources + "/files/Dockerfile"),
                ],
                facts: facts ?? [.init(name: "require_ssl", value: "true"), .init(name: "empty", value: "")])
        }

        var environment: [String: String] { ["TMPDIR": tmp, "PATH": "/usr/bin:/bin", "HOME": "/home/someone"] }

        func leftovers() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? ["?"] }

        func remove() {
            _ = try? DrillWorkspace.removeTree(root)
        }
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode : 0
    }

    @Test("the workspace is private, laid out as the contract says, with modes and facts kept exactly")
    func layout() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let ws = try DrillWorkspace.create(for: box.scenario(), environment: box.environment, executable: "/bin/true")
        #expect(ws.root.hasPrefix(box.tmp + "/runbook-drill-demo-"))
        #expect(Self.mode(ws.root) & 0o7777 == 0o700)
        for folder in [ws.repository, ws.state, ws.bin, ws.home, ws.home + "/.kube", ws.home + "/.config/gcloud", ws.home + "/.docker"] {
            #expect(Self.mode(folder) & S_IFMT == S_IFDIR, "\(folder)")
        }
        #expect(Self.mode(ws.bin + "/tool") & 0o777 == 0o755)
        #expect(Self.mode(ws.bin + "/lib/common.sh") & 0o777 == 0o644)
        #expect(try String(contentsOfFile: ws.bin + "/tool", encoding: .utf8) == "#!/bin/sh\necho tool\n")
        // A read-only source becomes writable by its owner: the trainee edits it.
        #expect(Self.mode(ws.repository + "/Dockerfile") & 0o777 == 0o644)
        #expect(try String(contentsOfFile: ws.repository + "/deployment/kubernetes/staging/app.yaml", encoding: .utf8) == "FROM scratch\n")
        #expect(FileManager.default.contents(atPath: ws.state + "/require_ssl") == Data("true".utf8))
        #expect(FileManager.default.contents(atPath: ws.state + "/empty") == Data())
        #expect(Self.mode(ws.bin + "/runbook") & S_IFMT == S_IFLNK)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: ws.bin + "/runbook") == "/bin/true")
        try ws.remove()
        #expect(box.leftovers().isEmpty)
    }

    @Test("the environment puts bin first on PATH and the drill's variables in, and keeps sessions outside")
    func environment() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let ws = try DrillWorkspace.create(for: box.scenario(), environment: box.environment, executable: "/bin/true")
        defer { try? ws.remove() }
        let env = ws.environment(inheriting: box.environment.merging(["KEEP": "me"]) { a, _ in a })
        #expect(env["PATH"] == ws.bin + ":/usr/bin:/bin")
        #expect(env["HOME"] == ws.root + "/home")
        #expect(env["RUNBOOK_DRILL"] == "demo")
        #expect(env["RUNBOOK_DRILL_WORKSPACE"] == ws.root)
        #expect(env["RUNBOOK_DRILL_STATE"] == ws.root + "/state")
        #expect(env["BACKEND_REPO"] == ws.root + "/repo")
        #expect(env["KUBECONFIG"] == ws.root + "/home/.kube/config")
        #expect(env["CLOUDSDK_CONFIG"] == ws.root + "/home/.config/gcloud")
        #expect(env["DOCKER_CONFIG"] == ws.root + "/home/.docker")
        #expect(env["XDG_STATE_HOME"] == "/home/someone/.local/state")
        #expect(env["KEEP"] == "me")
        #expect(env["TMPDIR"] == box.tmp)
        let given = ws.environment(inheriting: ["XDG_STATE_HOME": "/var/state", "HOME": "/h"])
        #expect(given["XDG_STATE_HOME"] == "/var/state")
        #expect(given["PATH"] == ws.bin + ":/usr/local/bin:/usr/bin:/bin")
    }

    @Test("removal enters read-only folders, and removes symlinks without following them")
    func removal() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let outside = box.root + "/outside"
        try "keep\n".write(toFile: outside, atomically: true, encoding: .utf8)
        let ws = try DrillWorkspace.create(for: box.scenario(), environment: box.environment, executable: outside)
        let locked = ws.repository + "/locked/deeper"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
        try "x".write(toFile: locked + "/file", atomically: true, encoding: .utf8)
        #expect(chmod(locked, 0o500) == 0)
        #expect(chmod(ws.repository + "/locked", 0o000) == 0)
        #expect(symlink(box.root, ws.home + "/link-to-sandbox") == 0)
        // A name that is not UTF-8 (bytes a step may well write) is removed too.
        let odd = Array((ws.repository + "/odd-").utf8CString.dropLast()) + [CChar(bitPattern: 0xFF), CChar(bitPattern: 0xFE), 0]
        let oddFD = open(odd, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        #expect(oddFD >= 0)
        close(oddFD)
        try ws.remove()
        #expect(box.leftovers().isEmpty)
        #expect(FileManager.default.contents(atPath: outside) == Data("keep\n".utf8))
        #expect(FileManager.default.fileExists(atPath: box.sources + "/sim/tool"))
        try ws.remove()  // removing twice is not an error
    }

    @Test("a workspace that cannot be completed is removed again")
    func failureCleansUp() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try "#!/bin/sh\n".write(toFile: box.sources + "/sim/runbook", atomically: true, encoding: .utf8)
        #expect(throws: DrillWorkspaceError.self) {
            try DrillWorkspace.create(for: box.scenario(), environment: box.environment, executable: "/bin/true")
        }
        #expect(box.leftovers().isEmpty)
        try FileManager.default.removeItem(atPath: box.sources + "/sim/runbook")
        let missing = box.scenario(files: [.init(workspacePath: "a", source: box.sources + "/files/none")])
        #expect(throws: DrillWorkspaceError.self) {
            try DrillWorkspace.create(for: missing, environment: box.environment, executable: "/bin/true")
        }
        let escaping = box.scenario(files: [.init(workspacePath: "../escape", source: box.sources + "/files/Dockerfile")])
        #expect(throws: DrillWorkspaceError.self) {
            try DrillWorkspace.create(for: escaping, environment: box.environment, executable: "/bin/true")
        }
        #expect(!FileManager.default.fileExists(atPath: box.tmp + "/escape"))
        let badFact = box.scenario(facts: [.init(name: "../x", value: "1")])
        #expect(throws: DrillWorkspaceError.self) {
            try DrillWorkspace.create(for: badFact, environment: box.environment, executable: "/bin/true")
        }
        #expect(box.leftovers().isEmpty)
        let noTmp = box.environment.merging(["TMPDIR": box.root + "/no-such-folder"]) { _, b in b }
        #expect(throws: DrillWorkspaceError.self) {
            try DrillWorkspace.create(for: box.scenario(), environment: noTmp, executable: "/bin/true")
        }
    }

    @Test("a command is found on the given PATH, first match winning, only as an executable file")
    func findCommand() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let ws = try DrillWorkspace.create(for: box.scenario(), environment: box.environment, executable: "/bin/true")
        defer { try? ws.remove() }
        let path = ws.environment(inheriting: box.environment)["PATH"]
        #expect(ForegroundCommand.find("tool", path: path) == ws.bin + "/tool")
        #expect(ForegroundCommand.find("sh", path: path) == "/usr/bin/sh" || ForegroundCommand.find("sh", path: path) == "/bin/sh")
        #expect(ForegroundCommand.find("lib", path: path) == nil)  // a folder
        #expect(ForegroundCommand.find("no-such-tool-here", path: path) == nil)
        #expect(ForegroundCommand.find("./relative", path: path) == "./relative")
        #expect(ForegroundCommand.find("", path: path) == nil)
    }
}
