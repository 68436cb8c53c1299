import Foundation
import RunbookKit
import RunbookRunner
import Testing

@testable import RunbookTUI

/// The repository's root, found from this file's place in it.
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    parts.removeLast(3)  // Tests/RunbookTUITests/TestSupport.swift
    return parts.joined(separator: "/")
}()

enum Fixture {
    static let today = CalendarDate(year: 2026, month: 2, day: 1)!

    /// A runbook of `runbooks/`, loaded with its repository-relative path (stable in snapshots).
    static func real(_ name: String) -> Runbook {
        let relative = "runbooks/\(name).md"
        let bytes = [UInt8](FileManager.default.contents(atPath: repositoryRoot + "/" + relative) ?? Data())
        do {
            return try RunbookLoader().load(bytes: bytes, path: relative)
        } catch {
            fatalError("cannot load \(relative): \(error)")
        }
    }

    static var troubleshooting: Runbook { real("gke-staging-troubleshooting") }
    static var onboarding: Runbook { real("gke-staging-onboarding") }
    static var preDeploy: Runbook { real("gke-staging-pre-deploy") }

    /// A runbook from Markdown text.
    static func inline(_ text: String, path: String = "runbooks/fixture.md") -> Runbook {
        do {
            return try RunbookLoader().load(bytes: Array(text.utf8), path: path)
        } catch {
            fatalError("cannot load the inline fixture: \(error)")
        }
    }

    static var realLibrary: RunbookLibrary {
        RunbookLibrary(runbooks: [troubleshooting, onboarding, preDeploy], failures: [])
    }

    static func state(
        _ runbooks: [Runbook], failures: [Diagnostic] = [], size: ScreenSize = ScreenSize(columns: 80, rows: 24),
        environment: [String: String] = ["PATH": "/usr/bin:/bin", "HOME": "/home/oncall"],
        configure: (inout AppOptions) -> Void = { _ in }
    ) -> AppState {
        var options = AppOptions(today: today, environment: environment)
        configure(&options)
        return AppState(library: RunbookLibrary(runbooks: runbooks, failures: failures), options: options, size: size)
    }

    /// A small runbook with a tree, a fix with a secret, a verify step, manual indicators and a
    /// checklist.
    static let small = """
        ---
        id: small
        title: Small service
        version: 1.2.0
        updated: 2025-11-01
        review_by: 2026-06-01
        owner: Platform team
        variables:
          NAMESPACE:
            default: staging
            description: Kubernetes namespace
          DB_PASSWORD:
            description: Database password
            secret: true
          REGION:
            description: Cloud region
        ---

        # Small service

        ## Decision tree

        - What state is the pod in?

          ```sh {name=pod-state}
          kubectl get pods -n "$NAMESPACE"
          ```

          - `CrashLoopBackOff`: the container keeps dying: [Database login](#database-login)
          - `ImagePullBackOff`: the image cannot be pulled: [Image pull](#image-pull)
          - `Running`: all is well
        - I want the checklist: [Before a deploy](#before-a-deploy)

        ## Database login

        ### Symptoms

        The logs say `password authentication failed`.

        ### Cause

        The database user's password does not match the Secret.

        ### Diagnosis

        ```sh {name=check-logs}
        kubectl logs -n "$NAMESPACE" deploy/app
        ```

        Success indicators:

        - no `password authentication failed`
        - exit 0

        ### Fix

        #### Option A: Reset the password (staging only)

        ```sh {name=reset-password}
        gcloud sql users set-password app --password="$DB_PASSWORD"
        ```

        #### Option B: Recreate the Secret

        ```sh {name=recreate-secret}
        kubectl create secret generic db -n "$NAMESPACE" --from-literal=password="$DB_PASSWORD"
        ```

        ### Verify

        ```sh {name=db-connects}
        kubectl exec -n "$NAMESPACE" deploy/app -- python manage.py check --database default
        ```

        Success indicators:

        - contains `System check identified no issues`
        - no `OperationalError`
        - exit 0
        - The application's log shows requests being served

        ## Image pull

        ### Symptoms

        Pods stay in `ImagePullBackOff`.

        ### Diagnosis

        ```sh {name=image-region}
        gcloud artifacts repositories list --location="$REGION"
        ```

        Success indicators:

        - exit 0

        ## Before a deploy

        - [ ] The cluster answers

          ```sh {name=cluster-answers}
          kubectl cluster-info
          ```

          Success indicators:

          - contains `is running at`

        - [ ] The namespace exists

          ```sh {name=namespace-exists}
          kubectl get namespace "$NAMESPACE"
          ```

          Success indicators:

          - exit 0

        - [ ] Someone from the team knows about the deploy
        - [x] The change log is written
        """

    static var smallRunbook: Runbook { inline(small, path: "runbooks/small.md") }
}

extension AppState {
    /// Sends keys in order; returns every effect.
    @discardableResult
    mutating func press(_ keys: Key...) -> [AppEffect] {
        keys.flatMap { update(.key($0)) }
    }

    /// Types text one character at a time.
    @discardableResult
    mutating func type(_ text: String) -> [AppEffect] {
        text.flatMap { update(.key(.character($0))) }
    }

    /// Output lines of one run, on standard output.
    @discardableResult
    mutating func output(_ id: RunID, _ lines: String..., channel: OutputChannel = .stdout) -> [AppEffect] {
        update(outputEvent(id, lines: lines.map { OutputLine(channel: channel, text: $0) }, partial: nil))
    }

    @discardableResult
    mutating func exit(_ id: RunID, _ code: Int32 = 0, ms: Int = 1200, assigned: [String: String] = [:]) -> [AppEffect] {
        update(.exited(id, ending(id, end: .exited(code), ms: ms, assigned: assigned)))
    }

    /// The ending of a run that ended some other way.
    @discardableResult
    mutating func end(_ id: RunID, _ end: StepEnd, ms: Int = 1200, assigned: [String: String] = [:]) -> [AppEffect] {
        update(.exited(id, ending(id, end: end, ms: ms, assigned: assigned)))
    }

    /// What the runtime would send for `lines` of run `id`: the verdicts are the real core's
    /// (``StepOutputProcessor``), judged over every line the run has shown so far plus these.
    func outputEvent(_ id: RunID, lines: [OutputLine], partial: OutputLine?) -> AppEvent {
        var core = replay(id)
        Self.feed(&core, lines)
        return .output(id, lines: OutputLineBatch(lines), partial: partial, verdicts: core?.verdicts ?? [])
    }

    /// What the runtime would report at the end of run `id`, the verdicts settled by the real core.
    func ending(_ id: RunID, end: StepEnd, ms: Int = 1200, assigned: [String: String] = [:]) -> RunEnding {
        var core = replay(id)
        core?.finish(end)
        return RunEnding(end: end, durationMs: ms, assigned: assigned, verdicts: core?.verdicts ?? [])
    }

    private func replay(_ id: RunID) -> StepOutputProcessor? {
        guard let run = runs[id] else { return nil }
        var core: StepOutputProcessor? = StepOutputProcessor(step: run.step, masker: SecretMasker(secrets: []), journal: nil)
        Self.feed(&core, run.output.lines(in: 0..<run.output.count))
        return core
    }

    private static func feed(_ core: inout StepOutputProcessor?, _ lines: [OutputLine]) {
        for line in lines {
            let bytes = Array((line.text + "\n").utf8)
            bytes.withUnsafeBytes { core?.take(line.channel, $0) }
        }
    }

    /// The screen as text.
    var screen: String { view(size).text }

    /// The key line of the screen (the last row).
    var walkthroughHintText: String { screen.split(separator: "\n").last.map(String.init) ?? "" }
}

extension Array where Element == AppEffect {
    /// The `.run` effects: run id and launch.
    var runs: [(RunID, StepLaunch)] {
        compactMap { if case .run(let id, let l) = $0 { return (id, l) } else { return nil } }
    }

    var interactiveRuns: [(RunID, StepLaunch)] {
        compactMap { if case .runInteractive(let id, let l) = $0 { return (id, l) } else { return nil } }
    }

    var journal: [JournalEvent] {
        compactMap { if case .journal(let e, _) = $0 { return e } else { return nil } }
    }

    /// Journal decisions as `kind: detail`.
    var decisions: [JournalEvent.Decision] {
        journal.compactMap { if case .decision(let d) = $0 { return d } else { return nil } }
    }

    var decisionKinds: [String] { decisions.map(\.kind) }

    var cancels: [RunID] {
        compactMap { if case .cancel(let id) = $0 { return id } else { return nil } }
    }
}

/// File snapshots of screens under `__Snapshots__/`: missing, or with `RUNBOOK_RECORD_SNAPSHOTS=1`,
/// the snapshot is written and the test fails saying so; otherwise the text must match.
enum Snapshot {
    static let folder = repositoryRoot + "/Tests/RunbookTUITests/__Snapshots__"

    static func check(_ text: String, named name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let path = folder + "/" + name + ".txt"
        let record = ProcessInfo.processInfo.environment["RUNBOOK_RECORD_SNAPSHOTS"] == "1"
        let fm = FileManager.default
        let content = text + "\n"
        if record || !fm.fileExists(atPath: path) {
            try? fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            _ = fm.createFile(atPath: path, contents: Data(content.utf8))
            Issue.record("recorded snapshot \(name).txt: check it, then run the tests again", sourceLocation: sourceLocation)
            return
        }
        let stored = String(decoding: fm.contents(atPath: path) ?? Data(), as: UTF8.self)
        guard stored != content else { return }
        Issue.record("snapshot \(name).txt differs (RUNBOOK_RECORD_SNAPSHOTS=1 records it anew):\n\(diff(stored, content))",
                     sourceLocation: sourceLocation)
    }

    /// A line-by-line diff: `-` stored, `+` now.
    static func diff(_ old: String, _ new: String) -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? String(a[i]) : nil
            let y = i < b.count ? String(b[i]) : nil
            if x == y { continue }
            if let x { out.append(String(format: "%3d - ", i + 1) + x) }
            if let y { out.append(String(format: "%3d + ", i + 1) + y) }
        }
        return out.joined(separator: "\n")
    }
}
