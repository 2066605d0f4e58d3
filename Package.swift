// swift-tools-version:6.1
import Foundation
import PackageDescription

let package = Package(
    name: "campaignctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "campaignctl", targets: ["campaignctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // libcurl, for SMTP delivery. `curl_easy_setopt` is variadic, so the
        // header carries typed inline wrappers Swift can call.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Process-wide SQLite settings, in C: `sqlite3_config` is variadic.
        .target(
            name: "CSQLiteSettings",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        // Domain model, errors, instance layout and the instance XML config.
        // Foundation only, so every other module can lean on it.
        .target(
            name: "CampaignCore",
            dependencies: []
        ),
        // The only module that speaks SQL.
        .target(
            name: "Store",
            dependencies: [
                "CampaignCore",
                "CSQLiteSettings",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the daemon's reads per batch (RawStatement).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The moving parts: IMS, pipeline transport, routing, rendering,
        // delivery, the daemon and the local emulator.
        .target(
            name: "Pipeline",
            dependencies: [
                "CampaignCore",
                "Store",
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .executableTarget(
            name: "campaignctl",
            dependencies: [
                "CampaignCore",
                "Store",
                "Pipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["CampaignCore", "Store", "Pipeline"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "CoreTests", dependencies: ["CampaignCore", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets (scripts/fuzz), only when CAMPAIGNCTL_FUZZ=1: the normal
// build neither sees nor compiles them. The code under test gets libFuzzer's
// coverage instrumentation and AddressSanitizer. SwiftPM makes each
// executable's entry function its main, so libFuzzer's own main cannot be
// used: the fuzzers' @main calls LLVMFuzzerRunDriver from the runtime
// without a main (CAMPAIGNCTL_FUZZ_RUNTIME, set by scripts/fuzz).
let environment = ProcessInfo.processInfo.environment
if environment["CAMPAIGNCTL_FUZZ"] == "1" {
    let sanitizers = ["-sanitize=fuzzer,address"]
    let runtime = environment["CAMPAIGNCTL_FUZZ_RUNTIME"]
        ?? "/opt/swift/usr/lib/swift/clang/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a"
    let link = ["-sanitize=address", "-Xlinker", runtime, "-lstdc++"]
    for target in package.targets where ["CampaignCore", "Pipeline"].contains(target.name) {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(sanitizers)]
    }
    package.targets += [
        .target(name: "FuzzerDriver", path: "Fuzz/FuzzerDriver"),
        .executableTarget(
            name: "EnvelopeFuzzer",
            dependencies: ["CampaignCore", "FuzzerDriver"],
            path: "Fuzz/EnvelopeFuzzer",
            swiftSettings: [.unsafeFlags(sanitizers)],
            linkerSettings: [.unsafeFlags(link)]
        ),
        .executableTarget(
            name: "RendererFuzzer",
            dependencies: ["CampaignCore", "Pipeline", "FuzzerDriver"],
            path: "Fuzz/RendererFuzzer",
            swiftSettings: [.unsafeFlags(sanitizers)],
            linkerSettings: [.unsafeFlags(link)]
        ),
    ]
}
