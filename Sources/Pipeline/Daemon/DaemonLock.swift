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
public final class DaemonLock: @unchecked Sendable {
    public let layout: InstanceLayout
    public let pid: pid_t
    private let lock = NSLock()
    private var fd: Int32

    private init(layout: InstanceLayout, fd: Int32, pid: pid_t) {
        self.layout = layout
        self.fd = fd
        self.pid = pid
    }

    /// Takes the lock without waiting and writes this process's pid into the
    /// file. Another holder: `.temporary` (75) "pipelined is already running
    /// for instance X (pid N)". Keep the value alive as long as the daemon runs.
    public static func acquire(_ layout: InstanceLayout) throws -> DaemonLock {
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
                let other = readPid(fd)
                close(fd)
                if error == EWOULDBLOCK {
                    throw CampaignError(.temporary,
                                        "pipelined is already running for instance \(layout.name)" + (other.map { " (pid \($0))" } ?? ""),
                                        hint: "stop it first; to apply config changes to it, run: campaignctl config reload --instance \(layout.name)")
                }
                throw CampaignError(.cannotCreate, "cannot lock \(path): \(String(cString: strerror(error)))")
            }
            usleep(20_000)
        }
        let pid = getpid()
        let text = Array("\(pid)\n".utf8)
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

    /// The pid of the live process holding the lock, or nil when none does.
    /// Tested with a non-blocking shared try-lock, so a pid left in the file
    /// by a dead daemon reads as nil. Fails with `.temporary` (75) when the
    /// lock is held but no pid appears in the file within half a second.
    public static func holder(_ layout: InstanceLayout) throws -> pid_t? {
        let fd = open(layout.daemonLockFile.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        // Locked: the holder writes its pid right after taking the lock.
        for _ in 0..<50 {
            if let pid = readPid(fd) { return pid }
            usleep(10_000)
        }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        throw CampaignError(.temporary, "pipelined for instance \(layout.name) holds its lock but has not written its pid yet",
                            hint: "it is probably starting: try again in a moment")
    }

    /// A valid pid (> 1) from the start of the file.
    static func readPid(_ fd: Int32) -> pid_t? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = pid_t(text), pid > 1 else { return nil }
        return pid
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
        guard let pid = try DaemonLock.holder(layout), pid > 1 else {
            throw CampaignError.unavailable("no pipelined is running for instance \(layout.name)",
                                            hint: "the configuration is read when pipelined starts; nothing to reload")
        }
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
