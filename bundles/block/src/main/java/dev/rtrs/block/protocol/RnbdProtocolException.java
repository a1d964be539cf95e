package dev.rtrs.block.protocol;

import dev.rtrs.errno.Errno;

/**
 * A received RNBD message is malformed. The errno is what the peer should get back: {@code EBADMSG} for a
 * message shorter than its type's size, {@code EPROTO} for an unknown or unexpected message type, {@code EINVAL}
 * for a field holding a value the protocol does not define.
 */
public final class RnbdProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int errno;

    public RnbdProtocolException(int errno, String message) {
        super(message + " (" + Errno.name(errno) + ")");
        this.errno = errno;
    }

    /** A positive Linux errno. */
    public int errno() {
        return errno;
    }
}
