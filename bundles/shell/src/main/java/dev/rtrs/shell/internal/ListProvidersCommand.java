package dev.rtrs.shell.internal;

import dev.rtrs.verbs.VerbsProvider;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(
        scope = "rtrs",
        name = "providers",
        description = "Lists the RDMA verbs providers, their devices and what the devices can do")
public class ListProvidersCommand implements Action {

    // every provider (tcp, disni, ...): the shell injects all services of a List reference
    @Reference
    List<VerbsProvider> providers;

    @Option(name = "--json", description = "Print JSON instead of a table (its shape is in the README)")
    boolean json;

    @Override
    public Object execute() {
        if (json) {
            JsonViews.print(System.out, g -> JsonViews.providers(g, providers));
        } else {
            TransportTables.printProviders(providers, System.out);
        }
        return null;
    }
}
