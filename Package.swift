// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // Imported directly (ByteBuffer in the daemon and its client; FilePath for
        // Subprocess on Linux), not only through the packages above.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // C shims: a module map and a header each; pkg-config gives the flags.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // Debian's libpg-query-dev ships no pkg-config file; the module map links
        // `pg_query` and the header comes from the default include path.
        .systemLibrary(
            name: "CPgQuery",
            providers: [.apt(["libpg-query-dev"])]
        ),

        // No I/O: versions, files, directives, checksums, sluice.sum, the planner.
        .target(
            name: "SluiceCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The only importer of CPgQuery: parsing, statement splitting, lint rules.
        .target(name: "SluiceLint", dependencies: ["SluiceCore", "CPgQuery"]),
        // The only importer of CLibGit2: bare mirror, fetch, trees, history, revert detection.
        .target(name: "SluiceGit", dependencies: ["SluiceCore", "CLibGit2"]),
        // The only importer of CLibPQ: connections, results, errors, lock, state tables.
        .target(
            name: "SluicePostgres",
            dependencies: ["SluiceCore", "CLibPQ"]
        ),
        // Configuration, folder source, planner driving, executor, events.
        .target(
            name: "SluiceEngine",
            dependencies: [
                "SluiceCore", "SluiceLint", "SluicePostgres", "SluiceGit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // The long-running services (watcher, control socket, HTTP server, webhooks) in a ServiceGroup.
        .target(
            name: "SluiceDaemon",
            dependencies: [
                "SluiceCore", "SluiceEngine", "SluicePostgres", "SluiceGit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "sluice",
            dependencies: [
                "SluiceCore", "SluiceEngine", "SluicePostgres", "SluiceLint", "SluiceDaemon", "SluiceGit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),

        // Unit tests: no server, no network.
        .testTarget(name: "SluiceCoreTests", dependencies: ["SluiceCore", "SluiceLint", "SluiceEngine", "SluicePostgres"]),
        // Git tests: real repositories made in temp folders, no server.
        .testTarget(name: "SluiceGitTests", dependencies: ["SluiceCore", "SluiceGit"]),
        // Integration tests: a real PostgreSQL (scripts/test.sh starts one) and real Git.
        .testTarget(
            name: "SluiceIntegrationTests",
            dependencies: [
                "SluiceCore", "SluicePostgres",
                // Not imported: the tests run the built `sluice` binary.
                "sluice",
                // A webhook receiver started by the tests on loopback.
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
