import RunbookKit

extension AppState {
    /// Opens a place of a runbook whose screen is on top (a deep link, a search result): its entry,
    /// checklist, decision tree or heading, over the runbook's screen.
    mutating func open(_ place: RunbookPlace?, in index: Int) -> [AppEffect] {
        guard let place, let rb = runbook(index) else { return [] }
        switch place {
        case .top:
            return []
        case .entry(let id):
            guard let e = rb.entries.firstIndex(where: { $0.id == id }) else { return [] }
            push(.entry(EntryScreen(runbook: index, entry: e)))
            return []
        case .checklist(let id):
            guard let c = rb.checklists.firstIndex(where: { $0.id == id }) else { return [] }
            push(.checklist(ChecklistScreen(runbook: index, checklist: c)))
            return []
        case .tree:
            return openTriage(index)
        case .heading(let line):
            push(.walkthrough(WalkthroughScreen(runbook: index, startLine: line)))
            return []
        }
    }
}
