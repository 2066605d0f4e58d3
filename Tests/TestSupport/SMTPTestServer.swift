import Foundation

/// Runs blocking work (libcurl, a subprocess) on its own thread and awaits
/// it, so that async tests never block the two-thread cooperative pool.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}

/// A message received by `SMTPTestServer`.
public struct ReceivedMail: Sendable, Equatable {
    public var mailFrom: String
    public var rcptTos: [String]
    /// The DATA as received (bytes as latin-1, so non-ASCII would show).
    public var data: String
    /// The client's port: equal for messages sent over one connection.
    public var peerPort: Int?
    public var tls: Bool
    public var authUser: String?
}

/// A self-signed certificate for `localhost` / `127.0.0.1`, made with openssl.
public struct TestCertificate: Sendable {
    public var certificatePath: String
    public var keyPath: String

    public static func make(in directory: TemporaryDirectory) async throws -> TestCertificate {
        let cert = directory.file("cert.pem").path, key = directory.file("key.pem").path
        let result = try await offPool {
            try runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                           ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert])
        }
        guard result.status == 0 else { throw TestServerFailure("openssl failed: \(result)") }
        return TestCertificate(certificatePath: cert, keyPath: key)
    }
}

public struct TestServerFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A real SMTP server (aiosmtpd, `Tests/Support/smtp_server.py`) on a free
/// loopback port. Recipients `temp-*` get 450 and `reject-*` get 550; every
/// accepted message is saved and read back with `received()`.
public final class SMTPTestServer: @unchecked Sendable {
    public struct Options: Sendable {
        public var certificate: TestCertificate?
        public var requireStartTLS = false
        public var implicitTLS = false
        public var authUser: String?
        public var authPassword: String?
        /// Leave PIPELINING out of the EHLO answer (it is offered by default, as postfix does).
        public var pipelining = true
        /// Answer the MAIL after this many accepted messages of a connection with 421, and close it.
        public var maxMessagesPerConnection: Int?

        public init(certificate: TestCertificate? = nil, requireStartTLS: Bool = false, implicitTLS: Bool = false,
                    authUser: String? = nil, authPassword: String? = nil, pipelining: Bool = true,
                    maxMessagesPerConnection: Int? = nil) {
            self.pipelining = pipelining
            self.maxMessagesPerConnection = maxMessagesPerConnection
            self.certificate = certificate
            self.requireStartTLS = requireStartTLS
            self.implicitTLS = implicitTLS
            self.authUser = authUser
            self.authPassword = authPassword
        }
    }

    public let port: Int
    public let folder: TemporaryDirectory
    private let process: Process
    private let input: Pipe
    private let log: OutputBuffer

    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Support/smtp_server.py")

    private init(port: Int, folder: TemporaryDirectory, process: Process, input: Pipe, log: OutputBuffer) {
        self.port = port
        self.folder = folder
        self.process = process
        self.input = input
        self.log = log
    }

    /// Starts the server and waits (asynchronously) until it prints its port.
    public static func start(_ options: Options = Options()) async throws -> SMTPTestServer {
        let folder = TemporaryDirectory("smtp-received")
        var arguments = [script.path, "--dir", folder.path]
        if let certificate = options.certificate {
            arguments += ["--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath]
        }
        if options.requireStartTLS { arguments.append("--require-starttls") }
        if options.implicitTLS { arguments.append("--implicit-tls") }
        if !options.pipelining { arguments.append("--no-pipelining") }
        if let limit = options.maxMessagesPerConnection { arguments += ["--max-messages", String(limit)] }
        if let user = options.authUser { arguments += ["--auth-user", user, "--auth-password", options.authPassword ?? ""] }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe(), errors = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        let stdout = OutputBuffer(), stderr = OutputBuffer()
        for (pipe, buffer) in [(output, stdout), (errors, stderr)] {
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let chunk = handle.availableData
                if chunk.isEmpty { handle.readabilityHandler = nil } else { buffer.append(chunk) }
            }
        }
        try process.run()

        // Generous: python3 starting aiosmtpd on a loaded 2-core machine is slow.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let line = stdout.text.split(separator: "\n").first, let port = Int(line) {
                return SMTPTestServer(port: port, folder: folder, process: process, input: input, log: stderr)
            }
            if !process.isRunning { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        process.terminate()
        throw TestServerFailure("smtp_server.py did not start: \(stderr.text)")
    }

    /// What the server wrote on stderr (aiosmtpd's log).
    public var serverLog: String { log.text }

    /// Every message accepted so far, in arrival order.
    public func received() throws -> [ReceivedMail] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            let data = try Data(contentsOf: folder.file(name))
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw TestServerFailure("\(name) is not a JSON object")
            }
            return ReceivedMail(mailFrom: object["mail_from"] as? String ?? "", rcptTos: object["rcpt_tos"] as? [String] ?? [],
                                data: object["data"] as? String ?? "", peerPort: object["peer_port"] as? Int,
                                tls: object["tls"] as? Bool ?? false, authUser: object["auth_user"] as? String)
        }
    }

    /// Waits until at least `count` messages arrived (async polling) and returns them.
    public func waitForMessages(_ count: Int, timeout: Double = 20) async throws -> [ReceivedMail] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let mails = try received()
            if mails.count >= count || Date() >= deadline { return mails }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// Stops the server; it also stops by itself when this object goes away.
    public func stop() {
        if process.isRunning { process.terminate() }
        try? input.fileHandleForWriting.close()
    }

    deinit { stop() }
}

final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ chunk: Data) { lock.withLock { data.append(chunk) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
