package dev.rtrs.transport;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** A listening server and the sessions its clients opened. */
@ProviderType
public interface ServerEndpoint extends AutoCloseable {

    ServerOptions options();

    /** The addresses actually bound (with the real port when the options asked for 0). */
    List<InetSocketAddress> localAddresses();

    /** Largest data length of one IO: the chunk size less the room for header and message. */
    int maxIoSize();

    /** The sessions open now. */
    List<ServerSession> sessions();

    Optional<ServerSession> session(String name);

    /** Stops listening and closes every session; requests in the handler get their responses dropped. */
    @Override
    void close();
}
