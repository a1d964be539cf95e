package dev.rtrs.transport;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** What an operator sees of the transport: its client sessions and its servers. A service of the transport. */
@ProviderType
public interface RtrsAdmin {

    /** Client sessions open now, through any client of this transport. */
    List<ClientSession> clientSessions();

    /** Servers listening now. */
    List<ServerEndpoint> servers();

    /** The multipath policies installed now, by name, with their aliases. */
    Map<String, List<String>> policies();

    /**
     * The name of the installed policy that answers to {@code nameOrAlias} (names and aliases are case-insensitive),
     * e.g. {@code min-inflight} for {@code MI}; empty when none does.
     */
    default Optional<String> policyName(String nameOrAlias) {
        String wanted = nameOrAlias.trim().toLowerCase(Locale.ROOT);
        return policies().entrySet().stream()
                .filter(e -> e.getKey().equals(wanted) || e.getValue().contains(wanted))
                .map(Map.Entry::getKey)
                .findFirst();
    }
}
