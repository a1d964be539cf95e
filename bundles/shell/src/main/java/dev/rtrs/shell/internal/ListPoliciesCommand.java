package dev.rtrs.shell.internal;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.RtrsAdmin;
import java.util.List;
import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(
        scope = "rtrs",
        name = "policies",
        description = "Lists the installed multipath policies, their aliases and the client sessions using each")
public class ListPoliciesCommand implements Action {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Option(name = "--json", description = "Print JSON instead of a table (its shape is in the README)")
    boolean json;

    @Override
    public Object execute() {
        RtrsAdmin transport = Available.transport(admin);
        if (json) {
            JsonViews.print(System.out, g -> JsonViews.policies(g, transport.policies(), transport.clientSessions()));
            return null;
        }
        ShellTable table = new ShellTable()
                .emptyTableText("No multipath policy is installed: sessions use the"
                        + " built-in round-robin (install feature rtrs-policy-min-inflight)");
        table.column("Policy");
        table.column("Aliases");
        table.column("Sessions");
        List<ClientSession> sessions = transport.clientSessions();
        for (Map.Entry<String, List<String>> e : transport.policies().entrySet()) {
            List<String> users = sessions.stream()
                    .filter(s -> s.policy().equals(e.getKey()))
                    .map(ClientSession::name)
                    .sorted()
                    .toList();
            table.addRow().addContent(e.getKey(), String.join(", ", e.getValue()), String.join(", ", users));
        }
        table.print(System.out);
        return null;
    }
}
