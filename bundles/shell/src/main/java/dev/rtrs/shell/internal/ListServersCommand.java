package dev.rtrs.shell.internal;

import dev.rtrs.transport.RtrsAdmin;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
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

    @Override
    public Object execute() {
        TransportTables.printServers(Available.transport(admin).servers(), System.out);
        return null;
    }
}
