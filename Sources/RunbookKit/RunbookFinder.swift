import Foundation

/// Finds the Markdown files among paths: files as given, folders searched recursively
/// (hidden folders and `.build` skipped), in a stable order.
public enum RunbookFinder {
    public static func markdownFiles(in paths: [String]) throws(LoadError) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw LoadError(file: path, "no such file or folder")
            }
            if !isDirectory.boolValue {
                out.append(path)
                continue
            }
            var found: [String] = []
            var pending = [path]
            while let dir = pending.popLast() {
                guard let names = try? fm.contentsOfDirectory(atPath: dir) else {
                    throw LoadError(file: dir, "cannot read folder")
                }
                for name in names where !name.hasPrefix(".") {
                    let full = dir.hasSuffix("/") ? dir + name : dir + "/" + name
                    var sub: ObjCBool = false
                    guard fm.fileExists(atPath: full, isDirectory: &sub) else { continue }
                    if sub.boolValue {
                        pending.append(full)
                    } else if name.lowercased().hasSuffix(".md") || name.lowercased().hasSuffix(".markdown") {
                        found.append(full)
                    }
                }
            }
            out += found.sorted()
        }
        return out
    }
}
