package dev.rtrs.verbs;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An RDMA verbs implementation, registered as an OSGi service by each provider bundle.
 */
@ProviderType
public interface VerbsProvider {

    /** Service property naming the provider, for example {@code tcp} or {@code disni}; services without it are ignored. */
    String PROVIDER = "rtrs.provider";

    /** The provider's name, equal to its {@link #PROVIDER} service property. */
    String name();

    /** The devices this provider drives; never empty for an active provider. */
    List<RdmaDevice> devices();

    /**
     * Creates a connection-manager identifier whose events go to {@code handler}.
     * Non-blocking.
     */
    CmId createCmId(CmEventHandler handler) throws VerbsException;
}
