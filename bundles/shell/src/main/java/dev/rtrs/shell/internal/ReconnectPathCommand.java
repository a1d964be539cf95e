package dev.rtrs.shell.internal;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rtrs",
        name = "reconnect-path",
        description = "Connects a path of a client session again now, as the kernel's per-path reconnect: a connected"
                + " path is torn down first, a closed or given-up one starts over; waits for the outcome")
public class ReconnectPathCommand extends ClientPathCommand {

    @Override
    String act(ClientSession s, PathInfo p) throws Exception {
        s.reconnectPath(p.uuid());
        return "Reconnected path " + p.name() + " of session " + session;
    }
}
