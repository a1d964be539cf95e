package dev.rtrs.verbs.tcp.internal;

/** A frame broke the protocol; the connection that carried it is closed. */
final class FrameException extends Exception {

    private static final long serialVersionUID = 1L;

    FrameException(String message) {
        super(message);
    }
}
