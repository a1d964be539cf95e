package dev.rtrs.verbs;

import dev.rtrs.errno.Errno;
import java.io.IOException;

/** A verbs call failed; carries a positive errno. */
public class VerbsException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    public VerbsException(int errno, String message) {
        super(Errno.name(errno) + ": " + message);
        this.errno = errno;
    }

    public VerbsException(int errno, String message, Throwable cause) {
        super(Errno.name(errno) + ": " + message, cause);
        this.errno = errno;
    }

    /** Positive errno, e.g. {@link Errno#ENOMEM}. */
    public int errno() {
        return errno;
    }
}
