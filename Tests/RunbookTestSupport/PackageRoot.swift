import Foundation

/// The root of this package's checkout (the folder of Package.swift), from where this file was compiled.
public enum PackageRoot {
    public static let path: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // RunbookTestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
        .path
}
