import Foundation

/// Exit status categories, after BSD `sysexits.h`, shared by every command.
/// The table is printed in `campaignctl --help` and the man page.
public enum ExitStatus: Int32, Sendable, CaseIterable, Codable {
    case success = 0
    /// Unexpected failure, or the thing asked for does not exist.
    case failure = 1
    /// The command line is wrong (argument-parser also uses 64).
    case usage = 64
    /// Input data is bad: a file, a template, JSON, XML, CSV.
    case dataError = 65
    /// Something named does not exist (instance, credential, trigger…).
    case notFound = 66
    /// An upstream service (IMS, pipeline, SMTP, SMPP) refused or is unreachable.
    case unavailable = 69
    /// A local file could not be created or written.
    case cannotCreate = 73
    /// Temporary: the store is busy, a daemon already runs; try again.
    case temporary = 75
    /// The action is not allowed in the object's current state.
    case notPermitted = 77
    /// The configuration cannot work.
    case configuration = 78

    public var meaning: String {
        switch self {
        case .success: "success (an empty result is a success too)"
        case .failure: "unexpected failure"
        case .usage: "usage: unknown flag, missing or conflicting arguments"
        case .dataError: "bad input data: a file, template, JSON, XML or CSV that cannot be used"
        case .notFound: "not found: no such instance, credential, trigger, template or event"
        case .unavailable: "upstream unavailable or refusing: IMS, pipeline, SMTP or SMPP"
        case .cannotCreate: "a local file could not be written"
        case .temporary: "temporary failure: store busy or daemon already running; try again"
        case .notPermitted: "not allowed in the current state (for example deleting a published trigger)"
        case .configuration: "configuration invalid or incomplete"
        }
    }
}

/// The one error type that reaches the user. `message` says what is wrong and
/// where; `hint` says what to do next (often the command to run).
public struct CampaignError: Error, Sendable, CustomStringConvertible, Equatable {
    public var status: ExitStatus
    public var message: String
    public var hint: String?

    public init(_ status: ExitStatus, _ message: String, hint: String? = nil) {
        self.status = status
        self.message = message
        self.hint = hint
    }

    public var description: String {
        hint.map { "\(message) (hint: \($0))" } ?? message
    }

    public static func badInput(_ message: String, hint: String? = nil) -> CampaignError {
        CampaignError(.dataError, message, hint: hint)
    }

    public static func notFound(_ message: String, hint: String? = nil) -> CampaignError {
        CampaignError(.notFound, message, hint: hint)
    }

    public static func configuration(_ message: String, hint: String? = nil) -> CampaignError {
        CampaignError(.configuration, message, hint: hint)
    }

    public static func notPermitted(_ message: String, hint: String? = nil) -> CampaignError {
        CampaignError(.notPermitted, message, hint: hint)
    }

    public static func unavailable(_ message: String, hint: String? = nil) -> CampaignError {
        CampaignError(.unavailable, message, hint: hint)
    }
}
