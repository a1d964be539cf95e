package dev.rtrs.shell.internal;

import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.block.RnbdServerAdmin.OpenDeviceInfo;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rnbd",
        name = "open-devices",
        description = "Lists the devices clients have open on the RNBD server, per session")
public class ListOpenDevicesCommand implements Action {

    @Reference(optional = true)
    RnbdServerAdmin server;

    @Option(name = "--json", description = "Print JSON instead of a table (its shape is in the README)")
    boolean json;

    @Override
    public Object execute() {
        List<OpenDeviceInfo> devices = Available.server(server).openDevices();
        if (json) {
            JsonViews.print(System.out, g -> JsonViews.openDevices(g, devices));
        } else {
            BlockTables.printOpenDevices(devices, System.out);
        }
        return null;
    }
}
