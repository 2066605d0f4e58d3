import CampaignCore
import FlyingFox
import Foundation

/// A stand-in for Adobe IMS on loopback (pipeline-protocol.md §1): OAuth
/// `client_credentials` at `POST /ims/token/v3` and the service-account JWT
/// exchange at `POST /ims/exchange/jwt`. It accepts only the clients it is
/// configured with, verifies the JWT's RS256 signature and claims, answers
/// errors in IMS's JSON shape and status codes, and issues opaque random
/// tokens that the pipeline emulator checks with `isValid(token:)`.
public final class IMSEmulator: @unchecked Sendable {
    /// One integration the emulator accepts.
    public struct Client: Sendable {
        public var clientId: String
        public var clientSecret: String
        public var orgId: String
        /// OAuth scopes the client may request.
        public var scopes: Set<String>
        /// For the JWT exchange: the technical account, the public key that
        /// checks the signature, and the metascope granted.
        public var technicalAccountId: String?
        public var publicKey: IMSPublicKey?
        public var metascope: String

        public init(clientId: String, clientSecret: String, orgId: String,
                    scopes: Set<String> = Set(Credential.defaultScopes),
                    technicalAccountId: String? = nil, publicKey: IMSPublicKey? = nil,
                    metascope: String = Credential.defaultMetascope) {
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.orgId = orgId
            self.scopes = scopes
            self.technicalAccountId = technicalAccountId
            self.publicKey = publicKey
            self.metascope = metascope
        }
    }

    /// What the emulator has done, for tests and the emulator's summary.
    public struct Counters: Sendable, Equatable {
        public var tokenRequests = 0
        public var exchangeRequests = 0
        public var tokensIssued = 0
        public var rejected = 0
        /// IMS `error` code → how many times it was answered.
        public var errors: [String: Int] = [:]
    }

    struct Issued {
        var clientId: String
        var expiresAt: Date
    }

    let host: String
    let tokenLifetime: TimeInterval
    let clock: @Sendable () -> Date
    let lock = NSLock()
    var clients: [String: Client]
    var tokens: [String: Issued] = [:]
    var counters = Counters()
    var server: HTTPServer?
    var serverTask: Task<Void, any Error>?
    var boundPort: UInt16 = 0

    /// - Parameters:
    ///   - clients: the integrations accepted, by client id.
    ///   - tokenLifetime: the `expires_in` of issued tokens, seconds (IMS: 86,399).
    ///   - host: the loopback address to bind.
    ///   - clock: the time used for `exp` checks and token expiry.
    public init(clients: [Client], tokenLifetime: TimeInterval = 86_399, host: String = "127.0.0.1",
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clients = Dictionary(clients.map { ($0.clientId, $0) }, uniquingKeysWith: { _, last in last })
        self.tokenLifetime = tokenLifetime
        self.host = host
        self.clock = clock
    }

    /// The bound port (0 before `start`).
    public var port: UInt16 { lock.withLock { boundPort } }

    /// `http://HOST:PORT`: what a credential's `--ims-endpoint` must be.
    public var endpoint: String { "http://\(host):\(port)" }

    public var snapshot: Counters { lock.withLock { counters } }

    /// Starts listening on `port` (0 picks a free one); returns the bound port.
    @discardableResult
    public func start(port requested: UInt16 = 0) async throws -> UInt16 {
        let server = HTTPServer(address: try .inet(ip4: host, port: requested), timeout: 10, logger: .disabled,
                                handler: ClosureHTTPHandler { [weak self] request in
                                    guard let self else { return HTTPResponse(statusCode: .serviceUnavailable) }
                                    return await self.handle(request)
                                })
        let task = Task { try await server.run() }
        do {
            try await server.waitUntilListening(timeout: 30)
        } catch {
            task.cancel()
            throw CampaignError.unavailable("the IMS emulator cannot listen on \(host):\(requested): \(error)",
                                            hint: "pick another port, or 0 for any free one")
        }
        var bound: UInt16 = 0
        if case .ip4(_, let port) = await server.listeningAddress { bound = port }
        lock.withLock {
            self.server = server
            self.serverTask = task
            self.boundPort = bound
        }
        return bound
    }

    public func stop() async {
        let (server, task) = lock.withLock { (self.server, self.serverTask) }
        await server?.stop(timeout: 0)
        task?.cancel()
    }

    // MARK: Tokens

    /// True for a token this emulator issued that has not expired or been revoked.
    public func isValid(token: String) -> Bool {
        let now = clock()
        return lock.withLock { tokens[token].map { $0.expiresAt > now } ?? false }
    }

    /// The client id a valid token was issued to.
    public func clientId(forToken token: String) -> String? {
        let now = clock()
        return lock.withLock { tokens[token].flatMap { $0.expiresAt > now ? $0.clientId : nil } }
    }

    /// Makes every issued token expire now (they stay known, but invalid).
    public func expireAllTokens() {
        let now = clock()
        lock.withLock {
            for key in tokens.keys { tokens[key]?.expiresAt = now }
        }
    }

    /// Forgets every issued token.
    public func revokeAllTokens() {
        lock.withLock { tokens.removeAll() }
    }

    /// Adds or replaces an accepted client (for example a rotated secret).
    public func setClient(_ client: Client) {
        lock.withLock { clients[client.clientId] = client }
    }

    // MARK: HTTP

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let path = request.path
        guard path == IMSClient.tokenPath || path == IMSClient.exchangePath else {
            return Self.error(.notFound, "not_found", "no such IMS endpoint: \(path)")
        }
        guard request.method == .POST else {
            return Self.error(.methodNotAllowed, "method_not_allowed", "use POST")
        }
        let body = (try? await request.bodyData) ?? Data()
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") else {
            return record(Self.error(.badRequest, "bad_request", "expected application/x-www-form-urlencoded"), code: "bad_request")
        }
        let form = Self.formDecode(body)
        let result: Result<(String, TimeInterval), IMSFailure>
        if path == IMSClient.tokenPath {
            lock.withLock { counters.tokenRequests += 1 }
            result = clientCredentials(form)
        } else {
            lock.withLock { counters.exchangeRequests += 1 }
            result = exchange(form)
        }
        switch result {
        case .failure(let failure):
            return record(Self.error(failure.status, failure.code, failure.description), code: failure.code)
        case .success(let (clientId, unitsFactor)):
            let token = Self.randomToken()
            let now = clock()
            lock.withLock {
                tokens[token] = Issued(clientId: clientId, expiresAt: now.addingTimeInterval(tokenLifetime))
                counters.tokensIssued += 1
            }
            // The JWT exchange answers in milliseconds, OAuth in seconds (as IMS
            // does). A lifetime short enough that its milliseconds would read as
            // seconds under the protocol's rule (≤ 10,000,000) is sent in seconds.
            let inMilliseconds = tokenLifetime * unitsFactor
            let expiresIn = Int64((inMilliseconds > IMSClient.millisecondsThreshold ? inMilliseconds : tokenLifetime).rounded(.down))
            let json = #"{"access_token":"\#(token)","token_type":"bearer","expires_in":\#(expiresIn)}"#
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json;charset=utf-8"], body: Data(json.utf8))
        }
    }

    struct IMSFailure: Error {
        var status: HTTPStatusCode
        var code: String
        var description: String
    }

    func authenticate(_ form: [String: String]) -> Result<Client, IMSFailure> {
        guard let clientId = form["client_id"], !clientId.isEmpty else {
            return .failure(IMSFailure(status: .badRequest, code: "invalid_request", description: "missing client_id parameter"))
        }
        guard let client = lock.withLock({ clients[clientId] }) else {
            return .failure(IMSFailure(status: .badRequest, code: "invalid_client", description: "invalid client_id parameter"))
        }
        guard let secret = form["client_secret"], Self.constantTimeEqual(secret, client.clientSecret) else {
            return .failure(IMSFailure(status: .unauthorized, code: "invalid_client", description: "invalid client_secret parameter"))
        }
        return .success(client)
    }

    func clientCredentials(_ form: [String: String]) -> Result<(String, TimeInterval), IMSFailure> {
        guard form["grant_type"] == "client_credentials" else {
            return .failure(IMSFailure(status: .badRequest, code: "unsupported_grant_type",
                                       description: "grant_type must be client_credentials"))
        }
        let client: Client
        switch authenticate(form) {
        case .failure(let failure): return .failure(failure)
        case .success(let found): client = found
        }
        let requested = (form["scope"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let refused = requested.filter { !client.scopes.contains($0) }
        guard refused.isEmpty else {
            return .failure(IMSFailure(status: .badRequest, code: "invalid_scope",
                                       description: "invalid scope: \(refused.joined(separator: ","))"))
        }
        return .success((client.clientId, 1))
    }

    func exchange(_ form: [String: String]) -> Result<(String, TimeInterval), IMSFailure> {
        let client: Client
        switch authenticate(form) {
        case .failure(let failure): return .failure(failure)
        case .success(let found): client = found
        }
        guard let jwt = form["jwt_token"], !jwt.isEmpty else {
            return .failure(IMSFailure(status: .badRequest, code: "bad_request", description: "missing jwt_token parameter"))
        }
        guard let publicKey = client.publicKey, let account = client.technicalAccountId else {
            return .failure(IMSFailure(status: .unauthorized, code: "invalid_client",
                                       description: "client is not allowed to exchange JWTs"))
        }
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]), let payloadData = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]),
              let header = try? JSONDecoder().decode([String: String].self, from: headerData),
              let claims = try? JSONDecoder().decode([String: ClaimValue].self, from: payloadData)
        else {
            return .failure(IMSFailure(status: .badRequest, code: "invalid_token", description: "Could not decode the JWT"))
        }
        guard header["alg"] == "RS256" else {
            return .failure(IMSFailure(status: .badRequest, code: "invalid_token", description: "JWT alg must be RS256"))
        }
        guard publicKey.isValidRS256(signature: signature, for: Data("\(parts[0]).\(parts[1])".utf8)) else {
            return .failure(IMSFailure(status: .badRequest, code: "invalid_signature",
                                       description: "Could not match JWT signature to any of the bindings"))
        }
        guard case .integer(let exp)? = claims["exp"] else {
            return .failure(IMSFailure(status: .badRequest, code: "invalid_token", description: "exp must be an integer (epoch seconds)"))
        }
        let now = clock().timeIntervalSince1970
        guard Double(exp) > now else {
            return .failure(IMSFailure(status: .badRequest, code: "invalid_token", description: "JWT token is expired"))
        }
        guard Double(exp) <= now + IMSJWTClaims.maximumLifetime + 60 else {
            return .failure(IMSFailure(status: .badRequest, code: "invalid_token", description: "exp is more than 24 hours ahead"))
        }
        guard case .string(client.orgId)? = claims["iss"] else {
            return .failure(IMSFailure(status: .badRequest, code: "invalid_token", description: "JWT issuer (iss) is not the client's organization"))
        }
        guard case .string(account)? = claims["sub"] else {
            return .failure(IMSFailure(status: .badRequest, code: "invalid_token", description: "JWT subject (sub) is not the client's technical account"))
        }
        let audiences = audienceEndpoints()
        guard case .string(let aud)? = claims["aud"], audiences.contains(where: { aud == "\($0)/c/\(client.clientId)" }) else {
            return .failure(IMSFailure(status: .badRequest, code: "invalid_client", description: "JWT audience (aud) does not match the client_id"))
        }
        let endpoint = String(aud.dropLast("/c/\(client.clientId)".count))
        let granted = "\(endpoint)/s/\(client.metascope)"
        let metascopes = claims.compactMap { key, value -> String? in
            guard key.hasPrefix("\(endpoint)/s/"), case .bool(true) = value else { return nil }
            return key
        }
        guard metascopes.contains(granted) else {
            return .failure(IMSFailure(status: .badRequest, code: "invalid_scope", description: "Invalid metascopes in the JWT"))
        }
        return .success((client.clientId, 1000))
    }

    /// The endpoints a JWT's `aud` may start with: this server by address and as localhost.
    func audienceEndpoints() -> [String] {
        let port = self.port
        return ["http://\(host):\(port)", "http://localhost:\(port)"]
    }

    func record(_ response: HTTPResponse, code: String) -> HTTPResponse {
        lock.withLock {
            counters.rejected += 1
            counters.errors[code, default: 0] += 1
        }
        return response
    }

    static func error(_ status: HTTPStatusCode, _ code: String, _ description: String) -> HTTPResponse {
        let body = try? JSONSerialization.data(withJSONObject: ["error": code, "error_description": description], options: [.sortedKeys])
        return HTTPResponse(statusCode: status, headers: [.contentType: "application/json;charset=utf-8"], body: body ?? Data())
    }

    static func formDecode(_ body: Data) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let pieces = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            fields[decode(pieces[0])] = pieces.count > 1 ? decode(pieces[1]) : ""
        }
        return fields
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "emu." + Base64URL.encode(Data(bytes))
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// One JWT claim value, typed strictly: `exp` must be an integer, the
/// metascope claim a boolean.
enum ClaimValue: Decodable, Equatable {
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            self = .other
        }
    }
}
