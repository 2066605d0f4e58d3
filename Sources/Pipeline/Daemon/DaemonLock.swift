import CampaignCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `pipelined` per instance: an exclusive `flock` on
/// `var/NAME/pipelined.lock`, which also holds the daemon's pid. The kernel
/// drops the lock when the process dies, so a stale pid file never blocks a
/// restart, and "is it running?" is a try-lock, not a pid guess.
/// `auth rotate-key` takes the same lock to keep the daemon off while it
/// re-seals the secrets, and says so after its pid.
public final class DaemonLock: @unchecked Sendable {
    /// Why the lock is held.
    public enum Purpose: String, Sendable, Equatable {
        case daemon = "pipelined"
        case keyRotation = "auth rotate-key"
    }

    /// The live process holding the lock, and why.
    public struct Holder: Sendable, Equatable {
        public var pid: pid_t
        public var purpose: Purpose

        public init(pid: pid_t, purpose: Purpose) {
            self.pid = pid
            self.purpose = purpose
        }
    }

    public let layout: InstanceLayout
    public let pid: pid_t
    private let lock = NSLock()
    private var fd: Int32

    private init(layout: InstanceLayout, fd: Int32, pid: pid_t) {
        self.layout = layout
        self.fd = fd
        self.pid = pid
    }

    /// Takes the lock without waiting and writes this process's pid (and a
    /// purpose other than the daemon's) into the file. Another holder:
    /// `.temporary` (75) "pipelined is already running for instance X (pid
    /// N)", or that a key rotation holds it. Keep the value alive as long as
    /// the daemon runs.
    public static func acquire(_ layout: InstanceLayout, for purpose: Purpose = .daemon) throws -> DaemonLock {
        let path = layout.daemonLockFile.path
        try? FileManager.default.createDirectory(at: layout.varDirectory, withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw CampaignError(.cannotCreate, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        // A `holder` check elsewhere holds a shared lock for a few microseconds: retry briefly.
        var attempts = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let error = errno
            attempts += 1
            guard error == EWOULDBLOCK || error == EINTR, attempts < 5 else {
                let other = readHolder(fd)
                close(fd)
                if error == EWOULDBLOCK, let other, other.purpose == .keyRotation {
                    throw keyRotationHolds(layout, other.pid)
                }
                if error == EWOULDBLOCK {
                    throw CampaignError(.temporary,
                                        "pipelined is already running for instance \(layout.name)" + (other.map { " (pid \($0.pid))" } ?? ""),
                                        hint: "stop it first; to apply config changes to it, run: campaignctl config reload --instance \(layout.name)")
                }
                throw CampaignError(.cannotCreate, "cannot lock \(path): \(String(cString: strerror(error)))")
            }
            usleep(20_000)
        }
        let pid = getpid()
        let text = Array((purpose == .daemon ? "\(pid)\n" : "\(pid) \(purpose.rawValue)\n").utf8)
        guard ftruncate(fd, 0) == 0, pwrite(fd, text, text.count, 0) == text.count else {
            close(fd)
            throw CampaignError(.cannotCreate, "cannot write the pid into \(path): \(String(cString: strerror(errno)))")
        }
        fsync(fd)
        return DaemonLock(layout: layout, fd: fd, pid: pid)
    }

    /// Empties the pid file and releases the lock (also done on deinit and by the kernel at exit).
    public func release() {
        lock.withLock {
            guard fd >= 0 else { return }
            _ = ftruncate(fd, 0)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }

    /// `.temporary` (75): a key rotation holds the instance's lock.
    static func keyRotationHolds(_ layout: InstanceLayout, _ pid: pid_t) -> CampaignError {
        CampaignError(.temporary, "a key rotation (auth rotate-key, pid \(pid)) holds instance \(layout.name); pipelined is not running",
                      hint: "wait for the rotation to finish (it takes seconds), then try again")
    }

    /// The live process holding the lock, or nil when none does. Tested
    /// with a non-blocking shared try-lock, so a pid left in the file by a
    /// dead daemon reads as nil. Fails with `.temporary` (75) when the lock
    /// is held but no pid appears in the file within half a second.
    public static func holder(_ layout: InstanceLayout) throws -> Holder? {
        let fd = open(layout.daemonLockFile.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        // Locked: the holder writes its pid right after taking the lock.
        for _ in 0..<50 {
            if let holder = readHolder(fd) { return holder }
            usleep(10_000)
        }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        throw CampaignError(.temporary, "pipelined for instance \(layout.name) holds its lock but has not written its pid yet",
                            hint: "it is probably starting: try again in a moment")
    }

    /// A valid pid (> 1) from the start of the file, and the purpose after
    /// it (none: the daemon, as every daemon has written it).
    static func readHolder(_ fd: Int32) -> Holder? {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let words = text.split(separator: " ", maxSplits: 1)
        guard let first = words.first, let pid = pid_t(first), pid > 1 else { return nil }
        let purpose = words.count > 1 ? Purpose(rawValue: String(words[1])) : .daemon
        return purpose.map { Holder(pid: pid, purpose: $0) }
    }
}

/// `config reload`: tells the running daemon to re-read the XML config.
public enum ConfigReload {
    /// Sends SIGHUP to the process holding the instance's daemon lock and
    /// returns its pid. No holder: `.unavailable` (69) "no pipelined is
    /// running for instance X". Never signals anything but a positive pid
    /// that holds the lock.
    @discardableResult
    public static func request(_ layout: InstanceLayout) throws -> pid_t {
        guard let holder = try DaemonLock.holder(layout) else {
            throw CampaignError.unavailable("no pipelined is running for instance \(layout.name)",
                                            hint: "the configuration is read when pipelined starts; nothing to reload")
        }
        guard holder.purpose == .daemon else {
            throw CampaignError.unavailable("no pipelined is running for instance \(layout.name): a key rotation (pid \(holder.pid)) holds it",
                                            hint: "the configuration is read when pipelined starts; nothing to reload")
        }
        let pid = holder.pid
        if kill(pid, SIGHUP) != 0 {
            let error = errno
            if error == EPERM {
                throw CampaignError.notPermitted("not allowed to signal pipelined (pid \(pid)) of instance \(layout.name)",
                                                 hint: "run the command as the user that runs pipelined")
            }
            throw CampaignError.unavailable("no pipelined is running for instance \(layout.name) (pid \(pid) is gone)",
                                            hint: "the configuration is read when pipelined starts; nothing to reload")
        }
        return pid
    }
}
