import CampaignCore
import Foundation
import Logging
import Store

/// A token as the provider hands it out.
public struct IMSTokenResult: Sendable, Equatable {
    public var credential: Credential
    public var token: AccessToken
    /// True when it came from the store's cache, false when IMS just issued it.
    public var fromCache: Bool

    public init(credential: Credential, token: AccessToken, fromCache: Bool) {
        self.credential = credential
        self.token = token
        self.fromCache = fromCache
    }
}

/// Access tokens for one stored credential: the cached one (sealed in the
/// store) until it needs renewal at 90 % of its life, else a new one from
/// IMS, cached with its expiry. Concurrent callers share one fetch.
/// `invalidate()` (a 401 from the pipeline) forgets the cached token.
public actor IMSTokenProvider: BearerTokenSource {
    public let store: InstanceStore
    public let credentialName: String
    let client: IMSClient
    let clock: @Sendable () -> Date
    /// Debug lines for the daemon's --verbose: where each token came from and until when (never the token).
    let logger: Logger?
    var inFlight: Task<IMSTokenResult, any Error>?

    public init(store: InstanceStore, credentialName: String, client: IMSClient = IMSClient(),
                clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger? = nil) {
        self.store = store
        self.credentialName = credentialName
        self.client = client
        self.clock = clock
        self.logger = logger
    }

    /// A valid token. `forceRenewal` skips the cache (what `auth test` does).
    public func token(forceRenewal: Bool = false) async throws -> IMSTokenResult {
        let credential = try store.credential(named: credentialName)
        if !forceRenewal, let cached = try store.cachedToken(for: credential.tokenCacheKey), !cached.needsRenewal(at: clock()) {
            logger?.debug("IMS: using the cached access token of credential '\(credential.name)', valid until \(cached.expiresAt.formatted(.iso8601))")
            return IMSTokenResult(credential: credential, token: cached, fromCache: true)
        }
        if let running = inFlight { return try await running.value }
        let (store, name, client) = (self.store, credentialName, self.client)
        let task = Task<IMSTokenResult, any Error> {
            let (credential, secrets) = try store.credentialWithSecrets(named: name)
            let token = try await client.fetchToken(for: credential, secrets: secrets)
            try store.saveToken(token, for: credential.tokenCacheKey)
            return IMSTokenResult(credential: credential, token: token, fromCache: false)
        }
        inFlight = task
        defer { inFlight = nil }
        let result = try await task.value
        logger?.debug("IMS: issued a new access token for credential '\(result.credential.name)', valid until \(result.token.expiresAt.formatted(.iso8601))")
        return result
    }

    public func bearerToken() async throws -> String {
        try await token().token.value
    }

    /// Forgets the cached token, so that the next call asks IMS again.
    public func invalidate() async {
        guard let credential = try? store.credential(named: credentialName) else { return }
        try? store.forgetToken(for: credential.tokenCacheKey)
    }
}
