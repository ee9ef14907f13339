// swift-tools-version: 6.0
import Foundation
import PackageDescription

// The git commit `--version` prints: tools/package exports SIGIL_COMMIT; a plain
// `swift build` has none and the binaries say "unknown" (CSigilBuildInfo's header).
let buildCommitSettings: [CSetting] = ProcessInfo.processInfo.environment["SIGIL_COMMIT"]
    .flatMap { commit in commit.allSatisfy { $0.isHexDigit } && !commit.isEmpty ? commit : nil }
    .map { [.define("SIGIL_COMMIT", to: "\"\($0)\"")] } ?? []

// Upcoming features every target is built with (see STYLE.md, "Strict Swift 6").
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// How sigil-device is linked, for a small start-up footprint (tools/bench startup): by lld,
// with the functions a verification runs placed together (tools/make-startup-order writes
// the list): a few hundred pages of code, not pages from all over 12 MB that the kernel maps
// in with their neighbours; and without a dynamic symbol table of the binary's own symbols
// (Swift links executables with -export-dynamic), which the runtime's dladdr at start-up
// scans from end to end. Not -z pack-relative-relocs: it would save 1.1 MiB more but ask
// for glibc 2.36, where the binary now runs on 2.35 (Ubuntu 22.04). All of this is
// sigil-device's alone: the other products keep the default.
let deviceLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=lld", "-Xlinker", "--no-export-dynamic",
            "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/SigilDevice/startup-order.txt",
            "-Xlinker", "--no-warn-symbol-ordering",
        ],
        .when(platforms: [.linux])),
]

let package = Package(
    name: "Sigil",
    products: [
        // The verifier library without Foundation's ICU and networking: what a field device links.
        .library(name: "SigilCore", targets: ["SigilCore"]),
        // SigilCore plus the entry points that take Foundation types (FileHandle).
        .library(name: "Sigil", targets: ["Sigil"]),
        .library(name: "SigilCrypto", targets: ["SigilCrypto"]),
        .executable(name: "sigil", targets: ["SigilCLI"]),
        // The offline verbs alone, for field devices: no key-holder client, no NIO, no Foundation networking.
        .executable(name: "sigil-device", targets: ["SigilDevice"]),
        // The key holder service.
        .executable(name: "sigil-keyholder", targets: ["SigilKeyHolderMain"]),
        // Verification rates for tools/bench, next to `openssl speed`.
        .executable(name: "sigil-bench", targets: ["SigilBench"]),
        // Writes vectors/gnutls-signatures-*.json with GnuTLS (tools/make-vectors).
        .executable(name: "sigil-vectorgen", targets: ["SigilVectorGen"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // The CLI's (and KMSClient's) HTTP client: no URLSession, so no libcurl.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Child processes in tests, awaited without blocking a thread of the cooperative pool.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // BoringSSL's P-256 verification (SigilCrypto's P256Verifier); already in the graph
        // through swift-certificates. 3.x or 4.x, whichever the rest of a user's graph allows.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // PostgreSQL, the shared store of several key holders (issue 11).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // The key holder's metrics: the swift-metrics API, rendered by swift-prometheus (issue 12).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // libcrypto from OpenSSL 3 (Debian: libssl-dev).
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // GnuTLS + nettle: the independent implementation used by tests and tools only.
        .systemLibrary(
            name: "CGnuTLS",
            pkgConfig: "gnutls",
            providers: [.apt(["libgnutls28-dev", "nettle-dev", "libgmp-dev"])]
        ),
        .target(
            name: "SigilCrypto",
            dependencies: ["COpenSSL", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // The verifier library, on FoundationEssentials only.
        .target(
            name: "SigilCore",
            dependencies: ["SigilCrypto"],
            swiftSettings: strictSettings
        ),
        // What `--version` prints: the version, the build's commit (a C define: Swift has
        // no valued ones) and the run-time OpenSSL.
        .target(name: "CSigilBuildInfo", cSettings: buildCommitSettings),
        .target(name: "SigilBuildInfo", dependencies: ["CSigilBuildInfo", "SigilCrypto"], swiftSettings: strictSettings),
        .target(
            name: "Sigil",
            dependencies: ["SigilCore"],
            swiftSettings: strictSettings
        ),
        // The KMS wire contract shared by the key holder and the CLI: shapes, errors, SigV4, a client.
        .target(
            name: "SigilKMS",
            dependencies: ["SigilCrypto", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: strictSettings
        ),
        // The offline verbs (verify, encrypt, decrypt with a private key, inspect, public-key
        // inspect) and what they share, used by both `sigil` and `sigil-device`.
        .target(
            name: "SigilCommands",
            dependencies: [
                "SigilCore", "SigilBuildInfo", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "SigilCLI",
            dependencies: [
                "SigilCommands", "SigilBuildInfo", "Sigil", "SigilKMS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "SigilDevice",
            dependencies: ["SigilCommands", "SigilBuildInfo", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            exclude: ["startup-order.txt"],
            swiftSettings: strictSettings,
            linkerSettings: deviceLinkerSettings
        ),
        .executableTarget(
            name: "SigilBench",
            dependencies: ["Sigil"],
            swiftSettings: strictSettings
        ),
        // The key holder's persistent state: keys, sealed material, aliases, credentials (SQLite via GRDB;
        // PostgreSQL via postgres-nio for several nodes, in progress).
        .target(
            name: "SigilKeyStore",
            dependencies: [
                "SigilCrypto", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // The AWS policy language as the key holder enforces it: parsing, validation and
        // evaluation of key and identity policies. Pure Swift (Foundation only), no server.
        .target(name: "SigilPolicy", swiftSettings: strictSettings),
        .testTarget(name: "SigilPolicyTests", dependencies: ["SigilPolicy"], swiftSettings: strictSettings),
        // The key holder: KMS over HTTP (Hummingbird), SigV4, the sealed store.
        .target(
            name: "SigilKeyHolder",
            dependencies: [
                "Sigil", "SigilKMS", "SigilKeyStore", "SigilPolicy",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "SigilKeyHolderMain",
            dependencies: [
                "SigilBuildInfo", "SigilKeyHolder", "SigilPolicy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SigilKeyHolderTests",
            dependencies: [
                "SigilKeyHolder", "SigilKMS", "SigilPolicy", "SigilTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        // The key holder as a process: kill -9, concurrency, secrets on disk.
        .testTarget(
            name: "KeyHolderProcessTests",
            dependencies: ["Sigil", "SigilKMS", "SigilKeyStore", "SigilKeyHolderMain", "SigilTestSupport"],
            swiftSettings: strictSettings
        ),
        // Helpers shared by the test targets (processes, throwaway keys); never shipped.
        .target(
            name: "SigilTestSupport",
            dependencies: ["SigilCrypto", .product(name: "Subprocess", package: "swift-subprocess")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SigilTests",
            dependencies: ["Sigil", "SigilCrypto", "SigilTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SigilKeyStoreTests",
            dependencies: ["SigilKeyStore", "SigilTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "SigilKMSTests", dependencies: ["SigilKMS", "SigilTestSupport"], swiftSettings: strictSettings),
        // Runs the built `sigil` binary as a user would.
        .testTarget(
            name: "SigilCLITests",
            dependencies: ["SigilCLI", "SigilDevice", "Sigil", "SigilBuildInfo", "SigilTestSupport"],
            swiftSettings: strictSettings
        ),
        // Safe Swift wrappers over GnuTLS for cross-checks; tests and tools only.
        .target(
            name: "GnuTLSCheck",
            dependencies: ["CGnuTLS"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "SigilVectorGen",
            dependencies: ["GnuTLSCheck", "SigilTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CrossCheckTests",
            dependencies: ["GnuTLSCheck", "SigilCrypto", "Sigil", "SigilTestSupport"],
            swiftSettings: strictSettings
        ),
        // Replays vectors/ through Sigil alone: no GnuTLS needed where it runs.
        .testTarget(
            name: "VectorReplayTests",
            dependencies: ["Sigil", "SigilTestSupport"],
            swiftSettings: strictSettings
        ),
        // Runs the shared Wycheproof vectors (../shared/vectors/wycheproof) through Sigil.
        .testTarget(
            name: "WycheproofTests",
            dependencies: ["Sigil", "SigilCrypto", "SigilTestSupport"],
            swiftSettings: strictSettings
        ),
        // A `sigil-keyholder` started by the test, driven by the `sigil` CLI and by real
        // clients (AWS CLI, boto3, the Python Encryption SDK from .venv, tools/interop).
        .testTarget(
            name: "KeyHolderClientTests",
            dependencies: ["SigilKMS", "Sigil", "SigilTestSupport"],
            swiftSettings: strictSettings
        ),
        // The built `sigil` against the official Python Encryption SDK (.venv, tools/interop).
        .testTarget(
            name: "InteropTests",
            dependencies: ["Sigil", "SigilTestSupport"],
            swiftSettings: strictSettings
        ),
    ]
)
