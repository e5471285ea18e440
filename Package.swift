// swift-tools-version:6.1
import PackageDescription

// Linker flags for the shipped C library: SONAME, a version script that exports only kie_*,
// section GC, and no unloading.
// The release build adds -static-stdlib (see Makefile) so the .so needs no Swift toolchain.
let abiLinkerFlags: [LinkerSetting] = [
    .unsafeFlags([
        "-Xlinker", "-soname=libkieimage.so.1",
        "-Xlinker", "--version-script=abi/kieimage.map",
        "-Xlinker", "--gc-sections",
        // Never unmapped by dlclose: library threads (event loops, dispatch) may still be running
        // when a host (LuaJIT, Python at exit) closes it; unmapping their code would crash them.
        "-Xlinker", "-z", "-Xlinker", "nodelete",
    ])
]

let package = Package(
    name: "kieimage",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "kieimage", type: .dynamic, targets: ["KieImageABI"]),
        .library(name: "KieImage", targets: ["KieImage"]),
        .library(name: "KieSimulator", targets: ["KieSimulator"]),
        .executable(name: "kie-sim", targets: ["kie-sim"]),
        .executable(name: "kie-image", targets: ["kie-image"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        // AsyncHTTPClient's own dependency; the simulator's PNG encoder uses its zlib (CNIOExtrasZlib).
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.26.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        // Hummingbird's own dependency; the simulator stops its listeners through it.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
    ],
    targets: [
        // C types only (handles, status enum, callback typedefs); functions come from Swift @c.
        .target(name: "CKieImage"),
        // The ledger's engines (docs/ledger.md): the system's C libraries, linked dynamically, so
        // neither adds its code to libkieimage.so.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // Headers only: libpq is loaded with dlopen by the first postgresql:// ledger (no -lpq).
        .systemLibrary(name: "CLibPQ", providers: [.apt(["libpq-dev"])]),
        .target(
            name: "KieImage",
            dependencies: [
                "CKieImage", "CSQLite", "CLibPQ",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "KieImageABI",
            dependencies: [
                "CKieImage", "KieImage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            linkerSettings: abiLinkerFlags
        ),
        .target(
            name: "KieSimulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                // CNIOExtrasZlib (Zlib.swift) is a target, not a product, of swift-nio-extras: the
                // product built on it is declared so the import has a declared source.
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            ]
        ),
        .executableTarget(
            name: "kie-sim",
            dependencies: [
                "KieSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "kie-image",
            dependencies: [
                "KieImage", "KieSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // serve-callbacks' HTTP receiver (docs/webhooks.md).
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "kie-bench",
            dependencies: ["KieImage", "KieSimulator", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Benchmarks/Sources/kie-bench"
        ),
        .testTarget(
            name: "KieImageTests",
            dependencies: [
                "KieImage", "KieSimulator",
                // A server that misbehaves below HTTP (EarlyAnswerServer.swift).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "KieSimulatorTests",
            dependencies: [
                "KieSimulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
