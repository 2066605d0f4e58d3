import Foundation

/// One line of a pipeline topic stream (pipeline-protocol.md §3), reduced to
/// what routing and storage need. The raw line is kept so that nothing the
/// producer sent is lost.
public struct PipelineEnvelope: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case data
        case ping
        case unknown(String)
    }

    public var kind: Kind
    public var topic: String?
    public var partition: Int
    public var offset: Int64
    /// Epoch milliseconds when the pipeline accepted the message.
    public var createTime: Int64?
    /// `header.messageId`, the producer's unique id.
    public var messageId: String?
    /// `header.sentTime` (epoch milliseconds), when the producer sent it:
    /// a resend of a message carries the same messageId and sentTime.
    public var sentTime: Int64?
    /// `com.adobe.mcloud.protocol.trigger.triggerId`: the Analytics TriggerType UID.
    public var analyticsTriggerId: String?
    /// The raw line, exactly as received.
    public var raw: Data

    public init(kind: Kind, topic: String?, partition: Int, offset: Int64, createTime: Int64?,
                messageId: String?, sentTime: Int64? = nil, analyticsTriggerId: String?, raw: Data) {
        self.kind = kind
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.createTime = createTime
        self.messageId = messageId
        self.sentTime = sentTime
        self.analyticsTriggerId = analyticsTriggerId
        self.raw = raw
    }
}

/// Why a stream line could not be used. The daemon counts these, logs them
/// with their position, and goes on (pipeline-protocol.md §4).
public struct EnvelopeFault: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

public enum PipelineEnvelopeParser {
    /// Lines longer than this are refused unread: a trigger is a few KB, and
    /// a runaway producer must not make the daemon allocate without bound.
    public static let maximumLineBytes = 1 << 20
    public static let messageKey = "com.adobe.mcloud.pipeline.pipelineMessage"
    public static let triggerKey = "com.adobe.mcloud.protocol.trigger"

    /// Parses one line (without its newline). A PING has no partition; it is
    /// returned with partition -1 and offset -1.
    ///
    /// The JSON is read with the same strict parser (`JSONValue.parse`) that
    /// later extracts the trigger's fields from the stored line, so a line
    /// stored here can always be processed: duplicate member names (which
    /// would let routing and rendering read different values), trailing
    /// commas, a byte order mark and invalid UTF-8 are refused here, with
    /// the column of the fault.
    public static func parse(_ line: Data) throws(EnvelopeFault) -> PipelineEnvelope {
        guard !line.isEmpty else { throw EnvelopeFault("empty line") }
        guard line.count <= maximumLineBytes else {
            throw EnvelopeFault("line of \(line.count) bytes exceeds the \(maximumLineBytes)-byte limit")
        }
        let read: Result<JSONMembers, EnvelopeFault> = line.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            // Most envelopes are ASCII, which is valid UTF-8: checked a word
            // at a time, without making a String to validate them.
            guard isASCII(bytes) || String(validating: bytes, as: UTF8.self) != nil else {
                return .failure(EnvelopeFault("not valid JSON: the line is not valid UTF-8"))
            }
            do throws(JSONSyntaxError) { return .success(try JSONValue.members(of: bytes, at: envelopeMembers)) } catch {
                return .failure(EnvelopeFault("not valid JSON: column \(error.column): \(error.reason)"))
            }
        }
        let members = try read.get()
        guard members.isObject else { throw EnvelopeFault("not a JSON object") }
        guard let type = members[Member.envelopeType]?.stringValue else { throw EnvelopeFault("no envelopeType") }
        let createTime = integer(members[Member.createTime])
        let topic = members[Member.topic]?.stringValue
        switch type {
        case "PING":
            return PipelineEnvelope(kind: .ping, topic: topic, partition: -1, offset: -1,
                                    createTime: createTime, messageId: nil, analyticsTriggerId: nil, raw: line)
        case "DATA":
            guard let partition = integer(members[Member.partition]), partition >= 0, partition <= Int64(Int32.max) else {
                throw EnvelopeFault("DATA envelope without a valid partition")
            }
            guard let offset = integer(members[Member.offset]), offset >= 0 else {
                throw EnvelopeFault("DATA envelope without a valid offset")
            }
            return PipelineEnvelope(kind: .data, topic: topic, partition: Int(partition), offset: offset,
                                    createTime: createTime, messageId: members[Member.messageId]?.stringValue,
                                    sentTime: integer(members[Member.sentTime]),
                                    analyticsTriggerId: members[Member.triggerId]?.stringValue, raw: line)
        default:
            return PipelineEnvelope(kind: .unknown(type), topic: topic,
                                    partition: integer(members[Member.partition]).map { Int(clamping: $0) } ?? -1,
                                    offset: integer(members[Member.offset]) ?? -1, createTime: createTime,
                                    messageId: nil, analyticsTriggerId: nil, raw: line)
        }
    }

    /// What routing and storage read of an envelope, in the order of
    /// `envelopeMembers`; the rest (the trigger's data) is checked as
    /// strictly but not built: building it was most of ingest's time.
    enum Member {
        static let envelopeType = 0, createTime = 1, topic = 2, partition = 3, offset = 4
        static let messageId = 5, sentTime = 6, triggerId = 7
    }

    static let envelopeMembers = JSONMemberPaths([
        ["envelopeType"], ["createTime"], ["topic"], ["partition"], ["offset"],
        [messageKey, "header", "messageId"], [messageKey, "header", "sentTime"], [messageKey, triggerKey, "triggerId"],
    ])

    /// Whether every byte is below 0x80, eight at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var high: UInt64 = 0
        var index = 0
        while index + 8 <= bytes.count {
            high |= UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// A JSON number that is a whole number small enough to be exact in a
    /// Double (a Bool, a string or a fraction is not an integer).
    static func integer(_ value: JSONValue?) -> Int64? {
        guard case .number(let double)? = value else { return nil }
        guard double.isFinite, double == double.rounded(), abs(double) < 9.0e15 else { return nil }
        return Int64(double)
    }
}
