import Foundation

/// Polls `condition` until it holds or the deadline passes; returns whether it held.
public func eventually(timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(20),
                       _ condition: () throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try condition()
}

/// A stand-in daemon: a python3 process that takes an exclusive `flock` on a
/// lock file, writes its pid (and `purpose` after it, if given) into it, and
/// appends a line to a marker file on every SIGHUP.
public final class LockHolderProcess: @unchecked Sendable {
    public let process = Process()
    public let readyFile: URL
    public let markerFile: URL
    private let scratch = TemporaryDirectory("lock-holder")

    static let script = """
    import fcntl, os, signal, sys
    lock, ready, marker, purpose = sys.argv[1:5]
    # A child of a Swift test inherits the spawning thread's blocked signals: unblock them.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    def hup(signum, frame):
        with open(marker, 'a') as m:
            m.write('hup\\n')
    signal.signal(signal.SIGHUP, hup)
    f = open(lock, 'a+')
    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    f.seek(0)
    f.truncate()
    f.write(str(os.getpid()) + (' ' + purpose if purpose else '') + '\\n')
    f.flush()
    with open(ready + '.tmp', 'w') as r:
        r.write(str(os.getpid()))
    os.rename(ready + '.tmp', ready)
    while True:
        signal.pause()
    """

    public init(lockFile: URL, purpose: String = "") throws {
        readyFile = scratch.file("ready")
        markerFile = scratch.file("hangups")
        try FileManager.default.createDirectory(at: lockFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, lockFile.path, readyFile.path, markerFile.path, purpose]
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Waits until the child holds the lock; returns the pid it wrote.
    public func waitUntilReady(timeout: Duration = .seconds(20)) async throws -> pid_t {
        let ready = try await eventually(timeout: timeout) {
            FileManager.default.fileExists(atPath: readyFile.path) || !process.isRunning
        }
        guard ready, let text = try? String(contentsOf: readyFile, encoding: .utf8), let pid = pid_t(text) else {
            throw LockHolderError(message: "the lock holder did not start (running: \(process.isRunning))")
        }
        return pid
    }

    /// How many SIGHUPs the child has handled.
    public var hangups: Int {
        ((try? String(contentsOf: markerFile, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// Terminates the child (this one only) and waits for it to exit.
    public func stop() async throws {
        if process.isRunning { process.terminate() }
        if try await eventually(timeout: .seconds(5), { !process.isRunning }) { return }
        kill(process.processIdentifier, SIGKILL)
        _ = try await eventually { !process.isRunning }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

public struct LockHolderError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
