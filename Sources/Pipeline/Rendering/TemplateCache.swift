import CampaignCore
import Foundation

/// Compiled published versions, keyed by trigger and version, so that the
/// daemon compiles each version once however many events it renders.
public final class TemplateCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: CompiledTemplate] = [:]

    public init() {}

    /// The compiled published version of `trigger` (compiled on first use).
    /// Throws the check errors if the version cannot be compiled against
    /// the published definition.
    public func compiled(_ trigger: PublishedTrigger) throws -> CompiledTemplate {
        let key = "\(trigger.id)#\(trigger.version.version)"
        if let hit = lock.withLock({ entries[key] }), hit.definition == trigger.definition { return hit }
        let compiled = try CompiledTemplate(published: trigger)
        lock.withLock { entries[key] = compiled }
        return compiled
    }

    /// Drops every entry (e.g. after a publish).
    public func removeAll() {
        lock.withLock { entries.removeAll() }
    }
}
