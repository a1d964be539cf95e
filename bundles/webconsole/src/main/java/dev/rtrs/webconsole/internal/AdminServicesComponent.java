package dev.rtrs.webconsole.internal;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.transport.RtrsAdmin;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@link AdminServices} from the service registry: optional, dynamic and greedy references, so that the page and the
 * sampler follow features being installed, updated and removed without being restarted themselves.
 */
@Component(service = AdminServices.class)
public final class AdminServicesComponent implements AdminServices {

    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RtrsAdmin transport;

    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RnbdClientAdmin client;

    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RnbdServerAdmin server;

    @Override
    public Optional<RtrsAdmin> transport() {
        return Optional.ofNullable(transport);
    }

    @Override
    public Optional<RnbdClientAdmin> client() {
        return Optional.ofNullable(client);
    }

    @Override
    public Optional<RnbdServerAdmin> server() {
        return Optional.ofNullable(server);
    }
}
