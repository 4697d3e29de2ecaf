// swift-tools-version:6.1
// Zhicheng: a multi-tenant server for professional-title (职称) applications and reviews.
import PackageDescription

/// Settings shared by every target: strict concurrency stays on everywhere.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The daemon target talks to Glibc structs (timespec, stat) that a release build
/// attributes to CDispatch; MemberImportVisibility would then demand importing that
/// private module, so this one target builds without the feature.
let daemonSwiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "zhicheng",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "zhichengd", targets: ["zhichengd"]),
        .executable(name: "zhichengctl", targets: ["zhichengctl"]),
        // For plugins built outside this package.
        .library(name: "ZhichengPluginSDK", targets: ["ZhichengPluginSDK"]),
        // `make plugins` copies it to .build/plugins/libexpert-recommendation.so.
        .library(name: "ExpertRecommendation", type: .dynamic, targets: ["ExpertRecommendation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
    ],
    targets: [
        // MARK: Domain (no I/O)
        .target(name: "ZhichengCore", swiftSettings: swiftSettings),

        // MARK: Storage
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "CZhichengSQLite", dependencies: ["CSQLite"]),
        .target(
            name: "ZhichengStorage",
            dependencies: [
                "ZhichengCore", "CSQLite", "CZhichengSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Application services (the only place rules run)
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt"),
        .target(
            name: "ZhichengApp",
            dependencies: [
                "ZhichengCore", "ZhichengStorage", "CCrypt",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Admin protocol and its server
        .target(name: "ZhichengAdminProtocol", swiftSettings: swiftSettings),
        .target(
            name: "ZhichengAdmin",
            dependencies: [
                "ZhichengCore", "ZhichengApp", "ZhichengAdminProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: HTTP
        .target(
            name: "ZhichengHTTP",
            dependencies: [
                "ZhichengCore", "ZhichengApp", "ZhichengAdminProtocol",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Plugins
        .target(name: "CZhichengPlugin", path: "Sources/CZhichengPlugin"),
        .target(
            name: "ZhichengPluginHost",
            dependencies: ["CZhichengPlugin", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(name: "ZhichengPluginSDK", dependencies: ["CZhichengPlugin", "ZhichengAdminProtocol", "ZhichengCore"], swiftSettings: swiftSettings),
        .target(name: "ExpertRecommendation", dependencies: ["ZhichengPluginSDK"], path: "Plugins/ExpertRecommendation", swiftSettings: swiftSettings),

        // MARK: Daemon composition root
        .systemLibrary(name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .target(
            name: "ZhichengDaemon",
            dependencies: [
                "ZhichengCore", "ZhichengStorage", "ZhichengApp", "ZhichengAdmin", "ZhichengHTTP", "CSystemd", "ZhichengPluginHost",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: daemonSwiftSettings
        ),
        .executableTarget(
            name: "zhichengd",
            dependencies: ["ZhichengDaemon", "ZhichengPluginHost", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        // libFuzzer targets for the parsers and validators of outside input (`make fuzz`);
        // the normal build replays a corpus through the same checks.
        .executableTarget(name: "ZhichengFuzz", dependencies: ["ZhichengCore", "ZhichengAdminProtocol"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "zhichengctl",
            dependencies: ["ZhichengAdminProtocol", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .testTarget(name: "ZhichengCoreTests", dependencies: ["ZhichengCore"], swiftSettings: swiftSettings),
        .testTarget(name: "ZhichengAppTests", dependencies: ["ZhichengApp", "ZhichengStorage", "ZhichengCore"], swiftSettings: swiftSettings),
        .testTarget(name: "ZhichengStorageTests", dependencies: ["ZhichengStorage", "ZhichengCore", "CSQLite"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ZhichengAdminTests",
            dependencies: [
                "ZhichengAdmin", "ZhichengAdminProtocol", "ZhichengApp", "ZhichengStorage", "ZhichengCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZhichengHTTPTests",
            dependencies: [
                "ZhichengHTTP",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExpertRecommendationTests",
            dependencies: ["ExpertRecommendation", "ZhichengPluginSDK", "CZhichengPlugin"],
            swiftSettings: swiftSettings
        ),
    ]
)
