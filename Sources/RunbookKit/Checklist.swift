/// A checklist: the task items (`- [ ] ...`) under one heading.
public struct Checklist: Sendable, Hashable {
    /// The heading's anchor.
    public var id: String
    public var title: String
    public var location: SourceLocation
    public var items: [ChecklistItem]

    public init(id: String, title: String, location: SourceLocation, items: [ChecklistItem] = []) {
        self.id = id
        self.title = title
        self.location = location
        self.items = items
    }
}

/// One task item: checked by running its step, or ticked by hand when it has none.
public struct ChecklistItem: Sendable, Hashable {
    public var text: String
    /// Whether the box is ticked in the file (`- [x]`).
    public var checked: Bool
    public var step: Step?
    public var location: SourceLocation

    public init(text: String, checked: Bool, step: Step? = nil, location: SourceLocation) {
        self.text = text
        self.checked = checked
        self.step = step
        self.location = location
    }
}
