import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file so that readers see either the old or the new content,
/// never half of it: write a temporary file in the same folder, fsync it,
/// keep the previous file as `FILE.bak`, rename the temporary file over the
/// original, then fsync the folder.
public enum AtomicFile {
    /// Writes `data` to `url`. The new file keeps the mode of the file it
    /// replaces, or gets `mode` (0600) when there was none. With `keepBackup`
    /// the previous content stays in `url.bak` (replacing an older `.bak`).
    /// Fails with `.cannotCreate` (73) and leaves the original untouched.
    public static func write(_ data: Data, to url: URL, mode: mode_t = 0o600, keepBackup: Bool = true) throws {
        let target = url.resolvingSymlinksInPath()
        let directory = target.deletingLastPathComponent().path
        var info = stat()
        let exists = stat(target.path, &info) == 0
        let fileMode = exists ? info.st_mode & 0o7777 : mode

        var template = Array("\(directory)/.\(target.lastPathComponent).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure("cannot create a temporary file in \(directory)") }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            guard fchmod(fd, fileMode) == 0 else { throw failure("cannot set the mode of \(temporary)") }
            try data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw failure("cannot write \(temporary)")
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw failure("cannot flush \(temporary) to disk") }
        }
        if exists, keepBackup {
            let backup = target.path + ".bak"
            unlink(backup)
            if link(target.path, backup) != 0 {
                // No hard links here: copy instead.
                do {
                    let old = try Data(contentsOf: target)
                    guard FileManager.default.createFile(atPath: backup, contents: old, attributes: [.posixPermissions: Int(fileMode)]) else {
                        throw failure("cannot write \(backup)")
                    }
                } catch let error as CampaignError {
                    throw error
                } catch {
                    throw failure("cannot keep the previous version as \(backup)")
                }
            }
        }
        guard rename(temporary, target.path) == 0 else { throw failure("cannot replace \(target.path)") }
        renamed = true
        let dirFD = open(directory, O_RDONLY)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    /// Runs `body` while holding an exclusive lock tied to `url` (a hidden
    /// `.NAME.lock` file next to it), so that concurrent read-modify-write
    /// cycles on the same file do not lose each other's changes. Waits for
    /// the lock; the kernel drops it if the process dies.
    public static func withExclusiveLock<T>(for url: URL, _ body: () throws -> T) throws -> T {
        let target = url.resolvingSymlinksInPath()
        let lockPath = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).lock").path
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot open the lock file \(lockPath)") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw failure("cannot lock \(lockPath)") }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    private static func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, buffer, count)
        #else
        Darwin.write(fd, buffer, count)
        #endif
    }

    private static func failure(_ message: String) -> CampaignError {
        let reason = String(cString: strerror(errno))
        return CampaignError(.cannotCreate, "\(message): \(reason)", hint: "check the permissions and free space of the folder")
    }
}
