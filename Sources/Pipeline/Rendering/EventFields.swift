import CampaignCore
import Foundation

/// Maps an Analytics trigger payload to a trigger event's named fields.
public enum EventFields {
    /// The fields of `definition` taken from a raw pipeline envelope (the
    /// line as received). A dimension the payload lacks gives no value (the
    /// template renders it empty); `products` is always a list.
    public static func extract(from envelope: Data, definition: TriggerDefinition) throws -> [String: JSONValue] {
        try extract(from: envelope, definition: definition, filter: filter(for: definition))
    }

    /// The same, with `filter(for: definition)` made once by the caller for many envelopes.
    static func extract(from envelope: Data, definition: TriggerDefinition, filter: JSONMemberFilter) throws -> [String: JSONValue] {
        let root: JSONValue
        do {
            // Checked when it was stored (PipelineEnvelopeParser).
            root = try JSONValue.parse(checked: Array(envelope), keeping: filter)
        } catch {
            throw CampaignError.badInput("the stored envelope is not valid JSON: \(error)")
        }
        let trigger = root[PipelineEnvelopeParser.messageKey]?[PipelineEnvelopeParser.triggerKey] ?? .object([:])
        return extract(trigger: trigger, definition: definition)
    }

    static let triggerPath = [PipelineEnvelopeParser.messageKey, PipelineEnvelopeParser.triggerKey]

    /// The members of an envelope that `definition`'s fields read: the
    /// daemon builds those alone (the envelope was checked at ingest).
    static func filter(for definition: TriggerDefinition) -> JSONMemberFilter {
        var filter = JSONMemberFilter.members([:])
        for field in definition.fields {
            switch field.source {
            case "mcId", "triggerTimestamp":
                filter.include((triggerPath + [field.source])[...])
            case "products":
                filter.include((triggerPath + ["enrichments", "analyticsHitSummary", "products"])[...])
                filter.include((triggerPath + ["enrichments", "products"])[...])
            default:
                filter.include((triggerPath + ["enrichments", "analyticsHitSummary", "dimensions", field.source, "data"])[...])
            }
        }
        return filter
    }

    /// The fields taken from the `com.adobe.mcloud.protocol.trigger` object.
    public static func extract(trigger: JSONValue, definition: TriggerDefinition) -> [String: JSONValue] {
        let summary = trigger["enrichments"]?["analyticsHitSummary"]
        var fields: [String: JSONValue] = [:]
        for field in definition.fields {
            switch field.source {
            case "mcId", "triggerTimestamp":
                if let value = trigger[field.source] { fields[field.name] = value }
            case "products":
                fields[field.name] = .array(products(summary?["products"] ?? trigger["enrichments"]?["products"]))
            default:
                guard let data = summary?["dimensions"]?[field.source]?["data"] else { continue }
                let values = data.arrayValue ?? [data]
                switch field.pick {
                case .first: if let v = values.first { fields[field.name] = v }
                case .last: if let v = values.last { fields[field.name] = v }
                case .all: fields[field.name] = .array(values)
                }
            }
        }
        return fields
    }

    static func products(_ value: JSONValue?) -> [JSONValue] {
        switch value {
        case .array(let items)?: return items
        case .object(let object)? where object.isEmpty: return []
        // A wrapper such as {"items":[…]}: the list is its one value.
        case .object(let object)? where object.count == 1 && object.values.first?.arrayValue != nil:
            return object.values.first?.arrayValue ?? []
        case .object(let object)?:
            if object.values.allSatisfy({ $0.objectValue != nil }) {
                return object.keys.sorted().compactMap { object[$0] }
            }
            return [.object(object)]
        default: return []
        }
    }
}
