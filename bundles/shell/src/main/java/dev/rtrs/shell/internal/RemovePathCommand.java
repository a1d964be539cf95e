package dev.rtrs.shell.internal;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import java.util.List;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rtrs",
        name = "remove-path",
        description = "Closes a path of a client session and removes it, as the kernel's remove_path (never the last"
                + " one); kept in the configuration of the RNBD mappings through the session")
public class RemovePathCommand extends ClientPathCommand {

    @Reference(optional = true)
    RnbdClientAdmin client;

    @Override
    String act(ClientSession s, PathInfo p) throws Exception {
        List<String> kept = List.of();
        if (Lookup.configuredByRnbd(client, session)) {
            kept = client.removePath(session, p.uuid());
        } else {
            s.removePath(p.uuid());
        }
        return "Removed path " + p.name() + " from session " + session + Lookup.kept(kept, session);
    }
}
