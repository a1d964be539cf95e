package dev.rtrs.shell.internal;

import dev.rtrs.block.RnbdServerAdmin;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
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

    @Override
    public Object execute() {
        BlockTables.printOpenDevices(Available.server(server).openDevices(), System.out);
        return null;
    }
}
