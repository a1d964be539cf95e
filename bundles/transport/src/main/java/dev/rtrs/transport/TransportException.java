package dev.rtrs.transport;

import dev.rtrs.errno.Errno;
import java.io.IOException;

/** A transport operation failed; carries a positive Linux errno. */
public class TransportException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    public TransportException(int errno, String message) {
        super(message + " (" + Errno.name(errno) + ")");
        this.errno = errno;
    }

    public TransportException(int errno, String message, Throwable cause) {
        super(message + " (" + Errno.name(errno) + ")", cause);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
