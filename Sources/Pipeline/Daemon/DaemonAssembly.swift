import CampaignCore
import Foundation
import Logging
import Store

/// Builds the daemon's setup from the instance: the effective `<pipelined>`
/// settings, the credential bound by `auth use`, the routing option and the
/// published triggers, and the connectors. Anything that cannot work stops
/// start-up (or a reload) with one configuration error (exit 78).
public enum DaemonAssembly {
    public static let unsubscribeOption = "NmsTriggers_UnsubscribeUrl"

    public static func setup(layout: InstanceLayout, store: InstanceStore, logger: Logger) throws -> DaemonSetup {
        let config = try InstanceConfig.load(layout)
        var values: [String: String] = [:]
        for attribute in PipelinedSettings.attributes {
            if let value = config.pipelinedValue(attribute.name) { values[attribute.name] = value }
        }
        for attribute in PipelinedSettings.attributes {
            if let value = values[attribute.name], let problem = InstanceConfig.problem(with: value, for: attribute) {
                throw CampaignError.configuration("pipelined.\(attribute.name): \(problem)", hint: "campaignctl config validate lists every problem")
            }
        }
        let settings = DaemonSettings(values: values)

        guard let clientId = config.value(of: "authIMSTAClientId", at: ["serverconf", "ims"])?.value, !clientId.isEmpty else {
            throw CampaignError.configuration("no IMS credential is bound to instance \(layout.name)",
                                              hint: "campaignctl auth add NAME … then campaignctl auth use NAME")
        }
        guard let credential = try store.credentials().first(where: { $0.clientId == clientId }) else {
            throw CampaignError.configuration("the <ims> node names client id \(clientId), which no stored credential has",
                                              hint: "campaignctl auth list; then campaignctl auth use NAME")
        }
        switch values["authType"] ?? "" {
        case "":
            break
        case "imsJwtToken" where credential.type != .jwt:
            throw CampaignError.configuration("authType is imsJwtToken but credential '\(credential.name)' is OAuth",
                                              hint: "campaignctl auth use \(credential.name) sets the matching authType")
        case "imsOAuth" where credential.type != .oauth:
            throw CampaignError.configuration("authType is imsOAuth but credential '\(credential.name)' is a JWT service account",
                                              hint: "campaignctl auth use \(credential.name) sets the matching authType")
        case "imsJwtToken", "imsOAuth":
            break
        case let other:
            throw CampaignError.configuration("unknown authType '\(other)'", hint: "use imsJwtToken or imsOAuth")
        }

        let routingOption: PipelineRoutingConfig?
        do {
            routingOption = try store.routingConfig()
        } catch let error as CampaignError {
            throw CampaignError.configuration("option NmsPipeline_Config is invalid: \(error.message)",
                                              hint: "campaignctl option get NmsPipeline_Config; fix it with option set")
        }
        guard let routingOption, !routingOption.topics.isEmpty else {
            throw CampaignError.configuration("option NmsPipeline_Config is empty: no topic to listen to",
                                              hint: "publish a trigger event (campaignctl trigger publish ID) or set the option")
        }
        var publishedTriggers: [String: String] = [:]
        for trigger in try store.publishedTriggers().sorted(by: { $0.id < $1.id })
        where publishedTriggers[trigger.definition.analyticsTriggerId] == nil {
            publishedTriggers[trigger.definition.analyticsTriggerId] = trigger.id
        }
        let topics = routingOption.topics.map { topic in
            RoutedTopic(name: topic.name, consumer: topic.consumer,
                        triggerNames: Set(topic.triggers.map { $0.name.lowercased() }.filter { $0 != "*" }),
                        takesAll: topic.triggers.contains { $0.name == "*" })
        }

        let connectors = try Connectors.forInstance(layout: layout, store: store, keepingConnections: true)
        let unsubscribe = (try? store.option(name: unsubscribeOption).value) ?? TriggerProcessor.defaultUnsubscribeBaseURL
        let handler = TriggerProcessor(
            store: store, connectors: connectors,
            settings: .init(instance: layout.name, retryPeriod: TimeInterval(settings.retryPeriodSec),
                            retryValidity: TimeInterval(settings.retryValiditySec), unsubscribeBaseURL: unsubscribe),
            logger: logger)
        let orgId = config.value(of: "IMSOrgId", at: ["serverconf", "web", "redirection"])?.value
        return DaemonSetup(settings: settings, routing: RoutingTable(topics: topics, publishedTriggers: publishedTriggers),
                           tokens: IMSTokenProvider(store: store, credentialName: credential.name, logger: logger),
                           clientId: credential.clientId, orgId: (orgId?.isEmpty == false ? orgId : nil) ?? credential.orgId,
                           handler: handler, resumableTriggerIds: { handler.resumableTriggerIds() })
    }
}
