import ArgumentParser
import CampaignCore
import Foundation

@main
struct CampaignCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaignctl",
        abstract: "Behavioural-trigger marketing on one machine: Adobe Campaign's Experience Cloud Triggers, with its state in SQLite.",
        discussion: """
        campaignctl keeps each instance under a home folder (--home, $CAMPAIGNCTL_HOME, \
        else ~/.local/share/campaignctl): conf/serverConf.xml, conf/config-INSTANCE.xml \
        and var/INSTANCE/ with the SQLite store and the instance key.

        Commands print tables for people and one JSON document with --json. Messages \
        and errors go to standard error as 'error: ...' and 'hint: ...'.

        EXAMPLES:
          campaignctl instance init prod
          campaignctl auth add adobe --type oauth --org-id ABC@AdobeOrg \\
              --client-id ID --client-secret-file secret.txt
          campaignctl auth test adobe
          campaignctl config set pipelined.monitorServerPort 7781

        EXIT CODES:
        \(ExitStatus.allCases.map { "  \(String($0.rawValue).padding(toLength: 4, withPad: " ", startingAt: 0))\($0.meaning)" }.joined(separator: "\n"))
        """,
        subcommands: [
            InstanceCommand.self,
            AuthCommand.self,
            ConfigCommand.self,
            OptionCommand.self,
            TriggerCommand.self,
            TemplateCommand.self,
            ProfileCommand.self,
            TestProfileCommand.self,
            DenylistCommand.self,
            AccountCommand.self,
            EventsCommand.self,
            PipelineCommand.self,
            PipelinedCommand.self,
            QuickstartCommand.self,
            BenchCommand.self,
        ]
    )

    static func main() async {
        // A parent (Foundation's Process among them) may hand us a blocked
        // signal mask; the daemon and the emulator must hear SIGTERM and SIGHUP.
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        sigprocmask(SIG_UNBLOCK, &all, nil)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CampaignError {
            Terminal.printError(error)
            Foundation.exit(error.status.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
