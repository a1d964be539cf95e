package dev.rtrs.block.client.internal;

import dev.rtrs.block.BlockException;
import dev.rtrs.transport.RtrsClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Holds the appliance's RNBD client, which the mapped-device components map through, and the last failure of each
 * mapping that is still retrying, so that the admin service can report it.
 */
@Component(service = RnbdClientComponent.class)
public final class RnbdClientComponent {

    private final RnbdClient client;
    private final ClientActions actions;
    /** By configuration PID: a PID is never reused, so a failure cannot be mistaken for a later mapping's. */
    private final Map<String, BlockException> mapFailures = new ConcurrentHashMap<>();

    @Activate
    public RnbdClientComponent(@Reference RtrsClient rtrs) {
        this.client = new RnbdClient(rtrs);
        this.actions = new ClientActions(client);
    }

    RnbdClient client() {
        return client;
    }

    ClientActions actions() {
        return actions;
    }

    /** The latest attempt to map the configuration {@code pid} failed. */
    void mapFailed(String pid, BlockException e) {
        mapFailures.put(pid, e);
    }

    /** The configuration {@code pid} is mapped, or gone. */
    void clearMapFailure(String pid) {
        mapFailures.remove(pid);
    }

    /** Why the latest attempt to map the configuration {@code pid} failed; {@code null} when it did not. */
    BlockException mapFailure(String pid) {
        return mapFailures.get(pid);
    }

    @Deactivate
    void deactivate() {
        client.close();
    }
}
