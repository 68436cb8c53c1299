import Foundation
import RunbookKit

/// `runbook check --dry-run --format json`: every step the selection covers, what the command table
/// makes of it, and whether `check` would run it (and why not), without running anything.
///
/// ```json
/// {"runbook": "id", "steps": [{"id", "entry", "role", "command", "safety", "safety_reason",
///   "would_run": true|false, "reason": null|"…", "missing": ["VAR"]}]}
/// ```
/// `command` is as written, secrets masked; `missing` lists the variables without a value (a run
/// would ask for them).
public struct CheckDryRun: Sendable, Encodable {
    public struct Step: Sendable, Encodable {
        public var id: String
        public var entry: String?
        public var role: String
        public var command: String
        public var safety: String
        public var safetyReason: String
        public var wouldRun: Bool
        public var reason: String?
        public var missing: [String]

        enum CodingKeys: String, CodingKey {
            case id, entry, role, command, safety, safetyReason = "safety_reason", wouldRun = "would_run", reason, missing
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(entry, forKey: .entry)
            try c.encode(role, forKey: .role)
            try c.encode(command, forKey: .command)
            try c.encode(safety, forKey: .safety)
            try c.encode(safetyReason, forKey: .safetyReason)
            try c.encode(wouldRun, forKey: .wouldRun)
            try c.encode(reason, forKey: .reason)
            try c.encode(missing, forKey: .missing)
        }
    }

    public var runbook: String
    public var steps: [Step]

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

extension HeadlessCheck {
    /// The dry run as data: every step of the selected entries (fixes too), the checklist's items, or
    /// the tree's probes.
    public func dryRunPlan() throws(Failure) -> CheckDryRun {
        var scoped: [(scope: String, step: RunbookKit.Step)] = []
        switch selection {
        case .triage:
            guard let tree = runbook.decisionTree else { throw .noTree }
            scoped = tree.probes.map { ("tree", $0) }
        case .checklist:
            for suite in try plan().suites {
                scoped += suite.items.compactMap { item in item.step.map { (suite.id, $0) } }
            }
        case .entries(let names, let optionName):
            _ = try plan()  // the names and the option exist
            let entries = names.isEmpty ? runbook.entries : names.compactMap { runbook.entry(named: $0) }
            let option = optionName.flatMap { entries.first?.fixOption(named: $0) }
            for entry in entries {
                scoped += entry.steps.filter { option == nil || $0.option == nil || $0.option == option }.map { (entry.id, $0) }
            }
        }
        let masker = SecretMasker(secrets: resolver.secretValues)
        // What an earlier step of the same scope that would run assigns is not missing.
        var assigned: [String: Set<String>] = [:]
        let steps = scoped.map { scope, step in
            let earlier = assigned[scope] ?? []
            let why = skipReason(step, assignedEarlier: earlier)
            if why == nil { assigned[scope, default: []].formUnion(ShellText(step.command).assignments) }
            return CheckDryRun.Step(
                id: step.id, entry: scope, role: step.role.rawValue, command: masker.mask(step.command),
                safety: step.safety.safety.rawValue, safetyReason: step.safety.reason, wouldRun: why == nil, reason: why,
                missing: resolver.missing(for: [step], assignedEarlier: earlier).map(\.name))
        }
        return CheckDryRun(runbook: runbook.id, steps: steps)
    }
}
