import CampaignCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import Pipeline
import Store
import Testing
import TestSupport

/// A clock the test moves by hand.
private final class IMSTestClock: @unchecked Sendable {
    let lock = NSLock()
    var current: Date

    init(_ start: Date = Date()) { current = start }

    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

private let orgId = "0123456789ABCDEF01234567@AdobeOrg"
private let account = "FEDCBA9876543210FEDCBA98@techacct.adobe.com"
private let secret = "p8e-S3cr3t+value/with=signs"

private final class LockedText: @unchecked Sendable {
    let lock = NSLock()
    var value = ""
    func append(_ more: String) { lock.withLock { value += more } }
    var text: String { lock.withLock { value } }
}

/// An emulator that accepts one oauth client ("oauth-client") and one JWT
/// client ("jwt-client", with TestRSAKey.pkcs8), and a store to add credentials to.
private struct IMSFixture {
    let emulator: IMSEmulator
    let store: StoreFixture

    static func start(tokenLifetime: TimeInterval = 86_399, jwtKey: TestRSAKey = .pkcs8) async throws -> IMSFixture {
        let emulator = IMSEmulator(clients: [
            .init(clientId: "oauth-client", clientSecret: secret, orgId: orgId),
            .init(clientId: "jwt-client", clientSecret: secret, orgId: orgId, technicalAccountId: account,
                  publicKey: try IMSPublicKey(pem: jwtKey.publicPEM)),
        ], tokenLifetime: tokenLifetime)
        try await emulator.start()
        return IMSFixture(emulator: emulator, store: try StoreFixture())
    }

    @discardableResult
    func addOAuth(_ name: String = "adobe", secret: String = secret, scopes: [String]? = nil) throws -> Credential {
        try IMSCredentials.add(IMSCredentialInput(
            name: name, type: .oauth, orgId: orgId, clientId: "oauth-client", clientSecret: secret + "\n",
            clientSecretSource: "secret.txt", scopes: scopes, imsEndpoint: emulator.endpoint), to: store.store, replace: true)
    }

    @discardableResult
    func addJWT(_ name: String = "legacy", key: String = TestRSAKey.pkcs8.privatePEM, metascope: String? = nil,
                secret: String = secret) throws -> Credential {
        try IMSCredentials.add(IMSCredentialInput(
            name: name, type: .jwt, orgId: orgId, clientId: "jwt-client", clientSecret: secret,
            clientSecretSource: "secret.txt", imsEndpoint: emulator.endpoint, technicalAccountId: account,
            privateKey: .pem(key, source: "private.key"), metascope: metascope), to: store.store, replace: true)
    }

    func provider(_ name: String, client: IMSClient = IMSClient(timeout: 10), clock: IMSTestClock? = nil) -> IMSTokenProvider {
        if let clock {
            return IMSTokenProvider(store: store.store, credentialName: name, client: client, clock: { clock.now })
        }
        return IMSTokenProvider(store: store.store, credentialName: name, client: client)
    }
}

/// Runs `body`, expecting a `CampaignError`, and returns it.
private func expectCampaignError(_ body: () async throws -> Void) async -> CampaignError? {
    do {
        try await body()
        Issue.record("expected an error")
        return nil
    } catch let error as CampaignError {
        return error
    } catch {
        Issue.record("expected a CampaignError, got \(error)")
        return nil
    }
}

@Suite struct IMSTests {
    @Test func oauthHappyPathIssuesATokenTheEmulatorAccepts() async throws {
        let fixture = try await IMSFixture.start()
        defer { Task { await fixture.emulator.stop() } }
        let credential = try fixture.addOAuth()
        #expect(credential.clientSecretFingerprint == IMSFingerprint.of(secret: secret))
        let result = try await fixture.provider("adobe").token()
        #expect(!result.fromCache)
        #expect(fixture.emulator.isValid(token: result.token.value))
        #expect(abs(result.token.expiresAt.timeIntervalSince(result.token.obtainedAt) - 86_399) < 1)
        #expect(fixture.emulator.snapshot.tokenRequests == 1)
        // Cached sealed in the store under the credential's key.
        let cached = try #require(try fixture.store.store.cachedToken(for: credential.tokenCacheKey))
        #expect(cached.value == result.token.value)
        #expect(abs(cached.expiresAt.timeIntervalSince(result.token.expiresAt)) < 0.01)
    }

    @Test(arguments: [TestRSAKey.Format.pkcs8, .pkcs1])
    func jwtHappyPathWithBothPEMFormats(format: TestRSAKey.Format) async throws {
        let key = format == .pkcs8 ? TestRSAKey.pkcs8 : TestRSAKey.pkcs1
        let fixture = try await IMSFixture.start(jwtKey: key)
        defer { Task { await fixture.emulator.stop() } }
        let credential = try fixture.addJWT(key: key.privatePEM)
        #expect(credential.privateKeyFingerprint == (try IMSPublicKey(pem: key.publicPEM)).fingerprint)
        #expect(credential.metascope == "ent_analytics_bulk_ingest_sdk")
        let result = try await fixture.provider("legacy").token()
        #expect(fixture.emulator.isValid(token: result.token.value))
        // The exchange answers in milliseconds: 86,399,000 ms is read as 86,399 s.
        #expect(abs(result.token.expiresAt.timeIntervalSince(result.token.obtainedAt) - 86_399) < 1)
        #expect(fixture.emulator.snapshot.exchangeRequests == 1)
    }

    @Test func wrongSecretIsInvalidClientWithoutTheSecret() async throws {
        let fixture = try await IMSFixture.start()
        defer { Task { await fixture.emulator.stop() } }
        try fixture.addOAuth(secret: "not-the-secret")
        let error = await expectCampaignError { _ = try await fixture.provider("adobe").token() }
        #expect(error?.status == .configuration)
        #expect(error?.message == "IMS refused credential 'adobe': invalid_client (invalid client_secret parameter)")
        #expect(error?.hint?.contains("client secret (fingerprint \(IMSFingerprint.of(secret: "not-the-secret")))") == true)
        #expect(error.map { !$0.description.contains("not-the-secret") } == true)
        #expect(fixture.emulator.snapshot.errors == ["invalid_client": 1])

        try fixture.addJWT(secret: "not-the-secret")
        let jwtError = await expectCampaignError { _ = try await fixture.provider("legacy").token() }
        #expect(jwtError?.message.contains("invalid_client") == true)
    }

    @Test func wrongKeyIsInvalidSignature() async throws {
        let fixture = try await IMSFixture.start()
        defer { Task { await fixture.emulator.stop() } }
        try fixture.addJWT(key: TestRSAKey.other.privatePEM)
        let error = await expectCampaignError { _ = try await fixture.provider("legacy").token() }
        #expect(error?.status == .configuration)
        #expect(error?.message.hasPrefix("IMS refused credential 'legacy': invalid_signature") == true)
        #expect(error?.hint?.contains("does not match the certificate") == true)
    }

    @Test func scopeAndMetascopeNotGrantedAreInvalidScope() async throws {
        let fixture = try await IMSFixture.start()
        defer { Task { await fixture.emulator.stop() } }
        try fixture.addOAuth(scopes: ["openid", "write_everything"])
        let error = await expectCampaignError { _ = try await fixture.provider("adobe").token() }
        #expect(error?.status == .configuration)
        #expect(error?.message == "IMS refused credential 'adobe': invalid_scope (invalid scope: write_everything)")

        try fixture.addJWT(metascope: "ent_reactor_sdk")
        let jwtError = await expectCampaignError { _ = try await fixture.provider("legacy").token() }
        #expect(jwtError?.message.hasPrefix("IMS refused credential 'legacy': invalid_scope") == true)
        #expect(jwtError?.hint?.contains("ent_reactor_sdk") == true)
    }

    @Test func aJWTFromASlowClockIsExpired() async throws {
        let fixture = try await IMSFixture.start()
        defer { Task { await fixture.emulator.stop() } }
        try fixture.addJWT()
        // This machine's clock is two hours behind: the 10-minute JWT is already expired.
        let skewed = IMSClient(timeout: 10, clock: { Date().addingTimeInterval(-7_200) })
        let error = await expectCampaignError { _ = try await fixture.provider("legacy", client: skewed).token() }
        #expect(error?.message == "IMS refused credential 'legacy': invalid_token (JWT token is expired)")
        #expect(error?.hint?.contains("clock") == true)
    }

    @Test func unreachableIMSIsOneLineWithExit69() async throws {
        let fixture = try await IMSFixture.start()
        let port = fixture.emulator.port
        await fixture.emulator.stop()
        try IMSCredentials.add(IMSCredentialInput(
            name: "gone", type: .oauth, orgId: orgId, clientId: "oauth-client", clientSecret: secret,
            clientSecretSource: "secret.txt", imsEndpoint: "http://127.0.0.1:\(port)"), to: fixture.store.store, replace: false)
        let error = await expectCampaignError { _ = try await fixture.provider("gone").token() }
        #expect(error?.status == .unavailable)
        #expect(error?.message == "cannot reach IMS at http://127.0.0.1:\(port): connection refused or lost")
        #expect(error.map { !$0.message.contains("\n") && $0.hint != nil } == true)
    }

    @Test func anUntrustedTLSCertificateIsOneLineWithExit69() async throws {
        // A real TLS peer on loopback with a self-signed certificate.
        let directory = TemporaryDirectory("tls")
        let openssl = URL(fileURLWithPath: "/usr/bin/openssl")
        let made = try await offPool {
            try runProcess(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "tls.key", "-out", "tls.crt",
                                     "-days", "1", "-subj", "/CN=127.0.0.1"], currentDirectory: directory.url)
        }
        try #require(made.status == 0, "\(made)")
        let server = Process()
        server.executableURL = openssl
        server.arguments = ["s_server", "-accept", "127.0.0.1:0", "-cert", "tls.crt", "-key", "tls.key", "-www"]
        server.currentDirectoryURL = directory.url
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        let buffer = LockedText()
        output.fileHandleForReading.readabilityHandler = { handle in buffer.append(String(decoding: handle.availableData, as: UTF8.self)) }
        try server.run()
        defer {
            // SIGKILL, not terminate(): a child spawned from one of
            // libdispatch's threads inherits its blocked SIGTERM, and an
            // s_server left running kept the pipes it inherited from other
            // tests' CLI runs open, which then waited for ever (one CI run hung).
            kill(server.processIdentifier, SIGKILL)
            output.fileHandleForReading.readabilityHandler = nil
        }
        var port = ""
        // Generous: openssl starting on a loaded 2-core machine can be slow.
        let deadline = Date().addingTimeInterval(60)
        while port.isEmpty && Date() < deadline {
            if let range = buffer.text.range(of: #"ACCEPT 127\.0\.0\.1:\d+"#, options: .regularExpression) {
                port = String(buffer.text[range].split(separator: ":").last ?? "")
            } else {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        try #require(!port.isEmpty, "s_server did not start: \(buffer.text)")

        let fixture = try await IMSFixture.start()
        await fixture.emulator.stop()
        try IMSCredentials.add(IMSCredentialInput(
            name: "tls", type: .oauth, orgId: orgId, clientId: "oauth-client", clientSecret: secret,
            clientSecretSource: "secret.txt", imsEndpoint: "https://127.0.0.1:\(port)"), to: fixture.store.store, replace: false)
        let error = await expectCampaignError { _ = try await fixture.provider("tls").token() }
        #expect(error?.status == .unavailable)
        #expect(error?.message.hasPrefix("TLS handshake with IMS at https://127.0.0.1:\(port) failed") == true, "\(String(describing: error))")
        #expect(error?.hint?.contains("CA certificates") == true)
        #expect(error.map { !$0.message.contains("\n") } == true)
    }

    @Test func cachedTokenIsReusedThenRenewedAtNinetyPercentAndAfterInvalidate() async throws {
        let fixture = try await IMSFixture.start(tokenLifetime: 1_000)
        defer { Task { await fixture.emulator.stop() } }
        try fixture.addOAuth()
        let clock = IMSTestClock()
        let provider = fixture.provider("adobe", client: IMSClient(timeout: 10, clock: { clock.now }), clock: clock)

        let first = try await provider.bearerToken()
        #expect(fixture.emulator.snapshot.tokenRequests == 1)
        clock.advance(850)
        #expect(try await provider.bearerToken() == first)
        // A second provider (another process) finds the same sealed token in the store.
        #expect(try await fixture.provider("adobe", clock: clock).token().fromCache)
        #expect(fixture.emulator.snapshot.tokenRequests == 1)

        clock.advance(60) // 910 s of 1,000: renew.
        let second = try await provider.bearerToken()
        #expect(second != first)
        #expect(fixture.emulator.snapshot.tokenRequests == 2)

        await provider.invalidate() // as after a 401 from the pipeline
        let third = try await provider.bearerToken()
        #expect(third != second)
        #expect(fixture.emulator.snapshot.tokenRequests == 3)
        let source: any BearerTokenSource = provider
        #expect(try await source.bearerToken() == third)
    }

    @Test func replacingOrRemovingACredentialDropsItsCachedToken() async throws {
        let fixture = try await IMSFixture.start()
        defer { Task { await fixture.emulator.stop() } }
        let credential = try fixture.addOAuth()
        _ = try await fixture.provider("adobe").bearerToken()
        #expect(try fixture.store.store.cachedToken(for: credential.tokenCacheKey) != nil)
        try fixture.addOAuth() // --replace, as with a rotated secret
        #expect(try fixture.store.store.cachedToken(for: credential.tokenCacheKey) == nil)
        _ = try await fixture.provider("adobe").bearerToken()
        try fixture.store.store.removeCredential(named: "adobe")
        #expect(try fixture.store.store.cachedToken(for: credential.tokenCacheKey) == nil)
        #expect(fixture.emulator.snapshot.tokenRequests == 2)
    }

    @Test func concurrentCallersShareOneFetch() async throws {
        let fixture = try await IMSFixture.start()
        defer { Task { await fixture.emulator.stop() } }
        try fixture.addOAuth()
        let provider = fixture.provider("adobe")
        async let a = provider.bearerToken()
        async let b = provider.bearerToken()
        async let c = provider.bearerToken()
        let tokens = try await [a, b, c]
        #expect(Set(tokens).count == 1)
        #expect(fixture.emulator.snapshot.tokenRequests == 1)
    }

    @Test func emulatorExpiresAndRevokesTokens() async throws {
        let fixture = try await IMSFixture.start()
        defer { Task { await fixture.emulator.stop() } }
        try fixture.addOAuth()
        let token = try await fixture.provider("adobe").bearerToken()
        #expect(fixture.emulator.clientId(forToken: token) == "oauth-client")
        fixture.emulator.expireAllTokens()
        #expect(!fixture.emulator.isValid(token: token))
        let again = try await fixture.provider("adobe").token(forceRenewal: true).token.value
        #expect(fixture.emulator.isValid(token: again))
        fixture.emulator.revokeAllTokens()
        #expect(!fixture.emulator.isValid(token: again))
        #expect(!fixture.emulator.isValid(token: "made-up"))
    }

    @Test func emulatorRefusesAFractionalExpAndALongLivedJWT() async throws {
        let fixture = try await IMSFixture.start()
        defer { Task { await fixture.emulator.stop() } }
        let key = try IMSPrivateKey(pem: TestRSAKey.pkcs8.privatePEM, source: "test")
        func exchange(payload: String) async throws -> (Int, String) {
            let input = Base64URL.encode(Data(IMSJWTSigner.headerJSON.utf8)) + "." + Base64URL.encode(Data(payload.utf8))
            let jwt = input + "." + Base64URL.encode(try key.signRS256(Data(input.utf8)))
            var request = URLRequest(url: URL(string: fixture.emulator.endpoint + "/ims/exchange/jwt")!)
            request.httpMethod = "POST"
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            let body = IMSClient.formEncode([("client_id", "jwt-client"), ("client_secret", secret), ("jwt_token", jwt)])
            let (data, response) = try await URLSession.shared.upload(for: request, from: body)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }
        let endpoint = fixture.emulator.endpoint
        func payload(exp: String) -> String {
            #"{"exp":\#(exp),"iss":"\#(orgId)","sub":"\#(account)","aud":"\#(endpoint)/c/jwt-client","\#(endpoint)/s/ent_analytics_bulk_ingest_sdk":true}"#
        }
        let now = Date().timeIntervalSince1970
        let fractional = try await exchange(payload: payload(exp: "\(now + 600.5)"))
        #expect(fractional.0 == 400)
        #expect(fractional.1.contains(#""error":"invalid_token""#))
        let tooLong = try await exchange(payload: payload(exp: "\(Int(now) + 48 * 3600)"))
        #expect(tooLong.1.contains("more than 24 hours"))
        let fine = try await exchange(payload: payload(exp: "\(Int(now) + 600)"))
        #expect(fine.0 == 200, "\(fine.1)")
        #expect(fine.1.contains(#""token_type":"bearer""#))
    }

    @Test func expiresInAboveTenMillionIsMilliseconds() throws {
        let now = Date()
        let seconds = try IMSClient.parseToken(Data(#"{"access_token":"a","token_type":"bearer","expires_in":86399}"#.utf8),
                                               endpoint: "e", obtainedAt: now)
        #expect(seconds.expiresAt.timeIntervalSince(now) == 86_399)
        let millis = try IMSClient.parseToken(Data(#"{"access_token":"a","token_type":"bearer","expires_in":86399999}"#.utf8),
                                              endpoint: "e", obtainedAt: now)
        #expect(abs(millis.expiresAt.timeIntervalSince(now) - 86_399.999) < 0.001)
        #expect(throws: CampaignError.self) {
            try IMSClient.parseToken(Data(#"{"token_type":"bearer"}"#.utf8), endpoint: "e", obtainedAt: now)
        }
    }

    @Test func opensslVerifiesTheSignersSignature() async throws {
        let directory = TemporaryDirectory("jwt")
        let signer = try IMSJWTSigner(privateKeyPEM: TestRSAKey.pkcs1.privatePEM)
        let claims = IMSJWTClaims(orgId: orgId, technicalAccountId: account, clientId: "cid",
                                  imsEndpoint: "https://ims-na1.adobelogin.com/", metascope: "ent_analytics_bulk_ingest_sdk",
                                  expiresAt: Date(timeIntervalSince1970: 1_795_344_380.74))
        let jwt = try signer.sign(claims)
        let parts = jwt.split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        #expect(Base64URL.decode(parts[0]) == Data(#"{"alg":"RS256","typ":"JWT"}"#.utf8))
        let payload = String(decoding: try #require(Base64URL.decode(parts[1])), as: UTF8.self)
        #expect(payload == #"{"aud":"https://ims-na1.adobelogin.com/c/cid","exp":1795344380,"https://ims-na1.adobelogin.com/s/ent_analytics_bulk_ingest_sdk":true,"iss":"\#(orgId)","sub":"\#(account)"}"#)

        try Data("\(parts[0]).\(parts[1])".utf8).write(to: directory.file("data.txt"))
        try #require(Base64URL.decode(parts[2])).write(to: directory.file("sig.bin"))
        try directory.write("pub.pem", TestRSAKey.pkcs1.publicPEM)
        let verify = try await offPool {
            try runProcess(URL(fileURLWithPath: "/usr/bin/openssl"),
                           ["dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig.bin", "data.txt"], currentDirectory: directory.url)
        }
        #expect(verify.status == 0, "\(verify)")
        #expect(verify.stdout.contains("Verified OK"))

        // A signature over other bytes fails the same check.
        try Data("\(parts[0]).x".utf8).write(to: directory.file("data.txt"))
        let tampered = try await offPool {
            try runProcess(URL(fileURLWithPath: "/usr/bin/openssl"),
                           ["dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig.bin", "data.txt"], currentDirectory: directory.url)
        }
        #expect(tampered.status != 0)
    }
}

@Suite struct IMSCredentialValidationTests {
    private func input(type: CredentialType = .oauth, orgId: String = orgId, endpoint: String? = nil, account: String? = nil,
               key: IMSCredentialInput.PrivateKeyText? = nil, secret: String = secret) -> IMSCredentialInput {
        IMSCredentialInput(name: "c", type: type, orgId: orgId, clientId: "cid", clientSecret: secret,
                           clientSecretSource: "secret.txt", imsEndpoint: endpoint, technicalAccountId: account, privateKey: key)
    }

    private func problem(_ input: IMSCredentialInput) -> CampaignError? {
        do {
            _ = try IMSCredentials.validate(input)
            return nil
        } catch {
            return error as? CampaignError
        }
    }

    @Test func acceptsBothPEMFormsAndTheBase64Form() throws {
        let base64 = Data(TestRSAKey.pkcs1.privatePEM.utf8).base64EncodedString()
        for key in [IMSCredentialInput.PrivateKeyText.pem(TestRSAKey.pkcs8.privatePEM, source: "k"),
                    .pem(TestRSAKey.pkcs1.privatePEM, source: "k"), .base64(base64 + "\n", source: "k.b64")] {
            let (credential, secrets) = try IMSCredentials.validate(input(type: .jwt, account: account, key: key))
            #expect(credential.privateKeyFingerprint?.count == 12)
            #expect(secrets.privateKeyPEM?.contains("PRIVATE KEY-----") == true)
        }
        #expect(problem(input(type: .jwt, account: account, key: .base64(TestRSAKey.pkcs8.privatePEM, source: "k.b64")))?
            .message == "k.b64: this is PEM text, not its base64")
    }

    @Test func refusesA1024BitKey() async throws {
        let weak = try await offPool { try TestRSAKey.generate(bits: 1024, format: .pkcs1) }
        let error = problem(input(type: .jwt, account: account, key: .pem(weak.privatePEM, source: "weak.key")))
        #expect(error?.status == .dataError)
        #expect(error?.message == "weak.key: the RSA key has 1024 bits; IMS needs at least 2048")
    }

    @Test func refusesBadFieldsNamingThem() throws {
        #expect(problem(input(orgId: "0123@Adobe"))?.message.hasPrefix("--org-id: org id must look like") == true)
        #expect(problem(input(type: .jwt, account: "abc@example.com", key: .pem(TestRSAKey.pkcs8.privatePEM, source: "k")))?
            .message.hasPrefix("--technical-account-id:") == true)
        #expect(problem(input(endpoint: "http://ims.example.com"))?.message
            == "--ims-endpoint: must use https (http is allowed only for loopback hosts), got 'http://ims.example.com'")
        #expect(problem(input(endpoint: "http://[::1]:8080")) == nil)
        #expect(problem(input(endpoint: "http://localhost:8080/")) == nil)
        #expect(problem(input(type: .jwt, account: account, key: .pem("hello", source: "k.pem")))?.message
            == "k.pem: not a PEM private key (no 'BEGIN PRIVATE KEY' or 'BEGIN RSA PRIVATE KEY' line)")
        #expect(problem(input(type: .jwt, account: account, key: .pem(TestRSAKey.pkcs8.publicPEM, source: "k.pem")))?.message
            == "k.pem: this is a public key or certificate, not the private key")
        #expect(problem(input(type: .jwt, account: account))?.status == .usage)
        #expect(problem(input(type: .jwt, key: .pem(TestRSAKey.pkcs8.privatePEM, source: "k")))?.status == .usage)
        #expect(problem(input(key: .pem(TestRSAKey.pkcs8.privatePEM, source: "k")))?.status == .usage)
        #expect(problem(input(secret: "\n"))?.message == "client secret from secret.txt is empty")
        #expect(problem(input(secret: "two\nlines"))?.message == "client secret from secret.txt holds spaces or several lines")
    }
}
