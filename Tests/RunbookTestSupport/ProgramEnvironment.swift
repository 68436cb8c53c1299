import Foundation

/// The environment every test gives a `runbook` it starts: nothing of the developer's.
///
/// `HOME`, the `XDG_*` folders and `TMPDIR` are folders of their own under one test-owned folder,
/// `PATH` is one the test chose (``standardPath`` unless it says otherwise), `LANG` is `C.UTF-8` and
/// Swift's backtracer is off. A test adds or overrides variables on top; it cannot forget these.
public enum ProgramEnvironment {
    /// The `PATH` a run gets unless its test chooses another.
    public static let standardPath = "/usr/local/bin:/usr/bin:/bin"

    /// The names this environment always sets.
    public static let privateNames = [
        "HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "TMPDIR",
    ]

    /// Makes `home`, `state`, `config`, `cache`, `data`, `runtime` and `tmp` in `folder` (mode 0700)
    /// and returns the environment pointing at them, with `overrides` applied last.
    public static func make(in folder: String, path: String = standardPath, overrides: [String: String] = [:]) throws
        -> [String: String]
    {
        let names = ["home", "state", "config", "cache", "data", "runtime", "tmp"]
        for name in names {
            try FileManager.default.createDirectory(
                atPath: folder + "/" + name, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var env: [String: String] = [
            "HOME": folder + "/home",
            "XDG_STATE_HOME": folder + "/state",
            "XDG_CONFIG_HOME": folder + "/config",
            "XDG_CACHE_HOME": folder + "/cache",
            "XDG_DATA_HOME": folder + "/data",
            "XDG_RUNTIME_DIR": folder + "/runtime",
            "TMPDIR": folder + "/tmp",
            "PATH": path,
            "LANG": "C.UTF-8",
            "SWIFT_BACKTRACE": "enable=no",
        ]
        for (name, value) in overrides { env[name] = value }
        return env
    }
}
