package dev.rtrs.shell.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdClientAdmin.MappedDeviceInfo;
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
        name = "remap",
        description = "Opens a device again on the server, as the kernel's remap_device, for a device whose session"
                + " lost its link and has a connected path again (the client also does so by itself)")
public class RemapDeviceCommand implements Action {

    @Reference(optional = true)
    RnbdClientAdmin client;

    @Argument(index = 0, name = "name", description = "Name of the mapped device", required = true)
    @Completion(MappedDeviceCompleter.class)
    String name;

    @Override
    public Object execute() throws BlockException {
        MappedDeviceInfo d = Available.client(client).remap(name);
        System.out.println("Remapped " + d.name() + ": " + d.devicePath() + " through session " + d.session() + ", "
                + d.size() + " bytes");
        return null;
    }
}
