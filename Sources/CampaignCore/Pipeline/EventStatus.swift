/// What became of a stored trigger event. The names are Adobe's
/// transactional-event statuses (transactional.md A8).
public enum EventStatus: String, Sendable, Codable, CaseIterable {
    /// Stored, waiting for processing (or for its next retry).
    case pending
    /// A worker is rendering or sending it.
    case processing
    /// Its template is paused; it is processed on resume unless it expires first.
    case paused
    /// Sent.
    case processed
    /// Excluded on purpose, e.g. a denylisted address.
    case ignored
    /// The message could not be delivered, permanently or after every retry.
    case deliveryFailed
    /// No published trigger or template takes it.
    case routingFailed
    /// It expired (past the trigger's validity) before it could be sent.
    case tooOld
    /// No single profile matches its alias, or it carries no address.
    case targetingFailed

    /// Statuses nothing will change any more.
    public var isFinal: Bool {
        switch self {
        case .pending, .processing, .paused: false
        default: true
        }
    }
}
