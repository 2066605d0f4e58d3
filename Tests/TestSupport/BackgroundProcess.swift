import Foundation
import Pipeline

/// A process left running while a test talks to it (the emulator, the
/// daemon): its output lines are collected as they come.
public final class BackgroundProcess: @unchecked Sendable {
    public let process = Process()
    private let lock = NSLock()
    private var outLines: [String] = []
    private var errText = ""
    private var partialOut = Data()

    public init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil) throws {
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock {
                self.partialOut.append(data)
                while let newline = self.partialOut.firstIndex(of: 0x0A) {
                    self.outLines.append(String(decoding: self.partialOut[self.partialOut.startIndex..<newline], as: UTF8.self))
                    self.partialOut.removeSubrange(self.partialOut.startIndex...newline)
                }
            }
        }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.errText += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    public var stdoutLines: [String] { lock.withLock { outLines } }
    public var stderr: String { lock.withLock { errText } }
    public var isRunning: Bool { process.isRunning }

    /// Waits (without blocking the concurrency pool) for a stdout line that satisfies `match`.
    public func line(within seconds: Double = 30, where match: (String) -> Bool) async -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let found = stdoutLines.first(where: match) { return found }
            if !process.isRunning { return stdoutLines.first(where: match) }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return nil
    }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to end and returns its exit status (or nil on timeout).
    public func exitStatus(within seconds: Double = 30) async -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// `count` free loopback ports, consecutive (a test binds them right after).
public func freeLocalPorts(_ count: Int) throws -> [Int] {
    for _ in 0..<500 {
        let base = Int.random(in: 20_000...(60_000 - count))
        if (base..<(base + count)).allSatisfy(LoopbackSocket.isFree) { return Array(base..<(base + count)) }
    }
    throw TestServerFailure("no \(count) consecutive free ports")
}
