// swift-tools-version: 6.0
import PackageDescription

// The JWT verification benchmark behind `tools/bench envelopes`: Sigil beside vapor/jwt-kit.
// A package of its own so that jwt-kit (and swift-crypto under it) never enters Sigil's
// dependency graph, CI's build or a user's resolution.
let package = Package(
    name: "EnvelopeBench",
    dependencies: [
        .package(name: "Sigil", path: "../.."),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
    ],
    targets: [
        .executableTarget(
            name: "EnvelopeBench",
            dependencies: [
                .product(name: "Sigil", package: "Sigil"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: [
                .enableUpcomingFeature("InternalImportsByDefault"),
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        )
    ]
)
