import Foundation
@testable import Pipeline
import TestSupport

/// Parses a message with Python's `email` package (policy.default) and
/// returns what it saw: headers, decoded parts, defects, line facts.
func parseWithPython(_ bytes: Data) async throws -> [String: Any] {
    let folder = TemporaryDirectory("mime-parse")
    let file = folder.file("message.eml")
    try bytes.write(to: file)
    let script = folder.file("parse.py")
    try Data(pythonParser.utf8).write(to: script)
    let result = try await offPool { try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, file.path]) }
    guard result.status == 0 else { throw TestServerFailure("python parse failed: \(result)") }
    return try result.json()
}

private let pythonParser = #"""
import json, sys, email, email.utils
from email import policy
raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=policy.default)
head, _, body = raw.partition(b"\r\n\r\n")
def addresses(name):
    value = msg[name]
    if value is None:
        return None
    return [[a.display_name, a.addr_spec] for a in value.addresses]
parts = []
for part in (msg.iter_parts() if msg.is_multipart() else [msg]):
    parts.append({
        "type": part.get_content_type(),
        "charset": part.get_content_charset(),
        "cte": part.get("Content-Transfer-Encoding"),
        "content": part.get_content().replace("\r\n", "\n"),
        "defects": [type(d).__name__ for d in part.defects],
    })
print(json.dumps({
    "header_names": list(msg.keys()),
    "raw_header_lines": head.decode("ascii").split("\r\n"),
    "subject": str(msg["subject"]),
    "message_id": str(msg["message-id"]),
    "date": email.utils.parsedate_to_datetime(str(msg["date"])).timestamp(),
    "from": addresses("from"),
    "to": addresses("to"),
    "reply_to": addresses("reply-to"),
    "content_type": msg.get_content_type(),
    "boundary": msg.get_boundary(),
    "parts": parts,
    "defects": [type(d).__name__ for d in msg.defects],
    "max_line": max(len(l) for l in raw.split(b"\r\n")),
    "max_body_line": max(len(l) for l in body.split(b"\r\n")),
    "bare_newline": b"\n" in raw.replace(b"\r\n", b"") or b"\r" in raw.replace(b"\r\n", b""),
    "ends_with_crlf": raw.endswith(b"\r\n"),
    "non_ascii": any(b > 127 for b in raw),
}))
"""#

/// A loopback port that nothing listens on (bound, read back, closed).
func closedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

func sampleEmail(to: String = "jane@example.com", subject: String = "Your order", id: String = "evt-1@campaignctl.test",
                 html: String? = "<p>Hello <b>Jane</b></p>", text: String? = "Hello Jane") -> OutgoingEmail {
    OutgoingEmail(from: "Shop <shop@example.com>", to: to, replyTo: "help@example.com", subject: subject, html: html, text: text,
                  messageId: id, date: Date(timeIntervalSince1970: 1_795_000_000))
}

extension DeliveryResult {
    var reason: String {
        switch self {
        case .sent(let detail): detail
        case .temporaryFailure(let reason), .permanentFailure(let reason): reason
        }
    }

    var isTemporary: Bool { if case .temporaryFailure = self { true } else { false } }
    var isPermanent: Bool { if case .permanentFailure = self { true } else { false } }
}
