package dev.rtrs.block.client.internal;

import dev.rtrs.block.BlockException;

/**
 * The server answered OPEN with an errno (ENOENT, EACCES, EPERM, EROFS, ...), or the client refused to open a device
 * its session has mapped already (EEXIST, as the kernel's client): asking again with the same request gets the same
 * answer until an operator changes something, unlike a link that is down.
 */
final class OpenRefusedException extends BlockException {

    private static final long serialVersionUID = 1L;

    OpenRefusedException(int errno, String message) {
        super(errno, message);
    }
}
