// swift-tools-version: 6.0
// The loader's libFuzzer target: a package of its own, so the main package's build and tests never see
// it. Built and run by scripts/fuzz-loader, which instruments every module for libFuzzer and ASan;
// not part of CI.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, whatever the checkout of the runbook package is called.
let runbookPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "runbook-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "..")
    ],
    targets: [
        .executableTarget(
            name: "LoaderFuzzer",
            dependencies: [.product(name: "RunbookKit", package: runbookPackage)],
            path: "LoaderFuzzer"
        )
    ]
)
