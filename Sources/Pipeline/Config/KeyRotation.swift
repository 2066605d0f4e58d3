import CampaignCore
import Foundation
import Store
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `auth rotate-key`: re-seals every secret under a new instance key while
/// holding the daemon lock, so that no `pipelined` starts (or runs) with the
/// old key in memory.
public enum KeyRotation {
    public static func rotate(layout: InstanceLayout) throws -> KeyRotationResult {
        let lock: DaemonLock
        do {
            lock = try DaemonLock.acquire(layout, for: .keyRotation)
        } catch let error as CampaignError where error.status == .temporary {
            // Held: say by whom.
            if let holder = try? DaemonLock.holder(layout) { throw refusal(layout, holder) }
            throw daemonRunning(layout, pid: nil)
        }
        defer { lock.release() }
        // The lock file names this process for a while: a `config reload`
        // meant for a daemon must not stop the rotation half-way.
        let previous = signal(SIGHUP, SIG_IGN)
        defer { signal(SIGHUP, previous) }
        let store = try InstanceStore.open(layout: layout)
        return try store.rotateKey(layout: layout)
    }

    static func refusal(_ layout: InstanceLayout, _ holder: DaemonLock.Holder) -> CampaignError {
        guard holder.purpose == .daemon else {
            return CampaignError(.temporary, "another key rotation (pid \(holder.pid)) is under way for instance \(layout.name); the key was not rotated",
                                 hint: "wait for it to finish; rotate again afterwards only if you need another new key")
        }
        return daemonRunning(layout, pid: holder.pid)
    }

    static func daemonRunning(_ layout: InstanceLayout, pid: pid_t?) -> CampaignError {
        CampaignError(.temporary, "pipelined is running for instance \(layout.name)" + (pid.map { " (pid \($0))" } ?? "") + "; the key was not rotated",
                      hint: "stop pipelined first (it keeps the current key in memory), rotate, then start it again")
    }
}
