import CampaignCore
import Foundation
import Pipeline
import Testing
import TestSupport

@Suite struct DaemonLockTests {
    func layout(_ directory: TemporaryDirectory) throws -> InstanceLayout {
        let layout = InstanceLayout(home: directory.url, name: "test")
        try FileManager.default.createDirectory(at: layout.varDirectory, withIntermediateDirectories: true)
        return layout
    }

    @Test func acquireWritesThePidAndASecondAcquireFails() async throws {
        let directory = TemporaryDirectory()
        let layout = try layout(directory)
        #expect(try DaemonLock.holder(layout) == nil)
        let lock = try DaemonLock.acquire(layout)
        #expect(lock.pid == getpid())
        #expect(try String(contentsOf: layout.daemonLockFile, encoding: .utf8) == "\(getpid())\n")
        #expect(try DaemonLock.holder(layout) == DaemonLock.Holder(pid: getpid(), purpose: .daemon))
        let second = try await offPool { () -> CampaignError? in
            do { _ = try DaemonLock.acquire(layout); return nil } catch let error as CampaignError { return error }
        }
        #expect(second?.status == .temporary)
        #expect(second?.message == "pipelined is already running for instance test (pid \(getpid()))")
        lock.release()
        #expect(try DaemonLock.holder(layout) == nil)
        let again = try DaemonLock.acquire(layout)
        #expect(try DaemonLock.holder(layout) == DaemonLock.Holder(pid: getpid(), purpose: .daemon))
        again.release()
    }

    @Test func aRotationWritesItsPurposeAfterItsPid() throws {
        let directory = TemporaryDirectory()
        let layout = try layout(directory)
        let lock = try DaemonLock.acquire(layout, for: .keyRotation)
        #expect(try String(contentsOf: layout.daemonLockFile, encoding: .utf8) == "\(getpid()) auth rotate-key\n")
        #expect(try DaemonLock.holder(layout) == DaemonLock.Holder(pid: getpid(), purpose: .keyRotation))
        lock.release()
    }

    /// `auth rotate-key` holds the lock to keep the daemon off: the daemon,
    /// a reload and another rotation are told so, and nothing is signalled.
    @Test func aKeyRotationHoldingTheLockIsNamedAndNotSignalled() async throws {
        let directory = TemporaryDirectory()
        let layout = try layout(directory)
        let holder = try LockHolderProcess(lockFile: layout.daemonLockFile, purpose: "auth rotate-key")
        let pid = try await holder.waitUntilReady()
        #expect(try DaemonLock.holder(layout) == DaemonLock.Holder(pid: pid, purpose: .keyRotation))
        let refused = try await offPool { () -> CampaignError? in
            do { _ = try DaemonLock.acquire(layout); return nil } catch let error as CampaignError { return error }
        }
        #expect(refused?.status == .temporary)
        #expect(refused?.message == "a key rotation (auth rotate-key, pid \(pid)) holds instance test; pipelined is not running")
        let reload = #expect(throws: CampaignError.self) { try ConfigReload.request(layout) }
        #expect(reload?.status == .unavailable)
        #expect(reload?.message == "no pipelined is running for instance test: a key rotation (pid \(pid)) holds it")
        let rotation = #expect(throws: CampaignError.self) { try KeyRotation.rotate(layout: layout) }
        #expect(rotation?.message == "another key rotation (pid \(pid)) is under way for instance test; the key was not rotated")
        // The reload refused before signalling anything; a signal, had one
        // been sent, shows within milliseconds (reloadSignalsTheProcessHoldingTheLock).
        try await Task.sleep(for: .milliseconds(200))
        #expect(holder.hangups == 0)
    }

    @Test func aStalePidFileIsNotAHolder() throws {
        let directory = TemporaryDirectory()
        let layout = try layout(directory)
        try Data("999999\n".utf8).write(to: layout.daemonLockFile)
        #expect(try DaemonLock.holder(layout) == nil)
        let error = #expect(throws: CampaignError.self) { try ConfigReload.request(layout) }
        #expect(error?.status == .unavailable)
        #expect(error?.message == "no pipelined is running for instance test")
    }

    @Test func reloadSignalsTheProcessHoldingTheLock() async throws {
        let directory = TemporaryDirectory()
        let layout = try layout(directory)
        let holder = try LockHolderProcess(lockFile: layout.daemonLockFile)
        let pid = try await holder.waitUntilReady()
        #expect(try DaemonLock.holder(layout) == DaemonLock.Holder(pid: pid, purpose: .daemon))

        let refused = try await offPool { () -> CampaignError? in
            do { _ = try DaemonLock.acquire(layout); return nil } catch let error as CampaignError { return error }
        }
        #expect(refused?.status == .temporary)
        #expect(refused?.message == "pipelined is already running for instance test (pid \(pid))")

        #expect(try ConfigReload.request(layout) == pid)
        #expect(try await eventually { holder.hangups == 1 })
        #expect(try ConfigReload.request(layout) == pid)
        #expect(try await eventually { holder.hangups == 2 })

        try await holder.stop()
        #expect(try await eventually { try DaemonLock.holder(layout) == nil })
        let lock = try DaemonLock.acquire(layout)
        #expect(lock.pid == getpid())
        lock.release()
    }

    @Test func signalTrapYieldsOnSIGHUP() async throws {
        let trap = SignalTrap([SIGHUP])
        var iterator = trap.signals.makeAsyncIterator()
        // The signal source may be armed a moment after the call: repeat until one arrives.
        let sender = Task {
            while !Task.isCancelled {
                kill(getpid(), SIGHUP)
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        let received = await iterator.next()
        sender.cancel()
        #expect(received == SIGHUP)
    }
}

@Suite struct InstanceConfigTests {
    let directory = TemporaryDirectory()

    func instance(server: String?, config: String) throws -> (TemporaryDirectory, InstanceLayout) {
        let layout = InstanceLayout(home: directory.url, name: "test")
        if let server { try directory.write("conf/serverConf.xml", server) }
        try directory.write("conf/config-test.xml", config)
        return (directory, layout)
    }

    @Test func mergesInstanceOverServerConfOverDefaults() throws {
        let (_, layout) = try instance(
            server: "<serverconf><pipelined retryPeriodSec=\"60\" monitorServerPort=\"7000\"/><mta><relay address=\"smtp.example.com\" port=\"25\"/></mta></serverconf>",
            config: "<serverconf><pipelined monitorServerPort=\"7782\"/><mta><relay port=\"587\"/></mta></serverconf>")
        let config = try InstanceConfig.load(layout)
        func setting(_ name: String) -> EffectiveSetting { config.setting(PipelinedSettings.attribute(named: name)!) }
        #expect(setting("monitorServerPort").value == "7782")
        #expect(setting("monitorServerPort").source == .instance)
        #expect(setting("monitorServerPort").file == layout.configFile.path)
        #expect(setting("retryPeriodSec").value == "60")
        #expect(setting("retryPeriodSec").source == .serverConf)
        #expect(setting("autoStart").value == "false")
        #expect(setting("autoStart").source == .builtInDefault)
        #expect(setting("appName").value == nil)
        #expect(setting("appName").source == .unset)
        #expect(config.pipelinedInteger("monitorServerPort") == 7782)
        #expect(config.pipelinedBool("autoStart") == false)
        #expect(config.value(of: "address", at: ["serverconf", "mta", "relay"])?.value == "smtp.example.com")
        #expect(config.value(of: "port", at: ["serverconf", "mta", "relay"])?.value == "587")
        #expect(config.effectiveSettings.count == PipelinedSettings.attributes.count)
        #expect(config.problems().isEmpty)
    }

    @Test func listsEveryProblem() throws {
        let (_, layout) = try instance(
            server: "<serverconf>\n<pipelined maxProcessMemoryWarningMb=\"2000\"/>\n</serverconf>",
            config: """
            <serverconf>
              <pipelined monitorPort="1" autoStart="yes"
                 processRestartTime="6:00" discoverPipelineEndpoint="http://example.com"
                 authType="jwt" monitorServerPort="70000" processingThreads="0"/>
            </serverconf>
            """)
        let problems = try InstanceConfig.load(layout).problems()
        #expect(problems.map(\.key) == [
            "pipelined.monitorPort", "pipelined.autoStart", "pipelined.processRestartTime",
            "pipelined.discoverPipelineEndpoint", "pipelined.authType", "pipelined.monitorServerPort",
            "pipelined.processingThreads", "pipelined.maxProcessMemoryWarningMb",
        ])
        #expect(problems[0].hint?.contains("did you mean pipelined.monitorServerPort?") == true)
        #expect(problems[0].line == 2 && problems[0].column == 14)
        #expect(problems[2].line == 3)
        #expect(problems[7].file == layout.serverConfFile.path)
    }

    @Test func setChecksTheValueBeforeWriting() throws {
        let original = "<serverconf>\n  <pipelined autoStart=\"true\"/>\n</serverconf>\n"
        let (_, layout) = try instance(server: nil, config: original)
        for (key, value) in [("pipelined.autoStart", "yes"), ("pipelined.monitorServerPort", "-1"),
                             ("pipelined.processRestartTime", "24:00:00"), ("pipelined.forcedPipelineEndpoint", "http://example.com")] {
            let error = #expect(throws: CampaignError.self) { try InstanceConfig.set(layout, key: key, value: value) }
            #expect(error?.status == .dataError)
        }
        #expect(#expect(throws: CampaignError.self) { try InstanceConfig.set(layout, key: "ims.x", value: "1") }?.status == .usage)
        #expect(#expect(throws: CampaignError.self) { try InstanceConfig.set(layout, key: "pipelined.authPrivateKey", value: "x") }?.status == .usage)
        #expect(try String(contentsOf: layout.configFile, encoding: .utf8) == original)
        #expect(!FileManager.default.fileExists(atPath: layout.configFile.path + ".bak"))

        let change = try InstanceConfig.set(layout, key: "pipelined.forcedPipelineEndpoint", value: "http://127.0.0.1:8080")
        #expect(change.changed && change.setting.source == .instance)
        #expect(try String(contentsOf: layout.configFile, encoding: .utf8)
            == "<serverconf>\n  <pipelined autoStart=\"true\" forcedPipelineEndpoint=\"http://127.0.0.1:8080\"/>\n</serverconf>\n")
        let unset = try InstanceConfig.unset(layout, key: "pipelined.autoStart")
        #expect(unset.changed && unset.previousValue == "true" && unset.setting.source == .builtInDefault)
    }

    @Test func setAttributesWritesOtherElements() throws {
        let (_, layout) = try instance(server: nil, config: "<serverconf>\n  <pipelined/>\n</serverconf>\n")
        try InstanceConfig.setAttributes(layout, [("authIMSTAClientId", "id"), ("authIMSTAClientSecret", "@sealed")], at: ["serverconf", "ims"])
        try InstanceConfig.setAttributes(layout, [("IMSOrgId", "O@AdobeOrg")], at: ["serverconf", "web", "redirection"])
        #expect(try String(contentsOf: layout.configFile, encoding: .utf8) == """
        <serverconf>
          <pipelined/>
          <ims authIMSTAClientId="id" authIMSTAClientSecret="@sealed"/>
          <web>
            <redirection IMSOrgId="O@AdobeOrg"/>
          </web>
        </serverconf>

        """)
    }
}
