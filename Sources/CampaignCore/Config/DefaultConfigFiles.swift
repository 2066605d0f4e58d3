import Foundation

/// The XML files a new instance starts with.
public enum DefaultConfigFiles {
    /// `conf/serverConf.xml`: every `<pipelined>` attribute that has a default,
    /// so that `config show --effective` can say where each value comes from.
    public static func serverConf() -> String {
        let attributes = PipelinedSettings.attributes
            .compactMap { attribute in attribute.defaultValue.map { (attribute.name, $0) } }
            .map { "\n             \($0.0)=\"\($0.1)\"" }
            .joined()
        return """
        <?xml version='1.0' encoding='utf-8'?>
        <!-- campaignctl serverConf.xml: defaults shared by every instance under this home.
             Each instance overrides them in conf/config-INSTANCE.xml; change those, not this. -->
        <serverconf>
          <ims authIMSEndpoint="\(Credential.defaultIMSEndpoint)"/>
          <web>
            <redirection IMSOrgId=""/>
          </web>
          <!-- Outgoing mail. address="file:" writes .eml files to var/INSTANCE/outbox/
               instead of sending; set an SMTP host here to send for real. -->
          <mta>
            <relay address="file:" port="25" security="none"/>
          </mta>
          <pipelined\(attributes)/>
        </serverconf>

        """
    }

    /// `conf/config-NAME.xml`: an empty set of overrides.
    public static func instanceConfig(name: String) -> String {
        """
        <?xml version='1.0' encoding='utf-8'?>
        <!-- Overrides for instance \(name). `campaignctl config set` edits one attribute
             and keeps every other byte of this file as it is. -->
        <serverconf>
          <pipelined/>
        </serverconf>

        """
    }
}
