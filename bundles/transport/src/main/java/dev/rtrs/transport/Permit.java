package dev.rtrs.transport;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The right to have one IO in flight on a session. Obtained from {@link ClientSession#acquirePermit()},
 * used for one request at a time, and given back with {@link ClientSession#releasePermit(Permit)}.
 */
@ProviderType
public interface Permit {

    /** Index of the permit within its session, 0 to queue depth - 1. */
    int id();

    /** A per-permit area of {@link ClientSessionOptions#permitUserAreaSize()} bytes for the caller's use. */
    ByteBuffer userArea();
}
