extension DocumentReader {
    // MARK: - Lists: checklists and nested steps

    mutating func list(_ block: MarkdownBlock) {
        for item in block.children {
            guard case .item(let task) = item.kind else { continue }
            if let checked = task {
                appendText(item)
                checklistItem(item, checked: checked)
            } else {
                // An ordinary item: its blocks are read in place (steps inside list items count).
                walk(item.children)
            }
        }
    }

    mutating func checklistItem(_ item: MarkdownBlock, checked: Bool) {
        let heading = checklistHeading ?? ("checklist", frontMatter.title ?? firstH1?.text ?? fileStem, item.location)
        var text = ""
        var step: Step?
        var nested: [MarkdownBlock] = []
        var i = 0
        let children = item.children
        while i < children.count {
            let child = children[i]
            i += 1
            switch child.kind {
            case .paragraph(let inlines) where text.isEmpty:
                text = inlines.plainText.trimmingASCIISpaces()
            case .codeBlock(let code) where step == nil:
                if var s = makeStep(code, location: child.location, role: .verify, scope: heading.id) {
                    s.title = text
                    attachTrailing(children, from: &i, to: &s)
                    step = s
                }
            case .list:
                nested.append(child)
            default:
                break
            }
        }
        let index: Int
        if let known = checklistIndex[heading.id] {
            index = known
        } else {
            checklists.append(Checklist(id: heading.id, title: heading.title, location: heading.location))
            index = checklists.count - 1
            checklistIndex[heading.id] = index
        }
        checklists[index].items.append(ChecklistItem(text: text, checked: checked, step: step, location: item.location))
        for list in nested { self.list(list) }
    }

    // MARK: - Decision tree

    mutating func treeNodes(_ list: MarkdownBlock) -> [TreeNode] {
        var nodes: [TreeNode] = []
        for item in list.children {
            guard case .item = item.kind else { continue }
            var label: [Inline] = []
            var probe: Step?
            var children: [TreeNode] = []
            for child in item.children {
                switch child.kind {
                case .paragraph(let inlines) where label.isEmpty:
                    label = inlines
                    leadIn = inlines.plainText.trimmingASCIISpaces()
                case .codeBlock(let code) where probe == nil:
                    probe = makeStep(code, location: child.location, role: .probe, scope: "tree")
                case .list:
                    children += treeNodes(child)
                default:
                    break
                }
            }
            let target = label.links.lazy.compactMap { LinkTarget($0.destination) }.first
            nodes.append(
                TreeNode(
                    label: label.plainText.trimmingASCIISpaces(), location: item.location, probe: probe,
                    patterns: Self.patterns(label), target: target, children: children))
        }
        return nodes
    }

    /// The code spans a label starts with: `A` or `B`, `C`: ...
    static func patterns(_ label: [Inline]) -> [String] {
        var out: [String] = []
        for inline in label.trimmingLeadingSpace() {
            switch inline {
            case .code(let c):
                if !c.isEmpty { out.append(c) }
            case .text(let t):
                let w = t.trimmingASCIISpaces().lowercased()
                if w == "or" || w == "," || w == "/" || w == "|" || w.isEmpty { continue }
                return out
            default:
                return out
            }
        }
        return out
    }
}
