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
        name = "resize",
        description = "Reads a mapped device's size from the server again after it changed there, as the kernel's"
                + " resize; IO of its session pauses meanwhile. NBD clients see the new size when they connect again")
public class ResizeDeviceCommand implements Action {

    @Reference(optional = true)
    RnbdClientAdmin client;

    @Argument(index = 0, name = "name", description = "Name of the mapped device", required = true)
    @Completion(MappedDeviceCompleter.class)
    String name;

    @Override
    public Object execute() throws BlockException {
        RnbdClientAdmin c = Available.client(client);
        long before = c.devices().stream()
                .filter(d -> d.name().equals(name))
                .mapToLong(MappedDeviceInfo::size)
                .findFirst()
                .orElse(-1);
        MappedDeviceInfo d = c.resize(name);
        System.out.println(
                before == d.size()
                        ? "Size of " + name + " unchanged: " + d.size() + " bytes"
                        : "Resized " + name + ": " + before + " -> " + d.size() + " bytes");
        return null;
    }
}
