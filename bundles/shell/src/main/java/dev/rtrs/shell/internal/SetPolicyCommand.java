package dev.rtrs.shell.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.shell.internal.completers.ClientSessionCompleter;
import dev.rtrs.shell.internal.completers.PolicyCompleter;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.RtrsAdmin;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rtrs",
        name = "set-policy",
        description =
                "Sets a client session's multipath policy while IO runs; kept across restarts for the RNBD mappings through the session")
public class SetPolicyCommand implements Action {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Reference(optional = true)
    RnbdClientAdmin client;

    @Argument(index = 0, name = "session", description = "Name of the client session", required = true)
    @Completion(ClientSessionCompleter.class)
    String session;

    @Argument(
            index = 1,
            name = "policy",
            description =
                    "An installed policy, by name or alias: min-inflight (mi), round-robin (rr), min-latency (ml), ...",
            required = true)
    @Completion(PolicyCompleter.class)
    String policy;

    @Override
    public Object execute() throws BlockException {
        RtrsAdmin transport = Available.transport(admin);
        ClientSession s = transport.clientSessions().stream()
                .filter(c -> c.name().equals(session))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no client session named '" + session + "'"));
        String name = transport
                .policyName(policy)
                .orElseThrow(() -> new IllegalArgumentException(
                        "no multipath policy named '" + policy + "' is installed (installed: "
                                + String.join(", ", transport.policies().keySet()) + ")"));
        List<String> kept = List.of();
        if (client != null && client.devices().stream().anyMatch(d -> session.equals(d.session()))) {
            kept = client.setPolicy(session, name);
        } else {
            s.setPolicy(name);
        }
        System.out.println("Session " + session + " uses " + s.policy()
                + (kept.isEmpty()
                        ? " (until it closes)"
                        : " (kept in the configuration of " + String.join(", ", kept) + ")"));
        return null;
    }
}
