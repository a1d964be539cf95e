package dev.rtrs.shell.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.shell.internal.completers.MappedDeviceCompleter;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rnbd",
        name = "unmap",
        description = "Unmaps a device and forgets its mapping (also one configured in an etc/ file)")
public class UnmapDeviceCommand implements Action {

    @Reference(optional = true)
    RnbdClientAdmin client;

    @Argument(index = 0, name = "name", description = "Name of the mapped device", required = true)
    @Completion(MappedDeviceCompleter.class)
    String name;

    @Override
    public Object execute() throws BlockException {
        Available.client(client).unmap(name);
        System.out.println("Unmapped " + name);
        return null;
    }
}
