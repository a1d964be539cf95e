package dev.rtrs.transport;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One IO as the server's request handler gets it. The chunk behind it stays reserved until
 * {@link #respond(int)} is called, exactly once, from any thread.
 */
@ProviderType
public interface ServerRequest {

    ServerSession session();

    Direction direction();

    /** The user header the client sent (read-only, position 0). */
    ByteBuffer userHeader();

    /**
     * For a WRITE: the data the client wrote (read-only). For a READ: a buffer of the length the client
     * asked for, which the handler fills before responding with 0.
     */
    ByteBuffer data();

    /**
     * Completes the IO; for a READ with errno 0 the data goes to the client first.
     * Non-blocking; a second call is ignored.
     *
     * @param errno 0, or a positive Linux errno the client's callback gets
     */
    void respond(int errno);
}
