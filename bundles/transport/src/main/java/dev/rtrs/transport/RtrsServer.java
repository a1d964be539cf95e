package dev.rtrs.transport;

import org.osgi.annotation.versioning.ProviderType;

/** Starts servers. Registered as a service by the transport implementation. */
@ProviderType
public interface RtrsServer {

    /**
     * Listens on the options' addresses and port. Non-blocking beyond binding the listeners. When the options'
     * verbs provider is not installed yet, the server waits for it and listens as soon as it is: the returned
     * endpoint then has no {@link ServerEndpoint#localAddresses() local addresses} until it does.
     *
     * @param handler  gets every IO of every session, on transport threads
     * @param listener told about sessions and paths coming and going; may be {@code null}
     * @throws TransportException {@code EADDRINUSE} and the like when a listener cannot be bound
     */
    ServerEndpoint listen(ServerOptions options, RequestHandler handler, ServerLinkListener listener)
            throws TransportException;
}
