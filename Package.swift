// swift-tools-version:6.0
import PackageDescription

// Layers (DESIGN.md §2): each C library sits behind exactly one Swift module.
//   HTTPServer → CSystemShims, CNGHTTP2, COpenSSL      (knows Request/Response/Responder only)
//   Locking    → nothing (the shared pthread lock)
//   RewardAPI  → CBase64 (AVX2 base64), HTTPServer, RewardService; TextEncoder → CTextKernels
//   reward     → everything, wires it together
let package = Package(
    name: "reward",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "reward", targets: ["reward"]),
        .library(name: "HTTPServer", targets: ["HTTPServer"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "RewardModel", targets: ["RewardModel"]),
        .library(name: "TextEncoder", targets: ["TextEncoder"]),
        .library(name: "PreferenceStore", targets: ["PreferenceStore"]),
        .library(name: "RewardTraining", targets: ["RewardTraining"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // Metrics API (modules emit through it) and its Prometheus backend (the executable renders /metrics);
        // neither pulls in NIO (swift-prometheus 2.x depends on swift-metrics and swift-atomics only).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: C libraries (system) and the Glibc shim
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(
            name: "CSystemShims",
            cSettings: [.define("_GNU_SOURCE")]
        ),

        // The one lock type (pthread-based, so ThreadSanitizer sees it), shared by every layer.
        .target(name: "Locking"),

        // MARK: HTTP transport
        .target(
            name: "HTTPServer",
            dependencies: [
                "Locking",
                "CSystemShims",
                "CNGHTTP2",
                "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test support shared by the test targets: blocking work off the cooperative pool, child processes.
        .target(name: "TestSupport", dependencies: ["Locking"], path: "Tests/TestSupport"),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: [
                "HTTPServer", "Locking", "TestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),

        // MARK: domain (no HTTP, no SQL)
        .target(
            name: "RewardService",
            dependencies: ["Locking", "RewardModel", "Tensors", "PreferenceStore", "TextEncoder", .product(name: "Metrics", package: "swift-metrics")]
        ),
        .testTarget(name: "RewardServiceTests", dependencies: ["Locking", "RewardService", "RewardModel", "Tensors", "PreferenceStore"]),

        // MARK: REST API (routes, DTOs, validation, error → status)
        // AVX2 base64 decoding of `features_b64` with run-time dispatch; imported by RewardAPI only.
        .target(name: "CBase64"),
        .target(
            name: "RewardAPI",
            dependencies: ["CBase64", "Locking", "HTTPServer", "RewardService", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Metrics", package: "swift-metrics")],
            // The contract is served at /openapi.yaml; the resource is a symlink to the top-level file,
            // compiled into the binary so there is one copy and nothing to keep in sync.
            resources: [.embedInCode("Resources/openapi.yaml")]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["Locking", "RewardAPI", "RewardService", "RewardModel", "Tensors", "PreferenceStore", "HTTPServer", "TextEncoder",
                           "TestSupport", .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Fixtures")]  // recorded Label Studio and Argilla payloads
        ),
        .testTarget(
            name: "RewardAPITests",
            dependencies: ["CBase64", "Locking", "RewardAPI", "RewardService", "RewardModel", "Tensors", "PreferenceStore", "HTTPServer", "TestSupport",
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "InMemoryLogging", package: "swift-log")]
        ),

        // MARK: math: Tensors is the only importer of COpenBLAS; RewardModel is pure and synchronous
        .target(name: "Tensors", dependencies: ["COpenBLAS"]),
        .target(name: "RewardModel", dependencies: ["Tensors"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        // RewardTraining: datasets, synthetic generators, BLAS trainer with analytic gradients, evaluation
        .target(name: "RewardTraining", dependencies: ["RewardModel", "Tensors"]),
        .testTarget(name: "RewardTrainingTests", dependencies: ["RewardTraining", "RewardModel", "Tensors", "TestSupport"]),
        // TextEncoder: WordPiece tokenizer + BERT forward (all-MiniLM-L6-v2) on Tensors
        // AVX2 element-wise kernels (exp, GELU) with run-time dispatch; imported by TextEncoder only.
        .target(name: "CTextKernels"),
        .target(name: "TextEncoder", dependencies: ["Tensors", "CTextKernels"]),
        .testTarget(
            name: "TextEncoderTests",
            dependencies: ["TextEncoder", "Tensors", "RewardModel", "CTextKernels", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "RewardModelTests",
            dependencies: ["RewardModel", "Tensors", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        // MARK: storage (the only importer of CLibPQ)
        .target(
            name: "PreferenceStore",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .testTarget(name: "PreferenceStoreTests", dependencies: ["PreferenceStore", "TestSupport"]),

        // Event-loop ↔ task hop benchmark, run by `make bench`.
        .executableTarget(name: "http-bench", dependencies: ["HTTPServer"], path: "Sources/HTTPBench"),

        // MARK: executable
        .executableTarget(
            name: "reward",
            dependencies: [
                "Locking",
                "HTTPServer",
                "RewardAPI",
                "RewardService",
                "RewardModel",
                "RewardTraining",
                "Tensors",
                "PreferenceStore",
                "TextEncoder",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // jemalloc instead of glibc's malloc: a request's objects are allocated on an event loop and
            // freed on the task pool (and the reverse for responses), which glibc serves through arena
            // locks. 5–10 % less server CPU per small h2c request (BENCHMARKS.md, "Allocator"). Release
            // builds only: sanitizer builds (debug) need the allocator they intercept.
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux], configuration: .release))]
        ),
        // The executable's own logic (configuration sources, log format), tested in process.
        .testTarget(
            name: "RewardCommandTests",
            dependencies: ["Locking", "reward", "RewardService", "RewardAPI", "PreferenceStore",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
