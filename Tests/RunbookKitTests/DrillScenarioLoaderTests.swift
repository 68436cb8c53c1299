import Foundation
import Testing

@testable import RunbookKit

/// Scenario files: every rule of the format gives its own `file:line:col: error:` with a way to fix
/// it, a good file loads into resolved paths, and no input crashes the loader.
@Suite("drill scenario loader")
struct DrillScenarioLoaderTests {
    /// A drills folder laid out as in the project: `drills/` beside a runbook, with simulators and files.
    struct Folder {
        let root: String
        var drills: String { root + "/drills" }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("drill-loader-\(UUID().uuidString)").path
            let fm = FileManager.default
            try fm.createDirectory(atPath: root + "/drills/simulators/demo/lib", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: root + "/drills/files", withIntermediateDirectories: true)
            try """
                ---
                id: demo
                title: Demo
                ---
                # Demo

                ## Decision tree

                - What is wrong?

                  - `down`: [Service down](#service-down)

                ## Service down

                ### Verify

                ```sh {name=up}
                democtl status
                ```

                - contains `up`
                """.write(toFile: root + "/demo.md", atomically: true, encoding: .utf8)
            try "#!/bin/sh\necho up\n".write(toFile: root + "/drills/simulators/demo/democtl", atomically: true, encoding: .utf8)
            try "port = 1\n".write(toFile: root + "/drills/files/app.conf", atomically: true, encoding: .utf8)
        }

        func write(_ name: String, _ text: String) throws -> String {
            let path = drills + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    static let good = """
        id: down
        title: "The service is down"
        description: >
          Nothing answers.
        runbook: ../demo.md
        entry: service-down
        simulators: simulators/demo
        files:
          config/app.conf: files/app.conf
          app.conf: files/app.conf
        state:
          require_ssl: true
          restarts: 3
          note: "a b"
          empty:
        """

    /// The diagnostics of loading `text` as `name` (failing the test if it loads).
    func errors(_ text: String, name: String = "down.yaml", in folder: Folder) throws -> [Diagnostic] {
        let path = try folder.write(name, text)
        do {
            let scenario = try DrillScenarioLoader().load(path: path)
            Issue.record("loaded, but should not have: \(scenario)")
            return []
        } catch {
            for d in error.diagnostics {
                #expect(d.file == path)
                #expect(d.severity == .error)
            }
            return error.diagnostics
        }
    }

    func only(_ text: String, name: String = "down.yaml", in folder: Folder) throws -> Diagnostic {
        let all = try errors(text, name: name, in: folder)
        try #require(all.count == 1, "\(all)")
        return all[0]
    }

    @Test("a good scenario loads with its paths resolved against its folder and its facts as text")
    func goodScenario() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let path = try folder.write("down.yaml", Self.good)
        let s = try DrillScenarioLoader().load(path: path)
        #expect(s.id == "down")
        #expect(s.title == "The service is down")
        #expect(s.description == "Nothing answers.\n")
        #expect(s.path == path)
        #expect(s.runbook == folder.root + "/demo.md")
        #expect(s.entry == "service-down")
        #expect(s.drills == "service-down")
        #expect(s.simulators == folder.drills + "/simulators/demo")
        #expect(
            s.files == [
                .init(workspacePath: "config/app.conf", source: folder.drills + "/files/app.conf"),
                .init(workspacePath: "app.conf", source: folder.drills + "/files/app.conf"),
            ])
        #expect(
            s.facts == [
                .init(name: "require_ssl", value: "true"), .init(name: "restarts", value: "3"),
                .init(name: "note", value: "a b"), .init(name: "empty", value: ""),
            ])
    }

    @Test("without id the stem is the id; entry left out or null is a healthy drill")
    func healthy() throws {
        let folder = try Folder()
        defer { folder.remove() }
        for entryLine in ["", "entry: null\n", "entry: ~\n", "entry:\n"] {
            let text = "title: Healthy\ndescription: All is well.\nrunbook: ../demo.md\nsimulators: simulators/demo\n" + entryLine
            let s = try DrillScenarioLoader().load(path: try folder.write("healthy.yaml", text))
            #expect(s.id == "healthy")
            #expect(s.entry == nil, "\(entryLine)")
            #expect(s.drills == "healthy")
            #expect(s.files.isEmpty && s.facts.isEmpty)
        }
    }

    @Test("an unknown key is an error at the key, naming the keys there are")
    func unknownKey() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let d = try only(Self.good + "\nsimulator: x\n", in: folder)
        #expect(d.location == SourceLocation(line: 16, column: 1))
        #expect(d.message.hasPrefix("unknown key `simulator`: a scenario has id, title, description, runbook, entry, simulators, files, state"))
    }

    @Test("a key given twice is an error at the second")
    func duplicateKey() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let d = try only(Self.good + "\ntitle: Again\n", in: folder)
        #expect(d.location == SourceLocation(line: 16, column: 1))
        #expect(d.message == "`title` is given twice: keep one")
        let fact = try only(Self.good + "\n  restarts: 4\n", in: folder)
        #expect(fact.location == SourceLocation(line: 16, column: 3))
        #expect(fact.message == "`restarts` is given twice: keep one")
    }

    @Test("each required key that is missing or empty is reported")
    func requiredKeys() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let all = try errors("entry: service-down\n", in: folder)
        #expect(
            all.map(\.message) == [
                "`title` is missing: add `title: \"...\"`, a short name of the failure drilled",
                "`description` is missing: add `description: ...`, what the trainee will meet (not the answer)",
                "`runbook` is missing: add `runbook: ../NAME.md`, the runbook the drill opens, relative to this file",
                "`simulators` is missing: add `simulators: simulators/NAME`, the folder of the drill's simulator scripts",
            ])
        #expect(all.allSatisfy { $0.location == SourceLocation(line: 1, column: 1) })
        let empty = try only(Self.good.replacingOccurrences(of: "title: \"The service is down\"", with: "title: \"  \""), in: folder)
        #expect(empty.location == SourceLocation(line: 2, column: 8))
        #expect(empty.message == "`title` is empty: give it a value")
        let list = try only(Self.good.replacingOccurrences(of: "title: \"The service is down\"", with: "title: [a, b]"), in: folder)
        #expect(list.message == "`title` must be a single value, not a list or mapping")
    }

    @Test("a fact name must be lowercase letters, digits and _, starting with a letter")
    func badFactName() throws {
        let folder = try Folder()
        defer { folder.remove() }
        for bad in ["RequireSSL", "1st", "with-dash", "a.b", "_x"] {
            let d = try only(Self.good + "\n  \(bad): x\n", in: folder)
            #expect(d.location == SourceLocation(line: 16, column: 3), "\(bad)")
            #expect(d.message.hasPrefix("fact name `\(bad)` is not valid: use a lowercase letter"), "\(bad)")
        }
        let nested = try only(Self.good + "\n  deep: [1, 2]\n", in: folder)
        #expect(nested.location == SourceLocation(line: 16, column: 9))
        #expect(nested.message == "fact `deep` must be a single value (taken as text), not a list or mapping")
        let notMap = try errors(Self.good.replacingOccurrences(of: "state:\n", with: "state: x\nold:\n"), in: folder)
        #expect(notMap.map(\.message) == [
            "`state` must map fact names to values, such as `require_ssl: \"true\"`",
            "unknown key `old`: a scenario has id, title, description, runbook, entry, simulators, files, state, lab",
        ])
        #expect(notMap.first?.location == SourceLocation(line: 11, column: 8))
    }

    @Test("a workspace path may not be absolute, go up with .., or be empty")
    func pathEscapes() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let cases: [(String, String)] = [
            ("../outside.conf", "goes up with `..`"), ("config/../../x", "goes up with `..`"),
            ("/etc/app.conf", "starts with `/`"), ("a//b", "has an empty folder name (`//` or a trailing `/`)"),
            ("./a", "has a `.` folder name"), ("\"\"", "is empty"),
        ]
        for (place, problem) in cases {
            let text = Self.good.replacingOccurrences(of: "  app.conf: files/app.conf", with: "  \(place): files/app.conf")
            let d = try only(text, in: folder)
            #expect(d.location == SourceLocation(line: 10, column: 3), "\(place)")
            let shown = place == "\"\"" ? "" : place
            #expect(
                d.message
                    == "workspace path `\(shown)` \(problem): give a path inside the workspace's repository, such as `deployment/app.yaml`",
                "\(place)")
        }
        let inside = try only(Self.good.replacingOccurrences(of: "  app.conf: files/app.conf", with: "  config: files/app.conf"), in: folder)
        #expect(inside.message.contains("cannot both be files: one is inside the other"))
    }

    @Test("a file, runbook or simulators folder that does not exist is an error at its value")
    func missingPaths() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let file = try only(Self.good.replacingOccurrences(of: "app.conf: files/app.conf\n  app.conf", with: "app.conf: files/nope.conf\n  app.conf"), in: folder)
        #expect(file.location == SourceLocation(line: 9, column: 20))
        #expect(
            file.message
                == "file `files/nope.conf` not found (looked for \(folder.drills)/files/nope.conf): name a file relative to the scenario file")
        let runbook = try errors(Self.good.replacingOccurrences(of: "../demo.md", with: "demo.md"), in: folder)
        #expect(runbook.count == 1)
        #expect(runbook.first?.location == SourceLocation(line: 5, column: 10))
        #expect(
            runbook.first?.message
                == "runbook `demo.md` not found (looked for \(folder.drills)/demo.md): the path is relative to the scenario file")
        let notMarkdown = try only(Self.good.replacingOccurrences(of: "../demo.md", with: "files/app.conf"), in: folder)
        #expect(notMarkdown.message == "runbook `files/app.conf` is not a Markdown file (.md): name the runbook the drill opens")
        let simulators = try only(Self.good.replacingOccurrences(of: "simulators/demo", with: "simulators/none"), in: folder)
        #expect(simulators.location == SourceLocation(line: 7, column: 13))
        #expect(simulators.message.hasPrefix("simulators folder `simulators/none` not found"))
        let simulatorIsFile = try only(Self.good.replacingOccurrences(of: "simulators/demo", with: "files/app.conf"), in: folder)
        #expect(simulatorIsFile.message.hasPrefix("simulators folder `files/app.conf` not found"))
        let fileIsFolder = try only(Self.good.replacingOccurrences(of: "config/app.conf: files/app.conf", with: "config/app.conf: files"), in: folder)
        #expect(fileIsFolder.message.hasPrefix("file `files` not found"))
    }

    @Test("an entry the runbook does not have is an error naming its entries")
    func unknownEntry() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let d = try only(Self.good.replacingOccurrences(of: "entry: service-down", with: "entry: service-dwon"), in: folder)
        #expect(d.location == SourceLocation(line: 6, column: 8))
        #expect(d.message == "the runbook has no entry `service-dwon`: use one of service-down, or leave `entry` out for a healthy drill")
    }

    @Test("an id that is not the file's stem is an error at the id")
    func idNotStem() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let d = try only(Self.good, name: "other.yaml", in: folder)
        #expect(d.location == SourceLocation(line: 1, column: 5))
        #expect(d.message == "`id` is `down` but the file is other.yaml: the id is the file's stem; rename the file or fix the id")
    }

    @Test("a document that is not a mapping, an empty one, and invalid YAML are errors with their place")
    func notAMapping() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let list = try only("- title: x\n- runbook: y\n", in: folder)
        #expect(list.location == SourceLocation(line: 1, column: 1))
        #expect(list.message == "a scenario must be a mapping of keys to values, such as `title: ...` (see docs/drills.md)")
        let scalar = try only("\n\njust text\n", in: folder)
        #expect(scalar.location == SourceLocation(line: 3, column: 1))
        #expect(scalar.message.hasPrefix("a scenario must be a mapping"))
        for empty in ["", "# only a comment\n", "---\n"] {
            let d = try only(empty, in: folder)
            #expect(d.message == "the scenario file is empty: write a mapping with title, description, runbook and simulators")
        }
        let syntax = try only("title: ok\nrunbook: a: b\n", in: folder)
        #expect(syntax.location == SourceLocation(line: 2, column: 11))
        #expect(syntax.message.hasPrefix("invalid YAML: "))
        let tab = try only("title: ok\n\tdescription: x\n", in: folder)
        #expect(tab.location.line == 2)
        #expect(tab.message.hasPrefix("invalid YAML: "))
        let key = try errors("? [a, b]\n: x\ntitle: t\n", in: folder)
        #expect(key.contains { $0.message == "scenario keys must be plain names, such as `title`" && $0.location == SourceLocation(line: 1, column: 3) })
    }

    @Test("anchors, deep nesting, binary and non-UTF-8 files are refused before parsing")
    func hostileInputs() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let alias = try only("title: &t x\ndescription: *t\n", in: folder)
        #expect(alias.location == SourceLocation(line: 1, column: 8))
        #expect(alias.message.hasPrefix("the scenario uses a YAML anchor or alias"))
        let deep = try only("state: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "\n", in: folder)
        #expect(deep.message.hasPrefix("the scenario nests deeper than"))
        let path = folder.drills + "/bin.yaml"
        #expect(FileManager.default.createFile(atPath: path, contents: Data([0x74, 0x3A, 0x00, 0x0A])))
        #expect(throws: DrillScenarioError.self) { try DrillScenarioLoader().load(path: path) }
        do {
            _ = try DrillScenarioLoader().load(path: path)
        } catch {
            #expect(error.description == "\(path):1:1: error: the scenario file is binary: write it as YAML text")
        }
        #expect(FileManager.default.createFile(atPath: path, contents: Data([0x74, 0x3A, 0x20, 0xC3, 0x28, 0x0A])))
        do {
            _ = try DrillScenarioLoader().load(path: path)
            Issue.record("loaded invalid UTF-8")
        } catch {
            #expect(error.description == "\(path):1:1: error: the scenario file is not UTF-8 text: save it as UTF-8")
        }
        let big = String(repeating: "# padding\n", count: 30_000)
        let tooBig = try only(big, in: folder)
        #expect(tooBig.message.hasPrefix("the scenario file is larger than 256 KiB"))
    }

    @Test("a missing file or a folder given as the scenario is an error at 1:1")
    func missingScenario() throws {
        let folder = try Folder()
        defer { folder.remove() }
        do {
            _ = try DrillScenarioLoader().load(path: folder.drills + "/nope.yaml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description == "\(folder.drills)/nope.yaml:1:1: error: no such scenario file: give a drill's id or the path of its .yaml file")
        }
        do {
            _ = try DrillScenarioLoader().load(path: folder.drills)
            Issue.record("loaded a folder")
        } catch {
            #expect(error.description.hasSuffix("error: is a folder, not a scenario file: give the path of a .yaml file"))
        }
    }

    @Test("every problem of a file is reported at once, in file order")
    func allProblemsTogether() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let text = """
            id: wrong
            title: T
            description: D
            runbook: ../demo.md
            simulators: simulators/demo
            extra: 1
            state:
              Bad: x
            files:
              /abs: files/app.conf
            """
        let all = try errors(text, in: folder)
        #expect(all.map(\.location.line) == [1, 6, 8, 10])
    }

    @Test("locate: an id names <drills>/<id>.yaml, a path is taken as it is, an unknown id lists the known")
    func locate() throws {
        let folder = try Folder()
        defer { folder.remove() }
        _ = try folder.write("down.yaml", Self.good)
        _ = try folder.write("healthy.yaml", "title: x\n")
        #expect(try DrillScenarioLoader.locate("down", drills: folder.drills) == folder.drills + "/down.yaml")
        #expect(try DrillScenarioLoader.locate("down", drills: folder.drills + "/") == folder.drills + "/down.yaml")
        #expect(try DrillScenarioLoader.locate("x/y.yaml", drills: folder.drills) == "x/y.yaml")
        do {
            _ = try DrillScenarioLoader.locate("dwon", drills: folder.drills)
            Issue.record("found an unknown id")
        } catch {
            #expect(error.diagnostic.message == "no drill scenario `dwon` in \(folder.drills): known: down, healthy")
        }
        #expect(try DrillScenarioLoader.scenarioFiles(in: folder.drills) == [folder.drills + "/down.yaml", folder.drills + "/healthy.yaml"])
        #expect(throws: LoadError.self) { try DrillScenarioLoader.scenarioFiles(in: folder.root + "/none") }
    }

    @Test("paths are resolved lexically; fact names and workspace paths are checked by rule")
    func rules() {
        #expect(DrillScenarioLoader.resolve("../a.md", against: "runbooks/drills") == "runbooks/a.md")
        #expect(DrillScenarioLoader.resolve("./x/./y", against: "d") == "d/x/y")
        #expect(DrillScenarioLoader.resolve("../../../a", against: "d") == "../../a")
        #expect(DrillScenarioLoader.resolve("/abs/../b", against: "d") == "/b")
        #expect(DrillScenarioLoader.resolve("..", against: "/") == "/")
        #expect(DrillScenario.Fact.isValidName("require_ssl2"))
        #expect(!DrillScenario.Fact.isValidName(""))
        #expect(!DrillScenario.Fact.isValidName("é"))
        #expect(!DrillScenario.Fact.isValidName(String(repeating: "a", count: 65)))
        #expect(DrillScenario.workspacePathProblem("deployment/kubernetes/staging/backend.yaml") == nil)
        #expect(DrillScenario.workspacePathProblem("a/\u{1B}b") == "contains a control character")
        #expect(DrillScenario.workspacePathProblem("a/") != nil)
        #expect(DrillScenarioLoader.stem(of: "runbooks/drills/ssl-required.yaml") == "ssl-required")
        #expect(DrillScenarioLoader.stem(of: ".yaml") == ".yaml")
    }

    @Test("mutations of a good file either load or give diagnostics at a real place, never a crash")
    func mutations() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let base = Array(Self.good.utf8)
        let alphabet = Array(":-[]{}&*!|>'\"#%@`,?\n\t ~\\.".utf8) + [0xC3, 0xFF, 0x41]
        var generator = ScenarioMutator(seed: 0x5EED)
        let loader = DrillScenarioLoader()
        let path = folder.drills + "/down.yaml"
        let lineCount = base.filter { $0 == 0x0A }.count + 40
        for _ in 0..<400 {
            var bytes = base
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[at] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: at)
                default: bytes.remove(at: at)
                }
            }
            do {
                _ = try loader.load(bytes: bytes, path: path)
            } catch {
                #expect(!error.diagnostics.isEmpty)
                for d in error.diagnostics {
                    #expect(d.location.line >= 1 && d.location.line <= lineCount && d.location.column >= 1, "\(d)")
                }
            }
        }
    }
}

/// A small deterministic generator, so that a failing mutation can be replayed.
struct ScenarioMutator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
