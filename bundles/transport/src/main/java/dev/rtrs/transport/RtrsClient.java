package dev.rtrs.transport;

import org.osgi.annotation.versioning.ProviderType;

/** Opens client sessions. Registered as a service by the transport implementation. */
@ProviderType
public interface RtrsClient {

    /**
     * Opens a session: connects every path (all its connections, then the INFO exchange) and returns once
     * at least one path is connected; paths that failed keep reconnecting in the background.
     * Blocks up to the options' connect timeout.
     *
     * @param listener told about link changes of the session, on a transport thread; may be {@code null}
     * @throws TransportException when no path could be connected (errno of the last failure), or for bad options
     */
    ClientSession open(ClientSessionOptions options, ClientLinkListener listener) throws TransportException;
}
