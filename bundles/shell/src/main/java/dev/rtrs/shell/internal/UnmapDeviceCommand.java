package dev.rtrs.shell.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.shell.internal.completers.MappedDeviceCompleter;
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
        name = "unmap",
        description = "Unmaps a device and forgets its mapping (also one configured in an etc/ file), as the kernel's"
                + " unmap_device: refused while NBD clients use it, unless forced")
public class UnmapDeviceCommand implements Action {

    @Reference(optional = true)
    RnbdClientAdmin client;

    @Option(
            name = "--force",
            aliases = "-f",
            description = "Close the connections of NBD clients that use the device first (the kernel's 'force')")
    boolean force;

    @Argument(index = 0, name = "name", description = "Name of the mapped device", required = true)
    @Completion(MappedDeviceCompleter.class)
    String name;

    @Override
    public Object execute() throws BlockException {
        Available.client(client).unmap(name, force);
        System.out.println("Unmapped " + name);
        return null;
    }
}
