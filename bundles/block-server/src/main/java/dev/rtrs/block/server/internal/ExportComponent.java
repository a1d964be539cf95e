package dev.rtrs.block.server.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One configured export (a factory configuration, so exports survive restarts and the web console can edit
 * them). Registered as a service that the RNBD server picks up.
 */
@Component(
        service = ExportComponent.class,
        configurationPid = ExportComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = ExportConfig.class, factory = true)
public final class ExportComponent {

    static final String PID = "dev.rtrs.block.server.Export";

    private final ExportDefinition definition;

    @Activate
    public ExportComponent(ExportConfig config) {
        this.definition = definition(
                        config.name(),
                        config.backend(),
                        config.parameters(),
                        config.readOnly(),
                        config.allowedSessions())
                .withAllowedClients(ClientRanges.parse(config.allowedClients()));
    }

    static ExportDefinition definition(
            String name, String backend, String[] parameters, boolean readOnly, String[] allowed) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an export needs a name");
        }
        Map<String, String> params = new HashMap<>();
        for (String entry : parameters) {
            for (String part : entry.split(",")) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("export " + name + ": parameter '" + p + "' is not key=value");
                }
                params.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
            }
        }
        return new ExportDefinition(name.trim(), backend.trim(), params, readOnly, Set.of(allowed));
    }

    ExportDefinition definition() {
        return definition;
    }
}
