// swift-tools-version: 6.0
import PackageDescription

// The floor behind `tools/bench keyholder`: Hummingbird 2 answering every POST with a fixed
// body and doing nothing else, on as many event loops as the key holder. What the key
// holder serves a second, divided by what this serves for the same requests, is the share
// of Hummingbird's ceiling the key holder keeps after SigV4, JSON, policy, audit and
// cryptography. A package of its own, as Benchmarks/EnvelopeBench, so that it stays out of
// Sigil's products, its CI build and a user's resolution.
let package = Package(
    name: "HummingbirdFloor",
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1")
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdFloor",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird")
            ],
            swiftSettings: [
                .enableUpcomingFeature("InternalImportsByDefault"),
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        )
    ]
)
