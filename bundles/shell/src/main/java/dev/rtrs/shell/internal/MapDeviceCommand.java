package dev.rtrs.shell.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdClientAdmin.MapRequest;
import dev.rtrs.shell.internal.completers.AccessModeCompleter;
import dev.rtrs.shell.internal.completers.ClientSessionCompleter;
import dev.rtrs.shell.internal.completers.ExportCompleter;
import dev.rtrs.transport.RtrsLimits;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rnbd",
        name = "map",
        description = "Maps a server's device, as the kernel's map_device; the mapping is kept across restarts")
public class MapDeviceCommand implements Action {

    @Reference(optional = true)
    RnbdClientAdmin client;

    @Option(
            name = "--session",
            aliases = "-s",
            description = "Session to map through (opened with the paths if new)",
            required = true)
    @Completion(ClientSessionCompleter.class)
    String session;

    @Option(
            name = "--path",
            aliases = "-p",
            description = "A path as [src,]dst, e.g. 10.0.0.2 or ip:10.0.0.1,ip:10.0.0.2:1234; repeat for more paths",
            required = true,
            multiValued = true)
    List<String> paths;

    @Option(name = "--port", description = "Server port for paths that name none")
    int port = RtrsLimits.DEFAULT_PORT;

    @Option(name = "--access-mode", aliases = "-m", description = "ro, rw or migration")
    @Completion(AccessModeCompleter.class)
    String accessMode = "rw";

    @Option(
            name = "--timeout",
            description = "Milliseconds to wait for the mapping; it stays configured after a timeout")
    long timeoutMs = 30_000;

    @Argument(
            index = 0,
            name = "name",
            description = "Name of the mapped device (also its NBD export name)",
            required = true)
    String name;

    @Argument(
            index = 1,
            name = "device-path",
            description = "The device's name on the server: an export, or a file under its dev_search_path",
            required = true)
    @Completion(ExportCompleter.class)
    String devicePath;

    @Override
    public Object execute() throws BlockException {
        MapRequest request = new MapRequest(name, session, paths, port, devicePath, accessMode);
        BlockTables.printMapped(Available.client(client).map(request, timeoutMs), System.out);
        return null;
    }
}
