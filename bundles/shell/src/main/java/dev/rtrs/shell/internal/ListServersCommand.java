package dev.rtrs.shell.internal;

import dev.rtrs.transport.RtrsAdmin;
import dev.rtrs.transport.ServerEndpoint;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rtrs",
        name = "servers",
        description =
                "Lists the RTRS servers with their options, and their clients' sessions with paths and statistics")
public class ListServersCommand implements Action {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Option(name = "--json", description = "Print JSON instead of a table (its shape is in the README)")
    boolean json;

    @Override
    public Object execute() {
        List<ServerEndpoint> servers = Available.transport(admin).servers();
        if (json) {
            JsonViews.print(System.out, g -> JsonViews.servers(g, servers));
        } else {
            TransportTables.printServers(servers, System.out);
        }
        return null;
    }
}
