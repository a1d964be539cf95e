package dev.rtrs.shell.internal.completers;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdClientAdmin.MappedDeviceInfo;
import java.util.Set;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** Names of the mapped devices, including those configured and still being mapped. */
@Service
public class MappedDeviceCompleter extends AbstractNamesCompleter {

    @Reference(optional = true)
    RnbdClientAdmin client;

    @Override
    void addNames(Set<String> names) {
        if (client != null) {
            client.devices().stream().map(MappedDeviceInfo::name).forEach(names::add);
        }
    }
}
