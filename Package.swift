// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "runbook",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "runbook", targets: ["runbook"]),
        .library(name: "RunbookKit", targets: ["RunbookKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // GitHub's CommonMark parser and its extensions (task lists, tables), from Debian's packages.
        .systemLibrary(
            name: "CMarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        // ncurses with wide-character support; the shim exposes what Swift cannot import.
        .systemLibrary(
            name: "CCurses",
            pkgConfig: "ncursesw",
            providers: [.apt(["libncurses-dev"])]
        ),
        // The model and all pure logic: Markdown in, typed runbooks and diagnostics out.
        .target(
            name: "RunbookKit",
            dependencies: ["CMarkGFM", .product(name: "Yams", package: "Yams")]
        ),
        // Spawn, pidfd, signal and status helpers that Swift's Glibc module cannot reach.
        .target(name: "CSystem", cSettings: [.define("_GNU_SOURCE")]),
        // Running steps: spawn, stream output, time limits, cancel.
        .target(name: "RunbookRunner", dependencies: ["CSystem", "RunbookKit"]),
        // The TUI: one state value, events in, effects out, a pure view to a cell grid; the ncurses
        // backend and the poll loop are the only parts that touch the terminal and processes.
        .target(name: "RunbookTUI", dependencies: ["RunbookKit", "RunbookRunner", "CCurses", "CSystem"]),
        // The command line: thin, calls the layers above.
        .executableTarget(
            name: "runbook",
            dependencies: [
                "RunbookKit", "RunbookRunner", "RunbookTUI", "CSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What the test targets share: where the shared corpus is, temporary folders removed after use.
        .target(name: "RunbookTestSupport", path: "Tests/RunbookTestSupport"),
        .testTarget(name: "RunbookKitTests", dependencies: ["RunbookKit", "RunbookTestSupport"]),
        .testTarget(name: "CCursesTests", dependencies: ["CCurses"]),
        // Yams (already RunbookKit's) reads deploy/'s Kubernetes manifests.
        .testTarget(
            name: "RunbookCLITests",
            dependencies: ["RunbookKit", "RunbookTestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "RunbookTUITests", dependencies: ["RunbookTUI", "RunbookKit", "RunbookRunner", "RunbookTestSupport"], exclude: ["__Snapshots__"]),
        .testTarget(name: "RunbookRunnerTests", dependencies: ["RunbookRunner", "RunbookKit", "CSystem", "RunbookTestSupport"]),
    ]
)
