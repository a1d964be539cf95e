package dev.rtrs.shell.internal;

import dev.rtrs.block.RnbdClientAdmin;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rnbd",
        name = "devices",
        description = "Lists the mapped devices of the RNBD client, and the configured ones still being mapped")
public class ListDevicesCommand implements Action {

    @Reference(optional = true)
    RnbdClientAdmin client;

    @Option(name = "--json", description = "Print JSON instead of a table (its shape is in the README)")
    boolean json;

    @Override
    public Object execute() {
        RnbdClientAdmin c = Available.client(client);
        if (json) {
            JsonViews.print(System.out, g -> JsonViews.mappedDevices(g, c.devices(), c));
        } else {
            BlockTables.printMappedDevices(c.devices(), c, System.out);
        }
        return null;
    }
}
