import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A new, empty folder under the temporary folder (`$TMPDIR`, or `/tmp`) that one test owns, removed
/// with everything in it when its owner is done with it, so a test run leaves nothing behind.
///
/// Kept in a suite's stored property, it lasts exactly as long as the test: Swift Testing makes a
/// suite value for each test and drops it afterwards.
///
/// ```swift
/// struct CheckTests {
///     let folder = try TemporaryFolder("runbook-check")   // or in init()
/// ```
///
/// Inside a test function, use `TemporaryFolder.with { path in ... }`: a local `let` is not enough,
/// since Swift may release an object after its last use, before the end of its scope.
public final class TemporaryFolder: Sendable {
    /// The folder's absolute path, symbolic links resolved (so it compares equal to what a child
    /// process sees as its working directory).
    public let path: String

    /// Makes `<temporary folder>/<prefix>-XXXXXX` (mode 0700).
    public init(_ prefix: String) throws {
        let base = FileManager.default.temporaryDirectory.path
        var template = Array((base + "/" + prefix + "-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
            return String(cString: result)
        }
        guard let made else {
            throw TemporaryFolderError(template: base + "/" + prefix + "-XXXXXX", errorNumber: errno)
        }
        path = URL(fileURLWithPath: made).resolvingSymlinksInPath().path
    }

    deinit { Self.remove(path) }

    /// Runs `body` with the path of a new temporary folder, and removes the folder afterwards, whether
    /// `body` returns or throws.
    public static func with<T>(_ prefix: String, _ body: (String) throws -> T) throws -> T {
        let folder = try TemporaryFolder(prefix)
        defer { withExtendedLifetime(folder) {} }
        return try body(folder.path)
    }

    /// Runs `body` with the path of a new temporary folder, and removes the folder afterwards, whether
    /// `body` returns or throws.
    public static func with<T>(_ prefix: String, _ body: (String) async throws -> T) async throws -> T {
        let folder = try TemporaryFolder(prefix)
        defer { withExtendedLifetime(folder) {} }
        return try await body(folder.path)
    }

    /// Removes `path` and everything under it; folders a test made unwritable or unreadable are
    /// given their owner's permissions back first.
    static func remove(_ path: String) {
        let files = FileManager.default
        if (try? files.removeItem(atPath: path)) != nil || !files.fileExists(atPath: path) { return }
        var pending = [path]
        while let folder = pending.popLast() {
            var status = stat()
            guard lstat(folder, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else { continue }
            _ = chmod(folder, 0o700)
            for name in (try? files.contentsOfDirectory(atPath: folder)) ?? [] {
                pending.append(folder + "/" + name)
            }
        }
        try? files.removeItem(atPath: path)
    }
}

/// `mkdtemp` could not make a temporary folder.
public struct TemporaryFolderError: Error, CustomStringConvertible, Sendable {
    public let template: String
    public let errorNumber: Int32
    public var description: String {
        "cannot make a temporary folder \(template): \(String(cString: strerror(errorNumber)))"
    }
}
