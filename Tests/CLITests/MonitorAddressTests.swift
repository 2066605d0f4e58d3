import Foundation
import Testing
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where the daemon's status server listens: loopback unless told otherwise.
@Suite struct MonitorAddressTests {
    func ok(_ result: ProcessResult) throws {
        guard result.status == 0 else { throw TestServerFailure("\(result)") }
    }

    /// The IPv4 addresses (hex, as /proc/net/tcp writes them) listening on `port`.
    static func listeners(port: Int) throws -> [String] {
        let table = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
        return table.split(separator: "\n").dropFirst().compactMap { line in
            let columns = line.split(separator: " ")
            guard columns.count > 3, columns[3] == "0A" else { return nil }
            let local = columns[1].split(separator: ":")
            guard local.count == 2, Int(local[1], radix: 16) == port else { return nil }
            return String(local[0])
        }
    }

    /// Runs a daemon against the emulator with `address` (nil: the default)
    /// and returns where its status server listens.
    func listeningAddresses(address: String?) async throws -> [String] {
        let home = CLIHome()
        try await home.initInstance("mon")
        let env = ["CAMPAIGNCTL_INSTANCE": "mon"]
        let ports = try freeLocalPorts(3)
        let secret = try home.directory.write("secret.txt", "mon-secret-value\n")
        try ok(await home.run(["auth", "add", "adobe", "--type", "oauth", "--org-id", "MON0000000000000000000@AdobeOrg", "--client-id", "mon-client",
                               "--client-secret-file", secret, "--ims-endpoint", "http://127.0.0.1:\(ports[0])"], environment: env))
        try ok(await home.run(["auth", "use", "adobe"], environment: env))
        let routing = #"{"topics":[{"name":"triggers","consumer":"mon","triggers":[{"name":"00000000-0000-0000-0000-000000000000"}]}]}"#
        try ok(await home.run(["option", "set", "NmsPipeline_Config", "--file", "-"], stdin: routing, environment: env))
        var settings = [("discoverPipelineEndpoint", "http://127.0.0.1:\(ports[1])"), ("monitorServerPort", "\(ports[2])")]
        if let address { settings.append(("monitorServerAddress", address)) }
        for (key, value) in settings {
            try ok(await home.run(["config", "set", "pipelined.\(key)", value], environment: env))
        }
        let emulator = try BackgroundProcess(campaignctlBinary, ["pipeline", "emulate", "--accept", "adobe", "--port", "\(ports[0])", "--generate", "0"],
                                             environment: ["CAMPAIGNCTL_HOME": home.home, "CAMPAIGNCTL_INSTANCE": "mon"])
        defer { if emulator.isRunning { emulator.signal(SIGKILL) } }
        #expect(await emulator.line { $0.contains("pipeline endpoint") } != nil, "emulator: \(emulator.stderr)")
        let daemon = try BackgroundProcess(campaignctlBinary, ["pipelined", "run"], environment: ["CAMPAIGNCTL_HOME": home.home, "CAMPAIGNCTL_INSTANCE": "mon"])
        defer { if daemon.isRunning { daemon.signal(SIGKILL) } }
        #expect(try await eventually(timeout: .seconds(30)) { daemon.stderr.contains("Status page on") || !daemon.isRunning }, "daemon: \(daemon.stderr)")
        // /proc/net/tcp is read in pieces, and a listener can be missed
        // while the parallel tests open and close many sockets: read it
        // until the port shows.
        var found: [String] = []
        _ = try await eventually(timeout: .seconds(5)) {
            found = try Self.listeners(port: ports[2])
            return !found.isEmpty
        }
        // It answers on loopback either way.
        let (_, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(ports[2])/pipelined/status")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        daemon.signal(SIGTERM)
        #expect(await daemon.exitStatus() == 0, "daemon: \(daemon.stderr)")
        emulator.signal(SIGTERM)
        _ = await emulator.exitStatus()
        return found
    }

    @Test func theStatusServerListensOnLoopbackOnlyByDefault() async throws {
        let found = try await listeningAddresses(address: nil)
        #expect(found == ["0100007F"], "\(found)")  // 127.0.0.1
    }

    @Test func anExplicitAddressExposesIt() async throws {
        let found = try await listeningAddresses(address: "0.0.0.0")
        #expect(found == ["00000000"], "\(found)")
    }

    @Test func theAddressMustBeAnIPv4Literal() async throws {
        let home = CLIHome()
        try await home.initInstance()
        let before = try home.read("conf/config-test.xml")
        for bad in ["localhost", "::", "10.0.0", "0.0.0.0:80", "256.1.1.1"] {
            let result = try await home.run("config", "set", "pipelined.monitorServerAddress", bad)
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.contains("expects an IPv4 address such as 127.0.0.1"), "\(result)")
        }
        #expect(try home.read("conf/config-test.xml") == before)
        try ok(await home.run("config", "set", "pipelined.monitorServerAddress", "0.0.0.0"))
        let got = try await home.run("config", "get", "pipelined.monitorServerAddress", "--json")
        #expect(got.stdout.contains("0.0.0.0"), "\(got)")
    }
}
