import CampaignCore
import Pipeline
import Foundation
import Store

/// Runs campaignctl commands for the quickstart, printing each first.
struct QuickstartSession {
    let home: URL
    let executable: URL
    let environment: [String: String]

    init(home: URL) throws {
        self.home = home
        executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var env = ProcessInfo.processInfo.environment
        env["CAMPAIGNCTL_HOME"] = home.path
        env["CAMPAIGNCTL_INSTANCE"] = "quickstart"
        environment = env
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    func say(_ text: String) { Terminal.writeErr(text + "\n") }

    static func quoted(_ arguments: [String]) -> String {
        arguments.map { argument in
            argument.contains(where: { " <>{}',*|&;$\"".contains($0) }) ? "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'" : argument
        }.joined(separator: " ")
    }

    func process(_ arguments: [String]) -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        return process
    }

    /// Runs one command to completion; its output goes to ours.
    func run(_ arguments: String...) throws {
        say("\n$ campaignctl \(Self.quoted(arguments))")
        fflush(nil)
        let process = process(arguments)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CampaignError(.failure, "`campaignctl \(arguments.prefix(2).joined(separator: " "))` failed (exit \(process.terminationStatus))",
                                hint: "the quickstart's files are in \(home.path)")
        }
    }

    /// Starts a long-running command; its output goes to a log file in the home.
    func start(_ arguments: String...) throws -> Process {
        say("\n$ campaignctl \(Self.quoted(arguments)) &")
        let log = home.appendingPathComponent("\(arguments[0])-\(arguments[1]).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = process(arguments)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        say("  (output in \(log.path))")
        return process
    }

    /// Waits until something listens on 127.0.0.1:port.
    func waitForPort(_ port: Int, process: Process, timeout: Double = 30) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if LoopbackSocket.isListening(port) { return }
            if !process.isRunning {
                throw CampaignError(.failure, "the emulator stopped (exit \(process.terminationStatus))", hint: "see \(home.path)/pipeline-emulate.log")
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw CampaignError(.temporary, "the emulator did not start listening on port \(port)")
    }

    /// Waits until `count` events reached a final status; prints progress.
    func waitUntilProcessed(_ count: Int, daemon: Process, timeout: Double) async throws -> Bool {
        let store = try InstanceStore.open(layout: InstanceLayout(home: home, name: "quickstart"))
        let deadline = Date().addingTimeInterval(timeout)
        var lastReport = Date.distantPast
        while Date() < deadline {
            let counts = try store.eventCounts()
            let finished = counts.filter { $0.key.isFinal }.values.reduce(0, +)
            if Date().timeIntervalSince(lastReport) >= 2 || finished >= count {
                say("  … \(finished) of \(count) triggers processed")
                lastReport = Date()
            }
            if finished >= count { return true }
            if !daemon.isRunning {
                throw CampaignError(.failure, "pipelined stopped (exit \(daemon.terminationStatus))",
                                    hint: "see \(home.path)/var/quickstart/pipelined.log")
            }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        return false
    }

    /// Two consecutive free ports for the emulator (IMS, pipeline) and one for the status page.
    static func freePorts() throws -> (emulator: Int, monitor: Int) {
        for _ in 0..<200 {
            let base = Int.random(in: 20_000...60_000)
            if (base...(base + 2)).allSatisfy(LoopbackSocket.isFree) { return (base, base + 2) }
        }
        throw CampaignError(.temporary, "no free local ports found for the emulator")
    }

    static func sampleProfiles(count: Int) -> String {
        let first = ["Alice", "Bruno", "Chloé", "Dmitri", "Emma", "Farid", "Giulia", "Hugo", "Inès", "Jonas"]
        let last = ["Martin", "Bernard", "Dubois", "Rossi", "Schmidt", "Nowak", "García", "Silva", "Jensen", "Novak"]
        var lines = ["email,customerId,mcId,firstName,lastName,locale"]
        for n in 1...count {
            lines.append("shopper\(n)@example.com,C\(100_000 + n),\(String(format: "%038d", n * 7_919)),\(first[n % first.count]),\(last[(n / 10) % last.count]),en_GB")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let html = """
    <!doctype html>
    <html><body style="font-family: sans-serif">
    <p>Hi {{profile.firstName}},</p>
    <p>You left these in your cart:</p>
    <ul>
    {{#event.items}}
      <li><a href="{{url}}">{{name}}</a> × {{quantity}}, {{price}} €</li>
    {{/event.items}}
    </ul>
    <p>Cart total: <b>{{event.cartTotal}} €</b></p>
    <p><a href="https://shop.example.com/cart">Back to your cart</a></p>
    <p style="font-size: small"><a href="{{unsubscribeUrl}}">Unsubscribe</a></p>
    </body></html>

    """

    static let text = """
    Hi {{profile.firstName}},

    You left these in your cart:
    {{#event.items}}
    - {{name}} x {{quantity}}, {{price}} EUR: {{url}}
    {{/event.items}}

    Cart total: {{event.cartTotal}} EUR
    Back to your cart: https://shop.example.com/cart

    Unsubscribe: {{unsubscribeUrl}}

    """

    static let aliceEvent = """
    {"customerId": "C100001", "cartTotal": "154.40",
     "items": [{"sku": "SKU-1001", "name": "Trail running shoes", "price": 129.90, "quantity": 1, "url": "https://shop.example.com/p/SKU-1001"},
               {"sku": "SKU-1002", "name": "Merino socks (3 pack)", "price": 24.50, "quantity": 1, "url": "https://shop.example.com/p/SKU-1002"}],
     "profile": {"firstName": "Alice"}}

    """
}
