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

    /// Keys are slow to make (seconds, on a thread of the two-thread pool):
    /// the tests share these, made once with openssl (`Tests/Support/keys/README.md`).
    public static let pkcs8 = fixture("pkcs8")
    public static let pkcs1 = fixture("pkcs1")
    public static let other = fixture("other")

    private static func fixture(_ name: String) -> TestRSAKey {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/keys")
        do {
            return TestRSAKey(privatePEM: try String(contentsOf: folder.appendingPathComponent("\(name).pem"), encoding: .utf8),
                              publicPEM: try String(contentsOf: folder.appendingPathComponent("\(name).pub.pem"), encoding: .utf8))
        } catch {
            fatalError("test key \(name) missing from \(folder.path): \(error)")
        }
    }
}
