package dev.rtrs.transport.core.internal.wire;

import dev.rtrs.errno.Errno;

/** A received message or immediate value is malformed; the errno says how to answer it. */
public final class WireFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int errno;

    public WireFormatException(int errno, String message) {
        super(message + " (" + Errno.name(errno) + ")");
        this.errno = errno;
    }

    public WireFormatException(String message) {
        this(Errno.EPROTO, message);
    }

    public int errno() {
        return errno;
    }
}
