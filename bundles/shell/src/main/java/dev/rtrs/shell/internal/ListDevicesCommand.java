package dev.rtrs.shell.internal;

import dev.rtrs.block.RnbdClientAdmin;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
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

    @Override
    public Object execute() {
        BlockTables.printMappedDevices(Available.client(client).devices(), System.out);
        return null;
    }
}
