import Foundation

/// The compatibility report as a person reads it and as JSON.
extension CompatibilityReport: Encodable {
    enum CodingKeys: String, CodingKey {
        case files, failed, entries, steps, byRole = "steps_by_role", bySafety = "steps_by_safety", runnable
        case shownOnly = "shown_only", remoteSteps = "remote_steps", shellOpeners = "shell_openers"
        case typedInto = "typed_into", promptLines = "prompt_lines_stripped", stepsWithPrompts = "steps_with_prompts"
        case trees, treeProbes = "tree_probes", placeholders, undeclared, variablesAsked = "variables_asked"
        case needsAnnotations = "needs_annotations"
    }

    struct Note: Encodable {
        var path: String
        var reasons: [String]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(files, forKey: .files)
        try c.encode(failed.map { Note(path: $0.path, reasons: $0.reasons) }, forKey: .failed)
        try c.encode(entries, forKey: .entries)
        try c.encode(steps, forKey: .steps)
        try c.encode(Dictionary(uniqueKeysWithValues: StepRole.allCases.map { ($0.rawValue, byRole[$0] ?? 0) }), forKey: .byRole)
        try c.encode(Dictionary(uniqueKeysWithValues: SafetyClass.allCases.map { ($0.rawValue, bySafety[$0] ?? 0) }), forKey: .bySafety)
        try c.encode(runnable, forKey: .runnable)
        try c.encode(Dictionary(uniqueKeysWithValues: ShownOnly.allCases.map { ($0.rawValue, shownOnly[$0] ?? 0) }), forKey: .shownOnly)
        try c.encode(remoteSteps, forKey: .remoteSteps)
        try c.encode(shellOpeners, forKey: .shellOpeners)
        try c.encode(typedInto, forKey: .typedInto)
        try c.encode(promptLines, forKey: .promptLines)
        try c.encode(stepsWithPrompts, forKey: .stepsWithPrompts)
        try c.encode(trees, forKey: .trees)
        try c.encode(treeProbes, forKey: .treeProbes)
        try c.encode(placeholders, forKey: .placeholders)
        try c.encode(undeclared, forKey: .undeclared)
        try c.encode(variablesAsked, forKey: .variablesAsked)
        try c.encode(needsAnnotations.map { Note(path: $0.path, reasons: $0.reasons) }, forKey: .needsAnnotations)
    }

    /// The report as text: the counts, then each file that needs annotations with its reasons.
    public var text: String {
        func list<K>(_ keys: [K], _ counts: [K: Int], _ name: (K) -> String) -> String {
            keys.compactMap { k in counts[k].map { "\(name(k)) \($0)" } }.joined(separator: ", ")
        }
        let shown = steps - runnable
        var lines = [
            "files           \(files) (\(files - failed.count) read, \(failed.count) not loaded)",
            "entries         \(entries)",
            "steps           \(steps): " + list(StepRole.allCases, byRole, \.rawValue),
            "safety          " + list(SafetyClass.allCases, bySafety, \.rawValue),
            "runnable        \(runnable); shown only \(shown)" + (shown == 0 ? "" : " (" + list(ShownOnly.allCases, shownOnly, \.rawValue) + ")"),
            "remote steps    \(remoteSteps), in shells opened by \(shellOpeners) step\(shellOpeners == 1 ? "" : "s")",
        ]
        if !typedInto.isEmpty {
            lines.append("typed into      " + typedInto.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        lines += [
            "prompts         \(promptLines) prompt line\(promptLines == 1 ? "" : "s") stripped in \(stepsWithPrompts) step\(stepsWithPrompts == 1 ? "" : "s")",
            "decision trees  \(trees) (\(treeProbes) probe\(treeProbes == 1 ? "" : "s"))",
            "variables asked \(variablesAsked.count) (\(placeholders) placeholder\(placeholders == 1 ? "" : "s"), \(undeclared) undeclared, counted per file)"
                + (variablesAsked.isEmpty ? "" : ": " + Self.top(variablesAsked, 12)),
        ]
        if !failed.isEmpty {
            lines.append("")
            lines.append("Files that did not load (\(failed.count)):")
            for f in failed { lines.append("  \(f.path): \(f.reasons.joined(separator: "; "))") }
        }
        lines.append("")
        lines.append("Files that need annotations (\(needsAnnotations.count) of \(files)):")
        for note in needsAnnotations {
            lines.append("  \(note.path)")
            for r in note.reasons { lines.append("    - \(r)") }
        }
        if needsAnnotations.isEmpty { lines.append("  none") }
        return lines.joined(separator: "\n")
    }

    /// The `n` most asked-for variables, most files first: `NAMESPACE (12 files), POD (3 files), …`.
    static func top(_ counts: [String: Int], _ n: Int) -> String {
        let sorted = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        var out = sorted.prefix(n).map { "\($0.key) (\($0.value) file\($0.value == 1 ? "" : "s"))" }
        if sorted.count > n { out.append("… \(sorted.count - n) more") }
        return out.joined(separator: ", ")
    }
}
