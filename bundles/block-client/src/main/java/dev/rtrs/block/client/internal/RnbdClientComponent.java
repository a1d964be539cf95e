package dev.rtrs.block.client.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import dev.rtrs.transport.RtrsClient;

/** Holds the appliance's RNBD client, which the mapped-device components map through. */
@Component(service = RnbdClientComponent.class)
public final class RnbdClientComponent {

    private final RnbdClient client;

    @Activate
    public RnbdClientComponent(@Reference RtrsClient rtrs) {
        this.client = new RnbdClient(rtrs);
    }

    RnbdClient client() {
        return client;
    }

    @Deactivate
    void deactivate() {
        client.close();
    }
}
