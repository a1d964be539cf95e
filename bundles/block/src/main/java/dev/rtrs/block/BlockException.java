package dev.rtrs.block;

import dev.rtrs.errno.Errno;
import java.io.IOException;

/**
 * A block operation or an export's opening failed; carries the positive Linux errno a client should get (for an
 * OPEN, in the OPEN_RSP the server sends back).
 */
public class BlockException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    public BlockException(int errno, String message) {
        super(message + " (" + Errno.name(errno) + ")");
        this.errno = errno;
    }

    public BlockException(int errno, String message, Throwable cause) {
        super(message + " (" + Errno.name(errno) + ")", cause);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
