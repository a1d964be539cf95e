package dev.rtrs.block.client.internal;

import dev.rtrs.block.BlockException;

/**
 * The server answered OPEN with an errno (ENOENT, EACCES, EPERM, EROFS, EEXIST, ...): asking again with the same
 * request gets the same answer until an operator changes something, unlike a link that is down.
 */
final class OpenRefusedException extends BlockException {

    private static final long serialVersionUID = 1L;

    OpenRefusedException(int errno, String message) {
        super(errno, message);
    }
}
