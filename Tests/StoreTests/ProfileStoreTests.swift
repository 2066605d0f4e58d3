import CampaignCore
import Foundation
import Store
import Testing
import TestSupport

@Suite struct ProfileStoreTests {
    func input(_ line: Int, _ values: [ProfileField: String?], _ attributes: [String: AttributeValue] = [:]) -> ProfileInput {
        ProfileInput(line: line, values: values, attributes: attributes)
    }

    /// Imports `inputs` and returns the counts and the rejected lines.
    @discardableResult
    func load(_ store: InstanceStore, _ inputs: [ProfileInput], key: ProfileAlias = .email,
              commit: ProfileImportCommit = .atomic) throws -> (ProfileImportCounts, [Int]) {
        var iterator = inputs.makeIterator()
        var rejected: [Int] = []
        let counts = try store.importProfiles(keyedBy: key, commit: commit, next: { iterator.next() },
                                              reject: { input, _ in rejected.append(input.line) })
        return (counts, rejected)
    }

    @Test func upsertByKeyUpdatesOnlyTheCarriedFieldsAndMergesAttributes() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        let (first, _) = try load(store, [
            input(2, [.email: "ada@x.io", .firstName: "Ada", .lastName: "Lovelace"], ["tier": .string("gold"), "city": .string("London")]),
            input(3, [.email: "bob@x.io", .firstName: "Bob"]),
        ])
        #expect(first == ProfileImportCounts(inserted: 2, updated: 0))

        let (second, _) = try load(store, [
            input(2, [.email: "ada@x.io", .firstName: "Augusta", .phone: String?.none], ["tier": .string("platinum"), "city": .null]),
            input(3, [.email: "cy@x.io"]),
        ], commit: .every(1))
        #expect(second == ProfileImportCounts(inserted: 1, updated: 1))

        let page = try store.listProfiles(limit: 10)
        #expect(page.total == 3)
        let ada = try store.profile(identifiedBy: "ada@x.io")
        #expect(ada.firstName == "Augusta")
        #expect(ada.lastName == "Lovelace")
        #expect(ada.attributes == ["tier": .string("platinum")])
        #expect(ada.id == page.profiles[0].id)
    }

    @Test func lookupReturnsAtMostTheLimitSoAmbiguityShows() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        // Imported by customerId, two profiles end up sharing one mcId and one email.
        try load(store, [
            input(2, [.customerId: "C1", .email: "same@x.io", .mcId: "MC-1"]),
            input(3, [.customerId: "C2", .email: "same@x.io", .mcId: "MC-1", .visitorId: "V2"]),
            input(4, [.customerId: "C3", .email: "solo@x.io", .phone: "+4912345678", .firstName: "Solo", .locale: "fr-FR"],
                  ["tier": .string("gold"), "visits": .integer(3)]),
            input(5, [.customerId: "C4", .email: "same@x.io"]),
        ], key: .customerId)

        func matching(_ alias: ProfileAlias, _ value: String, limit: Int = 2) throws -> [Profile] {
            let lookup = ProfileLookup(alias: alias, value: value)
            return try store.reconcile([lookup], addresses: [], limit: limit).profiles[lookup] ?? []
        }
        #expect(try matching(.mcId, "MC-1").map(\.customerId) == ["C1", "C2"])
        #expect(try matching(.email, "SAME@x.io").count == 2)
        #expect(try matching(.email, "same@x.io", limit: 10).count == 3)
        #expect(try matching(.visitorId, "V2").map(\.customerId) == ["C2"])
        #expect(try matching(.phone, "+49 1234-5678").map(\.customerId) == ["C3"])
        #expect(try matching(.customerId, "nobody").isEmpty)
        // The daemon's read (SQLite's C API, columns by position) gives the profile every other read gives.
        let solo = try #require(try matching(.customerId, "C3").first)
        #expect(solo == (try store.profile(identifiedBy: "C3", alias: .customerId)))
        #expect(solo.attributes == ["tier": .string("gold"), "visits": .integer(3)] && solo.firstName == "Solo" && solo.mcId == nil)
        // Keys written differently that mean the same value each get the answer.
        let spellings = [ProfileLookup(alias: .email, value: "SOLO@x.io"), ProfileLookup(alias: .email, value: " solo@x.io "),
                         ProfileLookup(alias: .email, value: "not an email"), ProfileLookup(alias: .customerId, value: "C3")]
        let answers = try store.reconcile(Set(spellings), addresses: [])
        #expect(answers.profiles[spellings[0]]?.map(\.customerId) == ["C3"])
        #expect(answers.profiles[spellings[1]]?.map(\.customerId) == ["C3"])
        #expect(answers.profiles[spellings[2]] == [])
        #expect(answers.profiles[spellings[3]]?.map(\.customerId) == ["C3"])
        // One read answers for several keys, and checks the denylist for the profiles found.
        try store.addToDenylist("solo@x.io", reason: nil)
        let both = try store.reconcile([ProfileLookup(alias: .mcId, value: "MC-1"), ProfileLookup(alias: .phone, value: "+4912345678")],
                                       addresses: ["other@x.io"])
        #expect(both.profiles.count == 2)
        #expect(both.isDenylisted("SOLO@x.io") && !both.isDenylisted("same@x.io") && !both.isDenylisted("other@x.io"))
        // The profile's address as stored (the daemon's question) is answered from the read itself.
        #expect(both.isDenylisted("solo@x.io") && !both.isDenylisted("not an address"))

        // Upserting by a key several profiles share is refused for that row only.
        let (counts, rejected) = try load(store, [input(9, [.email: "same@x.io", .firstName: "X"]), input(10, [.email: "solo@x.io", .firstName: "S"])],
                                          commit: .every(5000))
        #expect(counts == ProfileImportCounts(inserted: 0, updated: 1))
        #expect(rejected == [9])

        #expect(throws: CampaignError.self) { try store.profile(identifiedBy: "same@x.io") }
        #expect(try store.profile(identifiedBy: "C3").email == "solo@x.io")
    }

    @Test func anAtomicImportThatThrowsLeavesTheStoreUnchanged() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        try load(store, [input(2, [.email: "keep@x.io", .firstName: "Keep"])])
        var served = 0
        #expect(throws: CampaignError.self) {
            _ = try store.importProfiles(keyedBy: .email, commit: .atomic, next: {
                served += 1
                if served > 3 { throw CampaignError.badInput("bad row") }
                return ProfileInput(line: served + 1, values: [.email: "n\(served)@x.io", .firstName: "New"])
            }, reject: { _, _ in })
        }
        let page = try store.listProfiles(limit: 10)
        #expect(page.total == 1)
        #expect(page.profiles.first?.firstName == "Keep")
    }

    @Test func deleteByIdAndByEmail() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        try load(store, [input(2, [.email: "a@x.io"]), input(3, [.email: "b@x.io"])])
        let a = try store.profile(identifiedBy: "a@x.io")
        #expect(try store.deleteProfile(id: a.id).email == "a@x.io")
        #expect(throws: CampaignError.notFound("no profile has id \(a.id)", hint: "see the profiles with: campaignctl profile list")) {
            try store.deleteProfile(id: a.id)
        }
        try store.deleteProfile(identifiedBy: "B@X.io", alias: .email)
        #expect(try store.listProfiles(limit: 5).total == 0)
    }

    @Test func denylistNormalisesAddresses() throws {
        let fixture = try StoreFixture(); let store = fixture.store
        let (entry, added) = try store.addToDenylist("  Ada@Example.COM", reason: "complaint")
        #expect(added && entry.address == "ada@example.com" && entry.channel == .email)
        #expect(try store.addToDenylist("ada@example.com", reason: nil).added == false)
        try store.addToDenylist("+33 6 12-34-56-78", reason: nil)
        let asked = ["ADA@example.com", "+33612345678", "bob@example.com"]
        let found = try store.reconcile([], addresses: Set(asked))
        #expect(asked.map(found.isDenylisted) == [true, true, false])
        #expect(try store.denylist().map(\.address) == ["+33612345678", "ada@example.com"])
        #expect(try store.denylist().last?.reason == "complaint")
        #expect(throws: CampaignError.self) { try store.addToDenylist("not an address", reason: nil) }
        try store.removeFromDenylist("Ada@example.com")
        #expect(try !store.reconcile([], addresses: ["ada@example.com"]).isDenylisted("ada@example.com"))
        #expect(throws: CampaignError.self) { try store.removeFromDenylist("ada@example.com") }
    }
}
