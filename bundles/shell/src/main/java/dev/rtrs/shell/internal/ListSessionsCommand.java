package dev.rtrs.shell.internal;

import dev.rtrs.transport.RtrsAdmin;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rtrs",
        name = "sessions",
        description = "Lists the client sessions with their paths and path statistics")
public class ListSessionsCommand implements Action {

    @Reference(optional = true)
    RtrsAdmin admin;

    @Override
    public Object execute() {
        TransportTables.printClientSessions(Available.transport(admin).clientSessions(), System.out);
        return null;
    }
}
