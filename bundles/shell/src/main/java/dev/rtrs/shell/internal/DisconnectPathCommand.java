package dev.rtrs.shell.internal;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rtrs",
        name = "disconnect-path",
        description = "Closes a path of a client session until rtrs:reconnect-path, as the kernel's per-path"
                + " disconnect; its IO fails over to the other paths")
public class DisconnectPathCommand extends ClientPathCommand {

    @Override
    String act(ClientSession s, PathInfo p) throws Exception {
        s.disconnectPath(p.uuid());
        return "Disconnected path " + p.name() + " of session " + session
                + " (runtime only: it connects again when the session is opened again)";
    }
}
