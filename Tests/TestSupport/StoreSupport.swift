import CampaignCore
import Foundation
import Store

/// A fresh instance (layout, store, key) in a scratch folder that lives as
/// long as this value.
public final class StoreFixture: @unchecked Sendable {
    public let directory = TemporaryDirectory("campaignctl-store")
    public let layout: InstanceLayout
    public let store: InstanceStore

    public init(name: String = "test") throws {
        layout = InstanceLayout(home: directory.url, name: name)
        store = try InstanceStore.create(layout: layout)
    }
}
