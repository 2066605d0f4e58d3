import Foundation

/// A scratch folder removed when the value goes away.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    public init(_ label: String = "campaignctl") {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public var path: String { url.path }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `text` to `name` inside the folder and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: target)
        return target.path
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The result of running a process to completion.
public struct ProcessResult: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }

    /// Parses stdout as a JSON object (fails the caller's expectation by throwing).
    public func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt)
        }
        return object
    }
}

/// Runs an executable with arguments, optional stdin, and environment
/// additions; waits for it and captures both streams.
public func runProcess(_ executable: URL, _ arguments: [String], stdin: String? = nil,
                       environment: [String: String] = [:], currentDirectory: URL? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes concurrently so that neither fills up and blocks the child.
    let errBox = DataBox()
    let done = DispatchSemaphore(value: 0)
    let errHandle = err.fileHandleForReading
    Thread.detachNewThread {
        errBox.data = errHandle.readDataToEndOfFile()
        done.signal()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    let errData = errBox.data
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

private final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// The built `campaignctl` binary, next to the test bundle (or
/// `$CAMPAIGNCTL_BIN`).
public let campaignctlBinary: URL = {
    if let explicit = ProcessInfo.processInfo.environment["CAMPAIGNCTL_BIN"] {
        return URL(fileURLWithPath: explicit)
    }
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("campaignctl")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("campaignctl")
}()

/// A campaignctl home in a scratch folder, with helpers to run the binary
/// against it.
public final class CLIHome: @unchecked Sendable {
    public let directory = TemporaryDirectory("campaignctl-home")
    public var home: String { directory.path }

    public init() {}

    /// Runs `campaignctl ARGS` with this home and no inherited instance.
    /// The child is awaited on a thread of its own: a test blocking one of
    /// the two cooperative threads would starve every other test, and the
    /// loopback servers (FlyingFox) the child may be talking to.
    public func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> ProcessResult {
        var env = ["CAMPAIGNCTL_HOME": home, "CAMPAIGNCTL_INSTANCE": ""]
        for (k, v) in environment { env[k] = v }
        let directory = directory.url, environment = env
        return try await offPool {
            try runProcess(campaignctlBinary, arguments, stdin: stdin, environment: environment, currentDirectory: directory)
        }
    }

    public func run(_ arguments: String..., stdin: String? = nil) async throws -> ProcessResult {
        try await run(arguments, stdin: stdin)
    }

    /// Creates an instance and returns its name.
    @discardableResult
    public func initInstance(_ name: String = "test") async throws -> String {
        let result = try await run(["instance", "init", name])
        guard result.status == 0 else { throw CLIFailure(result: result) }
        return name
    }

    public func file(_ relative: String) -> URL { directory.url.appendingPathComponent(relative) }

    public func read(_ relative: String) throws -> String { try String(contentsOf: file(relative), encoding: .utf8) }
}

public struct CLIFailure: Error, CustomStringConvertible {
    public var result: ProcessResult
    public var description: String { "campaignctl failed: \(result)" }
}
