import Foundation

/// RSA key pairs made by the real `openssl` binary, in the formats Adobe's
/// Developer Console users hold: PKCS#8 (`openssl genpkey`, `BEGIN PRIVATE
/// KEY`) and PKCS#1 (`openssl genrsa -traditional`, `BEGIN RSA PRIVATE KEY`).
public struct TestRSAKey: Sendable {
    public enum Format: Sendable { case pkcs1, pkcs8 }

    public var privatePEM: String
    public var publicPEM: String

    public static func generate(bits: Int = 2048, format: Format = .pkcs8) throws -> TestRSAKey {
        let directory = TemporaryDirectory("rsa")
        let key = directory.file("key.pem").path, pub = directory.file("pub.pem").path
        let openssl = URL(fileURLWithPath: "/usr/bin/openssl")
        let made = switch format {
        case .pkcs8: try runProcess(openssl, ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(bits)", "-out", key])
        case .pkcs1: try runProcess(openssl, ["genrsa", "-traditional", "-out", key, "\(bits)"])
        }
        guard made.status == 0 else { throw CLIFailure(result: made) }
        let extracted = try runProcess(openssl, ["pkey", "-in", key, "-pubout", "-out", pub])
        guard extracted.status == 0 else { throw CLIFailure(result: extracted) }
        return TestRSAKey(privatePEM: try String(contentsOfFile: key, encoding: .utf8),
                          publicPEM: try String(contentsOfFile: pub, encoding: .utf8))
    }

    /// Keys are slow to make: the tests share these, made once per process.
    public static let pkcs8 = try! generate(format: .pkcs8)
    public static let pkcs1 = try! generate(format: .pkcs1)
    public static let other = try! generate(format: .pkcs8)
}

extension CLIHome {
    /// Runs the binary on a thread of its own and awaits it, so that servers
    /// running on the test process's concurrency pool (FlyingFox) keep
    /// answering while the child talks to them.
    public func runDetached(_ arguments: [String], stdin: String? = nil,
                            environment: [String: String] = [:]) async throws -> ProcessResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    continuation.resume(returning: try self.run(arguments, stdin: stdin, environment: environment))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
