import ArgumentParser
import Logging

/// `--log-level`: one of swift-log's levels, by its name. A type of this tool's own rather
/// than a conformance of `Logger.Level` itself, which belongs to neither this package nor
/// ArgumentParser and could clash with one they add later.
struct LogLevelOption: ExpressibleByArgument {
    let level: Logger.Level

    init(_ level: Logger.Level) {
        self.level = level
    }

    init?(argument: String) {
        guard let level = Logger.Level(rawValue: argument) else { return nil }
        self.level = level
    }

    var defaultValueDescription: String { level.rawValue }

    static var allValueStrings: [String] { Logger.Level.allCases.map(\.rawValue) }
}
